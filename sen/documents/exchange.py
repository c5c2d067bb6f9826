"""The document exchange with agencies outside Sen (edXML, QCVN 102:2016), through sen.integrations.

Out: an issued document to a recipient outside Sen goes as an edXML package to the exchange peer that
serves the recipient's agency code (sen.integrations.selectors.peer_for); a recipient no peer serves
gets a status "00 chưa gửi được" that the sender sees — never a pretence that it went out.
In: the "document" handler turns a package into an incoming document of the body it names (state 01,
verified like any other arrival); the "status" handler records a recipient's status (01–06, 13, 15,
16) on the sender's Recipient row. Statuses of documents that came in over the exchange go back as
status messages (tasks.status_send, after the commit).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sen.core.calendar import VN_TZ
from sen.core.i18n import vietnamese_label
from sen.core.models import OrgUnit
from sen.documents.choices import Direction, DocumentType, ExchangeStatus, Source
from sen.documents.models import IncomingDocument, OutgoingDocument, Recipient, RecipientStatus, Register
from sen.documents.services import Upload
from sen.integrations import edxml
from sen.integrations import selectors as exchange_selectors
from sen.integrations import services as exchange_services
from sen.integrations.choices import Priority, StatusCode
from sen.integrations.exceptions import WrongRecipient
from sen.integrations.models import ExchangeMessage

logger = logging.getLogger(__name__)


def _organisation(unit: OrgUnit) -> edxml.Organization:
    return edxml.Organization(organ_id=unit.code, organ_name=unit.name)


def document_message(document: OutgoingDocument, recipient: Recipient, uploads: list[Upload]) -> edxml.DocumentMessage:
    assert document.issued_on is not None and document.number is not None
    code = edxml.Code(number=f"{document.number:02d}", notation=document.symbol)
    sender = _organisation(document.organisation)
    signer = document.signer
    priority = Priority(int(document.urgency)) if document.urgency in {"0", "1", "2", "3"} else Priority.NORMAL
    return edxml.DocumentMessage(
        header=edxml.MessageHeader(
            from_=sender,
            to=[edxml.Organization(organ_id=recipient.organ_id, organ_name=recipient.name)],
            code=code,
            promulgation_info=edxml.PromulgationInfo(place=settings.SEN_PROVINCE_NAME, date=document.issued_on),
            document_type=edxml.DocumentType(
                type=1, type_name=vietnamese_label(DocumentType(document.doc_type)) if document.doc_type else ""
            ),
            subject=document.subject,
            content=document.body,
            signer_info=edxml.SignerInfo(
                competence=document.signer_authority,
                position=document.signer_position,
                full_name=(signer.full_name or signer.username) if signer is not None else "",
            ),
            other_info=edxml.OtherInfo(
                priority=priority, promulgation_amount=document.copies, appendixes=[u.name for u in uploads[1:]]
            ),
            document_id=edxml.document_id_for(document.organisation.code, document.issued_on, code),
        ),
        trace_headers=[edxml.TraceHeader(organ_id=document.organisation.code, timestamp=timezone.now())],
        attachments=[
            edxml.Attachment(name=upload.name, content_type="application/pdf", content=upload.content)
            for upload in uploads
        ],
    )


def _status(recipient: Recipient, code: str, description: str, at: dt.datetime) -> None:
    """Record a status of `recipient`; the description is kept as written (in Vietnamese)."""
    recipient.status = code
    recipient.status_at = at
    recipient.save(update_fields=["status", "status_at"])
    RecipientStatus.objects.create(recipient=recipient, code=code, description=description[:500], at=at)


def edoc_send(document: OutgoingDocument, recipient: Recipient, uploads: list[Upload]) -> bool:
    """Send `document` to a recipient outside Sen; False when no exchange peer serves it."""
    if recipient.exchange_message_id is not None:
        return False  # already sent (a retried delivery job)
    peer = exchange_selectors.peer_for(recipient.organ_id)
    now = timezone.now()
    with transaction.atomic():
        locked = Recipient.objects.select_for_update().get(pk=recipient.pk)
        if locked.exchange_message_id is not None:
            return False
        if peer is None or not peer.is_active:
            logger.warning("no exchange peer for %s: document %s not sent", recipient.organ_id, document.pk)
            _status(
                locked,
                ExchangeStatus.SENT,
                f"Chưa gửi được: chưa có kết nối liên thông với {recipient.organ_id}.",
                now,
            )
            return False
        sent = exchange_services.exchange_send(
            actor=None,
            peer=peer,
            message=document_message(document, locked, uploads),
            message_id=f"document-{document.pk}-{locked.pk}",
        )
        locked.exchange_message = sent
        locked.save(update_fields=["exchange_message"])
        _status(locked, ExchangeStatus.SENT, f"Đã gửi qua trục liên thông ({peer.name}).", now)
    return True


# --- Handlers (registered in DocumentsConfig.ready) -----------------------------------------------
def _body_for(message: edxml.DocumentMessage) -> OrgUnit:
    codes = [organisation.organ_id for organisation in message.header.to]
    bodies = set(
        Register.objects.filter(
            body__code__in=codes, body__active_to__isnull=True, direction=Direction.INCOMING, active=True
        ).values_list("body_id", flat=True)
    )
    for code in codes:
        unit = OrgUnit.objects.filter(code=code, active_to__isnull=True).first()
        if unit is not None and unit.pk in bodies:
            return unit
    raise WrongRecipient()


def _doc_type(name: str) -> str:
    """The code of the type a package names (in Vietnamese, as edXML writes it); "" if none matches."""
    wanted = (name or "").strip().lower()
    for choice in DocumentType:
        if vietnamese_label(choice).lower() == wanted:
            return str(choice.value)
    return ""


def incoming_from_exchange(*, message: edxml.DocumentMessage, exchange: ExchangeMessage) -> IncomingDocument:
    """A package arrives: an incoming document of the body it is addressed to (01), whatever its files
    show (their problems are noted for the clerk)."""
    from sen.documents.services_incoming import Arrival, incoming_arrive

    header = message.header
    body = _body_for(message)
    existing = IncomingDocument.objects.filter(exchange_message=exchange).first()
    if existing is not None:
        return existing
    priority = int(header.other_info.priority)
    return incoming_arrive(
        body=body,
        source=Source.EDXML,
        arrival=Arrival(
            sender_name=header.from_.organ_name or header.from_.organ_id,
            sender_organ_id=header.from_.organ_id,
            subject=header.subject,
            reference=str(header.code),
            issued_on=header.promulgation_info.date,
            doc_type=_doc_type(header.document_type.type_name),
            doc_type_name=header.document_type.type_name,
            content=header.content,
            urgency=str(min(priority, 3)),
            signer_name=header.signer_info.full_name,
            signer_position=header.signer_info.position,
            page_count=header.other_info.page_amount,
            reply_due_on=header.due_date,
        ),
        uploads=[
            Upload(name=attachment.name, content=attachment.content)
            for attachment in message.attachments
            if attachment.content_type in ("application/pdf", "") or attachment.name.lower().endswith(".pdf")
        ],
        exchange_message=exchange,
    )


def status_from_exchange(*, message: edxml.StatusMessage, exchange: ExchangeMessage) -> None:
    """A recipient outside reports a status of one of our documents."""
    recipient = (
        Recipient.objects.select_for_update()
        .filter(exchange_message__document_id=message.response_for.document_id, organ_id=message.from_.organ_id.upper())
        .first()
    )
    if recipient is None:
        logger.info("status %s for unknown document %s", message.status_code, message.response_for.document_id)
        return
    _status(recipient, str(message.status_code), message.description or "", message.timestamp or timezone.now())


# --- Jobs ------------------------------------------------------------------------------------------
def status_send(incoming_id: int, code: str, description: str) -> bool:
    """Tell the sender of an incoming document that came over the exchange that it reached `code`."""
    document = (
        IncomingDocument.objects.select_related("organisation", "exchange_message__peer").filter(pk=incoming_id).first()
    )
    if document is None or document.exchange_message is None:
        return False
    received = edxml.parse(exchange_services.envelope_bytes(document.exchange_message))
    if not isinstance(received, edxml.DocumentMessage) or code not in StatusCode.values:
        return False
    status = edxml.status_for(
        received,
        from_=_organisation(document.organisation),
        status_code=StatusCode(code),
        description=description,
        timestamp=timezone.now().astimezone(VN_TZ),
    )
    with transaction.atomic():
        exchange_services.exchange_send(
            actor=None,
            peer=document.exchange_message.peer,
            message=status,
            message_id=f"status-{document.pk}-{code}",
        )
    return True


def notice_send(document_id: int, kind: str, text: str) -> int:
    """A recall (13) of an issued document, to the recipients outside Sen that got it over the
    exchange. A correction has no edXML status of its own: it is recorded and shown in Sen only."""
    if kind != "recall":
        return 0
    sent = 0
    for recipient in Recipient.objects.filter(document_id=document_id, exchange_message__isnull=False).select_related(
        "exchange_message__peer", "document__organisation"
    ):
        original: Any = recipient.exchange_message
        header_document = edxml.parse(exchange_services.envelope_bytes(original))
        if not isinstance(header_document, edxml.DocumentMessage):
            continue
        recall = edxml.StatusMessage(
            response_for=edxml.ResponseFor(
                organ_id=recipient.document.organisation.code,
                code=str(header_document.header.code),
                promulgation_date=header_document.header.promulgation_info.date,
                document_id=header_document.header.document_id,
            ),
            from_=_organisation(recipient.document.organisation),
            status_code=StatusCode.RECALL,
            timestamp=timezone.now().astimezone(VN_TZ),
            description=text[:500],
        )
        with transaction.atomic():
            exchange_services.exchange_send(
                actor=None, peer=original.peer, message=recall, message_id=f"recall-{document_id}-{recipient.pk}"
            )
        sent += 1
    return sent
