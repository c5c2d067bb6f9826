"""Issuing to an agency outside Sen: an edXML package over HTTP to a second Sen server on loopback,
which registers it as an incoming document and sends the statuses back."""

from __future__ import annotations

import time

import pytest

from sen.core.models import OrgUnit
from sen.documents.models import Recipient
from sen.documents.services import RecipientIn, outgoing_create, outgoing_transition
from sen.documents.tests.world import draft_in
from sen.integrations.tests.fixtures import REMOTE_ORGAN_ID

REMOTE_SETUP = """
from sen.core.models import OrgUnit, UnitKind
from sen.core import services
from sen.documents.services_setup import body_set_up
from sen.identity import services as identity
kind = UnitKind.objects.get_or_create(code="province", defaults={"name": "Tỉnh", "name_en": "Province", "rank": 0})[0]
root = services.unit_create(
    actor=None, code="%(organ)s", name="Ủy ban nhân dân tỉnh Tây Ninh", kind_code="province", parent=None
)
body_set_up(actor=None, body=root, abbreviation="UBND")
identity.staff_create(
    actor=None, email="van.thu@dongthap.gov.vn", full_name="Văn Thư Tây Ninh", unit=root, roles=("clerk",)
)
"""

REMOTE_ACCEPT = """
from sen.documents.models import IncomingDocument
from sen.documents.services_incoming import incoming_transition
from sen.identity.models import User
document = IncomingDocument.objects.get()
incoming_transition(actor=User.objects.get(username="van.thu@dongthap.gov.vn"), document=document, action="accept")
"""


def _wait_for(predicate, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


@pytest.mark.django_db(transaction=True)
def test_a_document_goes_to_another_sen_server_and_its_statuses_come_back(
    live_server, exchange_pair, body, drafter, head, clerk, signer, seal, other
):
    remote = exchange_pair.remote
    # The exchange checks that a sender belongs to the province of the peer it came from (H20 here).
    OrgUnit.objects.filter(pk=body.pk).update(code="000.00.03.H20")
    remote.manage("shell", "-c", REMOTE_SETUP % {"organ": REMOTE_ORGAN_ID})

    data = draft_in(signer, recipients=())
    data = type(data)(
        **{**data.__dict__, "recipients": (RecipientIn(organ_id=REMOTE_ORGAN_ID, name="UBND tỉnh Tây Ninh"),)}
    )
    document = outgoing_create(actor=drafter, data=data)
    outgoing_transition(actor=drafter, document=document, action="submit")
    outgoing_transition(actor=head, document=document, action="approve")
    for actor, action in ((clerk, "approve"), (signer, "sign"), (clerk, "number"), (clerk, "seal"), (clerk, "issue")):
        outgoing_transition(actor=actor, document=document, action=action)

    # The second server has it as an incoming document (01), with both signatures' reports …
    rows = remote.sql("select reference, state, problems from documents_incomingdocument")
    assert len(rows) == 1 and rows[0][0] == "01/QĐ-STP" and rows[0][1] == "01"
    # … and the trust problem of a CA it does not know is noted, not hidden.
    assert "signature_problem" in rows[0][2]

    recipient = Recipient.objects.get(document=document)
    codes = _wait_for(lambda: list(recipient.statuses.order_by("id").values_list("code", flat=True)))
    assert codes[0] == "00"  # sent
    assert _wait_for(lambda: "01" in recipient.statuses.values_list("code", flat=True))

    remote.manage("shell", "-c", REMOTE_ACCEPT)
    assert _wait_for(lambda: "03" in recipient.statuses.values_list("code", flat=True))
    recipient.refresh_from_db()
    assert recipient.status == "03"


@pytest.mark.django_db
def test_a_recipient_no_exchange_peer_serves_is_told_as_not_sent(drafter, head, clerk, signer, seal, other, jobs):
    data = draft_in(signer, recipients=())
    data = type(data)(**{**data.__dict__, "recipients": (RecipientIn(organ_id="000.00.00.G22", name="Bộ Tư pháp"),)})
    document = outgoing_create(actor=drafter, data=data)
    outgoing_transition(actor=drafter, document=document, action="submit")
    outgoing_transition(actor=head, document=document, action="approve")
    for actor, action in ((clerk, "approve"), (signer, "sign"), (clerk, "number"), (clerk, "seal")):
        outgoing_transition(actor=actor, document=document, action=action)
    with jobs(execute=True):
        outgoing_transition(actor=clerk, document=document, action="issue")
    status = Recipient.objects.get(document=document).statuses.get()
    assert status.code == "00" and status.description.startswith("Chưa gửi được")
