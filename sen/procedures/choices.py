"""Codes of the procedure catalogue. The Vietnamese labels are the national portal's terms."""

from __future__ import annotations

from django.db import models


class Level(models.TextChoices):
    """Level of government that handles a procedure (cấp thực hiện), as the national catalogue
    names it. Not the org tree's UnitKind: "cấp bộ" is not a unit of the province."""

    MINISTRY = "ministry", "Cấp bộ"
    PROVINCE = "province", "Cấp tỉnh"
    COMMUNE = "commune", "Cấp xã"
    OTHER = "other", "Cơ quan khác"


class OnlineLevel(models.TextChoices):
    FULL = "full", "Toàn trình"
    PARTIAL = "partial", "Một phần"
    NONE = "none", "Không trực tuyến"


class TimeUnit(models.TextChoices):
    """The units of sen.core.calendar.WorkingCalendar.due."""

    WORKING_DAYS = "working_days", "ngày làm việc"
    WORKING_HOURS = "working_hours", "giờ làm việc"
    CALENDAR_DAYS = "calendar_days", "ngày"


class Channel(models.TextChoices):
    """How a dossier reaches the agency (hình thức nộp)."""

    ONLINE = "online", "Trực tuyến"
    COUNTER = "counter", "Trực tiếp"
    POSTAL = "postal", "Dịch vụ bưu chính"


class VersionStatus(models.TextChoices):
    PUBLISHED = "published", "Đang áp dụng"
    SUPERSEDED = "superseded", "Đã thay thế"


class Source(models.TextChoices):
    NATIONAL = "national", "Cơ sở dữ liệu quốc gia về TTHC"
    PROVINCE = "province", "Tỉnh ban hành / điều chỉnh"


class EFieldType(models.TextChoices):
    TEXT = "text", "Văn bản"
    NUMBER = "number", "Số"
    DATE = "date", "Ngày"
    CHOICE = "choice", "Lựa chọn"
    CCCD = "cccd", "Số CCCD"
    ADDRESS = "address", "Địa chỉ"
