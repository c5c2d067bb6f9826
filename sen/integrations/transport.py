"""How an edXML package travels between Sen servers: one signed HTTP POST.

    POST {peer.base_url}/api/v1/exchange/messages
    Content-Type: application/xml; charset=utf-8
    X-Sen-Peer: <the sender's agency code, settings.SEN_EXCHANGE_ORGAN_ID>
    X-Sen-Message-Id: <the sender's id of this message: the same on every retry>
    X-Sen-Timestamp: <Unix time, seconds>
    X-Sen-Signature: sha256=<hex HMAC-SHA256(peer secret, "<timestamp>.<message id>." + body)>

The signature covers the body, the message id and the time, so none can be changed in transit. The
receiver refuses a timestamp more than SEN_EXCHANGE_MAX_SKEW_SECONDS (5 minutes) away from its own
clock; within that window a replayed request carries the same message id and gets the answer the
first one got (idempotency, sen.integrations.services.exchange_receive) — it never makes a second row.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from sen.integrations.edxml import CONTENT_TYPE
from sen.integrations.exceptions import ExchangeUnauthenticated, InvalidInput

PATH = "/api/v1/exchange/messages"
HEADER_PEER = "X-Sen-Peer"
HEADER_MESSAGE_ID = "X-Sen-Message-Id"
HEADER_TIMESTAMP = "X-Sen-Timestamp"
HEADER_SIGNATURE = "X-Sen-Signature"
SIGNATURE_PREFIX = "sha256="
MESSAGE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def signature(secret: str, timestamp: str, message_id: str, body: bytes) -> str:
    signed = f"{timestamp}.{message_id}.".encode() + body
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signed_headers(
    *, secret: str, sender: str, message_id: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {
        "Content-Type": CONTENT_TYPE,
        HEADER_PEER: sender,
        HEADER_MESSAGE_ID: message_id,
        HEADER_TIMESTAMP: timestamp,
        HEADER_SIGNATURE: signature(secret, timestamp, message_id, body),
    }


@dataclass(frozen=True)
class SignedRequest:
    """The exchange headers of an incoming request, read from Django's request.META."""

    peer: str
    message_id: str
    timestamp: str
    signature: str

    @classmethod
    def from_meta(cls, meta: Mapping[str, object]) -> SignedRequest:
        def header(name: str) -> str:
            return str(meta.get("HTTP_" + name.upper().replace("-", "_"), "")).strip()

        values = {
            "peer": header(HEADER_PEER),
            "message_id": header(HEADER_MESSAGE_ID),
            "timestamp": header(HEADER_TIMESTAMP),
            "signature": header(HEADER_SIGNATURE),
        }
        missing = [name for name, value in zip(_HEADER_NAMES, values.values(), strict=True) if not value]
        if missing:
            raise ExchangeUnauthenticated(
                _("Yêu cầu liên thông thiếu tiêu đề xác thực: %(headers)s.") % {"headers": ", ".join(missing)},
                code="exchange_unsigned",
                details={"missing": missing},
            )
        if not MESSAGE_ID.fullmatch(values["message_id"]):
            raise InvalidInput(
                _("Mã gói tin chỉ gồm chữ, số và . _ : - (tối đa 64 ký tự)."),
                code="invalid_message_id",
                details={"header": HEADER_MESSAGE_ID},
            )
        return cls(**values)

    def verify(self, *, secret: str, body: bytes, now: float | None = None) -> None:
        """Raise ExchangeUnauthenticated unless the signature is right and the time close to ours."""
        try:
            sent_at = int(self.timestamp)
        except ValueError:
            sent_at = None
        skew = settings.SEN_EXCHANGE_MAX_SKEW_SECONDS
        current = time.time() if now is None else now
        if sent_at is None or abs(current - sent_at) > skew:
            raise ExchangeUnauthenticated(
                _("Thời điểm ký của yêu cầu lệch quá %(seconds)s giây so với máy chủ nhận.") % {"seconds": skew},
                code="clock_skew",
                details={"timestamp": self.timestamp[:20], "server_time": int(current)},
            )
        expected = signature(secret, self.timestamp, self.message_id, body)
        if not hmac.compare_digest(expected.encode(), self.signature.encode()):
            raise ExchangeUnauthenticated(_("Chữ ký của yêu cầu liên thông không đúng."), code="bad_signature")


_HEADER_NAMES = (HEADER_PEER, HEADER_MESSAGE_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE)


def post(*, url: str, body: bytes, headers: Mapping[str, str]) -> requests.Response:
    """One delivery attempt. Redirects are not followed (a peer answers where it is configured)."""
    return requests.post(
        url,
        data=body,
        headers=dict(headers),
        timeout=(settings.SEN_EXCHANGE_CONNECT_TIMEOUT, settings.SEN_EXCHANGE_READ_TIMEOUT),
        allow_redirects=False,
    )


def endpoint(base_url: str) -> str:
    return base_url.rstrip("/") + PATH
