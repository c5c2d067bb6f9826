"""Exchange API: the one endpoint other Sen servers (and systems speaking the same protocol) POST
edXML packages to. It authenticates by the peer's HMAC signature, not by a session or token, so it
has no CSRF check (sen.integrations.transport describes the headers)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from sen.integrations import services, transport
from sen.integrations.exceptions import MessageTooLarge
from sen.integrations.models import ExchangeMessage

router = Router(tags=["exchange"])


class ReceiptOut(Schema):
    message_id: str
    kind: str
    state: str
    sha256: str
    received_at: str


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, object] | list[object] | None = None


def read_body(request: HttpRequest) -> bytes:
    """The request body within SEN_EXCHANGE_MAX_BYTES (read from the stream, so the limit can be
    above Django's DATA_UPLOAD_MAX_MEMORY_SIZE, which guards form posts)."""
    limit = settings.SEN_EXCHANGE_MAX_BYTES
    too_large = MessageTooLarge(
        _("Gói tin vượt quá %(mb)s MB.") % {"mb": limit // (1024 * 1024)}, details={"max_bytes": limit}
    )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise too_large
    data = request.read(limit + 1)
    if len(data) > limit:
        raise too_large
    return bytes(data)


def receipt(exchange: ExchangeMessage) -> dict[str, str]:
    return {
        "message_id": exchange.message_id,
        "kind": exchange.kind,
        "state": exchange.state,
        "sha256": exchange.sha256,
        "received_at": exchange.created_at.isoformat(),
    }


@router.post(
    "/exchange/messages",
    auth=None,
    response={200: ReceiptOut, 202: ReceiptOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="Nhận một gói tin edXML (QCVN 102:2016) từ hệ thống liên thông",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/xml": {"schema": {"type": "string"}}}},
        "parameters": [
            {"name": header, "in": "header", "required": True, "schema": {"type": "string"}}
            for header in (
                transport.HEADER_PEER,
                transport.HEADER_MESSAGE_ID,
                transport.HEADER_TIMESTAMP,
                transport.HEADER_SIGNATURE,
            )
        ],
    },
)
def exchange_messages_receive(request: HttpRequest) -> Status:
    """200: handled; 202: stored, no handler for its kind yet; 4xx/5xx: `{code, message, details}`
    (a stored refusal is answered the same way on every retry of the message id)."""
    signed = transport.SignedRequest.from_meta(request.META)
    exchange = services.exchange_receive(request=signed, body=read_body(request))
    return Status(exchange.response_status or 202, receipt(exchange))
