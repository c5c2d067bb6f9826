"""One-stop dossiers (hồ sơ thủ tục hành chính): one model for the three channels.

Deadlines. `due_at` (ngày hẹn trả) is computed once, when the dossier is received, and never changed
(sen.dossiers.services is the only writer and refuses to). The clock pauses while the dossier waits
for a supplement (5) or for the applicant's financial obligation (6): `paused_since` says since when
(None: the clock runs), and the closed pauses add up in `paused_minutes` (working minutes);
`effective_due_at` = due_at moved by that many working minutes is stored beside it, recomputed from
due_at at each resume (never incrementally), so the work queues can filter "late" with one indexed
comparison. A rescheduled date after an apology (form 04)
goes in `rescheduled_due_at`; due_at and effective_due_at stay as they were.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from sen.core.models import OrgUnit
from sen.dossiers.choices import DossierAction, DossierState, RatingLevel
from sen.dossiers.states import CLOCK_RUNNING
from sen.procedures.choices import Channel
from sen.procedures.models import Component, Procedure, ProcedureVersion, WorkflowStep


class DossierCounter(models.Model):
    """The last sequence number handed out for a receiving unit on a (Vietnam) day. Locked with
    select_for_update inside the submission's transaction: no gaps, no duplicates."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="dossier_counter_unit_day_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.day}: {self.last}"


class Dossier(models.Model):
    code = models.CharField("mã hồ sơ", max_length=64, unique=True)
    procedure_version = models.ForeignKey(
        ProcedureVersion, on_delete=models.PROTECT, related_name="dossiers", verbose_name="phiên bản thủ tục"
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="dossiers", verbose_name="cơ quan tiếp nhận"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dossiers", verbose_name="người nộp"
    )
    channel = models.CharField("hình thức nộp", max_length=8, choices=Channel.choices)
    postal_tracking_no = models.CharField("số hiệu bưu gửi", max_length=64, blank=True)
    # As the one-stop officer typed it for a paper dossier (online, the e-form holds the address).
    applicant_address = models.CharField("địa chỉ người nộp", max_length=500, blank=True)
    form_data = models.JSONField("dữ liệu biểu mẫu", default=dict)
    state = models.CharField(
        "trạng thái", max_length=2, choices=DossierState.choices, default=DossierState.SUBMITTED, db_index=True
    )

    submitted_at = models.DateTimeField("nộp lúc")
    received_at = models.DateTimeField("tiếp nhận lúc", null=True, blank=True)
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="cán bộ tiếp nhận",
    )
    due_at = models.DateTimeField("ngày hẹn trả", null=True, blank=True)
    effective_due_at = models.DateTimeField("hạn xử lý (đã cộng thời gian bổ sung)", null=True, blank=True)
    rescheduled_due_at = models.DateTimeField("ngày hẹn trả lại (sau xin lỗi)", null=True, blank=True)
    paused_minutes = models.PositiveIntegerField("số phút làm việc tạm dừng", default=0)
    paused_since = models.DateTimeField("tạm dừng tính thời hạn từ", null=True, blank=True)
    supplement_count = models.PositiveSmallIntegerField("số lần yêu cầu bổ sung", default=0)
    late_by_rule = models.BooleanField("quá hạn theo quy định (bổ sung lần hai)", default=False)

    current_step = models.ForeignKey(
        WorkflowStep, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="bước hiện tại"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người đang xử lý",
    )
    approved_at = models.DateTimeField("phê duyệt lúc", null=True, blank=True)
    processed_at = models.DateTimeField("xử lý xong lúc", null=True, blank=True)
    returned_at = models.DateTimeField("trả kết quả lúc", null=True, blank=True)
    ended_at = models.DateTimeField("dừng / từ chối lúc", null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        indexes = [
            models.Index(fields=["unit", "state"], name="dossier_unit_state"),
            models.Index(fields=["effective_due_at"], name="dossier_effective_due"),
            # The work queue's "late" and "today" tabs: only the dossiers whose clock runs (a few % of
            # a unit's), in due order per unit. Without it PostgreSQL walked dossier_effective_due from
            # the oldest due date, past every finished dossier, to find a page (bench/dossiers).
            models.Index(fields=["unit", "effective_due_at"], condition=CLOCK_RUNNING, name="dossier_unit_due_running"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=DossierState.values), name="dossier_state_known"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="dossier_channel_known"),
            models.CheckConstraint(
                condition=~Q(channel=Channel.POSTAL) | ~Q(postal_tracking_no=""),
                name="dossier_postal_has_tracking_no",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class SubmissionContext(models.Model):
    """How a dossier came in: later checks for staff submitting under citizens' accounts read this."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="submission")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_staff_account = models.BooleanField(default=False)
    created_by_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ip = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    device_cookie = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.channel}"


def dossier_file_name(sha256: str) -> str:
    """Named by content plus a random suffix: one stored file per upload, so deleting a failed request's
    files can never take away a file another request stored with the same bytes."""
    return f"dossiers/files/{sha256[:2]}/{sha256}-{uuid.uuid4().hex[:12]}"


class DossierFile(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="files")
    component = models.ForeignKey(Component, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    sha256 = models.CharField(max_length=64, db_index=True)
    file = models.FileField(max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return self.name


class DossierTransition(models.Model):
    """The dossier's history: every state change (and every same-state action) with who and when."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="transitions")
    action = models.CharField(max_length=24, choices=DossierAction.choices)
    from_state = models.CharField(max_length=2, choices=DossierState.choices, blank=True)
    to_state = models.CharField(max_length=2, choices=DossierState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["dossier", "at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.action} {self.from_state}→{self.to_state}"


class Handover(models.Model):
    """A hand-over between workflow steps: the process-control slip (form 05)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="handovers")
    step = models.ForeignKey(WorkflowStep, on_delete=models.PROTECT, related_name="+")
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receiver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    step_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier", "at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id}: bước {self.step_id} → {self.receiver_id}"


class SupplementRequest(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="supplement_requests")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True)
    paused_minutes = models.PositiveIntegerField(default=0)
    late_by_rule = models.BooleanField(default=False)

    class Meta:
        ordering = ["dossier", "requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(resumed_at__isnull=True), name="supplement_one_open_per_dossier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.requested_at:%Y-%m-%d %H:%M}"


class FinancialObligation(models.Model):
    """A request that the applicant fulfil a financial obligation (fees, charges, taxes) before the
    dossier goes on: the clock pauses from `requested_at` until `resumed_at` (state 6). `confirmed_by`
    is set when staff confirm it was met; a dossier stopped while waiting has a pause end without it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="financial_obligations")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    description = models.TextField("nội dung nghĩa vụ tài chính")
    amount_vnd = models.PositiveBigIntegerField("số tiền (đồng)", null=True, blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paused_minutes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["dossier", "requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(resumed_at__isnull=True), name="obligation_one_open_per_dossier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.requested_at:%Y-%m-%d %H:%M}"


class IdempotencyKey(models.Model):
    """An online submission's Idempotency-Key: a retry returns the same dossier."""

    key = models.CharField(max_length=128)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request_hash = models.CharField(max_length=64)
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="idempotency_key_unique_per_account")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.key}"


def dossier_result_file_name(sha256: str) -> str:
    """Like uploads: named by content plus a random suffix, so a result file is never overwritten."""
    return f"dossiers/results/{sha256[:2]}/{sha256}-{uuid.uuid4().hex[:12]}.pdf"


class DossierResult(models.Model):
    """The e-result of a processed dossier: a PDF signed by the receiving unit (sen.signing), written
    once when the dossier is completed and never changed or overwritten."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="result")
    name = models.TextField("tên kết quả")
    file = models.FileField(max_length=255)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    sha256 = models.CharField(max_length=64, db_index=True)
    signed_at = models.DateTimeField("ký lúc")
    signer_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan ký")
    certificate_serial = models.CharField("số hiệu chứng thư số", max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "kết quả điện tử"
        verbose_name_plural = "kết quả điện tử"

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.sha256[:12]}"


class DossierRating(models.Model):
    """The applicant's rating of the service, once per dossier (the one-to-one is the database's guard)."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="rating")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    level = models.CharField("mức độ hài lòng", max_length=16, choices=RatingLevel.choices)
    comment = models.TextField("góp ý", max_length=1000, blank=True)
    rated_at = models.DateTimeField("đánh giá lúc")

    class Meta:
        verbose_name = "đánh giá"
        verbose_name_plural = "đánh giá"
        constraints = [
            models.CheckConstraint(condition=Q(level__in=RatingLevel.values), name="dossier_rating_level_known")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.level}"


class DossierDraft(models.Model):
    """An applicant's unfinished online submission: one per account and procedure, with the typed
    values (unvalidated: a draft may be incomplete) and the files already uploaded. Only its owner
    sees it. Submitting it makes a dossier and removes the draft in the same transaction."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dossier_drafts")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="+")
    procedure_version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="+")
    unit_code = models.CharField("cơ quan tiếp nhận", max_length=64, blank=True)
    form_data = models.JSONField("dữ liệu biểu mẫu", default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = "bản nháp hồ sơ"
        verbose_name_plural = "bản nháp hồ sơ"
        constraints = [
            models.UniqueConstraint(fields=["owner", "procedure"], name="dossier_draft_one_per_owner_procedure")
        ]

    def __str__(self) -> str:
        return f"{self.owner_id}: {self.procedure_id}"


class DossierDraftFile(models.Model):
    """A file uploaded to a draft, stored like a dossier's (dossier_file_name: SHA-256 plus a random
    suffix). On submission its stored file becomes the dossier's file: nothing is copied."""

    draft = models.ForeignKey(DossierDraft, on_delete=models.CASCADE, related_name="files")
    component = models.ForeignKey(Component, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    sha256 = models.CharField(max_length=64)
    file = models.FileField(max_length=255)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["draft", "id"]

    def __str__(self) -> str:
        return self.name
