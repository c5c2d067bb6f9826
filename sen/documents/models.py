"""Electronic documents (văn bản điện tử) per Decree 30/2020/NĐ-CP: registers and their numbering,
outgoing documents from draft to issue with their versions and comments, incoming documents from
arrival to done, what each recipient did with a document, case files.

Numbering. A register (sổ) belongs to an issuing body (the unit that has one is an issuing body) and
counts per calendar year from 01; secret documents have registers of their own. The number comes from
a counter row per (register, year) locked inside the numbering transaction, and (register, year,
number) is unique by constraint: no gaps, no duplicates.

Files. Every PDF — each version's draft, the signer's signed copy, the issued copy with both
signatures, each appendix, every file that arrived — is a DocumentFile with its SHA-256 and size,
stored under a name of its own and never overwritten: a signature is added as a new file.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from sen.core.models import OrgUnit
from sen.documents.choices import (
    Confidentiality,
    Direction,
    DocumentType,
    ExchangeStatus,
    FileRole,
    IncomingAction,
    IncomingState,
    NoticeKind,
    OutgoingAction,
    OutgoingState,
    Source,
    Urgency,
)

User = settings.AUTH_USER_MODEL


class UnitProfile(models.Model):
    """How a unit is written on documents: the abbreviation of its name in a ký hiệu ("UBND", "STP",
    "VP"), and for an issuing body the heading lines at the top left and the place name of its date
    line ("Đồng Tháp, ngày …")."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.PROTECT, related_name="document_profile")
    abbreviation = models.CharField("chữ viết tắt", max_length=20)
    place = models.CharField("địa danh", max_length=80, blank=True)
    heading = models.TextField("tên cơ quan trên văn bản (mỗi dòng một dòng)", blank=True)

    class Meta:
        verbose_name = "thông tin đơn vị trên văn bản"
        verbose_name_plural = "thông tin đơn vị trên văn bản"

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.abbreviation}"


class Register(models.Model):
    """A register of outgoing or incoming documents of an issuing body."""

    body = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="registers", verbose_name="cơ quan")
    direction = models.CharField("loại sổ", max_length=3, choices=Direction.choices)
    is_secret = models.BooleanField("sổ văn bản mật", default=False)
    name = models.CharField("tên sổ", max_length=200)
    active = models.BooleanField("đang dùng", default=True)

    class Meta:
        ordering = ["body", "direction", "is_secret", "id"]
        verbose_name = "sổ văn bản"
        verbose_name_plural = "sổ văn bản"
        constraints = [
            models.UniqueConstraint(
                fields=["body", "direction", "is_secret"],
                condition=Q(active=True),
                name="register_one_active_per_body_direction_secrecy",
            ),
            models.CheckConstraint(condition=Q(direction__in=Direction.values), name="register_direction_known"),
        ]

    def __str__(self) -> str:
        return self.name


class RegisterCounter(models.Model):
    """The last number a register handed out in a year. Locked with select_for_update."""

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["register", "year"], name="register_counter_unique")]

    def __str__(self) -> str:
        return f"{self.register_id}/{self.year}: {self.last}"


def document_file_name(sha256: str) -> str:
    return f"documents/{sha256[:2]}/{sha256}-{uuid.uuid4().hex[:12]}.pdf"


class OutgoingDocument(models.Model):
    organisation = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="outgoing_documents", verbose_name="cơ quan ban hành"
    )
    drafting_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị soạn thảo"
    )
    drafter = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="người soạn thảo")
    doc_type = models.CharField("loại văn bản", max_length=4, choices=DocumentType.choices)
    subject = models.CharField("trích yếu", max_length=500)
    body = models.TextField("nội dung", blank=True)
    urgency = models.CharField("độ khẩn", max_length=1, choices=Urgency.choices, default=Urgency.NORMAL)
    confidentiality = models.CharField(
        "độ mật", max_length=8, choices=Confidentiality.choices, default=Confidentiality.NORMAL
    )
    signer = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="người ký"
    )
    signer_position = models.CharField("chức vụ người ký", max_length=120, blank=True)
    signer_authority = models.CharField("thẩm quyền ký (TM., KT., Q., TL., TUQ.)", max_length=160, blank=True)
    reviewer = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="lãnh đạo đơn vị duyệt"
    )
    state = models.CharField(
        "trạng thái", max_length=20, choices=OutgoingState.choices, default=OutgoingState.DRAFT, db_index=True
    )
    current_version = models.ForeignKey(
        "DocumentVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    copies = models.PositiveSmallIntegerField("số lượng bản", default=1)

    register = models.ForeignKey(Register, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    year = models.PositiveSmallIntegerField("năm", null=True, blank=True)
    number = models.PositiveIntegerField("số", null=True, blank=True)
    symbol = models.CharField("ký hiệu", max_length=60, blank=True)
    reference = models.CharField("số, ký hiệu", max_length=80, blank=True, db_index=True)
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)

    signed_at = models.DateTimeField("ký lúc", null=True, blank=True)
    numbered_at = models.DateTimeField("cấp số lúc", null=True, blank=True)
    sealed_at = models.DateTimeField("ký số cơ quan lúc", null=True, blank=True)
    issued_at = models.DateTimeField("phát hành lúc", null=True, blank=True)
    filed_at = models.DateTimeField("lưu hồ sơ lúc", null=True, blank=True)
    recalled_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    signed_in_software = models.BooleanField("ký trên phần mềm", default=True)

    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name="thay thế văn bản",
    )
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "văn bản đi"
        verbose_name_plural = "văn bản đi"
        indexes = [models.Index(fields=["organisation", "state"], name="outgoing_org_state")]
        constraints = [
            models.UniqueConstraint(fields=["register", "year", "number"], name="outgoing_number_unique"),
            models.CheckConstraint(condition=Q(state__in=OutgoingState.values), name="outgoing_state_known"),
            models.CheckConstraint(condition=Q(doc_type__in=DocumentType.values), name="outgoing_type_known"),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | (Q(register__isnull=False) & Q(year__isnull=False)),
                name="outgoing_number_has_register_and_year",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"Dự thảo #{self.pk}"

    @property
    def is_secret(self) -> bool:
        return self.confidentiality == Confidentiality.SECRET


class DocumentVersion(models.Model):
    """One version of a draft, immutable: every edit makes a new one, so what each reviewer saw stays."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    doc_type = models.CharField(max_length=4, choices=DocumentType.choices)
    subject = models.CharField(max_length=500)
    body = models.TextField(blank=True)
    urgency = models.CharField(max_length=1, choices=Urgency.choices)
    confidentiality = models.CharField(max_length=8, choices=Confidentiality.choices)
    signer_position = models.CharField(max_length=120, blank=True)
    signer_authority = models.CharField(max_length=160, blank=True)
    recipients = models.JSONField(default=list)
    pdf = models.ForeignKey("DocumentFile", on_delete=models.PROTECT, related_name="+")
    layout = models.JSONField(default=dict)  # where the fields go: sen.documents.rendering.Layout
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="document_version_unique")]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class IncomingDocument(models.Model):
    organisation = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="incoming_documents", verbose_name="cơ quan nhận"
    )
    source = models.CharField("nguồn", max_length=8, choices=Source.choices)
    outgoing = models.ForeignKey(
        OutgoingDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries"
    )
    exchange_message = models.OneToOneField(
        "integrations.ExchangeMessage", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sender_organ_id = models.CharField("mã định danh cơ quan gửi", max_length=40, blank=True)
    sender_name = models.CharField("cơ quan ban hành", max_length=255)
    reference = models.CharField("số, ký hiệu", max_length=80, blank=True, db_index=True)
    issued_on = models.DateField("ngày văn bản", null=True, blank=True)
    doc_type = models.CharField("loại văn bản", max_length=4, choices=DocumentType.choices, blank=True)
    doc_type_name = models.CharField("tên loại văn bản", max_length=80, blank=True)
    subject = models.CharField("trích yếu", max_length=500)
    content = models.TextField("nội dung", blank=True)
    urgency = models.CharField("độ khẩn", max_length=1, choices=Urgency.choices, default=Urgency.NORMAL)
    confidentiality = models.CharField(
        "độ mật", max_length=8, choices=Confidentiality.choices, default=Confidentiality.NORMAL
    )
    signer_name = models.CharField("người ký", max_length=160, blank=True)
    signer_position = models.CharField("chức vụ người ký", max_length=160, blank=True)
    page_count = models.PositiveSmallIntegerField("số trang", null=True, blank=True)
    reply_due_on = models.DateField("hạn trả lời (của nơi gửi)", null=True, blank=True)

    state = models.CharField(
        "trạng thái", max_length=2, choices=IncomingState.choices, default=IncomingState.ARRIVED, db_index=True
    )
    arrived_at = models.DateTimeField("đến lúc")
    register = models.ForeignKey(Register, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    year = models.PositiveSmallIntegerField("năm", null=True, blank=True)
    incoming_number = models.PositiveIntegerField("số đến", null=True, blank=True)
    accepted_at = models.DateTimeField("vào sổ lúc", null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    refused_at = models.DateTimeField("từ chối lúc", null=True, blank=True)
    refuse_reason = models.TextField("lý do từ chối", blank=True)

    verification = models.JSONField("kết quả kiểm tra chữ ký số", default=dict, blank=True)
    problems = models.JSONField("vấn đề phát hiện", default=list, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="trùng với"
    )

    directed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="lãnh đạo chỉ đạo"
    )
    directed_at = models.DateTimeField("chỉ đạo lúc", null=True, blank=True)
    directed_in_software = models.BooleanField("chỉ đạo trên phần mềm", default=True)
    lead_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="đơn vị chủ trì"
    )
    supporting_units = models.ManyToManyField(OrgUnit, blank=True, related_name="+", verbose_name="đơn vị phối hợp")
    handler = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="người xử lý"
    )
    deadline = models.DateField("hạn xử lý", null=True, blank=True)
    instruction = models.TextField("ý kiến chỉ đạo", blank=True)
    done_at = models.DateTimeField("hoàn thành lúc", null=True, blank=True)
    done_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    done_note = models.TextField("kết quả xử lý", blank=True)

    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-arrived_at", "-id"]
        verbose_name = "văn bản đến"
        verbose_name_plural = "văn bản đến"
        indexes = [
            models.Index(fields=["organisation", "state"], name="incoming_org_state"),
            models.Index(fields=["sender_organ_id", "reference"], name="incoming_sender_reference"),
            # The lists' order (newest arrival first) and the search's arrival windows.
            models.Index(fields=["arrived_at", "id"], name="incoming_arrived"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["register", "year", "incoming_number"], name="incoming_number_unique"),
            models.UniqueConstraint(
                fields=["outgoing", "organisation"],
                condition=Q(outgoing__isnull=False),
                name="incoming_one_delivery_per_recipient",
            ),
            models.CheckConstraint(condition=Q(state__in=IncomingState.values), name="incoming_state_known"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="incoming_source_known"),
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.subject[:40]} → {self.organisation_id}"

    @property
    def is_secret(self) -> bool:
        return self.confidentiality == Confidentiality.SECRET


class DocumentFile(models.Model):
    """A PDF of an outgoing or an incoming document (exactly one of the two)."""

    outgoing = models.ForeignKey(
        OutgoingDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="files"
    )
    incoming = models.ForeignKey(
        IncomingDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="files"
    )
    role = models.CharField(max_length=16, choices=FileRole.choices)
    name = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField(max_length=64, default="application/pdf")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    file = models.FileField(max_length=255)
    superseded = models.BooleanField("đã thay bằng tệp khác", default=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(outgoing__isnull=False) & Q(incoming__isnull=True))
                | (Q(outgoing__isnull=True) & Q(incoming__isnull=False)),
                name="document_file_one_owner",
            ),
            models.CheckConstraint(condition=Q(role__in=FileRole.values), name="document_file_role_known"),
        ]

    def __str__(self) -> str:
        return self.name


class Recipient(models.Model):
    """Where an outgoing document goes: a unit inside Sen, or an agency outside by its organ id. The
    sender follows it here: `status` is the last code the recipient reported."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, related_name="recipients")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    organ_id = models.CharField("mã định danh", max_length=40, blank=True)
    name = models.CharField("tên nơi nhận", max_length=255)
    incoming = models.OneToOneField(
        IncomingDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="recipient"
    )
    exchange_message = models.ForeignKey(
        "integrations.ExchangeMessage", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=2, choices=ExchangeStatus.choices, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "unit"], condition=Q(unit__isnull=False), name="recipient_unit_once"
            ),
            models.UniqueConstraint(
                fields=["document", "organ_id"], condition=~Q(organ_id=""), name="recipient_organ_once"
            ),
            models.CheckConstraint(condition=Q(unit__isnull=False) | ~Q(organ_id=""), name="recipient_unit_or_organ"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_internal(self) -> bool:
        return self.unit_id is not None


class RecipientStatus(models.Model):
    """Each status a recipient reported, in order, as the sender sees it."""

    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="statuses")
    code = models.CharField(max_length=2, choices=ExchangeStatus.choices)
    description = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["recipient", "at", "id"]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.code}"


class OutgoingTransition(models.Model):
    document = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, related_name="transitions")
    action = models.CharField(max_length=16, choices=OutgoingAction.choices)
    from_state = models.CharField(max_length=20, choices=OutgoingState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=OutgoingState.choices)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField()
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    comment = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["document", "at", "id"]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.action}"


class IncomingTransition(models.Model):
    document = models.ForeignKey(IncomingDocument, on_delete=models.PROTECT, related_name="transitions")
    action = models.CharField(max_length=16, choices=IncomingAction.choices)
    from_state = models.CharField(max_length=2, choices=IncomingState.choices, blank=True)
    to_state = models.CharField(max_length=2, choices=IncomingState.choices)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField()
    comment = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["document", "at", "id"]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.action}"


class Notice(models.Model):
    """A recall, replacement or correction of an issued document, shown to every recipient."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=8, choices=NoticeKind.choices)
    text = models.TextField()
    replacement = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["document", "at", "id"]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.kind}"


class CaseFile(models.Model):
    """A case file (hồ sơ) of the annual file list (danh mục hồ sơ) of an issuing body."""

    # The retention a case file gets when none is given: written into the file list, so Vietnamese.
    PERMANENT = "Vĩnh viễn"

    body = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="case_files")
    year = models.PositiveSmallIntegerField("năm")
    code = models.CharField("số, ký hiệu hồ sơ", max_length=40)
    title = models.CharField("tiêu đề hồ sơ", max_length=500)
    retention = models.CharField("thời hạn bảo quản", max_length=40, default=PERMANENT)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="đơn vị lập hồ sơ"
    )
    keeper = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="người lập hồ sơ"
    )
    closed_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["body", "year", "code"]
        verbose_name = "hồ sơ công việc"
        verbose_name_plural = "hồ sơ công việc"
        constraints = [models.UniqueConstraint(fields=["body", "year", "code"], name="case_file_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"


class CaseFileItem(models.Model):
    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="items")
    outgoing = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    incoming = models.ForeignKey(IncomingDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["case_file", "added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(outgoing__isnull=False) & Q(incoming__isnull=True))
                | (Q(outgoing__isnull=True) & Q(incoming__isnull=False)),
                name="case_file_item_one_document",
            ),
            models.UniqueConstraint(
                fields=["case_file", "outgoing"], condition=Q(outgoing__isnull=False), name="case_file_outgoing_once"
            ),
            models.UniqueConstraint(
                fields=["case_file", "incoming"], condition=Q(incoming__isnull=False), name="case_file_incoming_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_file_id}: {self.outgoing_id or self.incoming_id}"


class IssueKey(models.Model):
    """An Idempotency-Key of a document write (create a draft, register a paper incoming document,
    create a case file): a retry answers with what the first request made, pointed at by the one
    foreign key that write fills."""

    key = models.CharField(max_length=128)
    account = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    request_hash = models.CharField(max_length=64)
    outgoing = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    incoming = models.ForeignKey(IncomingDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="document_idempotency_key_unique")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.key}"
