"""An outgoing document from draft to issue with real signatures, checked independently by pdfsig."""

from __future__ import annotations

import pytest

from sen.core import audit
from sen.core.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from sen.documents.choices import FileRole, IncomingState, OutgoingState
from sen.documents.models import IncomingDocument, Recipient
from sen.documents.services import Upload, file_bytes, outgoing_create, outgoing_edit, outgoing_transition
from sen.documents.tests.world import appendix_pdf, draft_in, issue, to_pending_signature
from sen.signing import validation
from sen.signing.tests.conftest import flip_byte_in_first_stream, pdfsig

pytestmark = pytest.mark.django_db


def test_a_decision_goes_from_draft_to_the_recipients_incoming_queue_with_two_valid_signatures(
    tmp_path, drafter, head, clerk, signer, seal, other, other_clerk, jobs
):
    # A draft that never goes further takes no number.
    outgoing_create(actor=drafter, data=draft_in(signer, subject="Dự thảo bỏ dở"))
    document = outgoing_create(
        actor=drafter, data=draft_in(signer), appendices=[Upload(name="phu-luc.pdf", content=appendix_pdf())]
    )
    assert document.state == OutgoingState.DRAFT
    assert document.organisation.code == "H15.50" and document.drafting_unit.code == "H15.50.01"
    outgoing_transition(actor=drafter, document=document, action="submit")
    outgoing_transition(actor=head, document=document, action="approve")
    document = outgoing_transition(actor=clerk, document=document, action="approve")
    assert document.state == OutgoingState.PENDING_SIGNATURE

    document = issue(document, signer=signer, clerk=clerk, jobs=jobs)
    assert document.state == OutgoingState.ISSUED
    assert document.reference == "01/QĐ-STP"
    assert document.year == document.issued_on.year

    final = document.files.get(role=FileRole.FINAL)
    data = file_bytes(final)
    report = validation.pdf_validate(data)
    assert report.ok, report.as_dict()
    assert [sig.signer for sig in report.signatures] == ["Nguyễn Văn Lãnh Đạo", "Sở Tư pháp"]
    assert report.signatures[0].changes in {"form_filling", "annotations"}
    # poppler, independently of pyHanko: both signatures valid.
    checked = pdfsig(tmp_path, data)
    assert len(checked) == 2
    assert all(sig.validation == "Signature is Valid." for sig in checked), checked

    # One altered byte breaks both.
    broken = validation.pdf_validate(flip_byte_in_first_stream(data))
    assert not broken.ok
    assert not any(sig.intact for sig in broken.signatures)

    appendix = document.files.get(role=FileRole.APPENDIX_SIGNED)
    appendix_report = validation.pdf_validate(file_bytes(appendix))
    assert appendix_report.ok and [sig.signer for sig in appendix_report.signatures] == ["Sở Tư pháp"]

    # Delivered to Sở Nội vụ's incoming queue (jobs run after the commit in tests) with status 01.
    incoming = IncomingDocument.objects.get(outgoing=document)
    assert incoming.organisation == other and incoming.state == IncomingState.ARRIVED
    assert incoming.reference == "01/QĐ-STP" and incoming.problems == []
    assert [sig["signer"] for sig in incoming.verification["files"][0]["signatures"]] == [
        "Nguyễn Văn Lãnh Đạo",
        "Sở Tư pháp",
    ]
    recipient = Recipient.objects.get(document=document)
    assert recipient.status == "01"

    history = list(document.transitions.order_by("id").values_list("action", "to_state"))
    assert history == [
        ("create", "draft"),
        ("submit", "head_review"),
        ("approve", "format_check"),
        ("approve", "pending_signature"),
        ("sign", "signed"),
        ("number", "numbered"),
        ("seal", "sealed"),
        ("issue", "issued"),
    ]
    assert audit.verify().ok


def test_send_back_needs_a_comment_and_every_version_and_comment_is_kept(drafter, head, clerk, signer):
    document = outgoing_create(actor=drafter, data=draft_in(signer))
    outgoing_transition(actor=drafter, document=document, action="submit")
    with pytest.raises(InvalidInput) as error:
        outgoing_transition(actor=head, document=document, action="send-back")
    assert error.value.code == "comment_required"

    outgoing_transition(actor=head, document=document, action="send-back", comment="Sửa lại Điều 2 cho rõ.")
    outgoing_edit(actor=drafter, document=document, data=draft_in(signer, body="Điều 2. Hiệu lực từ 01/01/2027."))
    document.refresh_from_db()
    assert document.state == OutgoingState.DRAFT
    assert list(document.versions.values_list("number", flat=True)) == [1, 2]
    assert document.current_version.number == 2
    assert document.transitions.get(action="send-back").comment == "Sửa lại Điều 2 cho rõ."
    first, second = document.versions.order_by("number")
    assert first.pdf.sha256 != second.pdf.sha256


def test_an_illegal_transition_is_a_conflict_and_changes_nothing(drafter, clerk, signer):
    document = outgoing_create(actor=drafter, data=draft_in(signer))
    with pytest.raises(Conflict) as error:
        outgoing_transition(actor=clerk, document=document, action="number")
    assert error.value.code == "invalid_transition"
    document.refresh_from_db()
    assert document.state == OutgoingState.DRAFT and document.number is None
    assert document.transitions.count() == 1


@pytest.mark.parametrize(
    ("state_actions", "action", "who", "expected"),
    [
        ([], "submit", "head", PermissionDenied),
        (["submit"], "approve", "drafter", PermissionDenied),
        (["submit"], "approve", "clerk", PermissionDenied),
        (["submit", "approve"], "approve", "head", PermissionDenied),
        (["submit", "approve", "approve"], "sign", "clerk", PermissionDenied),
        (["submit", "approve", "approve"], "sign", "head", PermissionDenied),
        (["submit", "approve", "approve", "sign"], "number", "signer", PermissionDenied),
        ([], "submit", "stranger", NotFound),
        (["submit"], "approve", "other_clerk", NotFound),
    ],
)
def test_only_the_right_person_takes_each_step(
    state_actions, action, who, expected, drafter, head, clerk, signer, seal, other_clerk, other
):
    from sen.identity.tests.factories import StaffFactory

    people = {"drafter": drafter, "head": head, "clerk": clerk, "signer": signer, "other_clerk": other_clerk}
    people["stranger"] = StaffFactory(unit=other, full_name="Người Ngoài")
    steps = {"submit": drafter, "sign": signer, "number": clerk}
    document = outgoing_create(actor=drafter, data=draft_in(signer))
    approvers = iter([head, clerk])
    for step in state_actions:
        actor = next(approvers) if step == "approve" else steps[step]
        outgoing_transition(actor=actor, document=document, action=step)
    document.refresh_from_db()
    state = document.state
    with pytest.raises(expected):
        outgoing_transition(actor=people[who], document=document, action=action)
    document.refresh_from_db()
    assert document.state == state


def test_the_signer_must_be_a_leader_of_the_body_and_the_draft_needs_one_before_submission(drafter, head):
    with pytest.raises(InvalidInput) as error:
        outgoing_create(actor=drafter, data=draft_in(head))  # head leads the room, not the Sở
    assert error.value.code == "signer_not_eligible"
    document = outgoing_create(actor=drafter, data=draft_in(None))
    with pytest.raises(InvalidInput) as error:
        outgoing_transition(actor=drafter, document=document, action="submit")
    assert error.value.code == "signer_required"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"doc_type": "XX"}, "invalid_choice"),
        ({"subject": "   "}, "field_required"),
        ({"subject": "x" * 501}, "field_too_long"),
        ({"urgency": "9"}, "invalid_choice"),
        ({"recipients": ("H99.99",)}, "unknown_recipient"),
        ({"recipients": ("H15.50",)}, "recipient_is_sender"),
        ({"copies": 0}, None),
    ],
)
def test_bad_draft_input_is_refused_with_a_code_and_nothing_is_written(changes, code, drafter, signer, other):
    from sen.documents.models import OutgoingDocument

    recipients = changes.pop("recipients", ("H15.51",))
    with pytest.raises(InvalidInput) as error:
        outgoing_create(actor=drafter, data=draft_in(signer, recipients=recipients, **changes))
    if code:
        assert error.value.code == code
    assert str(error.value.message)
    assert OutgoingDocument.objects.count() == 0


def test_a_fake_pdf_appendix_is_refused_and_leaves_no_file(drafter, signer, other, _media):
    from sen.documents.models import OutgoingDocument

    with pytest.raises(InvalidInput):
        outgoing_create(
            actor=drafter, data=draft_in(signer), appendices=[Upload(name="a.pdf", content=b"GIF89a not a pdf")]
        )
    assert OutgoingDocument.objects.count() == 0
    assert not _media.exists() or not any(path.is_file() for path in _media.rglob("*"))


def test_a_retried_creation_with_the_same_idempotency_key_returns_the_same_draft(drafter, signer, other):
    first = outgoing_create(actor=drafter, data=draft_in(signer), idempotency_key="k-1")
    again = outgoing_create(actor=drafter, data=draft_in(signer), idempotency_key="k-1")
    assert again.pk == first.pk
    with pytest.raises(Conflict) as error:
        outgoing_create(actor=drafter, data=draft_in(signer, subject="Khác"), idempotency_key="k-1")
    assert error.value.code == "idempotency_key_reused"


def test_a_failed_seal_leaves_the_document_numbered_and_no_new_file(drafter, head, clerk, signer, other):
    # No organisation certificate for the Sở: the seal step fails cleanly.
    document = to_pending_signature(drafter=drafter, head=head, clerk=clerk, signer=signer)
    outgoing_transition(actor=signer, document=document, action="sign")
    outgoing_transition(actor=clerk, document=document, action="number")
    files_before = document.files.count()
    with pytest.raises(Conflict):
        outgoing_transition(actor=clerk, document=document, action="seal")
    document.refresh_from_db()
    assert document.state == OutgoingState.NUMBERED
    assert document.files.count() == files_before


def test_recall_and_correction_are_recorded_and_reach_the_recipients(drafter, head, clerk, signer, seal, other, jobs):
    document = to_pending_signature(drafter=drafter, head=head, clerk=clerk, signer=signer)
    document = issue(document, signer=signer, clerk=clerk, jobs=jobs)
    outgoing_transition(actor=clerk, document=document, action="correct", comment="Sửa lỗi chính tả ở Điều 1.")
    document = outgoing_transition(actor=signer, document=document, action="recall", comment="Ban hành sai thẩm quyền.")
    assert document.state == OutgoingState.RECALLED
    assert list(document.notices.order_by("id").values_list("kind", flat=True)) == ["correct", "recall"]
    incoming = IncomingDocument.objects.get(outgoing=document)
    from sen.documents import selectors

    assert [notice.kind for notice in selectors.notices_for_incoming(incoming)] == ["correct", "recall"]


def test_a_replacement_names_the_document_it_replaces(drafter, head, clerk, signer, seal, other, jobs):
    old = issue(
        to_pending_signature(drafter=drafter, head=head, clerk=clerk, signer=signer),
        signer=signer,
        clerk=clerk,
        jobs=jobs,
    )
    new = outgoing_create(actor=drafter, data=draft_in(signer, subject="Thay thế Quyết định 01"), replaces=old)
    outgoing_transition(actor=drafter, document=new, action="submit")
    outgoing_transition(actor=head, document=new, action="approve")
    outgoing_transition(actor=clerk, document=new, action="approve")
    new = issue(new, signer=signer, clerk=clerk, jobs=jobs)
    notice = old.notices.get(kind="replace")
    assert notice.replacement == new and "02/QĐ-STP" in notice.text
