"""The catalogue of administrative procedures (thủ tục hành chính).

A `Procedure` is its national code and a pointer to its current version. Everything the law says
about it lives in a `ProcedureVersion` and the rows hanging from it (channels with their times, fees,
components with their forms, the internal workflow). A change publishes a new version; published
versions are never edited (sen.procedures.services is the only writer), so a dossier that keeps the
version it was submitted under keeps exactly the rules it was judged by.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from sen.core.models import OrgUnit
from sen.procedures.choices import Channel, Level, OnlineLevel, Source, TimeUnit, VersionStatus


class Field(models.Model):
    """A field of state management (lĩnh vực): "Hộ tịch", "Chứng thực", "Hoạt động xây dựng"..."""

    code = models.SlugField("mã", max_length=120, unique=True)
    name = models.CharField("tên", max_length=255, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    code = models.CharField("mã thủ tục", max_length=32, unique=True, help_text="Mã trên CSDL quốc gia, vd. 1.001193")
    current_version = models.OneToOneField(
        "ProcedureVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="phiên bản hiện hành",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"

    def __str__(self) -> str:
        return self.code


class ProcedureVersion(models.Model):
    """One published text of a procedure. Immutable: a change is a new version."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("phiên bản")
    status = models.CharField("trạng thái", max_length=16, choices=VersionStatus.choices)
    published_at = models.DateTimeField("công bố lúc")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    change_note = models.CharField("ghi chú thay đổi", max_length=500, blank=True)
    source = models.CharField("nguồn", max_length=16, choices=Source.choices, default=Source.NATIONAL)
    source_url = models.URLField("địa chỉ nguồn", max_length=500, blank=True)
    content_hash = models.CharField(max_length=64, editable=False)

    # The seven parts the law requires, and what goes with them.
    name = models.TextField("tên thủ tục")
    name_folded = models.CharField(max_length=2000, db_index=True, editable=False)
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="versions", verbose_name="lĩnh vực")
    # Comma-bracketed level codes, e.g. ",province,commune,": filtered with one LIKE on both databases.
    levels = models.CharField("cấp thực hiện", max_length=64)
    decision_no = models.CharField("quyết định công bố", max_length=120, blank=True)
    procedure_type = models.CharField("loại thủ tục", max_length=255, blank=True)
    steps = models.TextField("trình tự thực hiện", blank=True)
    channels_text = models.TextField("cách thức thực hiện", blank=True)
    applicants = models.TextField("đối tượng thực hiện", blank=True)
    agency = models.TextField("cơ quan thực hiện", blank=True)
    agency_folded = models.TextField(blank=True, editable=False)
    processing_amount = models.PositiveIntegerField("thời hạn giải quyết", null=True, blank=True)
    processing_unit = models.CharField("đơn vị thời hạn", max_length=16, choices=TimeUnit.choices, blank=True)
    processing_note = models.TextField("ghi chú thời hạn", blank=True)
    result = models.TextField("kết quả thực hiện", blank=True)
    online_level = models.CharField(
        "mức độ trực tuyến", max_length=8, choices=OnlineLevel.choices, default=OnlineLevel.NONE
    )
    legal_basis = models.TextField("căn cứ pháp lý", blank=True)
    conditions = models.TextField("yêu cầu, điều kiện", blank=True)
    # Notes the national record typed into its components table that are no paper ("Lưu ý: …",
    # "Trường hợp … thì không phải nộp …"): shown under the components, never a file input.
    component_notes = models.TextField("lưu ý về thành phần hồ sơ", blank=True)
    # The e-form as data: [{"name", "label", "type", "required", "validation": {...}}] (sen.procedures.eforms).
    eform = models.JSONField("biểu mẫu điện tử", default=list, blank=True)
    # What the importer could not read in the source record (shown to admins, counted in reports).
    parse_issues = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["procedure", "-number"]
        verbose_name = "phiên bản thủ tục"
        verbose_name_plural = "phiên bản thủ tục"
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_number_unique"),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(status=VersionStatus.PUBLISHED),
                name="procedure_one_published_version",
            ),
            models.CheckConstraint(
                condition=Q(processing_amount__isnull=True, processing_unit="")
                | Q(processing_amount__isnull=False) & ~Q(processing_unit=""),
                name="procedure_version_time_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id}: {self.name} (v{self.number})"

    @property
    def level_codes(self) -> list[str]:
        return [code for code in self.levels.split(",") if code]

    @property
    def level_labels(self) -> list[str]:
        return [str(Level(code).label) for code in self.level_codes if code in Level.values]

    @property
    def processing_time_label(self) -> str:
        if self.processing_amount is None:
            return ""
        return f"{self.processing_amount} {TimeUnit(self.processing_unit).label}"


class ChannelOption(models.Model):
    """A way to submit (online, at the counter, by post) with its own legal time."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="channel_options")
    order = models.PositiveSmallIntegerField(default=0)
    channel = models.CharField("hình thức nộp", max_length=8, choices=Channel.choices)
    amount = models.PositiveIntegerField("thời hạn", null=True, blank=True)
    unit = models.CharField("đơn vị", max_length=16, choices=TimeUnit.choices, blank=True)
    fee_text = models.TextField("phí, lệ phí (nguyên văn)", blank=True)
    description = models.TextField("mô tả", blank=True)

    class Meta:
        ordering = ["version", "order"]
        verbose_name = "cách thức nộp"
        verbose_name_plural = "cách thức nộp"

    def __str__(self) -> str:
        return self.get_channel_display()

    @property
    def time_label(self) -> str:
        return "" if self.amount is None else f"{self.amount} {TimeUnit(self.unit).label}"


class Fee(models.Model):
    """A fee: fixed (per dossier) or per item (per page, per copy...). Amount in VND."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="fees")
    order = models.PositiveSmallIntegerField(default=0)
    channel = models.CharField(
        "áp dụng cho", max_length=8, choices=Channel.choices, blank=True, help_text="Để trống: mọi cách thức"
    )
    amount_vnd = models.PositiveBigIntegerField("số tiền (đồng)")
    per_item = models.BooleanField("tính theo đơn vị", default=False)
    item_label = models.CharField("đơn vị tính", max_length=60, blank=True, help_text="vd. trang, bản")
    description = models.TextField("mô tả", blank=True)

    class Meta:
        ordering = ["version", "order"]
        verbose_name = "phí, lệ phí"
        verbose_name_plural = "phí, lệ phí"

    def __str__(self) -> str:
        return f"{self.amount_vnd:,} đ".replace(",", ".") + (f"/{self.item_label}" if self.per_item else "")


class Component(models.Model):
    """A paper of the dossier (thành phần hồ sơ)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="components")
    order = models.PositiveSmallIntegerField(default=0)
    group = models.CharField("nhóm", max_length=500, blank=True, help_text="vd. Giấy tờ phải nộp")
    name = models.TextField("tên giấy tờ")
    originals = models.PositiveSmallIntegerField("số bản chính", default=0)
    copies = models.PositiveSmallIntegerField("số bản sao", default=0)
    required = models.BooleanField("bắt buộc", default=True)

    class Meta:
        ordering = ["version", "order"]
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"

    def __str__(self) -> str:
        return self.name[:80]


def form_upload_to(instance: ComponentForm, filename: str) -> str:
    # Content-addressed: the same bytes are one file, and a file is never overwritten by other bytes.
    return f"procedures/forms/{instance.sha256[:2]}/{instance.sha256}/{filename}"


class ComponentForm(models.Model):
    """A downloadable form (mẫu đơn, tờ khai) of a component, kept as .docx or .xlsx."""

    component = models.ForeignKey(Component, on_delete=models.PROTECT, related_name="forms")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField("tên mẫu", max_length=255)
    filename = models.CharField("tên tệp", max_length=255)
    file = models.FileField(upload_to=form_upload_to, max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    content_type = models.CharField(max_length=120)

    class Meta:
        ordering = ["component", "order"]
        verbose_name = "mẫu đơn, tờ khai"
        verbose_name_plural = "mẫu đơn, tờ khai"

    def __str__(self) -> str:
        return self.filename


class WorkflowStep(models.Model):
    """A step of the internal workflow: who acts (role, and unit — or the unit that received the
    dossier) and the share of the processing time it may use. Shares add up to 100%."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="workflow_steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField("bước", max_length=255)
    role_code = models.SlugField("vai trò", max_length=40)
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="đơn vị thực hiện",
        help_text="Để trống: đơn vị tiếp nhận hồ sơ",
    )
    share_percent = models.DecimalField("tỷ lệ thời gian (%)", max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["version", "order"]
        verbose_name = "bước quy trình nội bộ"
        verbose_name_plural = "quy trình nội bộ"
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="workflow_step_order_unique"),
            models.CheckConstraint(
                condition=Q(share_percent__gt=0, share_percent__lte=100), name="workflow_step_share_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
