"""What every app leans on: the organisation tree, the working-day calendar, the audit trail,
and outgoing notifications."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


# --- Organisation tree ----------------------------------------------------------------
class UnitKind(models.Model):
    """A level or kind of unit (province, department, district, commune, room...). Data, not code:
    the district level was abolished in 2025 and nothing in the code names it."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên", max_length=120)
    name_en = models.CharField("tên tiếng Anh", max_length=120, blank=True)
    rank = models.PositiveSmallIntegerField("thứ bậc", default=0, help_text="0 = cao nhất")

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = "loại đơn vị"
        verbose_name_plural = "loại đơn vị"

    def __str__(self) -> str:
        return self.name


class OrgUnit(models.Model):
    """A unit of the tree. Units are never deleted: a merged or dissolved unit gets `active_to`
    (and `successor`), so what belonged to it still shows it."""

    code = models.CharField("mã định danh", max_length=40, help_text="Theo QĐ 20/2020/QĐ-TTg")
    name = models.CharField("tên", max_length=255)
    short_name = models.CharField("tên ngắn", max_length=120, blank=True)
    kind = models.ForeignKey(UnitKind, on_delete=models.PROTECT, related_name="units", verbose_name="loại")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="đơn vị cha"
    )
    # Materialised path of ids, "/1/7/42/": descendants are one indexed prefix query.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    statistics_code = models.CharField("mã hành chính (GSO)", max_length=10, blank=True)
    active_from = models.DateField("hoạt động từ", default=dt.date(2025, 7, 1))
    active_to = models.DateField("ngừng hoạt động từ", null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name="đơn vị kế thừa",
    )

    class Meta:
        ordering = ["path"]
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(active_to__isnull=True), name="orgunit_code_unique_while_active"
            ),
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=models.F("active_from")),
                name="orgunit_active_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, day: dt.date) -> bool:
        return self.active_from <= day and (self.active_to is None or day < self.active_to)

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit, inclusive."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


class UnitChange(models.Model):
    """History of re-organisation: merges, moves, renames, dissolutions."""

    class Kind(models.TextChoices):
        CREATE = "create", _("Thành lập")
        MERGE = "merge", _("Hợp nhất / sáp nhập")
        MOVE = "move", _("Chuyển đơn vị cha")
        RENAME = "rename", _("Đổi tên")
        DISSOLVE = "dissolve", _("Giải thể")

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    effective_on = models.DateField()
    old_parent = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    new_parent = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    successor = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    old_name = models.CharField(max_length=255, blank=True)
    new_name = models.CharField(max_length=255, blank=True)
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit} ({self.effective_on:%d/%m/%Y})"


# --- Working-day calendar ---------------------------------------------------------------
class CalendarDay(models.Model):
    """A province's own change to the national calendar: an extra day off or an extra working day
    (e.g. a Saturday worked to make up a bridge holiday)."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ")
        WORKING_DAY = "working_day", _("Ngày làm việc")

    date = models.DateField("ngày", unique=True)
    kind = models.CharField("loại", max_length=16, choices=Kind.choices)
    reason = models.CharField("lý do", max_length=255, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = "ngày điều chỉnh lịch"
        verbose_name_plural = "ngày điều chỉnh lịch"

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()}"


class CalendarSettings(models.Model):
    """Working hours and the daily cut-off; one row (pk=1), edited in the admin."""

    morning_start = models.TimeField("sáng bắt đầu", default=dt.time(7, 0))
    morning_end = models.TimeField("sáng kết thúc", default=dt.time(11, 30))
    afternoon_start = models.TimeField("chiều bắt đầu", default=dt.time(13, 30))
    afternoon_end = models.TimeField("chiều kết thúc", default=dt.time(17, 0))
    cutoff = models.TimeField("giờ chốt tiếp nhận", default=dt.time(15, 0))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "giờ làm việc"
        verbose_name_plural = "giờ làm việc"
        constraints = [
            models.CheckConstraint(
                condition=Q(morning_start__lt=models.F("morning_end"))
                & Q(morning_end__lte=models.F("afternoon_start"))
                & Q(afternoon_start__lt=models.F("afternoon_end")),
                name="calendar_settings_hours_ordered",
            )
        ]

    def __str__(self) -> str:
        return "Giờ làm việc"


# --- Audit trail --------------------------------------------------------------------------
class AuditChain(models.Model):
    """The head of one object's hash chain. Writers lock this row, so writers of the same object
    serialise while writers of different objects do not contend (see docs/architecture.md)."""

    key = models.CharField(max_length=120, unique=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"{self.key} @ {self.last_seq}"


class AuditEvent(models.Model):
    """Append-only. `hash` = SHA-256 over the canonical event and `prev_hash`; any edit or deletion
    breaks the chain and `manage.py audit_verify` names the first broken event."""

    chain_key = models.CharField(max_length=120)
    seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=255, blank=True)
    acting_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["chain_key", "seq"], name="audit_event_unique_seq")]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"


class AuditCheckpoint(models.Model):
    """A signed (HMAC) digest of every chain head at a moment: deleting the newest events of a
    chain, which the chain alone cannot reveal, shows against the last checkpoint."""

    created_at = models.DateTimeField()
    last_event_id = models.PositiveBigIntegerField()
    chain_count = models.PositiveIntegerField()
    heads_digest = models.CharField(max_length=64)
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Checkpoint #{self.pk} up to event {self.last_event_id}"


# --- Notifications ------------------------------------------------------------------------
class Notification(models.Model):
    """One message to one person on one channel. E-mail is sent by a job; SMS and Zalo go through
    adapters with the same interface (recorded, not sent, in the demo)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Thư điện tử")
        SMS = "sms", _("SMS")
        ZALO = "zalo", _("Zalo")

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENT = "sent", _("Đã gửi")
        RECORDED = "recorded", _("Đã ghi nhận (không gửi)")
        FAILED = "failed", _("Lỗi")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=255)
    template = models.CharField(max_length=120)
    context = models.JSONField(default=dict, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.channel} → {self.address}: {self.template}"
