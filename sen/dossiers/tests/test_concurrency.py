"""Dossier codes under concurrent submissions (real PostgreSQL, real threads, real row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from sen.dossiers.models import Dossier, DossierCounter
from sen.dossiers.tests.factories import publish_version, submit
from sen.identity.tests.factories import CitizenFactory, OrgUnitFactory, province_kind

THREADS = 8


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_consecutive_codes_without_gaps_or_duplicates():
    # given eight citizens ready to submit to the same unit on the same day (no counter row yet)
    province = OrgUnitFactory(code="H15", name="Tỉnh thử nghiệm", kind=province_kind())
    unit = OrgUnitFactory(code="H15.50.05", name="UBND xã Thử", parent=province)
    version = publish_version()
    citizens = [CitizenFactory(full_name=f"Người Nộp {n}") for n in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    codes: list[str] = []
    errors: list[BaseException] = []

    def run(person) -> None:
        try:
            barrier.wait()
            codes.append(submit(person, version, unit).code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    # when they all submit at once
    threads = [threading.Thread(target=run, args=(person,)) for person in citizens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then every code is different and the numbers are exactly 0001..0008
    assert errors == []
    assert sorted(code[-4:] for code in codes) == [f"{n:04d}" for n in range(1, THREADS + 1)]
    assert Dossier.objects.count() == THREADS
    assert DossierCounter.objects.get(unit=unit).last == THREADS


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_make_one_dossier():
    # given one citizen whose client retries the same request from four connections at once
    province = OrgUnitFactory(code="H15", name="Tỉnh thử nghiệm", kind=province_kind())
    unit = OrgUnitFactory(code="H15.50.06", name="UBND xã Thử Lại", parent=province)
    version = publish_version()
    person = CitizenFactory(full_name="Người Thử Lại")
    barrier = threading.Barrier(4)
    codes: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            codes.append(submit(person, version, unit, idempotency_key="mot-khoa").code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then every request got the one dossier, numbered 0001, and no number was lost
    assert errors == []
    assert len(set(codes)) == 1 and len(codes) == 4
    assert Dossier.objects.count() == 1
    assert DossierCounter.objects.get(unit=unit).last == 1
