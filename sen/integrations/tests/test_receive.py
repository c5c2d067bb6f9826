"""POST /api/v1/exchange/messages: who may send (HMAC of a known active peer, clock), idempotency per
message id, packages that are kept with their problem noted, and the handlers."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client

from sen.core.exceptions import NotFound
from sen.core.models import AuditEvent, UnitKind
from sen.integrations import edxml, services, transport
from sen.integrations.choices import ExchangeState, MessageKind, StatusCode
from sen.integrations.exceptions import WrongRecipient
from sen.integrations.models import ExchangeMessage
from sen.integrations.tests.factories import (
    DONG_THAP_JUSTICE,
    TAY_NINH,
    TAY_NINH_JUSTICE,
    document_message,
    peer,
    status_message,
)

URL = transport.PATH


@pytest.fixture
def tay_ninh(db):
    return peer(organ_id=TAY_NINH)


def incoming_document() -> bytes:
    return edxml.build(document_message(from_organ=TAY_NINH_JUSTICE, to_organ=DONG_THAP_JUSTICE))


def post(client, body: bytes, *, sender=TAY_NINH, secret: str, message_id="m-1", now=None, headers=None):
    signed = transport.signed_headers(secret=secret, sender=sender, message_id=message_id, body=body, now=now)
    content_type = signed.pop("Content-Type")
    return client.post(URL, data=body, content_type=content_type, headers={**signed, **(headers or {})})


# --- Who may send --------------------------------------------------------------------------------
def test_a_request_without_the_signature_headers_is_refused_401(client, tay_ninh):
    response = client.post(URL, data=incoming_document(), content_type="application/xml")

    assert response.status_code == 401
    assert response.json()["code"] == "exchange_unsigned"
    assert set(response.json()["details"]["missing"]) == {
        "X-Sen-Peer",
        "X-Sen-Message-Id",
        "X-Sen-Timestamp",
        "X-Sen-Signature",
    }
    assert not ExchangeMessage.objects.exists()


def test_an_unknown_peer_is_refused_401(client, tay_ninh):
    response = post(client, incoming_document(), sender="000.00.00.H99", secret=tay_ninh.secret)

    assert response.status_code == 401
    assert response.json()["code"] == "unknown_peer"
    assert "000.00.00.H99" in response.json()["message"]
    assert not ExchangeMessage.objects.exists()


def test_a_wrong_secret_is_refused_401(client, tay_ninh):
    response = post(client, incoming_document(), secret="x" * 64)

    assert (response.status_code, response.json()["code"]) == (401, "bad_signature")
    assert not ExchangeMessage.objects.exists()


def test_a_body_changed_after_signing_is_refused(client, tay_ninh):
    # given a request signed over one package
    body = incoming_document()
    signed = transport.signed_headers(secret=tay_ninh.secret, sender=TAY_NINH, message_id="m-1", body=body)
    signed.pop("Content-Type")

    # when the package is altered on the way
    tampered = body.replace("phối hợp".encode(), "không cần".encode())
    response = client.post(URL, data=tampered, content_type="application/xml", headers=signed)

    # then the signature does not match it
    assert (response.status_code, response.json()["code"]) == (401, "bad_signature")
    assert not ExchangeMessage.objects.exists()


def test_a_message_id_changed_after_signing_is_refused(client, tay_ninh):
    body = incoming_document()
    signed = transport.signed_headers(secret=tay_ninh.secret, sender=TAY_NINH, message_id="m-1", body=body)
    signed.pop("Content-Type")

    response = client.post(
        URL, data=body, content_type="application/xml", headers={**signed, "X-Sen-Message-Id": "m-2"}
    )

    assert (response.status_code, response.json()["code"]) == (401, "bad_signature")


@pytest.mark.parametrize("seconds", [-301, 301, 3600])
def test_a_timestamp_more_than_five_minutes_off_is_refused(client, tay_ninh, seconds):
    response = post(client, incoming_document(), secret=tay_ninh.secret, now=time.time() + seconds)

    assert (response.status_code, response.json()["code"]) == (401, "clock_skew")
    assert not ExchangeMessage.objects.exists()


def test_a_timestamp_within_five_minutes_is_taken(client, tay_ninh, no_handlers):
    response = post(client, incoming_document(), secret=tay_ninh.secret, now=time.time() - 290)

    assert response.status_code == 202


def test_a_deactivated_peer_is_refused_403(client, tay_ninh):
    services.peer_save(actor=None, organ_id=TAY_NINH, name=tay_ninh.name, base_url=tay_ninh.base_url, is_active=False)

    response = post(client, incoming_document(), secret=tay_ninh.secret)

    assert (response.status_code, response.json()["code"]) == (403, "peer_inactive")


def test_a_message_id_the_protocol_does_not_allow_is_refused_400(client, tay_ninh):
    response = post(client, incoming_document(), secret=tay_ninh.secret, message_id="../../etc")

    assert (response.status_code, response.json()["code"]) == (400, "invalid_message_id")


def test_no_session_or_csrf_token_is_needed(tay_ninh, no_handlers):
    strict = Client(enforce_csrf_checks=True)

    response = post(strict, incoming_document(), secret=tay_ninh.secret)

    assert response.status_code == 202


def test_a_package_over_the_limit_is_refused_413(client, tay_ninh, settings):
    settings.SEN_EXCHANGE_MAX_BYTES = 1000

    response = post(client, incoming_document(), secret=tay_ninh.secret)

    assert (response.status_code, response.json()["code"]) == (413, "message_too_large")
    assert not ExchangeMessage.objects.exists()


# --- Storing, idempotently -----------------------------------------------------------------------
def test_a_signed_package_is_stored_with_its_bytes_and_answered_202_without_a_handler(client, tay_ninh, no_handlers):
    body = incoming_document()

    response = post(client, body, secret=tay_ninh.secret, message_id="tn-2026-0001")

    assert response.status_code == 202
    exchange = ExchangeMessage.objects.get()
    assert response.json() == {
        "message_id": "tn-2026-0001",
        "kind": "document",
        "state": "received",
        "sha256": exchange.sha256,
        "received_at": exchange.created_at.isoformat(),
    }
    assert (exchange.direction, exchange.kind, exchange.peer, exchange.state) == (
        "in",
        "document",
        tay_ninh,
        "received",
    )
    assert exchange.document_id == "000.00.14.H53,2026/03/16,123/STP-VP"
    assert exchange.document_code == "123/STP-VP"
    assert exchange.size == len(body)
    assert services.envelope_bytes(exchange) == body
    event = AuditEvent.objects.get(action="exchange.receive")
    assert event.after["peer"] == TAY_NINH and event.actor is None


def test_a_replayed_request_gets_the_same_answer_and_makes_no_second_row(client, tay_ninh, no_handlers):
    body = incoming_document()
    first = post(client, body, secret=tay_ninh.secret, message_id="tn-2026-0002")

    # when the very same request arrives again (a retry, or a replay inside the time window)
    again = post(client, body, secret=tay_ninh.secret, message_id="tn-2026-0002")

    assert again.status_code == first.status_code == 202
    assert again.json() == first.json()
    assert ExchangeMessage.objects.count() == 1
    assert AuditEvent.objects.filter(action="exchange.receive").count() == 1
    assert len(default_storage.listdir("integrations/exchange/in")[0]) == 1  # one file, no orphan


def test_the_same_message_id_with_other_bytes_is_a_conflict(client, tay_ninh, no_handlers):
    post(client, incoming_document(), secret=tay_ninh.secret, message_id="tn-2026-0003")
    other = edxml.build(document_message(from_organ=TAY_NINH_JUSTICE, number="124"))

    response = post(client, other, secret=tay_ninh.secret, message_id="tn-2026-0003")

    assert (response.status_code, response.json()["code"]) == (409, "message_id_reused")
    assert ExchangeMessage.objects.count() == 1


def test_the_same_message_id_from_another_peer_is_another_message(client, tay_ninh, no_handlers):
    gia_lai = peer(organ_id="000.00.00.H64", name="Sen tỉnh Gia Lai")
    post(client, incoming_document(), secret=tay_ninh.secret, message_id="m-7")
    from_gia_lai = edxml.build(document_message(from_organ="000.00.05.H64"))

    response = post(client, from_gia_lai, sender=gia_lai.organ_id, secret=gia_lai.secret, message_id="m-7")

    assert response.status_code == 202
    assert ExchangeMessage.objects.filter(message_id="m-7").count() == 2


def test_a_status_message_is_stored_with_the_document_it_answers(client, tay_ninh, no_handlers):
    status = status_message(document_message(from_organ=DONG_THAP_JUSTICE), status_code=StatusCode.ACCEPTED)

    response = post(client, edxml.build(status), secret=tay_ninh.secret)

    assert response.status_code == 202
    exchange = ExchangeMessage.objects.get()
    assert (exchange.kind, exchange.status_code, exchange.document_id) == (
        "status",
        "03",
        "000.00.03.H20,2026/03/16,123/STP-VP",
    )


# --- Kept with the problem noted -----------------------------------------------------------------
def test_a_malformed_package_from_a_known_peer_is_kept_and_answered_400_every_time(client, tay_ninh):
    body = b"<edXML><edXMLEnvelope>cut off"

    first = post(client, body, secret=tay_ninh.secret, message_id="broken-1")
    again = post(client, body, secret=tay_ninh.secret, message_id="broken-1")

    assert first.status_code == again.status_code == 400
    assert first.json() == again.json()
    assert first.json()["code"] == "edxml_malformed"
    assert first.json()["details"]["message_id"] == "broken-1"
    exchange = ExchangeMessage.objects.get()
    assert (exchange.kind, exchange.state, exchange.error_code) == (MessageKind.UNKNOWN, "failed", "edxml_malformed")
    assert services.envelope_bytes(exchange) == body


def test_a_refusal_asked_for_in_english_is_kept_and_answered_in_vietnamese(client, tay_ninh):
    body = b"<edXML><edXMLEnvelope>cut off"

    first = post(client, body, secret=tay_ninh.secret, message_id="broken-en", headers={"Accept-Language": "en"})
    again = post(client, body, secret=tay_ninh.secret, message_id="broken-en")

    refusal = "Gói tin không phải XML hợp lệ (dòng 1)."
    assert ExchangeMessage.objects.get().last_error == refusal
    assert first.json()["message"] == again.json()["message"] == refusal


def test_a_package_missing_a_field_names_it_in_the_answer(client, tay_ninh):
    body = (
        incoming_document()
        .replace(b"<edXML:Subject>", b"<edXML:Topic>")
        .replace(b"</edXML:Subject>", b"</edXML:Topic>")
    )

    response = post(client, body, secret=tay_ninh.secret)

    assert response.status_code == 400
    assert response.json()["code"] == "edxml_missing_field"
    assert response.json()["details"]["field"].endswith("MessageHeader/Subject")


def test_a_package_whose_sender_the_peer_does_not_speak_for_is_kept_and_refused_403(client, tay_ninh, no_handlers):
    # given Tây Ninh's server sending a package that claims to come from a Đồng Tháp department
    body = edxml.build(document_message(from_organ=DONG_THAP_JUSTICE))
    handled = []
    no_handlers.register_handler("document", lambda **kwargs: handled.append(kwargs))

    response = post(client, body, secret=tay_ninh.secret)

    assert (response.status_code, response.json()["code"]) == (403, "sender_not_peer")
    assert response.json()["details"]["from"] == DONG_THAP_JUSTICE
    assert ExchangeMessage.objects.get().state == ExchangeState.FAILED
    assert handled == []


# --- Handlers ------------------------------------------------------------------------------------
def test_the_registered_handler_gets_the_parsed_message_and_the_row_inside_the_transaction(
    client, tay_ninh, no_handlers
):
    seen = []

    def handle_document(*, message, exchange):
        seen.append((message.header.subject, exchange.pk, exchange.state))
        UnitKind.objects.create(code="from-handler", name="Ghi trong bộ xử lý")

    no_handlers.register_handler("document", handle_document)

    response = post(client, incoming_document(), secret=tay_ninh.secret)

    assert response.status_code == 200
    assert response.json()["state"] == "handled"
    exchange = ExchangeMessage.objects.get()
    assert seen == [(document_message().header.subject, exchange.pk, "received")]
    assert exchange.state == "handled" and exchange.handled_at is not None
    assert UnitKind.objects.filter(code="from-handler").exists()


def test_a_handler_refusal_rolls_back_its_writes_keeps_the_message_and_answers_the_same_every_time(
    client, tay_ninh, no_handlers
):
    def refuse(*, message, exchange):
        UnitKind.objects.create(code="half-done", name="Viết dở")
        raise WrongRecipient(details={"to": [to.organ_id for to in message.header.to]})

    no_handlers.register_handler("document", refuse)
    body = incoming_document()

    first = post(client, body, secret=tay_ninh.secret, message_id="wrong-1")
    again = post(client, body, secret=tay_ninh.secret, message_id="wrong-1")

    assert first.status_code == again.status_code == 422
    assert first.json() == again.json()
    assert first.json()["code"] == "wrong_recipient"
    assert first.json()["details"]["to"] == [DONG_THAP_JUSTICE]
    assert not UnitKind.objects.filter(code="half-done").exists()
    exchange = ExchangeMessage.objects.get()
    assert (exchange.state, exchange.error_code, exchange.response_status) == ("failed", "wrong_recipient", 422)


def test_a_handler_crash_is_kept_as_handler_error_500_and_can_be_handled_again(client, tay_ninh, no_handlers):
    calls = []

    def crash(*, message, exchange):
        calls.append(exchange.pk)
        raise RuntimeError("bug in the handler")

    no_handlers.register_handler("document", crash)

    response = post(client, incoming_document(), secret=tay_ninh.secret)

    assert (response.status_code, response.json()["code"]) == (500, "handler_error")
    assert "bug in the handler" not in response.content.decode()
    exchange = ExchangeMessage.objects.get()
    assert exchange.state == "failed"

    # when the handler is fixed and the IT department hands the message to it again
    no_handlers._handlers["document"] = lambda *, message, exchange: calls.append("fixed")
    services.exchange_redispatch(actor=None, exchange=exchange)

    exchange.refresh_from_db()
    assert (exchange.state, exchange.error_code, exchange.response_status) == ("handled", "", 200)
    assert calls == [exchange.pk, "fixed"]


def test_a_message_received_before_any_handler_was_registered_can_be_handled_later(client, tay_ninh, no_handlers):
    post(client, incoming_document(), secret=tay_ninh.secret)
    exchange = ExchangeMessage.objects.get()
    assert exchange.state == "received"
    subjects = []
    no_handlers.register_handler("document", lambda *, message, exchange: subjects.append(message.header.subject))

    services.exchange_redispatch(actor=None, exchange=exchange)

    exchange.refresh_from_db()
    assert exchange.state == "handled"
    assert subjects == [document_message().header.subject]


def test_a_status_goes_to_the_status_handler_only(client, tay_ninh, no_handlers):
    seen = []
    no_handlers.register_handler("document", lambda **kwargs: seen.append("document"))
    no_handlers.register_handler("status", lambda *, message, exchange: seen.append(message.status_code))

    response = post(
        client, edxml.build(status_message(document_message(from_organ=DONG_THAP_JUSTICE))), secret=tay_ninh.secret
    )

    assert response.status_code == 200
    assert seen == [StatusCode.ARRIVED]


def test_redispatch_is_for_the_province_it_department(client, tay_ninh, no_handlers, clerk):
    post(client, incoming_document(), secret=tay_ninh.secret)

    with pytest.raises(NotFound):
        services.exchange_redispatch(actor=clerk, exchange=ExchangeMessage.objects.get())


def test_a_second_different_handler_for_a_kind_is_a_mistake(no_handlers):
    def first(**kwargs):
        pass

    no_handlers.register_handler("document", first)
    no_handlers.register_handler("document", first)  # ready() running twice is harmless

    with pytest.raises(ValueError, match="registered already"):
        no_handlers.register_handler("document", lambda **kwargs: None)
    with pytest.raises(ValueError, match="Unknown"):
        no_handlers.register_handler("dossier", first)


# --- Concurrency ---------------------------------------------------------------------------------
@pytest.mark.postgres_only  # real concurrent transactions
@pytest.mark.django_db(transaction=True)
def test_the_same_delivery_arriving_twice_at_once_is_stored_once_and_answered_the_same(no_handlers):
    # given a handler slow enough that the second delivery arrives while the first is uncommitted
    tay_ninh = peer(organ_id=TAY_NINH)
    started = threading.Event()

    def slow_handler(*, message, exchange):
        started.set()
        time.sleep(0.5)

    no_handlers.register_handler("document", slow_handler)
    body = incoming_document()
    signed = transport.signed_headers(secret=tay_ninh.secret, sender=TAY_NINH, message_id="race-1", body=body)
    request = transport.SignedRequest.from_meta({"HTTP_" + k.upper().replace("-", "_"): v for k, v in signed.items()})
    answers: list[object] = []

    def deliver() -> None:
        try:
            answers.append(services.exchange_receive(request=request, body=body).pk)
        finally:
            connection.close()

    # when two deliveries of the same message race
    first = threading.Thread(target=deliver)
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=deliver)
    second.start()
    first.join(10)
    second.join(10)

    # then there is one row, and both got it as their answer
    [exchange] = ExchangeMessage.objects.all()
    assert answers == [exchange.pk, exchange.pk]
    assert exchange.state == "handled"
    assert AuditEvent.objects.filter(action="exchange.receive").count() == 1
