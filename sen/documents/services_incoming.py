"""Writing incoming documents: arrival (from inside Sen, over the exchange, or on paper), registration
with an incoming number of the year (số đến), refusal, direction by a leader, processing to done
(Decree 30/2020/NĐ-CP, Articles 20–24).

Nothing that arrives is dropped. `incoming_arrive` verifies every PDF's signatures and integrity
(sen.signing.validation) and keeps the document whatever it finds: unsigned, broken, untrusted,
encrypted or malformed files, the wrong recipient, a document already registered (same number,
ký hiệu and issuing agency) — each is a problem noted on the document, shown to the clerk, who
accepts or refuses it. A paper registration sent again with the same Idempotency-Key (a retry, a
double submit) is not a second arrival: it answers with the document the first one registered.

The sender sees each step: every state change reports its code (01 arrived … 06 done) back — onto
the sender's Recipient row in the same transaction when the sender is inside Sen, by an edXML status
message after the commit when it came over the exchange.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sen.core import audit, files
from sen.core.calendar import VN_TZ
from sen.core.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from sen.core.i18n import in_vietnamese, vietnamese_label
from sen.core.jobs import enqueue
from sen.core.models import OrgUnit
from sen.core.text import search_words
from sen.documents import numbering, policies
from sen.documents.choices import (
    Confidentiality,
    Direction,
    DocumentType,
    FileRole,
    IncomingAction,
    IncomingState,
    Source,
    Urgency,
)
from sen.documents.models import (
    DocumentFile,
    IncomingDocument,
    IncomingTransition,
    IssueKey,
    Recipient,
    RecipientStatus,
    document_file_name,
)
from sen.documents.services import Upload, _clean_name, _key_check, _once, _request_hash, _text
from sen.documents.states import INCOMING
from sen.identity.models import User
from sen.signing import validation

MAX_FILES = 20
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Arrival:
    """What is known of a document when it arrives."""

    sender_name: str
    subject: str
    sender_organ_id: str = ""
    reference: str = ""
    issued_on: dt.date | None = None
    doc_type: str = ""
    doc_type_name: str = ""
    content: str = ""
    urgency: str = Urgency.NORMAL
    confidentiality: str = Confidentiality.NORMAL
    signer_name: str = ""
    signer_position: str = ""
    page_count: int | None = None
    reply_due_on: dt.date | None = None


def _problem(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


def _verify(uploads: Sequence[Upload], *, require_signature: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Each file's validation report, and the problems found (never raises). Both are kept on the
    document, so they are written in Vietnamese whoever registers it."""
    with in_vietnamese():
        return _verify_files(uploads, require_signature=require_signature)


def _verify_files(uploads: Sequence[Upload], *, require_signature: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    reports: dict[str, Any] = {"files": []}
    problems: list[dict[str, Any]] = []
    for upload in uploads:
        report = validation.pdf_validate(upload.content, analyse_changes=True)
        reports["files"].append({"name": upload.name, **report.as_dict()})
        if report.errors:
            unsigned = not report.signatures and not require_signature
            for error in report.errors:
                if unsigned and error == _("Tệp PDF không có chữ ký số."):
                    continue
                problems.append(_problem("file_problem", f"{upload.name}: {error}", file=upload.name))
        for sig in report.signatures:
            if not sig.ok:
                reasons = [
                    *([_("không còn nguyên vẹn")] if not sig.intact or not sig.valid else []),
                    *([sig.trust_summary] if not sig.trusted else []),
                    *([_("có thay đổi sau khi ký")] if not sig.changes_allowed else []),
                    *sig.errors,
                ]
                problems.append(
                    _problem(
                        "signature_problem",
                        _("%(file)s: chữ ký của %(signer)s không hợp lệ (%(reasons)s).")
                        % {"file": upload.name, "signer": sig.signer or "?", "reasons": "; ".join(reasons)},
                        file=upload.name,
                    )
                )
    if not uploads:
        problems.append(_problem("no_file", _("Văn bản đến không có tệp đính kèm.")))
    return reports, problems


def incoming_search_text(document: IncomingDocument) -> str:
    """The folded text the search matches on every field of an incoming document."""
    parts = [
        document.reference,
        document.sender_name,
        document.doc_type_name,
        document.subject,
        document.content,
        document.signer_name,
    ]
    return search_words(" ".join(part for part in parts if part))


def _duplicate_of(body: OrgUnit, arrival: Arrival) -> IncomingDocument | None:
    if not arrival.reference:
        return None
    sender = (
        Q(sender_organ_id=arrival.sender_organ_id)
        if arrival.sender_organ_id
        else Q(sender_name__iexact=arrival.sender_name)
    )
    return (
        IncomingDocument.objects.filter(sender, organisation=body, reference__iexact=arrival.reference)
        .exclude(state=IncomingState.REFUSED)
        .order_by("arrived_at", "id")
        .first()
    )


def _arrival_check(arrival: Arrival) -> Arrival:
    doc_type = arrival.doc_type if arrival.doc_type in DocumentType.values else ""
    urgency = arrival.urgency if arrival.urgency in Urgency.values else Urgency.NORMAL
    confidentiality = (
        arrival.confidentiality if arrival.confidentiality in Confidentiality.values else Confidentiality.NORMAL
    )
    return Arrival(
        sender_name=_text(arrival.sender_name, "cơ quan ban hành", limit=255, required=True),
        subject=_text(arrival.subject, "trích yếu", limit=500, required=True),
        sender_organ_id=_text(arrival.sender_organ_id, "mã định danh cơ quan gửi", limit=40),
        reference=_text(arrival.reference, "số, ký hiệu", limit=80),
        issued_on=arrival.issued_on,
        doc_type=doc_type,
        doc_type_name=_text(arrival.doc_type_name, "tên loại", limit=80)
        or (vietnamese_label(DocumentType(doc_type)) if doc_type else ""),
        content=_text(arrival.content, "nội dung", limit=100_000),
        urgency=urgency,
        confidentiality=confidentiality,
        signer_name=_text(arrival.signer_name, "người ký", limit=160),
        signer_position=_text(arrival.signer_position, "chức vụ người ký", limit=160),
        page_count=arrival.page_count if isinstance(arrival.page_count, int) and arrival.page_count >= 0 else None,
        reply_due_on=arrival.reply_due_on,
    )


def _files_check(uploads: Sequence[Upload]) -> None:
    if len(uploads) > MAX_FILES:
        raise InvalidInput(_("Tối đa %(n)s tệp.") % {"n": MAX_FILES}, code="too_many_files")
    for upload in uploads:
        if len(upload.content) > MAX_FILE_BYTES:
            raise InvalidInput(
                _("Tệp “%(name)s” vượt quá %(n)s MB.") % {"name": upload.name, "n": MAX_FILE_BYTES // (1024 * 1024)},
                code="file_too_large",
            )


def incoming_arrive(
    *,
    body: OrgUnit,
    source: str,
    arrival: Arrival,
    uploads: Sequence[Upload],
    actor: Any = None,
    outgoing: Any = None,
    recipient: Recipient | None = None,
    exchange_message: Any = None,
    extra_problems: Sequence[dict[str, Any]] = (),
) -> IncomingDocument:
    """A document arrives for `body` (state 01). Its files are verified and kept whatever the result."""
    arrival = _arrival_check(arrival)
    _files_check(uploads)
    reports, problems = _verify(uploads, require_signature=source != Source.PAPER)
    problems = [*extra_problems, *problems]
    now = timezone.now()
    with files.written() as written, transaction.atomic():
        if arrival.reference:
            # One arrival with a number at a time per body, so two copies arriving together still see
            # each other (the second is flagged) instead of both checking before either is saved.
            list(OrgUnit.objects.select_for_update().filter(pk=body.pk).values_list("pk", flat=True))
        duplicate = _duplicate_of(body, arrival)
        if duplicate is not None:
            problems.append(
                _problem(
                    "duplicate",
                    "Trùng số, ký hiệu và cơ quan ban hành với văn bản đến đã nhận lúc "
                    f"{duplicate.arrived_at.astimezone(VN_TZ):%H:%M %d/%m/%Y}.",
                    duplicate_of=duplicate.pk,
                )
            )
        document = IncomingDocument(
            organisation=body,
            source=source,
            outgoing=outgoing,
            exchange_message=exchange_message,
            sender_organ_id=arrival.sender_organ_id,
            sender_name=arrival.sender_name,
            reference=arrival.reference,
            issued_on=arrival.issued_on,
            doc_type=arrival.doc_type,
            doc_type_name=arrival.doc_type_name,
            subject=arrival.subject,
            content=arrival.content,
            urgency=arrival.urgency,
            confidentiality=arrival.confidentiality,
            signer_name=arrival.signer_name,
            signer_position=arrival.signer_position,
            page_count=arrival.page_count,
            reply_due_on=arrival.reply_due_on,
            arrived_at=now,
            verification=audit.to_jsonable(reports),
            problems=audit.to_jsonable(problems),
            duplicate_of=duplicate,
        )
        document.search_text = incoming_search_text(document)
        document.save()
        for index, upload in enumerate(uploads):
            sha256 = files.sha256_of(upload.content)
            DocumentFile.objects.create(
                incoming=document,
                role=FileRole.RECEIVED,
                name=_clean_name(upload.name) if upload.name else f"tep-{index + 1}.pdf",
                size=len(upload.content),
                sha256=sha256,
                file=files.store(written, document_file_name(sha256), upload.content),
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        if recipient is not None:
            recipient.incoming = document
            recipient.save(update_fields=["incoming"])
        _history(document=document, action=IncomingAction.ARRIVE, actor=actor, at=now, from_state="")
        audit.record(
            actor=actor,
            action="documents.incoming.arrive",
            obj=document,
            after={
                "source": source,
                "sender": arrival.sender_name,
                "reference": arrival.reference,
                "files": [files.sha256_of(upload.content) for upload in uploads],
                "problems": [problem["code"] for problem in problems],
            },
            acting_unit=body,
        )
        _report(document, IncomingState.ARRIVED, f"Văn bản đã đến {body.name}.", now)
    return document


# --- Telling the sender ---------------------------------------------------------------------------
def _report(document: IncomingDocument, code: str, description: str, at: dt.datetime) -> None:
    """Report `code` to the sender: inside Sen onto their Recipient row (this transaction); over the
    exchange by a status message after the commit; nobody to tell for paper. The description is kept
    on the sender's side and sent to other systems, so it is written in Vietnamese, not translated."""
    if document.source == Source.INTERNAL:
        recipient = Recipient.objects.select_for_update().filter(incoming=document).first()
        if recipient is None:
            return
        recipient.status = code
        recipient.status_at = at
        recipient.save(update_fields=["status", "status_at"])
        RecipientStatus.objects.create(recipient=recipient, code=code, description=description[:500], at=at)
    elif document.source == Source.EDXML:
        from sen.documents import tasks

        enqueue(tasks.status_send, document.pk, code, description[:500])


# --- Moving state ---------------------------------------------------------------------------------
@dataclass
class _Step:
    document: IncomingDocument
    actor: User
    now: dt.datetime
    kwargs: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def text(self, name: str, *, limit: int = 4000) -> str:
        return _text(self.kwargs.get(name), name, limit=limit)


def _history(
    *,
    document: IncomingDocument,
    action: str,
    actor: Any,
    at: dt.datetime,
    from_state: str,
    comment: str = "",
    details: dict[str, Any] | None = None,
) -> IncomingTransition:
    return IncomingTransition.objects.create(
        document=document,
        action=action,
        from_state=from_state,
        to_state=document.state,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=at,
        comment=comment,
        details=details or {},
    )


def _on_accept(ctx: _Step) -> None:
    document = ctx.document
    register = numbering.register_for(document.organisation, Direction.INCOMING, secret=document.is_secret)
    year = ctx.now.astimezone(VN_TZ).year
    document.register = register
    document.year = year
    document.incoming_number = numbering.next_number(register, year)
    document.accepted_at = ctx.now
    document.accepted_by = ctx.actor
    ctx.details.update({"register": register.pk, "incoming_number": document.incoming_number, "year": year})
    ctx.description = f"Đã tiếp nhận, vào sổ văn bản đến số {document.incoming_number}."


def _on_refuse(ctx: _Step) -> None:
    reason = ctx.text("comment")
    if not reason:
        raise InvalidInput(_("Cần nêu lý do từ chối."), details={"field": "comment"}, code="comment_required")
    ctx.document.refused_at = ctx.now
    ctx.document.refuse_reason = reason
    ctx.description = f"Từ chối tiếp nhận: {reason}"


def _on_submit(ctx: _Step) -> None:
    ctx.description = "Đã trình lãnh đạo, chờ phân công xử lý."


def _unit_in_body(value: Any, body: OrgUnit, name: str) -> OrgUnit:
    unit = value if isinstance(value, OrgUnit) else OrgUnit.objects.filter(code=str(value or "").strip()).first()
    if unit is None or unit.active_to is not None or body.pk not in (unit.ancestor_ids() or [unit.pk]):
        raise InvalidInput(
            _("Đơn vị “%(value)s” không thuộc %(body)s.") % {"value": value, "body": body.name},
            details={"field": name},
            code="unit_not_in_body",
        )
    return unit


def _handler_in_body(value: Any, body: OrgUnit) -> User:
    user = value if isinstance(value, User) else User.objects.filter(username=str(value or "").strip()).first()
    home = policies.home_unit(user) if user is not None and user.is_active else None
    if home is None or body.pk not in (home.ancestor_ids() or [home.pk]):
        raise InvalidInput(
            _("Người xử lý phải là cán bộ của %(body)s.") % {"body": body.name},
            details={"field": "handler"},
            code="handler_not_eligible",
        )
    return user  # type: ignore[return-value]


def _deadline(value: Any, today: dt.date) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, dt.date) or value < today:
        raise InvalidInput(
            _("Hạn xử lý phải là một ngày từ hôm nay trở đi."), details={"field": "deadline"}, code="invalid_deadline"
        )
    return value


def _on_direct(ctx: _Step) -> None:
    document = ctx.document
    body = document.organisation
    on_behalf = ctx.kwargs.get("on_behalf_of")
    if on_behalf:
        leader = on_behalf if isinstance(on_behalf, User) else User.objects.filter(username=str(on_behalf)).first()
        if leader is None or not policies.is_leader(leader, body):
            raise InvalidInput(
                _("Người chỉ đạo phải là lãnh đạo của %(body)s.") % {"body": body.name},
                details={"field": "on_behalf_of"},
                code="leader_not_eligible",
            )
        document.directed_by = leader
        document.directed_in_software = False
    else:
        document.directed_by = ctx.actor
        document.directed_in_software = True
    document.lead_unit = _unit_in_body(ctx.kwargs.get("lead_unit"), body, "lead_unit")
    supporting = [
        _unit_in_body(value, body, "supporting_units") for value in ctx.kwargs.get("supporting_units") or () if value
    ]
    document.handler = _handler_in_body(ctx.kwargs.get("handler"), body)
    document.deadline = _deadline(ctx.kwargs.get("deadline"), ctx.now.astimezone(VN_TZ).date())
    document.instruction = ctx.text("instruction")
    document.directed_at = ctx.now
    document.save()
    document.supporting_units.set(supporting)
    ctx.details.update(
        {
            "lead_unit": document.lead_unit.code,
            "supporting_units": [unit.code for unit in supporting],
            "handler": document.handler.username,
            "deadline": document.deadline,
            "instruction": document.instruction,
            "directed_by": document.directed_by.username,
            "in_software": document.directed_in_software,
        }
    )
    ctx.description = f"Đã phân công {document.lead_unit.name} chủ trì xử lý."


def _on_complete(ctx: _Step) -> None:
    ctx.document.done_at = ctx.now
    ctx.document.done_by = ctx.actor
    ctx.document.done_note = ctx.text("comment")
    ctx.description = "Đã hoàn thành xử lý."


HANDLERS: dict[str, Callable[[_Step], None]] = {
    IncomingAction.ACCEPT: _on_accept,
    IncomingAction.REFUSE: _on_refuse,
    IncomingAction.SUBMIT: _on_submit,
    IncomingAction.DIRECT: _on_direct,
    IncomingAction.COMPLETE: _on_complete,
}
assert set(HANDLERS) == set(INCOMING), "every action of the table has a handler"


def _may_act(actor: User, action: str, document: IncomingDocument, kwargs: dict[str, Any]) -> bool:
    if policies.can_act_incoming(actor, action, document):
        return True
    # A clerk records a direction a leader gave on paper.
    return (
        action == IncomingAction.DIRECT
        and bool(kwargs.get("on_behalf_of"))
        and policies.is_clerk(actor, document.organisation)
    )


def incoming_transition(*, actor: User, document: IncomingDocument, action: str, **kwargs: Any) -> IncomingDocument:
    """Apply `action` to `document` as `actor`. kwargs: comment (refuse: the reason; complete: the
    result), lead_unit, supporting_units, handler, deadline, instruction, on_behalf_of (direct)."""
    transition = INCOMING.get(action)
    if transition is None:
        raise InvalidInput(
            _("Thao tác “%(action)s” không tồn tại.") % {"action": action},
            details={"allowed": list(INCOMING)},
            code="unknown_action",
        )
    with transaction.atomic():
        locked = (
            IncomingDocument.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .filter(pk=document.pk)
            .first()
        )
        if locked is None or not policies.can_view_incoming(actor, locked):
            raise NotFound(_("Không tìm thấy văn bản."), code="document_not_found")
        if not _may_act(actor, action, locked, kwargs):
            raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với văn bản."))
        if locked.state not in transition.sources:
            raise Conflict(
                _("Không thể “%(action)s” khi văn bản đến đang ở trạng thái “%(state)s”.")
                % {"action": IncomingAction(action).label, "state": IncomingState(locked.state).label},
                details={"state": locked.state, "action": action, "allowed_from": sorted(transition.sources)},
                code="invalid_transition",
            )
        from_state = locked.state
        ctx = _Step(document=locked, actor=actor, now=timezone.now(), kwargs=dict(kwargs))
        HANDLERS[action](ctx)
        assert transition.target is not None
        locked.state = transition.target
        locked.save()
        comment = ctx.text("comment") or ctx.text("instruction")
        _history(
            document=locked,
            action=action,
            actor=actor,
            at=ctx.now,
            from_state=from_state,
            comment=comment,
            details=audit.to_jsonable(ctx.details),
        )
        audit.record(
            actor=actor,
            action=f"documents.incoming.{action}",
            obj=locked,
            before={"state": from_state},
            after={"state": locked.state, "comment": comment, **audit.to_jsonable(ctx.details)},
            acting_unit=locked.organisation,
        )
        _report(locked, locked.state, ctx.description, ctx.now)
    return locked


def incoming_register_paper(
    *,
    actor: User,
    body: OrgUnit,
    arrival: Arrival,
    uploads: Sequence[Upload] = (),
    idempotency_key: str = "",
) -> IncomingDocument:
    """The clerk registers a paper document that came in (a scan attached if there is one): it
    arrives and is accepted at once, with the next incoming number. A retry with the same
    Idempotency-Key and the same request answers with the document the first one registered (also
    when the two run at once): no second document, số đến or audit event; a key reused for another
    request is a Conflict `idempotency_key_reused`. Without a key, or with another, a second copy is
    registered and flagged as a duplicate (nothing that arrives is dropped)."""
    if not policies.can_record_paper(actor, body):
        raise PermissionDenied(_("Chỉ văn thư của cơ quan vào sổ văn bản đến."))
    key = _key_check(idempotency_key)
    request_hash = _request_hash(
        {"paper": body.pk, "arrival": asdict(arrival), "files": [files.sha256_of(item.content) for item in uploads]}
    )

    def write() -> IncomingDocument:
        with transaction.atomic():
            # The key first: the same request running at the same moment waits here until this one
            # commits, then fails on the key before it stores a file or takes a number.
            issue_key = IssueKey.objects.create(key=key, account=actor, request_hash=request_hash) if key else None
            document = incoming_arrive(body=body, source=Source.PAPER, arrival=arrival, uploads=uploads, actor=actor)
            document = incoming_transition(actor=actor, document=document, action=IncomingAction.ACCEPT)
            if issue_key is not None:
                issue_key.incoming = document
                issue_key.save(update_fields=["incoming"])
        return document

    return _once(actor, key, request_hash, made="incoming", write=write)


def incoming_get_for(actor: User, pk: int) -> IncomingDocument:
    document = IncomingDocument.objects.select_related("organisation").filter(pk=pk).first()
    if document is None or not policies.can_view_incoming(actor, document):
        raise NotFound(_("Không tìm thấy văn bản."), code="document_not_found")
    return document
