"""Errors of the exchange. Each carries a code the peer's software can act on; the messages are
Vietnamese, for the people who read them in logs and on pages."""

from __future__ import annotations

from sen.core.exceptions import Conflict, InvalidInput, NotAuthenticated, PermissionDenied, SenError


class DeliveryRetry(Exception):
    """Raised by exchange_deliver for a failure worth another attempt; the delivery job retries on it."""


class EdxmlError(InvalidInput):
    """An edXML package that cannot be read: `code` says why (edxml_malformed, edxml_dtd_forbidden,
    edxml_not_edxml, edxml_missing_field, edxml_invalid_value, edxml_bad_base64); `details["field"]`
    names the element, as a path under edXMLEnvelope."""

    code = "edxml_malformed"
    default_message = "Gói tin edXML không hợp lệ."


class ExchangeUnauthenticated(NotAuthenticated):
    """The request does not prove it comes from a known peer (missing headers, unknown peer, bad
    signature, clock skew)."""

    code = "exchange_unauthenticated"
    default_message = "Yêu cầu liên thông không được xác thực."


class PeerInactive(PermissionDenied):
    code = "peer_inactive"
    default_message = "Đơn vị liên thông này đã bị tạm ngừng kết nối."


class MessageTooLarge(SenError):
    code = "message_too_large"
    status = 413
    default_message = "Gói tin vượt quá dung lượng cho phép."


class MessageIdReused(Conflict):
    code = "message_id_reused"
    default_message = "Mã gói tin này đã được dùng cho một gói tin có nội dung khác."


class ExchangeRefused(SenError):
    """An incoming message that was stored but refused: by the exchange (sender not the peer) or by
    the handler of its kind. Raised again, with the same code and status, for every retried delivery."""

    code = "exchange_refused"
    status = 422
    default_message = "Gói tin đã được lưu nhưng không được chấp nhận."


class WrongRecipient(ExchangeRefused):
    """For handlers: none of the package's recipients (To) is a unit of this installation."""

    code = "wrong_recipient"
    default_message = "Gói tin không gửi cho đơn vị nào của hệ thống này."


class SenderNotPeer(ExchangeRefused):
    """The package's From is not an organisation the authenticated peer speaks for."""

    code = "sender_not_peer"
    status = 403
    default_message = "Đơn vị gửi trong gói tin không thuộc hệ thống liên thông đã xác thực."
