"""Codes of the document exchange. The edXML codes are QCVN 102:2016's own values, so that a message
from another system reads without translation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Direction(models.TextChoices):
    IN = "in", pgettext_lazy("exchange direction", "Nhận")
    OUT = "out", pgettext_lazy("exchange direction", "Gửi")


class MessageKind(models.TextChoices):
    DOCUMENT = "document", _("Văn bản điện tử")
    STATUS = "status", _("Trạng thái xử lý")
    # A package from a known peer that could not be read: kept, with its problem noted.
    UNKNOWN = "unknown", _("Không đọc được")


class ExchangeState(models.TextChoices):
    # Outgoing: queued → sent | failed (failed → queued again by exchange_retry).
    QUEUED = "queued", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    # Both directions: an outgoing message the peer refused or that could not be delivered; an
    # incoming one that was refused or whose handler failed (kept with its problem noted).
    FAILED = "failed", _("Lỗi")
    # Incoming: received (no handler registered) → handled.
    RECEIVED = "received", _("Đã nhận")
    HANDLED = "handled", _("Đã xử lý")


OUTGOING_STATES = (ExchangeState.QUEUED, ExchangeState.SENT, ExchangeState.FAILED)
INCOMING_STATES = (ExchangeState.RECEIVED, ExchangeState.HANDLED, ExchangeState.FAILED)


class StatusCode(models.TextChoices):
    """The edXML status codes (QCVN 102:2016, status message)."""

    ARRIVED = "01", _("Đã đến")
    REFUSED = "02", _("Từ chối tiếp nhận")
    ACCEPTED = "03", _("Đã tiếp nhận")
    AWAITING_ASSIGNMENT = "04", _("Đã đến, đang chờ phân công")
    PROCESSING = "05", _("Đã phân công, đang xử lý")
    DONE = "06", _("Đã xử lý xong")
    RECALL = "13", _("Thu hồi văn bản")
    AGREE = "15", _("Đồng ý thu hồi/cập nhật văn bản")
    REFUSE = "16", _("Từ chối thu hồi/cập nhật văn bản")


class Priority(models.IntegerChoices):
    """OtherInfo/Priority. Decree 30/2020 has the first four; QCVN 102 adds 4 (hỏa tốc hẹn giờ)."""

    NORMAL = 0, _("Thường")
    URGENT = 1, _("Khẩn")
    VERY_URGENT = 2, _("Thượng khẩn")
    FLASH = 3, _("Hỏa tốc")
    FLASH_SCHEDULED = 4, _("Hỏa tốc hẹn giờ")


class SteeringType(models.IntegerChoices):
    NOT_STEERING = 1, _("Không phải chỉ đạo")
    STEERING = 2, _("Chỉ đạo")
    STEERING_REPORT = 3, _("Báo cáo chỉ đạo")


class BusinessDocType(models.IntegerChoices):
    """TraceHeaderList/Bussiness/BussinessDocType (the standard spells it with two s)."""

    NEW = 0, _("Văn bản mới")
    RECALL = 1, _("Thu hồi")
    UPDATE = 2, _("Cập nhật")
    REPLACE = 3, _("Thay thế")
