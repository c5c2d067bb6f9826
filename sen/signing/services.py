"""The signing service: the province's test CA and its certificates, and signing documents in the two
layers of Decree 30/2020 (Appendix I), appendices, and dossier e-results.

Document signing functions take and return PDF bytes; they do not store documents (the documents and
dossiers apps do). Each one writes an audit event naming the input and output hashes and the
certificate used. Every signature is PAdES (ETSI.CAdES.detached, B-B), SHA-256, added as an incremental
update, so earlier signatures stay valid.

Why everything is prepared first: a change a signature does not cover must be one the first signer's
signature allows (PDF form filling). So `document_prepare` creates, before anyone signs, the two
signature fields and the text fields for the number and date; the clerk's step then fills those text
fields *in the same incremental update* as the organisation's signature (pyHanko's form tools, never
drawing on the page), and signature 1 stays valid with "form filling" as the only change after it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.form_tools import populate_static_text_field
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.stamp import BaseStampStyle

from sen.core import audit
from sen.core.exceptions import Conflict, InvalidInput, NotFound
from sen.core.models import OrgUnit
from sen.signing import pdfdoc, pki, stamps
from sen.signing import signers as sen_signers
from sen.signing.models import Certificate
from sen.signing.pdfdoc import Box

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Room for the CMS container. Giving pyHanko the size skips its dry-run signature (a second signing per
# document); keeping it tight matters too, since every later reader parses the hex string byte by byte.
CMS_OVERHEAD = 1536  # signed attributes, the RSA signature, ASN.1 framing (measured ~900 bytes)


def bytes_reserved_for(signer: signers.Signer) -> int:
    """Hex characters to reserve: twice the DER size of the certificates carried plus the overhead,
    rounded up to 512."""
    der = sum(len(cert.dump()) for cert in [signer.signing_cert, *signer.cert_registry] if cert is not None)
    needed = 2 * (der + CMS_OVERHEAD)
    return (needed + 511) // 512 * 512


_ca_lock = threading.Lock()


# --- PKI ------------------------------------------------------------------------------------------
def _pki_dir() -> Any:
    return pki.pki_dir(settings.VAR_DIR)


def _record_certificate(issued: pki.Issued, **fields_: Any) -> Certificate:
    cert = issued.certificate
    return Certificate.objects.create(
        subject=pki.subject_text(cert),
        common_name=pki.common_name_of(cert),
        serial=issued.serial_hex,
        certificate_pem=issued.pem,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_ref=str(issued.key_path),
        **fields_,
    )


def province_ca() -> Certificate | None:
    """The current (newest unrevoked) province CA certificate."""
    return Certificate.objects.filter(kind=Certificate.Kind.CA, revoked=False).order_by("-not_before", "-id").first()


def ca_ensure(*, actor: Any) -> Certificate:
    """The province's test CA, created (key + self-signed certificate) the first time."""
    with _ca_lock, transaction.atomic():
        existing = province_ca()
        if existing is not None:
            return existing
        issued = pki.make_ca(_pki_dir(), now=timezone.now())
        ca = _record_certificate(issued, kind=Certificate.Kind.CA)
        audit.record(
            actor=actor,
            action="signing.certificate.issue",
            obj=ca,
            after={"kind": ca.kind, "subject": ca.subject, "serial": ca.serial, "not_after": ca.not_after},
        )
        return ca


def certificate_issue(
    *,
    actor: Any,
    user: Any = None,
    unit: OrgUnit | None = None,
    validity_days: int = 730,
    not_before: dt.datetime | None = None,
) -> Certificate:
    """Issue a signing certificate from the province CA to a person (`user`) or an organisation (`unit`)."""
    if (user is None) == (unit is None):
        raise InvalidInput(_("Chứng thư số cấp cho một cá nhân hoặc một cơ quan, tổ chức."))
    if validity_days < 1 or validity_days > 3650:
        raise InvalidInput(_("Thời hạn chứng thư số phải từ 1 đến 3650 ngày."))
    ca = ca_ensure(actor=actor)
    ca_key = pki.load_key(ca.key_ref)
    from cryptography import x509

    ca_cert = x509.load_pem_x509_certificate(ca.certificate_pem.encode("ascii"))
    if user is not None:
        from sen.identity.policies import current_employment

        employment = current_employment(user)
        organisation = employment.unit.name if employment else pki.CA_ORGANISATION
        issued = pki.make_end_entity(
            _pki_dir(),
            ca_cert=ca_cert,
            ca_key=ca_key,
            common_name=user.full_name or user.username,
            organisation=organisation,
            organisational_unit=(employment.position if employment else ""),
            email=user.email or "",
            now=timezone.now(),
            not_before=not_before,
            validity_days=validity_days,
        )
        owner: dict[str, Any] = {"kind": Certificate.Kind.PERSON, "user": user}
    else:
        assert unit is not None
        parent_name = unit.parent.name if unit.parent_id and unit.parent else pki.CA_ORGANISATION
        issued = pki.make_end_entity(
            _pki_dir(),
            ca_cert=ca_cert,
            ca_key=ca_key,
            common_name=unit.name,
            organisation=parent_name,
            organisational_unit=unit.code,
            now=timezone.now(),
            not_before=not_before,
            validity_days=validity_days,
        )
        owner = {"kind": Certificate.Kind.ORGANISATION, "unit": unit}
    with transaction.atomic():
        certificate = _record_certificate(issued, issuer=ca, **owner)
        audit.record(
            actor=actor,
            action="signing.certificate.issue",
            obj=certificate,
            acting_unit=unit,
            after={
                "kind": certificate.kind,
                "subject": certificate.subject,
                "serial": certificate.serial,
                "user": user.pk if user is not None else None,
                "unit": unit.pk if unit is not None else None,
                "not_before": certificate.not_before,
                "not_after": certificate.not_after,
            },
        )
    return certificate


def certificate_revoke(*, actor: Any, certificate: Certificate) -> Certificate:
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.revoked:
            raise Conflict(_("Chứng thư số này đã bị thu hồi trước đó."))
        locked.revoked = True
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked", "revoked_at"])
        audit.record(
            actor=actor,
            action="signing.certificate.revoke",
            obj=locked,
            before={"revoked": False},
            after={"revoked": True, "revoked_at": locked.revoked_at},
        )
    return locked


# --- Signing --------------------------------------------------------------------------------------
class _VietnamTimePdfSigner(signers.PdfSigner):
    """pyHanko takes the signing time from the machine's local zone; Sen signs in Vietnam time, and at
    an instant fixed beforehand so the stamp's text and the signature's /M and CMS time agree."""

    def __init__(self, *args: Any, signing_time: dt.datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


def now_vietnam() -> dt.datetime:
    return timezone.now().astimezone(VN).replace(microsecond=0)


def iso_vietnam(moment: dt.datetime) -> str:
    """ISO 8601 with the +07:00 offset, as Decree 30 asks for: 2026-11-22T14:05:09+07:00."""
    return moment.astimezone(VN).replace(microsecond=0).isoformat()


def _sign(
    writer: IncrementalPdfFileWriter,
    *,
    field_name: str,
    signer: signers.Signer,
    style: BaseStampStyle | None,
    signing_time: dt.datetime,
    reason: str = "",
    location: str = "",
    text_params: dict[str, str] | None = None,
    new_field: fields.SigFieldSpec | None = None,
) -> bytes:
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
    )
    pdf_signer = _VietnamTimePdfSigner(
        meta, signer, stamp_style=style, new_field_spec=new_field, signing_time=signing_time
    )
    out = io.BytesIO()
    try:
        pdf_signer.sign_pdf(
            writer,
            existing_fields_only=new_field is None,
            bytes_reserved=bytes_reserved_for(signer),
            appearance_text_params=text_params,
            output=out,
        )
    except SigningError as exc:
        raise InvalidInput(_("Không ký được văn bản: %(reason)s") % {"reason": exc}, code="signing_failed") from exc
    return out.getvalue()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _audit_signed(
    *,
    actor: Any,
    layer: str,
    certificate: Certificate | None,
    pdf_in: bytes,
    pdf_out: bytes,
    unit: OrgUnit | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=f"signing.document.sign_{layer}",
            object_type="signing.document",
            object_id=_sha256(pdf_out),
            acting_unit=unit,
            after={
                "layer": layer,
                "certificate": certificate.serial if certificate else None,
                "signer": certificate.common_name if certificate else None,
                "input_sha256": _sha256(pdf_in),
                "output_sha256": _sha256(pdf_out),
                "output_size": len(pdf_out),
                **(extra or {}),
            },
        )


def document_prepare(
    pdf_bytes: bytes,
    *,
    signer_box: Box,
    signer_page: int = -1,
    seal_box: Box | None = None,
    number_box: Box | None = None,
    date_box: Box | None = None,
    number_page: int = 0,
    number_field: bool = True,
) -> bytes:
    """Create every field the two layers need, before anyone signs.

    Boxes are (x1, y1, x2, y2) in PDF points, origin bottom left. `signer_box` is the space between the
    position title and the printed name; the seal's box defaults to a circle whose right edge lies a
    third of the way into the signature, as the seal must cover about the left third of it.
    `number_box`/`date_box` (on `number_page`) receive "05/QĐ-UBND" and "Đồng Tháp, ngày …" when the
    clerk numbers the document; `number_field=False` leaves them out (a document numbered beforehand).
    """
    writer = pdfdoc.open_writer(pdf_bytes)
    existing = pdfdoc.field_names(writer.prev)
    if pdfdoc.SIGNER_FIELD in existing or pdfdoc.ORG_FIELD in existing:
        raise Conflict(_("Văn bản đã được chuẩn bị ô chữ ký trước đó."), code="already_prepared")
    if any(kind == "/Sig" for kind in existing.values()) and writer.prev.embedded_signatures:
        raise Conflict(_("Văn bản đã có chữ ký số: không thể chuẩn bị lại."), code="already_signed")
    x1, y1, x2, y2 = signer_box
    if x2 <= x1 or y2 <= y1:
        raise InvalidInput(_("Ô chữ ký không hợp lệ."))
    if seal_box is None:
        seal_box = default_seal_box(signer_box)
    pdfdoc.add_signature_field(writer, pdfdoc.SIGNER_FIELD, page=signer_page, box=signer_box)
    pdfdoc.add_signature_field(writer, pdfdoc.ORG_FIELD, page=signer_page, box=seal_box)
    if number_field:
        if number_box is None or date_box is None:
            raise InvalidInput(_("Cần vị trí ô số, ký hiệu và ô ngày tháng của văn bản."))
        pdfdoc.add_text_field(writer, pdfdoc.NUMBER_FIELD, page=number_page, box=number_box)
        pdfdoc.add_text_field(writer, pdfdoc.DATE_FIELD, page=number_page, box=date_box)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def default_seal_box(signer_box: Box) -> Box:
    x1, y1, x2, y2 = signer_box
    width, height = x2 - x1, y2 - y1
    diameter = min(max(height * 1.25, 60.0), 130.0)
    right = x1 + width / 3
    middle = (y1 + y2) / 2
    return (right - diameter, middle - diameter / 2, right, middle + diameter / 2)


def sign_as_signer(
    pdf_bytes: bytes,
    *,
    user: Any,
    position_title: str,
    actor: Any = None,
    location: str = "",
) -> bytes:
    """Layer 1: the competent signer's own signature, with their signature image in the prepared field."""
    writer = pdfdoc.open_writer(pdf_bytes)
    names = pdfdoc.field_names(writer.prev)
    if pdfdoc.SIGNER_FIELD not in names:
        raise InvalidInput(_("Văn bản chưa được chuẩn bị ô chữ ký (document_prepare)."), code="not_prepared")
    certificate = sen_signers.usable_certificate(sen_signers.certificate_for_user(user))
    signer = sen_signers.backend().signer_for(certificate)
    signing_time = now_vietnam()
    try:
        signed = _sign(
            writer,
            field_name=pdfdoc.SIGNER_FIELD,
            signer=signer,
            style=stamps.signer_style(user.full_name or user.username),
            signing_time=signing_time,
            reason=position_title,
            location=location or settings.SEN_PROVINCE_NAME,
        )
    except InvalidInput:
        raise
    except Exception as exc:  # pyHanko's form errors: the field is already signed, etc.
        raise InvalidInput(_("Không ký được văn bản: ô chữ ký của người ký đã được ký.")) from exc
    _audit_signed(
        actor=actor or user,
        layer="signer",
        certificate=certificate,
        pdf_in=pdf_bytes,
        pdf_out=signed,
        extra={"position_title": position_title, "signing_time": iso_vietnam(signing_time)},
    )
    return signed


def vietnamese_date_line(day: dt.date, place: str) -> str:
    """Decree 30: "Đồng Tháp, ngày 05 tháng 02 năm 2026" — day below 10 and months 1–2 get a leading 0."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _require_layer_one(pdf_bytes: bytes, writer: IncrementalPdfFileWriter) -> None:
    from sen.signing import validation

    report = validation.pdf_validate(pdf_bytes, analyse_changes=True, reader=writer.prev)
    signer_sigs = [sig for sig in report.signatures if sig.field_name == pdfdoc.SIGNER_FIELD]
    if not signer_sigs:
        raise InvalidInput(
            _("Văn bản chưa có chữ ký số của người có thẩm quyền: không thể ký số của cơ quan."),
            code="signer_signature_missing",
        )
    first = signer_sigs[0]
    if not (first.intact and first.valid):
        raise InvalidInput(
            _("Chữ ký số của người có thẩm quyền không còn nguyên vẹn: văn bản đã bị thay đổi sau khi ký."),
            code="signer_signature_broken",
        )
    if not first.changes_allowed:
        raise InvalidInput(
            _("Văn bản đã bị thay đổi ngoài phạm vi cho phép sau chữ ký của người có thẩm quyền."),
            code="signer_signature_broken",
        )
    if not first.trusted:
        raise InvalidInput(
            _("Chứng thư số của người ký không tin cậy (%(problem)s).") % {"problem": first.trust_summary},
            code="signer_untrusted",
        )


def sign_as_organisation(
    pdf_bytes: bytes,
    *,
    unit: OrgUnit,
    number: str,
    date: dt.date,
    actor: Any = None,
    place: str = "",
) -> bytes:
    """Layer 2: the clerk applies the organisation's signature (the red seal over the left third of the
    signer's image), and fills the number and date fields in the same incremental update.

    Refused unless the signer's signature is present, intact, trusted and followed by allowed changes only.
    """
    number = (number or "").strip()
    if not number:
        raise InvalidInput(_("Thiếu số, ký hiệu văn bản."))
    writer = pdfdoc.open_writer(pdf_bytes)
    _require_layer_one(pdf_bytes, writer)
    names = pdfdoc.field_names(writer.prev)
    if pdfdoc.ORG_FIELD not in names:
        raise InvalidInput(_("Văn bản chưa được chuẩn bị ô chữ ký của cơ quan."), code="not_prepared")
    certificate = sen_signers.usable_certificate(sen_signers.certificate_for_unit(unit))
    signer = sen_signers.backend().signer_for(certificate)
    date_text = vietnamese_date_line(date, place or settings.SEN_PROVINCE_NAME)
    try:
        if pdfdoc.NUMBER_FIELD in names:
            populate_static_text_field(writer, pdfdoc.NUMBER_FIELD, stamps.field_text_style(13), number)
        if pdfdoc.DATE_FIELD in names:
            populate_static_text_field(writer, pdfdoc.DATE_FIELD, stamps.field_text_style(13, italic=True), date_text)
    except Exception as exc:
        raise Conflict(_("Văn bản đã được ghi số và ngày trước đó."), code="already_numbered") from exc
    signing_time = now_vietnam()
    try:
        signed = _sign(
            writer,
            field_name=pdfdoc.ORG_FIELD,
            signer=signer,
            style=stamps.seal_style(unit.name),
            signing_time=signing_time,
            reason=number,
            location=place or settings.SEN_PROVINCE_NAME,
        )
    except InvalidInput:
        raise
    except Exception as exc:
        raise Conflict(_("Văn bản đã có chữ ký số của cơ quan.")) from exc
    _audit_signed(
        actor=actor,
        layer="organisation",
        certificate=certificate,
        pdf_in=pdf_bytes,
        pdf_out=signed,
        unit=unit,
        extra={"number": number, "date": date.isoformat(), "signing_time": iso_vietnam(signing_time)},
    )
    return signed


def sign_appendix(
    pdf_bytes: bytes,
    *,
    unit: OrgUnit,
    number: str,
    actor: Any = None,
) -> bytes:
    """An appendix filed separately: the organisation's signature at the top right of page 1, no image —
    the number and ký hiệu, then the signing time in ISO 8601 with +07:00, Times-style 10 pt."""
    number = (number or "").strip()
    if not number:
        raise InvalidInput(_("Thiếu số, ký hiệu văn bản."))
    writer = pdfdoc.open_writer(pdf_bytes)
    if pdfdoc.APPENDIX_FIELD in pdfdoc.field_names(writer.prev):
        raise Conflict(_("Phụ lục đã có chữ ký số của cơ quan."), code="already_signed")
    certificate = sen_signers.usable_certificate(sen_signers.certificate_for_unit(unit))
    signer = sen_signers.backend().signer_for(certificate)
    _x1, _y1, x2, y2 = pdfdoc.page_box(writer, 0)
    box = (int(x2 - 28 - 170), int(y2 - 14 - 28), int(x2 - 28), int(y2 - 14))
    signing_time = now_vietnam()
    signed = _sign(
        writer,
        field_name=pdfdoc.APPENDIX_FIELD,
        signer=signer,
        style=stamps.appendix_style(),
        signing_time=signing_time,
        reason=number,
        text_params={"sen_text": f"{number}\n{iso_vietnam(signing_time)}"},
        new_field=fields.SigFieldSpec(sig_field_name=pdfdoc.APPENDIX_FIELD, on_page=0, box=box),
    )
    _audit_signed(
        actor=actor,
        layer="appendix",
        certificate=certificate,
        pdf_in=pdf_bytes,
        pdf_out=signed,
        unit=unit,
        extra={"number": number, "signing_time": iso_vietnam(signing_time)},
    )
    return signed


def sign_result(
    pdf_bytes: bytes,
    *,
    unit: OrgUnit,
    actor: Any = None,
    box: Box | None = None,
    page: int = -1,
    reason: str = "",
) -> bytes:
    """A dossier's e-result: the organisation's signature alone — the red seal in `box` (on `page`), or
    an invisible signature when no box is given."""
    writer = pdfdoc.open_writer(pdf_bytes)
    if pdfdoc.RESULT_FIELD in pdfdoc.field_names(writer.prev):
        raise Conflict(_("Kết quả đã có chữ ký số của cơ quan."), code="already_signed")
    certificate = sen_signers.usable_certificate(sen_signers.certificate_for_unit(unit))
    signer = sen_signers.backend().signer_for(certificate)
    spec = fields.SigFieldSpec(
        sig_field_name=pdfdoc.RESULT_FIELD,
        on_page=page,
        box=tuple(round(v) for v in box) if box else None,  # type: ignore[arg-type]
    )
    signing_time = now_vietnam()
    signed = _sign(
        writer,
        field_name=pdfdoc.RESULT_FIELD,
        signer=signer,
        style=stamps.seal_style(unit.name) if box else None,
        signing_time=signing_time,
        reason=reason or "Kết quả giải quyết thủ tục hành chính",  # in the signature: Vietnamese
        new_field=spec,
    )
    _audit_signed(
        actor=actor,
        layer="result",
        certificate=certificate,
        pdf_in=pdf_bytes,
        pdf_out=signed,
        unit=unit,
        extra={"signing_time": iso_vietnam(signing_time)},
    )
    return signed


def certificate_get(pk: int) -> Certificate:
    try:
        return Certificate.objects.select_related("issuer").get(pk=pk)
    except Certificate.DoesNotExist as exc:
        raise NotFound() from exc
