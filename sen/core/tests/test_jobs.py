"""Jobs run only after the transaction commits: in-process in the embedded default, and through a real
Redis broker to a real Celery worker (a subprocess) when REDIS_URL is set."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery, shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from config.celery import app as sen_celery_app
from sen.core.jobs import enqueue
from sen.core.models import AuditCheckpoint, Notification, UnitKind
from sen.core.notifications import notify
from sen.core.tasks import audit_checkpoint
from sen.core.tests.test_notifications import LoopbackSMTPServer, free_port

REDIS_URL = os.environ.get("SEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() == "true"

seen_by_job: list[tuple[str, bool]] = []


@shared_task
def record_whether_unit_kind_is_visible(code: str) -> None:
    """A job that looks for a row its caller wrote: it must see it, so it must run after the commit."""
    seen_by_job.append((code, UnitKind.objects.filter(code=code).exists()))


@pytest.fixture
def job_log():
    seen_by_job.clear()
    yield seen_by_job
    seen_by_job.clear()


@pytest.mark.django_db(transaction=True)
def test_a_job_runs_after_the_commit_and_sees_the_committed_row(job_log):
    with transaction.atomic():
        UnitKind.objects.create(code="ward", name="Phường")
        enqueue(record_whether_unit_kind_is_visible, "ward")
        assert job_log == []  # not before the commit

    assert job_log == [("ward", True)]


@pytest.mark.django_db(transaction=True)
def test_a_job_never_runs_for_a_rolled_back_transaction(job_log):
    with pytest.raises(RuntimeError), transaction.atomic():
        UnitKind.objects.create(code="hamlet", name="Ấp")
        enqueue(record_whether_unit_kind_is_visible, "hamlet")
        raise RuntimeError("rolled back")

    assert job_log == []
    assert not UnitKind.objects.filter(code="hamlet").exists()


@pytest.mark.django_db(transaction=True)
def test_a_job_waits_for_the_outermost_transaction_not_a_savepoint(job_log):
    with transaction.atomic():
        UnitKind.objects.create(code="village", name="Thôn")
        with transaction.atomic():
            enqueue(record_whether_unit_kind_is_visible, "village")
        assert job_log == []

    assert job_log == [("village", True)]


@pytest.mark.django_db
def test_job_arguments_a_worker_could_not_receive_are_refused_when_enqueued():
    with pytest.raises(TypeError, match="JSON-serialisable"):
        enqueue(record_whether_unit_kind_is_visible, object())


# --- Through Redis to a worker -------------------------------------------------------------------
def redis_or_skip() -> str:
    """Under CI=true a missing Redis is a failure; elsewhere the broker tests are skipped."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        message = f"Redis is not reachable at {REDIS_URL}: {exc}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


def worker_can_see_test_database() -> bool:
    """A worker is another process: it sees the test database only if it is a server (PostgreSQL),
    not pytest-django's in-memory SQLite."""
    return connection.vendor == "postgresql"


def database_url_of_the_test_database() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """`celery -A config worker --pool=solo -c 1` in a subprocess, on a queue of its own (so that another
    test run's worker on the same Redis never takes its jobs)."""

    def __init__(self, *, redis_url: str, env: dict[str, str], log_path: Path) -> None:
        self.queue = f"sen-test-{secrets.token_hex(6)}"
        self.env = env
        self.redis_url = redis_url
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "celery", "-A", "config", "worker", "--pool=solo", "-c", "1", "-Q", self.queue),
                *("--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"),
            ],
            cwd=settings.BASE_DIR,
            env={**os.environ, "REDIS_URL": redis_url, **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()
        redis.Redis.from_url(self.redis_url).delete(
            self.queue, f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}"
        )


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Worker]:
    redis_url = redis_or_skip()
    var_dir = tmp_path_factory.mktemp("worker-var")
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SEN_VAR_DIR": str(var_dir),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(free_port()),  # nothing listens there until a test starts a server on it
        "EMAIL_TIMEOUT": "30",
        "SEN_NOTIFICATION_RETRY_BACKOFF": "1",
        "SEN_NOTIFICATION_MAX_RETRIES": "8",
        "PYTHONUNBUFFERED": "1",
    }
    with django_db_blocker.unblock():
        env["DATABASE_URL"] = (
            database_url_of_the_test_database() if worker_can_see_test_database() else f"sqlite:///{var_dir}/w.db"
        )
    started = Worker(redis_url=redis_url, env=env, log_path=var_dir / "worker.log")
    yield started
    started.stop()


def test_a_job_goes_through_redis_to_a_worker_and_back(worker):
    # given a client that knows only the broker and the job's name
    # (set_as_current=False: Sen's shared tasks must keep resolving to Sen's app in this process)
    client = Celery("sen-test-client", broker=worker.redis_url, backend=worker.redis_url, set_as_current=False)
    try:
        # when it sends the ping job to the worker's queue
        result = client.send_task("sen.core.tasks.ping", queue=worker.queue)
        wait_for(result.ready, timeout=60, what="the worker to answer", worker=worker)
        answer = result.get(timeout=1)
    finally:
        client.close()

    # then the worker ran it and answered through Redis
    assert answer == "pong"


@pytest.fixture
def sen_app_through_redis(worker):
    """Point the Sen Celery app of this process at the worker, as REDIS_URL does in production."""
    conf = sen_celery_app.conf
    saved = {name: conf[name] for name in ("task_always_eager", "broker_url", "task_default_queue")}
    conf.update(task_always_eager=False, broker_url=worker.redis_url, task_default_queue=worker.queue)
    forget_broker_connections(sen_celery_app)
    yield sen_celery_app
    conf.update(saved)
    forget_broker_connections(sen_celery_app)


def forget_broker_connections(app: Celery) -> None:
    """Drop the app's references to its connection pools (even eager runs make one, for the old broker
    URL), as Celery itself does after a fork, so the next job connects to the broker configured now.
    The pools stay open in kombu's registry: closing them would break the next run that uses them."""
    app._pool = None
    app.amqp._producer_pool = None


def wait_for(predicate, *, timeout: float, what: str, worker: Worker) -> None:
    """Poll until `predicate()` holds; fail at once, with the worker's log, if the worker has died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker.process.poll() is not None:
            pytest.fail(f"The worker exited ({worker.process.returncode}) before {what}. Log:\n{worker.log()}")
        time.sleep(0.1)
    pytest.fail(f"Timed out waiting for {what}. Worker log:\n{worker.log()}")


@pytest.mark.postgres_only  # a worker is another process: it cannot see pytest-django's in-memory SQLite
@pytest.mark.django_db(transaction=True)
def test_a_notification_is_sent_by_the_worker_and_retried_while_the_mail_server_is_down(worker, sen_app_through_redis):
    recipient = get_user_model().objects.create_user(
        username="082099000456", password=None, full_name="Lê Văn Đức", email="duc.lv@example.vn"
    )

    # given the mail server the worker is configured with is down
    with transaction.atomic():
        [created] = notify(recipient=recipient, template="account_registered", context={})

    # when the worker's first attempt fails
    wait_for(
        lambda: Notification.objects.get(pk=created.pk).attempts >= 1,
        timeout=60,
        what="the worker's first attempt",
        worker=worker,
    )
    created.refresh_from_db()
    assert created.status == Notification.Status.PENDING, worker.log()
    assert "ConnectionRefusedError" in created.error

    # and the mail server comes back
    smtp = LoopbackSMTPServer(port=int(worker.env["EMAIL_PORT"])).start()
    try:
        # then a retry delivers it
        wait_for(
            lambda: Notification.objects.get(pk=created.pk).status != Notification.Status.PENDING,
            timeout=60,
            what="a retry to deliver the notification",
            worker=worker,
        )
    finally:
        smtp.stop()
    created.refresh_from_db()
    assert created.status == Notification.Status.SENT, (created.error, worker.log())
    assert created.attempts >= 2
    [message] = smtp.messages
    assert message["Subject"].strip() == "Chào mừng Lê Văn Đức đã đăng ký tài khoản trên Sen"


@pytest.mark.django_db(transaction=True)
def test_the_hourly_audit_checkpoint_job_signs_a_checkpoint():
    before = AuditCheckpoint.objects.count()

    result = audit_checkpoint.delay()

    assert result.successful(), result.traceback
    checkpoint = AuditCheckpoint.objects.get(pk=result.get())
    assert AuditCheckpoint.objects.count() == before + 1
    assert len(checkpoint.signature) == 64
    assert "sen.core.tasks.audit_checkpoint" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
