"""The document exchange with agencies outside Sen (edXML, QCVN 102:2016), through sen.integrations.

Not connected yet: sending records that the recipient outside could not be reached, so the sender
sees it, instead of pretending the document went out.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from sen.documents.choices import ExchangeStatus
from sen.documents.models import OutgoingDocument, Recipient, RecipientStatus
from sen.documents.services import Upload

logger = logging.getLogger(__name__)


def edoc_send(document: OutgoingDocument, recipient: Recipient, uploads: list[Upload]) -> bool:
    logger.warning("no exchange configured: document %s not sent to %s", document.pk, recipient.organ_id)
    RecipientStatus.objects.create(
        recipient=recipient,
        code=ExchangeStatus.SENT,
        description="Chưa gửi được: chưa kết nối trục liên thông văn bản.",
        at=timezone.now(),
    )
    return False


def status_send(incoming_id: int, code: str, description: str) -> bool:
    return False


def notice_send(document_id: int, kind: str, text: str) -> int:
    return 0
