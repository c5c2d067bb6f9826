"""Getting an issued document to its recipients, and recall/correction notices after it.

Runs in jobs after the issuing transaction commits (sen.documents.tasks), one recipient at a time and
idempotent: a recipient that already has its copy is skipped, and the database's one-delivery-per-
recipient constraint stops a concurrent second copy. A unit inside Sen gets the issued PDF (both
signatures) and its signed appendices in its incoming queue; an agency outside gets them over the
document exchange (sen.documents.exchange).
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from sen.documents.choices import FileRole, Source
from sen.documents.models import OutgoingDocument, Recipient
from sen.documents.services import Upload, file_bytes
from sen.documents.services_incoming import Arrival, incoming_arrive

logger = logging.getLogger(__name__)


def issued_files(document: OutgoingDocument) -> list[Upload]:
    """The issued PDF first, then the signed appendices."""
    uploads = []
    for role in (FileRole.FINAL, FileRole.APPENDIX_SIGNED):
        for item in document.files.filter(role=role, superseded=False).order_by("id"):
            uploads.append(Upload(name=item.name, content=file_bytes(item)))
    return uploads


def arrival_of(document: OutgoingDocument) -> Arrival:
    signer = document.signer
    return Arrival(
        sender_name=document.organisation.name,
        sender_organ_id=document.organisation.code,
        subject=document.subject,
        reference=document.reference,
        issued_on=document.issued_on,
        doc_type=document.doc_type,
        content=document.body,
        urgency=document.urgency,
        confidentiality=document.confidentiality,
        signer_name=(signer.full_name or signer.username) if signer is not None else "",
        signer_position=document.signer_position,
        page_count=(document.current_version.layout or {}).get("pages") if document.current_version else None,
    )


def deliver_internal(document: OutgoingDocument, recipient: Recipient, uploads: list[Upload]) -> bool:
    """Put `document` in `recipient`'s incoming queue; False if it was already there."""
    if recipient.incoming_id is not None or recipient.unit is None:
        return False
    try:
        with transaction.atomic():
            incoming_arrive(
                body=recipient.unit,
                source=Source.INTERNAL,
                arrival=arrival_of(document),
                uploads=uploads,
                outgoing=document,
                recipient=recipient,
            )
    except IntegrityError:
        logger.info("document %s already delivered to unit %s", document.pk, recipient.unit_id)
        return False
    return True


def deliver(document_id: int, recipient_ids: list[int]) -> int:
    """Deliver to each recipient that has not got it yet; the number delivered."""
    document = OutgoingDocument.objects.select_related("organisation", "signer", "current_version").get(pk=document_id)
    uploads = issued_files(document)
    delivered = 0
    for recipient in Recipient.objects.filter(document=document, pk__in=recipient_ids).select_related("unit"):
        if recipient.unit_id is not None:
            delivered += deliver_internal(document, recipient, uploads)
        else:
            from sen.documents import exchange

            delivered += exchange.edoc_send(document, recipient, uploads)
    return delivered
