"""Failed logins counted by parallel requests are all counted (no lost updates)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from sen.identity import services
from sen.identity.tests.factories import OrgUnitFactory, StaffFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

WRITERS = 6


def test_parallel_failures_are_all_counted(settings):
    settings.SEN_LOGIN_MAX_FAILURES = 100
    person = StaffFactory(unit=OrgUnitFactory())
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def fail_once():
        try:
            barrier.wait()
            with pytest.raises(services.LoginFailed):
                services.login_authenticate(login=person.username, password="sai")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=fail_once) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    person.refresh_from_db()
    assert person.failed_login_count == WRITERS


def test_parallel_failures_lock_exactly_once(settings):
    settings.SEN_LOGIN_MAX_FAILURES = 3
    person = StaffFactory(unit=OrgUnitFactory())
    barrier = threading.Barrier(WRITERS)
    outcomes: list[str] = []

    def fail_once():
        try:
            barrier.wait()
            services.login_authenticate(login=person.username, password="sai")
        except services.AccountLocked:
            outcomes.append("locked")
        except services.LoginFailed:
            outcomes.append("failed")
        finally:
            connection.close()

    threads = [threading.Thread(target=fail_once) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    from sen.core.models import AuditEvent

    person.refresh_from_db()
    assert person.locked_until is not None
    assert AuditEvent.objects.filter(object_id=str(person.pk), action="identity.login.lockout").count() == 1
    assert len(outcomes) == WRITERS
    assert outcomes.count("failed") == 2
