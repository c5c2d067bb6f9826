"""E-results (kết quả điện tử): the PDF a completed dossier produces, signed by the organisation.

When a dossier is completed (action `complete`, state 9) `result_issue` renders the result page
(WeasyPrint, templates/dossiers/results/result_pdf.html), has sen.signing sign it with the receiving
unit's organisation certificate (a visible red seal), stores the signed bytes under a name of its own
(SHA-256 plus a random suffix: never overwritten) and records a DossierResult. It runs inside
`dossier_transition`'s transaction: signing is CPU work, not network I/O, and a failure anywhere —
no certificate, a signing error — leaves the dossier as it was. The file written to storage is
deleted again by the caller if that transaction fails (`_Step.written`).

A unit without a current organisation certificate cannot complete dossiers: Sen refuses with a clear
message rather than issuing a certificate on the fly (issuing keys is the province admin's act).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from sen.core.calendar import VN_TZ
from sen.core.exceptions import Conflict
from sen.dossiers.models import Dossier, DossierResult, dossier_result_file_name
from sen.signing import samples
from sen.signing import services as signing
from sen.signing.signers import certificate_for_unit

# Where the organisation's seal goes: right column, below the signing block of the page (A4, mm from
# the top left, as templates/dossiers/results/result_pdf.html lays it out).
SEAL_BOX = samples.mm_box(128, 222, 168, 262)
MAX_FORM_ROWS = 14
MAX_VALUE_CHARS = 160


def result_name(dossier: Dossier) -> str:
    """The result document the procedure names (first line), or a generic name. It is printed on the
    result, kept on it and sent in the notification, so the generic name is Vietnamese."""
    text = (dossier.procedure_version.result or "").strip().splitlines()
    return text[0].strip()[:300] if text and text[0].strip() else "Kết quả giải quyết thủ tục hành chính"


def _value_text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dict):
        return ", ".join(str(part) for part in value.values() if part)
    if isinstance(value, list):
        return ", ".join(str(part) for part in value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def _form_rows(dossier: Dossier) -> Iterator[tuple[str, str]]:
    """The e-form's fields with their labels (choices by their label), as submitted."""
    count = 0
    for item in dossier.procedure_version.eform or []:
        value = (dossier.form_data or {}).get(item.get("name"))
        if item.get("type") == "choice":
            options = {o.get("value"): o.get("label") for o in (item.get("validation") or {}).get("options", [])}
            value = options.get(value, value)
        text = _value_text(value)
        if not text:
            continue
        if count >= MAX_FORM_ROWS:
            return
        count += 1
        yield str(item.get("label") or item.get("name")), text[:MAX_VALUE_CHARS]


def _vn(moment: dt.datetime | None) -> str:
    return moment.astimezone(VN_TZ).strftime("%H:%M ngày %d/%m/%Y") if moment else "—"


def result_html(dossier: Dossier, *, now: dt.datetime) -> str:
    unit = dossier.unit
    parent = unit.parent.name if unit.parent_id and unit.parent is not None else ""
    applicant = dossier.applicant
    context = {
        "agency_parent": parent.upper(),
        "agency": unit.name.upper(),
        "date_line": signing.vietnamese_date_line(now.astimezone(VN_TZ).date(), settings.SEN_PROVINCE_NAME),
        "result_name": result_name(dossier),
        "procedure_name": dossier.procedure_version.name,
        "procedure_code": dossier.procedure_version.procedure.code,
        "code": dossier.code,
        "applicant_name": applicant.full_name or applicant.get_username(),
        "applicant_id": applicant.national_id or applicant.tax_code or applicant.get_username(),
        "received_at": _vn(dossier.received_at or dossier.submitted_at),
        "due_at": _vn(dossier.rescheduled_due_at or dossier.effective_due_at or dossier.due_at),
        "processed_at": _vn(now),
        "form_rows": list(_form_rows(dossier)),
        "unit_name": unit.name,
        "verify_url": settings.SEN_BASE_URL.rstrip("/") + reverse("signing:verify"),
    }
    return render_to_string("dossiers/results/result_pdf.html", context)


def result_pdf(dossier: Dossier, *, now: dt.datetime) -> bytes:
    """The unsigned result page (A4, Vietnamese)."""
    return samples.render(result_html(dossier, now=now))


def _signing_time(pdf_bytes: bytes) -> dt.datetime | None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    signatures = PdfFileReader(io.BytesIO(pdf_bytes), strict=False).embedded_signatures
    return signatures[-1].self_reported_timestamp if signatures else None


def result_issue(*, actor: Any, dossier: Dossier, now: dt.datetime, written: list[str]) -> DossierResult:
    """Render, sign (the receiving unit's organisation certificate) and store the e-result of `dossier`.
    Call inside the completing transaction; names of the files written are appended to `written`."""
    unit = dossier.unit
    if DossierResult.objects.filter(dossier=dossier).exists():
        raise Conflict(_("Hồ sơ đã có kết quả điện tử."), code="result_exists")
    certificate = certificate_for_unit(unit)
    if certificate is None:
        raise Conflict(
            _(
                "Đơn vị chưa có chứng thư số còn hiệu lực để ký kết quả điện tử (%(unit)s). "
                "Đề nghị quản trị viên cấp chứng thư số cho đơn vị trước khi hoàn thành hồ sơ."
            )
            % {"unit": unit.name},
            code="unit_certificate_missing",
        )
    name = result_name(dossier)
    signed = signing.sign_result(
        result_pdf(dossier, now=now),
        unit=unit,
        actor=actor,
        box=SEAL_BOX,
        reason=f"Kết quả giải quyết hồ sơ {dossier.code}",  # in the signature: Vietnamese
    )
    sha256 = hashlib.sha256(signed).hexdigest()
    stored = default_storage.save(dossier_result_file_name(sha256), ContentFile(signed))
    written.append(stored)
    return DossierResult.objects.create(
        dossier=dossier,
        name=name,
        file=stored,
        size=len(signed),
        sha256=sha256,
        signed_at=_signing_time(signed) or now,
        signer_unit=unit,
        certificate_serial=certificate.serial,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def result_bytes(result: DossierResult) -> bytes:
    with result.file.open("rb") as handle:
        data: bytes = handle.read()
    return data
