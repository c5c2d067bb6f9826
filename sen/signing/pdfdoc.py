"""Low-level PDF handling for the signing services: opening untrusted input, preparing fields."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields

from sen.core.exceptions import InvalidInput

Box = tuple[float, float, float, float]

# Field names (ASCII: some viewers mangle non-ASCII field names).
SIGNER_FIELD = "Sen_ChuKy_NguoiKy"
ORG_FIELD = "Sen_ChuKy_CoQuan"
NUMBER_FIELD = "Sen_So_KyHieu"
DATE_FIELD = "Sen_Ngay_Thang"
APPENDIX_FIELD = "Sen_ChuKy_CoQuan_PhuLuc"
RESULT_FIELD = "Sen_ChuKy_KetQua"


def ensure_pdf(pdf_bytes: bytes) -> None:
    if not isinstance(pdf_bytes, bytes | bytearray) or not bytes(pdf_bytes[:1024]).lstrip().startswith(b"%PDF-"):
        raise InvalidInput(_("Tệp không phải là tài liệu PDF."), code="not_pdf")


def open_writer(pdf_bytes: bytes) -> IncrementalPdfFileWriter:
    """An incremental writer over untrusted bytes; malformed or encrypted input → InvalidInput."""
    ensure_pdf(pdf_bytes)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    except Exception as exc:
        raise InvalidInput(_("Tệp PDF bị hỏng, không đọc được."), code="malformed_pdf") from exc
    if writer.prev.encrypted:
        raise InvalidInput(_("Tệp PDF được mã hóa (đặt mật khẩu): không thể ký."), code="encrypted_pdf")
    return writer


def open_reader(pdf_bytes: bytes) -> PdfFileReader:
    ensure_pdf(pdf_bytes)
    try:
        return PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
    except Exception as exc:
        raise InvalidInput(_("Tệp PDF bị hỏng, không đọc được."), code="malformed_pdf") from exc


def page_count(writer: IncrementalPdfFileWriter) -> int:
    return int(writer.root["/Pages"]["/Count"])


def page_box(writer: IncrementalPdfFileWriter, page: int) -> Box:
    page_obj = writer.find_page_for_modification(page)[0].get_object()
    x1, y1, x2, y2 = (float(value) for value in page_obj["/MediaBox"])
    return (x1, y1, x2, y2)


def add_signature_field(writer: IncrementalPdfFileWriter, name: str, *, page: int, box: Box) -> None:
    fields.append_signature_field(
        writer,
        fields.SigFieldSpec(
            sig_field_name=name,
            on_page=page,
            box=tuple(round(v) for v in box),  # type: ignore[arg-type]
            empty_field_appearance=False,
        ),
    )


def add_text_field(writer: IncrementalPdfFileWriter, name: str, *, page: int, box: Box) -> None:
    """An empty single-line text field with its widget (combined in one dictionary) on `page`."""
    page_ref, _index = writer.find_page_for_modification(page)
    root = writer.root
    form = root.get("/AcroForm")
    if form is None:
        form = generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject()})
        root[pdf_name("/AcroForm")] = writer.add_object(form)
        writer.update_root()
    form = form.get_object() if isinstance(form, generic.IndirectObject) else form
    field = generic.DictionaryObject(
        {
            pdf_name("/FT"): pdf_name("/Tx"),
            pdf_name("/T"): pdf_string(name),
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in box]),
            pdf_name("/F"): generic.NumberObject(4),  # print
            pdf_name("/P"): page_ref,
            pdf_name("/Ff"): generic.NumberObject(0),
            pdf_name("/DA"): generic.TextStringObject("/Helv 0 Tf 0 g"),
        }
    )
    field_ref = writer.add_object(field)
    form_fields = form["/Fields"]
    form_fields.append(field_ref)
    writer.update_container(form_fields)
    page_obj = page_ref.get_object()
    annots = page_obj.get("/Annots")
    if annots is None:
        page_obj[pdf_name("/Annots")] = generic.ArrayObject([field_ref])
        writer.update_container(page_obj)
    else:
        annots.get_object().append(field_ref)
        writer.update_container(annots.get_object() if isinstance(annots, generic.IndirectObject) else page_obj)


def field_names(reader: PdfFileReader) -> dict[str, str]:
    """Top-level form fields: name → type ("/Sig", "/Tx", ...)."""
    try:
        form_fields: Sequence[generic.IndirectObject] = reader.root["/AcroForm"]["/Fields"]
    except (KeyError, TypeError):
        return {}
    names: dict[str, str] = {}
    for ref in form_fields:
        field = ref.get_object()
        names[str(field.get("/T", ""))] = str(field.get("/FT", ""))
    return names
