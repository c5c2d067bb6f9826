"""Incoming documents: verified on arrival, registered with số đến, directed, done — and the sender
sees every status."""

from __future__ import annotations

import datetime as dt

import pytest

from sen.core.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from sen.documents import policies
from sen.documents.choices import IncomingState, Source
from sen.documents.models import DocumentFile, IncomingDocument, IssueKey, Recipient
from sen.documents.services import Upload, outgoing_create, outgoing_transition
from sen.documents.services_incoming import Arrival, incoming_arrive, incoming_register_paper, incoming_transition
from sen.documents.tests.world import appendix_pdf, at_once, draft_in, events
from sen.signing.tests.conftest import flip_byte_in_first_stream

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(drafter, head, clerk, signer, seal, other, jobs):
    """A decision of Sở Tư pháp issued to Sở Nội vụ: its copy there, just arrived."""
    document = outgoing_create(actor=drafter, data=draft_in(signer))
    outgoing_transition(actor=drafter, document=document, action="submit")
    outgoing_transition(actor=head, document=document, action="approve")
    for actor, action in ((clerk, "approve"), (signer, "sign"), (clerk, "number"), (clerk, "seal")):
        outgoing_transition(actor=actor, document=document, action=action)
    with jobs(execute=True):
        outgoing_transition(actor=clerk, document=document, action="issue")
    return IncomingDocument.objects.get(outgoing=document)


def _paper(**changes) -> Arrival:
    values = {
        "sender_name": "Ủy ban nhân dân xã Mỹ An Hưng",
        "sender_organ_id": "000.31.30.H20",
        "subject": "Về việc đề nghị hỗ trợ kinh phí sửa chữa trụ sở",
        "reference": "15/TTr-UBND",
        "issued_on": dt.date(2026, 11, 20),
        "doc_type": "TTr",
    }
    values.update(changes)
    return Arrival(**values)


def test_the_sender_sees_each_status_as_the_recipient_registers_directs_and_closes_the_document(
    delivered, other_clerk, other_leader, other_specialist, other
):
    recipient = Recipient.objects.get(incoming=delivered)
    # Before direction the specialist of Sở Nội vụ does not see it.
    assert not policies.can_view_incoming(other_specialist, delivered)

    accepted = incoming_transition(actor=other_clerk, document=delivered, action="accept")
    assert accepted.state == IncomingState.ACCEPTED
    assert accepted.incoming_number == 1 and accepted.year == accepted.accepted_at.year
    incoming_transition(actor=other_clerk, document=delivered, action="submit")
    deadline = dt.date.today() + dt.timedelta(days=10)
    directed = incoming_transition(
        actor=other_leader,
        document=delivered,
        action="direct",
        lead_unit=other.code,
        handler=other_specialist.username,
        deadline=deadline.isoformat(),
        instruction="Nghiên cứu, tham mưu trả lời trước ngày hẹn.",
    )
    assert directed.directed_in_software and directed.directed_by == other_leader
    assert directed.deadline == deadline
    assert policies.can_view_incoming(other_specialist, directed)
    done = incoming_transition(actor=other_specialist, document=delivered, action="complete", comment="Đã trả lời.")
    assert done.state == IncomingState.DONE

    recipient.refresh_from_db()
    assert recipient.status == "06"
    assert list(recipient.statuses.order_by("at", "id").values_list("code", flat=True)) == [
        "01",
        "03",
        "04",
        "05",
        "06",
    ]


def test_refusal_needs_a_reason_and_reaches_the_sender_as_02(delivered, other_clerk):
    with pytest.raises(InvalidInput) as error:
        incoming_transition(actor=other_clerk, document=delivered, action="refuse")
    assert error.value.code == "comment_required"
    incoming_transition(actor=other_clerk, document=delivered, action="refuse", comment="Gửi nhầm cơ quan.")
    recipient = Recipient.objects.get(incoming=delivered)
    assert recipient.status == "02"
    assert recipient.statuses.get(code="02").description.endswith("Gửi nhầm cơ quan.")


@pytest.mark.parametrize(
    ("who", "action", "expected"),
    [
        ("other_specialist", "accept", NotFound),
        ("other_leader", "accept", PermissionDenied),
        ("other_clerk", "direct", PermissionDenied),
        ("clerk", "accept", NotFound),  # the sender's clerk: not theirs to register
    ],
)
def test_only_the_receiving_bodys_people_act_on_its_incoming_documents(
    who, action, expected, delivered, other_clerk, other_leader, other_specialist, clerk
):
    people = {"other_specialist": other_specialist, "other_leader": other_leader, "other_clerk": other_clerk}
    people["clerk"] = clerk
    with pytest.raises(expected):
        incoming_transition(actor=people[who], document=delivered, action=action, lead_unit="H15.51")
    delivered.refresh_from_db()
    assert delivered.state == IncomingState.ARRIVED


def test_a_direction_given_on_paper_is_recorded_by_the_clerk_and_not_counted_as_in_the_software(
    delivered, other_clerk, other_leader, other_specialist, other
):
    incoming_transition(actor=other_clerk, document=delivered, action="accept")
    directed = incoming_transition(
        actor=other_clerk,
        document=delivered,
        action="direct",
        on_behalf_of=other_leader.username,
        lead_unit=other.code,
        handler=other_specialist.username,
    )
    assert directed.directed_by == other_leader and not directed.directed_in_software


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"lead_unit": "H15.50"}, "unit_not_in_body"),  # Sở Tư pháp is not part of Sở Nội vụ
        ({"handler": "drafter"}, "handler_not_eligible"),
        ({"deadline": "2020-01-01"}, "invalid_deadline"),
        ({"deadline": "ngày mai"}, "invalid_deadline"),
    ],
)
def test_a_bad_direction_is_refused_and_the_document_stays_where_it_was(
    changes, code, delivered, other_clerk, other_leader, other_specialist, other, drafter
):
    incoming_transition(actor=other_clerk, document=delivered, action="accept")
    values = {"lead_unit": other.code, "handler": other_specialist.username, **changes}
    if values["handler"] == "drafter":
        values["handler"] = drafter.username
    with pytest.raises(InvalidInput) as error:
        incoming_transition(actor=other_leader, document=delivered, action="direct", **values)
    assert error.value.code == code
    delivered.refresh_from_db()
    assert delivered.state == IncomingState.ACCEPTED


def test_a_paper_document_is_registered_at_once_and_a_second_copy_is_flagged_as_a_duplicate(other_clerk, other):
    first = incoming_register_paper(
        actor=other_clerk, body=other, arrival=_paper(), uploads=[Upload(name="scan.pdf", content=appendix_pdf())]
    )
    assert first.state == IncomingState.ACCEPTED and first.incoming_number == 1 and first.problems == []
    second = incoming_register_paper(actor=other_clerk, body=other, arrival=_paper(subject="Bản fax gửi lại"))
    assert second.incoming_number == 2
    assert second.duplicate_of == first
    assert sorted(problem["code"] for problem in second.problems) == ["duplicate", "no_file"]
    # Another agency's document with the same number is not a duplicate.
    third = incoming_register_paper(
        actor=other_clerk, body=other, arrival=_paper(sender_organ_id="000.31.31.H20", sender_name="UBND xã Tân Hộ Cơ")
    )
    assert third.duplicate_of is None


def test_a_retried_paper_registration_with_the_same_key_answers_the_same_document_and_a_reused_key_is_refused(
    other_clerk, other
):
    scan = [Upload(name="scan.pdf", content=appendix_pdf())]
    first = incoming_register_paper(
        actor=other_clerk, body=other, arrival=_paper(), uploads=scan, idempotency_key="p-1"
    )
    again = incoming_register_paper(
        actor=other_clerk, body=other, arrival=_paper(), uploads=scan, idempotency_key="p-1"
    )
    assert again.pk == first.pk and again.incoming_number == first.incoming_number == 1
    assert IncomingDocument.objects.count() == 1 and DocumentFile.objects.count() == 1
    assert [len(events(f"documents.incoming.{step}", first)) for step in ("arrive", "accept")] == [1, 1]
    assert IssueKey.objects.get(account=other_clerk, key="p-1").incoming == first
    for changed in ({"arrival": _paper(subject="Bản fax gửi lại")}, {"uploads": ()}):
        request = {"arrival": _paper(), "uploads": scan, **changed}
        with pytest.raises(Conflict) as error:
            incoming_register_paper(actor=other_clerk, body=other, idempotency_key="p-1", **request)
        assert error.value.code == "idempotency_key_reused"
    assert IncomingDocument.objects.count() == 1
    # Another key is another registration: the copy is kept and flagged, never dropped.
    second = incoming_register_paper(actor=other_clerk, body=other, arrival=_paper(), idempotency_key="p-2")
    assert second.incoming_number == 2 and second.duplicate_of == first


def test_a_paper_registration_is_the_clerks_alone(other_leader, other):
    with pytest.raises(PermissionDenied):
        incoming_register_paper(actor=other_leader, body=other, arrival=_paper())
    assert not IncomingDocument.objects.exists()


def test_an_arrival_with_a_broken_signature_or_no_signature_is_kept_with_its_problems(delivered, other):
    good = delivered.files.order_by("id").first()
    from sen.documents.services import file_bytes

    tampered = flip_byte_in_first_stream(file_bytes(good))
    arrived = incoming_arrive(
        body=other,
        source=Source.EDXML,
        arrival=_paper(reference="16/TTr-UBND"),
        uploads=[Upload(name="van-ban.pdf", content=tampered), Upload(name="phu-luc.pdf", content=appendix_pdf())],
    )
    codes = [problem["code"] for problem in arrived.problems]
    assert codes.count("signature_problem") == 2  # both signatures of the altered file
    assert "file_problem" in codes  # the unsigned appendix, over the exchange
    assert arrived.state == IncomingState.ARRIVED and arrived.files.count() == 2


def test_an_incoming_number_cannot_be_taken_twice_even_by_a_retried_accept(delivered, other_clerk):
    incoming_transition(actor=other_clerk, document=delivered, action="accept")
    with pytest.raises(Conflict) as error:
        incoming_transition(actor=other_clerk, document=delivered, action="accept")
    assert error.value.code == "invalid_transition"
    delivered.refresh_from_db()
    assert delivered.incoming_number == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_copies_registered_at_the_same_moment_are_all_kept_and_all_but_the_first_flagged(other_clerk, other):
    threads_count = 6
    errors = at_once(threads_count, lambda: incoming_register_paper(actor=other_clerk, body=other, arrival=_paper()))
    assert not errors
    copies = list(IncomingDocument.objects.filter(organisation=other).order_by("id"))
    assert len(copies) == threads_count
    assert [copy.duplicate_of_id is None for copy in copies].count(True) == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_registration_sent_at_the_same_moment_makes_one_document_and_all_get_it(other_clerk, other, _media):
    threads_count = 6
    made: list[int] = []
    scan = [Upload(name="scan.pdf", content=appendix_pdf())]

    def work() -> None:
        document = incoming_register_paper(
            actor=other_clerk, body=other, arrival=_paper(), uploads=scan, idempotency_key="race"
        )
        made.append(document.pk)

    assert not at_once(threads_count, work)
    document = IncomingDocument.objects.get()
    assert made == [document.pk] * threads_count
    assert document.incoming_number == 1 and IssueKey.objects.get().incoming == document
    assert [len(events(f"documents.incoming.{step}", document)) for step in ("arrive", "accept")] == [1, 1]
    # The others stopped at the key: they stored no scan and took no number.
    assert [path.name for path in _media.rglob("*.pdf")] == [document.files.get().file.name.rsplit("/", 1)[-1]]
    later = incoming_register_paper(actor=other_clerk, body=other, arrival=_paper(subject="Văn bản khác"))
    assert later.incoming_number == 2


def test_a_unit_supporting_twice_over_sees_the_document_once_in_its_list_and_its_count(other, other_clerk):
    from sen.documents import selectors
    from sen.identity.tests.factories import OrgUnitFactory, StaffFactory

    team = OrgUnitFactory(code="H15.51.02", name="Phòng Tổ chức", parent=other)
    member = StaffFactory(full_name="Võ Văn Phối Hợp", unit=team, position="Chuyên viên", roles=["specialist"])
    seen = IncomingDocument.objects.create(
        organisation=other,
        source=Source.PAPER,
        sender_name="Bộ Nội vụ",
        subject="Phối hợp",
        arrived_at=dt.datetime.now(dt.UTC),
    )
    hidden = IncomingDocument.objects.create(
        organisation=other,
        source=Source.PAPER,
        sender_name="Bộ Nội vụ",
        subject="Mật",
        confidentiality="secret",
        arrived_at=dt.datetime.now(dt.UTC),
    )
    for document in (seen, hidden):
        document.supporting_units.set([team, other])  # both are the member's units
    assert [row.pk for row in selectors.incoming_page(member)] == [seen.pk]
    assert selectors.box_counts(member, direction="incoming")["all"] == 1
