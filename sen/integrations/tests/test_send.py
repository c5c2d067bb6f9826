"""Sending: recorded in the caller's transaction, POSTed signed after the commit to a real HTTP server
on loopback, retried on network errors and 5xx, failed at once on a refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from sen.core.exceptions import NotFound
from sen.core.models import AuditEvent
from sen.integrations import edxml, services, transport
from sen.integrations.exceptions import DeliveryRetry, MessageIdReused, PeerInactive
from sen.integrations.models import ExchangeMessage
from sen.integrations.tests.factories import document_message, peer, status_message
from sen.integrations.tests.servers import LoopbackHttpServer, closed_port_url


@pytest.fixture
def loopback():
    server = LoopbackHttpServer().start()
    yield server
    server.stop()


@pytest.fixture
def remote(db, loopback):
    return peer(base_url=loopback.url + "/")


def test_a_sent_document_is_posted_signed_after_the_commit(remote, loopback, django_capture_on_commit_callbacks):
    # when a clerk's service sends a document inside its transaction
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        sent = services.exchange_send(actor=None, peer=remote, message=document_message())
        assert loopback.received == []  # nothing leaves before the commit

    # then one POST reached the peer's exchange endpoint, carrying exactly the stored package
    [request] = loopback.received
    body = services.envelope_bytes(sent)
    assert request.path == transport.PATH
    assert request.body == body
    assert request.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert request.headers["X-Sen-Peer"] == "000.00.00.H20"
    assert request.headers["X-Sen-Message-Id"] == sent.message_id
    # signed over timestamp, message id and body with the shared secret
    timestamp = request.headers["X-Sen-Timestamp"]
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    assert request.headers["X-Sen-Signature"] == transport.signature(remote.secret, timestamp, sent.message_id, body)
    sent.refresh_from_db()
    assert (sent.state, sent.attempts, sent.response_status, sent.error_code) == ("sent", 1, 202, "")
    assert sent.sent_at is not None
    assert edxml.parse(body).header == document_message().header
    assert list(
        AuditEvent.objects.filter(object_type="integrations.exchangemessage", object_id=str(sent.pk)).values_list(
            "action", flat=True
        )
    ) == [
        "exchange.send",
        "exchange.sent",
    ]


def test_a_rolled_back_transaction_sends_nothing(remote, loopback, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.exchange_send(actor=None, peer=remote, message=document_message())
        raise RuntimeError("the document service failed later")

    assert loopback.received == []
    assert not ExchangeMessage.objects.exists()


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429])
def test_a_server_error_is_retried_and_a_later_attempt_delivers(remote, loopback, status):
    # given a queued message (no commit in this test: the job is run by hand, as a worker would)
    sent = services.exchange_send(actor=None, peer=remote, message=document_message())
    loopback.answers = [(status, '{"code": "busy", "message": "Máy chủ bận"}'), (202, "{}")]

    # when the first attempt meets an error worth retrying
    with pytest.raises(DeliveryRetry):
        services.exchange_deliver(sent.pk, final_attempt=False)

    # then the message waits for the next attempt, with the error noted
    sent.refresh_from_db()
    assert (sent.state, sent.attempts, sent.response_status, sent.error_code) == ("queued", 1, status, "busy")
    assert "Máy chủ bận" in sent.last_error

    # and the retry delivers it
    services.exchange_deliver(sent.pk, final_attempt=False)
    sent.refresh_from_db()
    assert (sent.state, sent.attempts, sent.error_code, sent.last_error) == ("sent", 2, "", "")
    assert len(loopback.received) == 2
    assert loopback.received[0].headers["X-Sen-Message-Id"] == loopback.received[1].headers["X-Sen-Message-Id"]


def test_the_final_attempt_marks_the_message_failed(remote, loopback):
    sent = services.exchange_send(actor=None, peer=remote, message=document_message())
    loopback.answers = [(503, "Service Unavailable")]

    services.exchange_deliver(sent.pk, final_attempt=True)

    sent.refresh_from_db()
    assert (sent.state, sent.error_code, sent.response_status) == ("failed", "http_503", 503)
    assert AuditEvent.objects.filter(
        action="exchange.failed", object_type="integrations.exchangemessage", object_id=str(sent.pk)
    ).exists()


def test_a_network_error_is_retried(db):
    down = peer(base_url=closed_port_url())
    sent = services.exchange_send(actor=None, peer=down, message=document_message())

    with pytest.raises(DeliveryRetry):
        services.exchange_deliver(sent.pk, final_attempt=False)

    sent.refresh_from_db()
    assert (sent.state, sent.error_code, sent.response_status) == ("queued", "network_error", None)
    assert "ConnectionError" in sent.last_error


def test_with_no_worker_there_is_one_attempt_and_a_peer_that_is_down_leaves_it_failed(
    db, django_capture_on_commit_callbacks
):
    down = peer(base_url=closed_port_url())

    with django_capture_on_commit_callbacks(execute=True):
        sent = services.exchange_send(actor=None, peer=down, message=document_message())

    sent.refresh_from_db()
    assert (sent.state, sent.attempts, sent.error_code) == ("failed", 1, "network_error")


def test_a_refusal_fails_at_once_with_the_peers_code(remote, loopback):
    sent = services.exchange_send(actor=None, peer=remote, message=document_message())
    loopback.answers = [(400, '{"code": "edxml_missing_field", "message": "Thiếu Subject", "details": {}}')]

    services.exchange_deliver(sent.pk, final_attempt=False)  # not retried: the same package would fail again

    sent.refresh_from_db()
    assert (sent.state, sent.error_code, sent.response_status) == ("failed", "edxml_missing_field", 400)
    assert sent.last_error == "HTTP 400: Thiếu Subject"


def test_a_redirect_is_not_followed(remote, loopback):
    sent = services.exchange_send(actor=None, peer=remote, message=document_message())
    loopback.answers = [(302, "")]

    services.exchange_deliver(sent.pk, final_attempt=False)

    sent.refresh_from_db()
    assert (sent.state, sent.error_code) == ("failed", "http_302")
    assert len(loopback.received) == 1


def test_sending_again_with_the_same_message_id_returns_the_same_row(remote):
    first = services.exchange_send(actor=None, peer=remote, message=document_message(), message_id="document-7-1")

    again = services.exchange_send(actor=None, peer=remote, message=document_message(), message_id="document-7-1")

    assert again.pk == first.pk
    assert ExchangeMessage.objects.count() == 1
    with pytest.raises(MessageIdReused):
        services.exchange_send(actor=None, peer=remote, message=document_message(number="8"), message_id="document-7-1")


def test_a_status_is_sent_with_its_code_and_document(remote):
    sent = services.exchange_send(actor=None, peer=remote, message=status_message())

    assert (sent.kind, sent.status_code, sent.document_id) == (
        "status",
        "01",
        "000.00.03.H20,2026/03/16,123/STP-VP",
    )


def test_nothing_is_sent_to_a_deactivated_peer(remote):
    services.peer_save(
        actor=None, organ_id=remote.organ_id, name=remote.name, base_url=remote.base_url, is_active=False
    )
    remote.refresh_from_db()

    with pytest.raises(PeerInactive):
        services.exchange_send(actor=None, peer=remote, message=document_message())


def test_a_failed_message_is_sent_again_by_its_sender(
    remote, loopback, clerk, specialist, django_capture_on_commit_callbacks
):
    loopback.answers = [(503, "{}"), (202, "{}")]
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.exchange_send(actor=clerk, peer=remote, message=document_message())
    sent.refresh_from_db()
    assert sent.state == "failed"

    # someone else may not
    with pytest.raises(NotFound):
        services.exchange_retry(actor=specialist, exchange=sent)

    # the clerk who sent it may
    with django_capture_on_commit_callbacks(execute=True):
        services.exchange_retry(actor=clerk, exchange=sent)

    sent.refresh_from_db()
    assert (sent.state, sent.attempts) == ("sent", 2)


def test_messages_whose_job_never_ran_are_enqueued_again(remote, loopback, django_capture_on_commit_callbacks):
    stranded = services.exchange_send(actor=None, peer=remote, message=document_message())
    recent = services.exchange_send(actor=None, peer=remote, message=document_message(number="9"))
    ExchangeMessage.objects.filter(pk=stranded.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        count = services.exchange_resend_stranded()

    assert count == 1
    stranded.refresh_from_db()
    recent.refresh_from_db()
    assert (stranded.state, recent.state) == ("sent", "queued")
