"""Validating signed PDFs: per signature who signed, when, whether the bytes are intact, whether the
certificate chains to the province CA (and is neither expired nor revoked), and what changed after it.

`pdf_validate` never raises on bad input: a malformed, encrypted or unsigned file gives a report whose
`errors` say so in Vietnamese. Trust anchors are the province CA certificates in the database (never a
network fetch: offices may have no link; revocation is read from Sen's own certificate table).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import threading
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from sen.signing.models import Certificate

logger = logging.getLogger(__name__)
VN = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_PDF_BYTES = 20 * 1024 * 1024

CHANGES_TEXT = {
    "none": gettext_noop("Không có thay đổi nào sau khi ký."),
    "lta_updates": gettext_noop("Sau khi ký chỉ bổ sung dữ liệu phục vụ kiểm tra dài hạn (được phép)."),
    "form_filling": gettext_noop("Sau khi ký chỉ điền biểu mẫu (số, ngày) và thêm chữ ký số (được phép)."),
    "annotations": gettext_noop("Sau khi ký có thêm ghi chú, chú thích trên văn bản."),
    "other": gettext_noop("Sau khi ký văn bản đã bị thay đổi ngoài phạm vi cho phép."),
    "unknown": gettext_noop("Không xác định được các thay đổi sau khi ký."),
}
ALLOWED_CHANGES = {"none", "lta_updates", "form_filling"}

TRUST_TEXT: dict[Any, str] = {
    AdESIndeterminate.EXPIRED: gettext_noop("chứng thư số đã hết hạn"),
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE: gettext_noop("chứng thư số đã hết hạn hoặc chưa có hiệu lực"),
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED: gettext_noop("chứng thư số đã hết hạn hoặc chưa có hiệu lực"),
    AdESIndeterminate.NOT_YET_VALID: gettext_noop("chứng thư số chưa có hiệu lực"),
    AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND: gettext_noop("chứng thư số không do CA tin cậy của tỉnh cấp"),
    AdESIndeterminate.REVOKED_NO_POE: gettext_noop("chứng thư số đã bị thu hồi"),
    AdESIndeterminate.REVOKED_CA_NO_POE: gettext_noop("chứng thư số của CA đã bị thu hồi"),
    AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE: gettext_noop("chuỗi chứng thư số không hợp lệ"),
    AdESIndeterminate.SIG_CONSTRAINTS_FAILURE: gettext_noop("chứng thư số không được phép dùng để ký văn bản"),
    AdESFailure.REVOKED: gettext_noop("chứng thư số đã bị thu hồi"),
    AdESFailure.NOT_YET_VALID: gettext_noop("chứng thư số chưa có hiệu lực"),
}
EXPIRED_INDICATIONS = (
    AdESIndeterminate.EXPIRED,
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
)


@dataclass
class SignatureReport:
    field_name: str
    signer: str = ""
    signer_subject: str = ""
    certificate_serial: str = ""
    issuer: str = ""
    signing_time: str = ""  # ISO 8601, Vietnam time; as the signer's software reported it
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    trust_problems: list[str] = field(default_factory=list)
    expired: bool = False
    revoked: bool = False
    coverage: str = ""  # entire_file | entire_revision | partial
    changes: str = "unknown"  # none | lta_updates | form_filling | annotations | other | unknown
    changes_text: str = ""
    changes_allowed: bool = False
    revision: int = 0
    reason: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.changes_allowed and not self.errors

    @property
    def trust_summary(self) -> str:
        return "; ".join(self.trust_problems) or _("tin cậy")

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


@dataclass
class ValidationReport:
    sha256: str = ""
    size: int = 0
    errors: list[str] = field(default_factory=list)
    signatures: list[SignatureReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.signatures) and all(sig.ok for sig in self.signatures)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "sha256": self.sha256,
            "size": self.size,
            "errors": list(self.errors),
            "signatures": [sig.as_dict() for sig in self.signatures],
        }


# --- Trust anchors -----------------------------------------------------------------------------
_roots_lock = threading.Lock()
_roots_cache: dict[str, asn1_x509.Certificate] = {}


def _trust_roots() -> list[asn1_x509.Certificate]:
    """The province CA certificates (parsed once per process; one query per validation)."""
    pems = list(
        Certificate.objects.filter(kind=Certificate.Kind.CA, revoked=False).values_list("certificate_pem", flat=True)
    )
    roots = []
    with _roots_lock:
        for pem in pems:
            cert = _roots_cache.get(pem)
            if cert is None:
                (cert,) = list(load_certs_from_pemder_data(pem.encode("ascii")))
                _roots_cache[pem] = cert
            roots.append(cert)
    return roots


def validation_context(*, moment: dt.datetime | None = None) -> ValidationContext:
    kwargs: dict[str, Any] = {"trust_roots": _trust_roots(), "allow_fetching": False, "revocation_mode": "soft-fail"}
    if moment is not None:
        kwargs["moment"] = moment
    return ValidationContext(**kwargs)


def _revoked_serials(serials: list[str]) -> dict[str, dt.datetime | None]:
    rows = Certificate.objects.filter(serial__in=serials, revoked=True).values_list("serial", "revoked_at")
    return dict(rows)


# --- Validation --------------------------------------------------------------------------------
def _coverage(level: SignatureCoverageLevel | None) -> str:
    if level == SignatureCoverageLevel.ENTIRE_FILE:
        return "entire_file"
    if level == SignatureCoverageLevel.ENTIRE_REVISION:
        return "entire_revision"
    return "partial"


def _changes(level: ModificationLevel | None, coverage: str) -> str:
    if level is None:
        return "none" if coverage == "entire_file" else "unknown"
    return {
        ModificationLevel.NONE: "none",
        ModificationLevel.LTA_UPDATES: "lta_updates",
        ModificationLevel.FORM_FILLING: "form_filling",
        ModificationLevel.ANNOTATIONS: "annotations",
    }.get(level, "other")


def _name_of(cert: asn1_x509.Certificate) -> str:
    native = cert.subject.native
    return str(native.get("common_name") or cert.subject.human_friendly)


def _one(embedded: Any, context: ValidationContext, *, analyse_changes: bool) -> SignatureReport:
    report = SignatureReport(field_name=str(embedded.field_name or ""))
    try:
        cert = embedded.signer_cert
        report.signer = _name_of(cert)
        report.signer_subject = cert.subject.human_friendly
        report.issuer = cert.issuer.human_friendly
        report.certificate_serial = format(cert.serial_number, "x")
    except Exception:
        report.errors.append(_("Không đọc được chứng thư số của người ký."))
    try:
        moment = embedded.self_reported_timestamp
        if moment is not None:
            report.signing_time = moment.astimezone(VN).isoformat()
    except Exception:
        logger.debug("no signing time", exc_info=True)
    try:
        reason = embedded.sig_object.get("/Reason")
        report.reason = str(reason) if reason is not None else ""
    except Exception:
        report.reason = ""
    try:
        # The newest revision has nothing after it: the (costly) modification analysis has nothing to do.
        last = int(embedded.signed_revision) == int(embedded.reader.xrefs.total_revisions) - 1
    except Exception:
        last = False
    try:
        status = validate_pdf_signature(
            embedded, signer_validation_context=context, skip_diff=last or not analyse_changes
        )
    except Exception as exc:
        logger.info("signature validation failed: %s", exc)
        report.errors.append(_("Chữ ký số bị hỏng, không kiểm tra được."))
        report.changes_text = _(CHANGES_TEXT["unknown"])
        return report
    report.intact = bool(status.intact)
    report.valid = bool(status.valid)
    report.trusted = bool(status.trusted)
    if not report.trusted:
        indic = status.trust_problem_indic
        if indic in EXPIRED_INDICATIONS:
            report.expired = True
        text = TRUST_TEXT.get(indic) if indic is not None else None
        report.trust_problems.append(_(text) if text else _("chứng thư số không tin cậy"))
    report.coverage = _coverage(status.coverage)
    report.changes = _changes(status.modification_level, report.coverage) if analyse_changes or last else "unknown"
    report.changes_allowed = report.changes in ALLOWED_CHANGES and (status.docmdp_ok is not False)
    report.changes_text = _(CHANGES_TEXT[report.changes])
    try:
        report.revision = int(embedded.signed_revision) + 1
    except Exception:
        report.revision = 0
    return report


def pdf_validate(
    pdf_bytes: bytes, *, analyse_changes: bool = True, reader: PdfFileReader | None = None
) -> ValidationReport:
    """Every signature of the PDF, checked. Never raises on bad input. `reader` lets a caller that has
    already parsed `pdf_bytes` (the signing service) skip a second parse."""
    report = ValidationReport()
    try:
        data = bytes(pdf_bytes or b"")
    except Exception:
        data = b""
    report.size = len(data)
    report.sha256 = hashlib.sha256(data).hexdigest()
    if not data:
        report.errors.append(_("Tệp trống."))
        return report
    if len(data) > MAX_PDF_BYTES:
        report.errors.append(_("Tệp quá lớn (tối đa 20 MB)."))
        return report
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        report.errors.append(_("Tệp không phải là tài liệu PDF."))
        return report
    try:
        if reader is None:
            reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            report.errors.append(_("Tệp PDF được mã hóa (đặt mật khẩu): không kiểm tra được chữ ký số."))
            return report
        embedded_signatures = list(reader.embedded_signatures)
    except Exception as exc:
        logger.info("unreadable PDF: %s", exc)
        report.errors.append(_("Tệp PDF bị hỏng, không đọc được."))
        return report
    if not embedded_signatures:
        report.errors.append(_("Tệp PDF không có chữ ký số."))
        return report
    try:
        context = validation_context()
        for embedded in embedded_signatures:
            report.signatures.append(_one(embedded, context, analyse_changes=analyse_changes))
        revoked = _revoked_serials([sig.certificate_serial for sig in report.signatures if sig.certificate_serial])
        for sig in report.signatures:
            if sig.certificate_serial in revoked:
                sig.revoked = True
                sig.trusted = False
                when = revoked[sig.certificate_serial]
                text = _("chứng thư số đã bị thu hồi")
                if when is not None:
                    text += _(" (từ %(when)s)") % {"when": when.astimezone(VN).isoformat(timespec="seconds")}
                sig.trust_problems.append(text)
    except Exception as exc:
        logger.exception("validation failed: %s", exc)
        report.errors.append(_("Không kiểm tra được chữ ký số của tệp này."))
    return report
