"""Registers as printed and exported (PDF, XLSX), and the metadata of each document.

The metadata lists follow the structure of Decree 30/2020/NĐ-CP Appendix VI (16 items for an
outgoing document, 18 for an incoming one). They were reconstructed from the decree's structure
without its text at hand: the wording of each label should be checked against the appendix.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from django.template.loader import render_to_string

from sen.core import typesetting
from sen.core.calendar import VN_TZ
from sen.core.i18n import vietnamese_label
from sen.documents.choices import Confidentiality, Direction, DocumentType, Urgency
from sen.documents.models import IncomingDocument, OutgoingDocument, Register


def _date(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "astimezone"):
        value = value.astimezone(VN_TZ)
        return value.strftime("%d/%m/%Y %H:%M")
    return str(value.strftime("%d/%m/%Y"))


# The register is a record (printed, exported, and the metadata of each document): its headings are
# the decree's and its values are Vietnamese whoever reads or exports it.
def _type_name(doc_type: str, fallback: str = "") -> str:
    return vietnamese_label(DocumentType(doc_type)) if doc_type in DocumentType.values else fallback


def _urgency(value: str) -> str:
    return vietnamese_label(Urgency(value)) if value in Urgency.values else ""


def _secrecy(value: str) -> str:
    return vietnamese_label(Confidentiality(value)) if value in Confidentiality.values else ""


def _pages(document: OutgoingDocument) -> str:
    layout = document.current_version.layout if document.current_version_id and document.current_version else {}
    return str((layout or {}).get("pages") or "")


Field = tuple[str, str, Callable[[Any], str]]

OUTGOING_FIELDS: tuple[Field, ...] = (
    ("identifier", "Mã định danh văn bản", lambda d: f"{d.organisation.code}.{d.year or ''}.{d.number or ''}"),
    ("reference", "Số, ký hiệu văn bản", lambda d: d.reference),
    ("issued_on", "Ngày, tháng, năm văn bản", lambda d: _date(d.issued_on)),
    ("doc_type", "Tên loại văn bản", lambda d: _type_name(d.doc_type)),
    ("subject", "Trích yếu nội dung", lambda d: d.subject),
    ("language", "Ngôn ngữ", lambda d: "Tiếng Việt"),
    ("pages", "Số trang", _pages),
    ("copies", "Số lượng bản", lambda d: str(d.copies)),
    ("signer", "Người ký", lambda d: d.signer.full_name if d.signer else ""),
    ("signer_position", "Chức vụ người ký", lambda d: d.signer_position),
    ("recipients", "Nơi nhận", lambda d: "; ".join(r.name for r in d.recipients.all())),
    ("drafting_unit", "Đơn vị soạn thảo", lambda d: d.drafting_unit.name),
    ("urgency", "Mức độ khẩn", lambda d: _urgency(d.urgency)),
    ("confidentiality", "Độ mật", lambda d: _secrecy(d.confidentiality)),
    ("issuer", "Cơ quan ban hành", lambda d: d.organisation.name),
    ("note", "Ghi chú", lambda d: "Đã thu hồi" if d.state == "recalled" else ""),
)

INCOMING_FIELDS: tuple[Field, ...] = (
    ("identifier", "Mã định danh văn bản", lambda d: f"{d.sender_organ_id}.{d.reference}" if d.sender_organ_id else ""),
    ("incoming_number", "Số đến", lambda d: str(d.incoming_number or "")),
    ("arrived_at", "Ngày đến", lambda d: _date(d.arrived_at)),
    ("sender", "Tên cơ quan, tổ chức ban hành văn bản", lambda d: d.sender_name),
    ("reference", "Số, ký hiệu văn bản", lambda d: d.reference),
    ("issued_on", "Ngày, tháng, năm văn bản", lambda d: _date(d.issued_on)),
    ("doc_type", "Tên loại văn bản", lambda d: d.doc_type_name or _type_name(d.doc_type)),
    ("subject", "Trích yếu nội dung", lambda d: d.subject),
    ("language", "Ngôn ngữ", lambda d: "Tiếng Việt"),
    ("pages", "Số trang", lambda d: str(d.page_count or "")),
    ("signer", "Người ký", lambda d: d.signer_name),
    ("urgency", "Mức độ khẩn", lambda d: _urgency(d.urgency)),
    ("confidentiality", "Độ mật", lambda d: _secrecy(d.confidentiality)),
    ("lead_unit", "Đơn vị hoặc người nhận", lambda d: d.lead_unit.name if d.lead_unit else ""),
    ("handler", "Người xử lý", lambda d: d.handler.full_name if d.handler else ""),
    ("instruction", "Ý kiến chỉ đạo", lambda d: d.instruction),
    ("deadline", "Hạn giải quyết", lambda d: _date(d.deadline)),
    ("note", "Ghi chú", lambda d: d.done_note or ""),
)
assert len(OUTGOING_FIELDS) == 16 and len(INCOMING_FIELDS) == 18


def fields_for(register: Register) -> tuple[Field, ...]:
    return OUTGOING_FIELDS if register.direction == Direction.OUTGOING else INCOMING_FIELDS


def metadata(document: OutgoingDocument | IncomingDocument) -> list[tuple[str, str]]:
    fields = OUTGOING_FIELDS if isinstance(document, OutgoingDocument) else INCOMING_FIELDS
    return [(label, getter(document)) for _key, label, getter in fields]


def rows(register: Register, entries: Iterable[Any]) -> list[list[str]]:
    fields = fields_for(register)
    return [[getter(entry) for _key, _label, getter in fields] for entry in entries]


def register_xlsx(register: Register, year: int, entries: Iterable[Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(year)
    sheet.append([f"{register.name} — năm {year}"])
    sheet["A1"].font = Font(bold=True, size=13)
    labels = [label for _key, label, _getter in fields_for(register)]
    sheet.append(labels)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows(register, entries):
        sheet.append(row)
    for index, _label in enumerate(labels, start=1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = 18
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def register_pdf(register: Register, year: int, entries: Iterable[Any]) -> bytes:
    html = render_to_string(
        "documents/pdf/register.html",
        {
            "register": register,
            "year": year,
            "labels": [label for _key, label, _getter in fields_for(register)],
            "rows": rows(register, entries),
        },
    )
    return typesetting.render_pdf(html)
