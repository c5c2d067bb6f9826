"""Downloadable forms generated as real .docx / .xlsx files, byte-for-byte reproducible (fixed
document dates and ZIP timestamps), so publishing the same form twice is recognised as unchanged."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook
from openpyxl.styles import Font

FIXED = dt.datetime(2026, 1, 1, 0, 0, 0)


def _reproducible_zip(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", content)
            target.writestr(fixed, content)
    return out.getvalue()


def docx_form(title: str, lines: list[str], *, legal_note: str = "") -> bytes:
    """A declaration form: the national heading, a title and one dotted line per item."""
    document = Document()
    document.core_properties.created = FIXED
    document.core_properties.modified = FIXED
    document.core_properties.last_printed = FIXED
    document.core_properties.author = "Sen"
    document.core_properties.last_modified_by = "Sen"
    document.core_properties.revision = 1
    for text, bold in (("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True), ("Độc lập - Tự do - Hạnh phúc", True)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(text).bold = bold
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(title.upper()).bold = True
    if legal_note:
        note = document.add_paragraph()
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER
        note.add_run(legal_note).italic = True
    for line in lines:
        document.add_paragraph(f"{line}: " + "." * 60)
    document.add_paragraph(
        "Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật."
    )
    signature = document.add_paragraph()
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signature.add_run("Người yêu cầu\n(Ký, ghi rõ họ tên)").italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return _reproducible_zip(buffer.getvalue())


def xlsx_form(title: str, columns: list[str], *, rows: int = 20) -> bytes:
    """A list to fill in (bảng kê): a title row, a header row and numbered empty rows."""
    workbook = Workbook()
    workbook.properties.created = FIXED
    workbook.properties.modified = FIXED
    workbook.properties.creator = "Sen"
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Bảng kê"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["STT", *columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for number in range(1, rows + 1):
        sheet.append([number])
    sheet.column_dimensions["B"].width = 50
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _reproducible_zip(buffer.getvalue())
