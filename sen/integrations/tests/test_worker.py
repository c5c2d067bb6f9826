"""Delivery retries through the real queue: Redis and a Celery worker subprocess (as with REDIS_URL in
production), against a peer on loopback that fails twice before it takes the package."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from django.db import transaction

from config.celery import app as sen_celery_app
from sen.core.tests.test_jobs import (
    Worker,
    database_url_of_the_test_database,
    forget_broker_connections,
    redis_or_skip,
    wait_for,
)
from sen.integrations import services
from sen.integrations.models import ExchangeMessage
from sen.integrations.tests.factories import document_message, peer
from sen.integrations.tests.servers import LoopbackHttpServer


@pytest.fixture
def exchange_worker(django_db_setup, django_db_blocker, tmp_path, settings) -> Iterator[Worker]:
    redis_url = redis_or_skip()
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SEN_VAR_DIR": str(tmp_path),
        "SEN_EXCHANGE_RETRY_BACKOFF": "1",
        "SEN_EXCHANGE_MAX_RETRIES": "5",
        "PYTHONUNBUFFERED": "1",
    }
    with django_db_blocker.unblock():
        env["DATABASE_URL"] = database_url_of_the_test_database()
    settings.MEDIA_ROOT = tmp_path / "media"  # = the worker's VAR_DIR / "media"
    worker = Worker(redis_url=redis_url, env=env, log_path=tmp_path / "worker.log")
    conf = sen_celery_app.conf
    saved = {name: conf[name] for name in ("task_always_eager", "broker_url", "task_default_queue")}
    conf.update(task_always_eager=False, broker_url=redis_url, task_default_queue=worker.queue)
    forget_broker_connections(sen_celery_app)
    yield worker
    conf.update(saved)
    forget_broker_connections(sen_celery_app)
    worker.stop()


@pytest.mark.postgres_only  # a worker is another process: it cannot see pytest-django's in-memory SQLite
@pytest.mark.django_db(transaction=True)
def test_the_worker_retries_a_failing_peer_with_backoff_until_it_takes_the_package(exchange_worker):
    # given a peer that answers 503, then 502, and takes the package at the third attempt
    loopback = LoopbackHttpServer(answers=[(503, '{"code": "busy"}'), (502, "Bad Gateway"), (202, "{}")]).start()
    try:
        remote = peer(base_url=loopback.url)

        # when a document is sent (the job goes through Redis to the worker after the commit)
        with transaction.atomic():
            sent = services.exchange_send(actor=None, peer=remote, message=document_message())

        wait_for(
            lambda: ExchangeMessage.objects.get(pk=sent.pk).state != "queued",
            timeout=90,
            what="the delivery to settle",
            worker=exchange_worker,
        )
    finally:
        loopback.stop()

    # then the worker tried three times, the same signed package each time, and it was sent
    sent.refresh_from_db()
    assert (sent.state, sent.attempts, sent.response_status) == ("sent", 3, 202), exchange_worker.log()
    assert len(loopback.received) == 3
    assert len({request.body for request in loopback.received}) == 1
    assert {request.headers["X-Sen-Message-Id"] for request in loopback.received} == {sent.message_id}
