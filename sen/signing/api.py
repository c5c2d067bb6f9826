"""Signing API: validate a signed PDF (public — it changes nothing)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from sen.core.exceptions import InvalidInput
from sen.signing import validation

router = Router(tags=["signing"])


class SignatureOut(Schema):
    field_name: str
    signer: str
    signer_subject: str
    certificate_serial: str
    issuer: str
    signing_time: str
    intact: bool
    valid: bool
    trusted: bool
    trust_problems: list[str]
    expired: bool
    revoked: bool
    coverage: str
    changes: str
    changes_text: str
    changes_allowed: bool
    revision: int
    reason: str
    errors: list[str]
    ok: bool


class ReportOut(Schema):
    ok: bool
    sha256: str
    size: int
    errors: list[str]
    signatures: list[SignatureOut]


def read_upload(upload: UploadedFile) -> bytes:
    """The uploaded bytes, within the size limit (type is judged by content in pdf_validate)."""
    if upload.size is not None and upload.size > validation.MAX_PDF_BYTES:
        raise InvalidInput(_("Tệp quá lớn (tối đa 20 MB)."), code="file_too_large")
    data = upload.read(validation.MAX_PDF_BYTES + 1)
    if len(data) > validation.MAX_PDF_BYTES:
        raise InvalidInput(_("Tệp quá lớn (tối đa 20 MB)."), code="file_too_large")
    return bytes(data)


@router.post("/signatures/validate", response=ReportOut, auth=None, summary="Kiểm tra chữ ký số của một tệp PDF")
def signatures_validate(request: HttpRequest, file: File[UploadedFile]) -> dict[str, object]:
    """Upload a PDF (multipart field `file`); get every signature's signer, time, integrity, trust and
    the changes after it. Bad files give a report with `errors`, not an HTTP error."""
    return validation.pdf_validate(read_upload(file)).as_dict()
