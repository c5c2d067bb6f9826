"""Codes of the procedure catalogue. The Vietnamese labels are the national portal's terms."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Level(models.TextChoices):
    """Level of government that handles a procedure (cấp thực hiện), as the national catalogue
    names it. Not the org tree's UnitKind: "cấp bộ" is not a unit of the province."""

    MINISTRY = "ministry", _("Cấp bộ")
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")
    OTHER = "other", _("Cơ quan khác")


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Không trực tuyến")


class TimeUnit(models.TextChoices):
    """The units of sen.core.calendar.WorkingCalendar.due."""

    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")


class Channel(models.TextChoices):
    """How a dossier reaches the agency (hình thức nộp)."""

    ONLINE = "online", _("Trực tuyến")
    COUNTER = "counter", _("Trực tiếp")
    POSTAL = "postal", _("Dịch vụ bưu chính")


class VersionStatus(models.TextChoices):
    PUBLISHED = "published", _("Đang áp dụng")
    SUPERSEDED = "superseded", _("Đã thay thế")


class Source(models.TextChoices):
    NATIONAL = "national", _("Cơ sở dữ liệu quốc gia về TTHC")
    PROVINCE = "province", _("Tỉnh ban hành / điều chỉnh")


class EFieldType(models.TextChoices):
    TEXT = "text", pgettext_lazy("form field type", "Văn bản")
    NUMBER = "number", pgettext_lazy("form field type", "Số")
    DATE = "date", pgettext_lazy("form field type", "Ngày")
    CHOICE = "choice", pgettext_lazy("form field type", "Lựa chọn")
    CCCD = "cccd", pgettext_lazy("form field type", "Số CCCD")
    ADDRESS = "address", pgettext_lazy("form field type", "Địa chỉ")
