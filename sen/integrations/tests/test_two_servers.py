"""Two Sen servers on loopback exchange an edXML package and its status: this test's Sen (the test
database, reachable through live_server) and a second Sen server (gunicorn, its own SQLite database,
agency code 000.00.00.H53), registered as peers of each other (sen.integrations.tests.fixtures)."""

from __future__ import annotations

import pytest
import requests
from django.db import transaction

from sen.integrations import edxml, selectors, services, transport
from sen.integrations.tests.factories import DONG_THAP_JUSTICE, TAY_NINH_JUSTICE, document_message
from sen.integrations.tests.fixtures import REMOTE_ORGAN_ID

# The second server hosts the Tây Ninh department the packages go to: the documents app's handler
# there registers a package as an incoming document only for a body it hosts (else 422 wrong_recipient).
HOST_TAY_NINH_JUSTICE = """
from sen.core import services
from sen.core.models import UnitKind
from sen.documents.services_setup import body_set_up
UnitKind.objects.get_or_create(code="department", defaults={"name": "Sở", "name_en": "Department", "rank": 1})
unit = services.unit_create(actor=None, code="%s", name="Sở Tư pháp tỉnh Tây Ninh", kind_code="department", parent=None)
body_set_up(actor=None, body=unit, abbreviation="STP")
"""


@pytest.fixture
def hosted(exchange_pair):
    exchange_pair.remote.manage("shell", "-c", HOST_TAY_NINH_JUSTICE % TAY_NINH_JUSTICE)
    return exchange_pair


INCOMING = (
    "select message_id, kind, state, sha256, document_id from integrations_exchangemessage where direction = 'in'"
)


@pytest.mark.django_db(transaction=True)
def test_a_document_goes_to_the_second_server_and_its_status_comes_back(live_server, hosted):
    exchange_pair = hosted
    # given a document from a Đồng Tháp department to a Tây Ninh department
    document = document_message(from_organ=DONG_THAP_JUSTICE, to_organ=TAY_NINH_JUSTICE)

    # when the clerk's service sends it (delivered over HTTP after the commit)
    with transaction.atomic():
        sent = services.exchange_send(actor=None, peer=exchange_pair.peer, message=document)

    # then the second server stored it once, byte for byte, and its documents handler took it (200)
    sent.refresh_from_db()
    assert (sent.state, sent.response_status, sent.attempts) == ("sent", 200, 1), sent.last_error
    assert exchange_pair.remote.sql(INCOMING) == [
        (sent.message_id, "document", "handled", sent.sha256, "000.00.03.H20,2026/03/16,123/STP-VP")
    ]
    assert exchange_pair.remote.sql("select reference, state from documents_incomingdocument") == [("123/STP-VP", "01")]

    # and its documents app told this side "01 arrived" on its own, as a status of the document sent
    [received] = selectors.statuses_for_document(sent.document_id)
    assert (received.peer, received.status_code, received.state) == (exchange_pair.peer, "01", "handled")
    message = edxml.parse(services.envelope_bytes(received))
    assert isinstance(message, edxml.StatusMessage)
    assert message.from_.organ_id == TAY_NINH_JUSTICE
    assert message.response_for.code == "123/STP-VP"


def test_a_retried_delivery_reaches_the_second_server_once(hosted):
    exchange_pair = hosted
    # given a package delivered to the second server
    body = edxml.build(document_message())
    url = transport.endpoint(exchange_pair.remote.base_url)

    def deliver() -> requests.Response:
        headers = transport.signed_headers(
            secret=exchange_pair.secret, sender=exchange_pair.local_organ_id, message_id="dt-2026-000123", body=body
        )
        return requests.post(url, data=body, headers=headers, timeout=30)

    first = deliver()

    # when the sender, not having seen the answer, delivers it again (signed anew, same message id)
    again = deliver()

    # then the second server answers the same and keeps one row
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert len(exchange_pair.remote.sql(INCOMING)) == 1


def test_the_second_server_refuses_a_wrong_secret_and_the_sender_records_why(exchange_pair):
    # given this side holds a different secret than the second server
    services.peer_save(
        actor=None,
        organ_id=REMOTE_ORGAN_ID,
        name=exchange_pair.peer.name,
        base_url=exchange_pair.remote.base_url,
        secret="another-secret-" + "x" * 40,
    )
    sent = services.exchange_send(actor=None, peer=exchange_pair.peer, message=document_message())

    # when it is delivered
    services.exchange_deliver(sent.pk, final_attempt=False)

    # then the refusal is final (not retried) and its code is kept; nothing was stored there
    sent.refresh_from_db()
    assert (sent.state, sent.response_status, sent.error_code) == ("failed", 401, "bad_signature")
    assert exchange_pair.remote.sql(INCOMING) == []


def test_the_second_server_refuses_a_sender_it_does_not_know(exchange_pair, settings):
    settings.SEN_EXCHANGE_ORGAN_ID = "000.00.00.H99"
    sent = services.exchange_send(actor=None, peer=exchange_pair.peer, message=document_message())

    services.exchange_deliver(sent.pk, final_attempt=False)

    sent.refresh_from_db()
    assert (sent.state, sent.response_status, sent.error_code) == ("failed", 401, "unknown_peer")


def test_the_second_server_refuses_a_stale_request(exchange_pair):
    body = edxml.build(document_message())
    headers = transport.signed_headers(
        secret=exchange_pair.secret,
        sender=exchange_pair.local_organ_id,
        message_id="dt-stale-1",
        body=body,
        now=1_700_000_000,  # November 2023
    )

    response = requests.post(transport.endpoint(exchange_pair.remote.base_url), data=body, headers=headers, timeout=30)

    assert (response.status_code, response.json()["code"]) == (401, "clock_skew")
