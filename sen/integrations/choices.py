"""Codes of the document exchange. The edXML codes are QCVN 102:2016's own values, so that a message
from another system reads without translation."""

from __future__ import annotations

from django.db import models


class Direction(models.TextChoices):
    IN = "in", "Nhận"
    OUT = "out", "Gửi"


class MessageKind(models.TextChoices):
    DOCUMENT = "document", "Văn bản điện tử"
    STATUS = "status", "Trạng thái xử lý"
    # A package from a known peer that could not be read: kept, with its problem noted.
    UNKNOWN = "unknown", "Không đọc được"


class ExchangeState(models.TextChoices):
    # Outgoing: queued → sent | failed (failed → queued again by exchange_retry).
    QUEUED = "queued", "Chờ gửi"
    SENT = "sent", "Đã gửi"
    # Both directions: an outgoing message the peer refused or that could not be delivered; an
    # incoming one that was refused or whose handler failed (kept with its problem noted).
    FAILED = "failed", "Lỗi"
    # Incoming: received (no handler registered) → handled.
    RECEIVED = "received", "Đã nhận"
    HANDLED = "handled", "Đã xử lý"


OUTGOING_STATES = (ExchangeState.QUEUED, ExchangeState.SENT, ExchangeState.FAILED)
INCOMING_STATES = (ExchangeState.RECEIVED, ExchangeState.HANDLED, ExchangeState.FAILED)


class StatusCode(models.TextChoices):
    """The edXML status codes (QCVN 102:2016, status message)."""

    ARRIVED = "01", "Đã đến"
    REFUSED = "02", "Từ chối tiếp nhận"
    ACCEPTED = "03", "Đã tiếp nhận"
    AWAITING_ASSIGNMENT = "04", "Đã đến, đang chờ phân công"
    PROCESSING = "05", "Đã phân công, đang xử lý"
    DONE = "06", "Đã xử lý xong"
    RECALL = "13", "Thu hồi văn bản"
    AGREE = "15", "Đồng ý thu hồi/cập nhật văn bản"
    REFUSE = "16", "Từ chối thu hồi/cập nhật văn bản"


class Priority(models.IntegerChoices):
    """OtherInfo/Priority. Decree 30/2020 has the first four; QCVN 102 adds 4 (hỏa tốc hẹn giờ)."""

    NORMAL = 0, "Thường"
    URGENT = 1, "Khẩn"
    VERY_URGENT = 2, "Thượng khẩn"
    FLASH = 3, "Hỏa tốc"
    FLASH_SCHEDULED = 4, "Hỏa tốc hẹn giờ"


class SteeringType(models.IntegerChoices):
    NOT_STEERING = 1, "Không phải chỉ đạo"
    STEERING = 2, "Chỉ đạo"
    STEERING_REPORT = 3, "Báo cáo chỉ đạo"


class BusinessDocType(models.IntegerChoices):
    """TraceHeaderList/Bussiness/BussinessDocType (the standard spells it with two s)."""

    NEW = 0, "Văn bản mới"
    RECALL = 1, "Thu hồi"
    UPDATE = 2, "Cập nhật"
    REPLACE = 3, "Thay thế"
