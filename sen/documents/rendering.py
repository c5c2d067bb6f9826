"""The PDF of an outgoing document, laid out per Decree 30/2020 Appendix I, with the boxes where the
number, the date and the two signatures go.

The body flows over as many pages as it needs; the fields are empty boxes with an id in the template
(templates/documents/pdf/document.html), and their positions are read back from the laid-out pages
(WeasyPrint's anchors), so `Layout` is exact for every version whatever its length. sen.signing then
creates the fields in those boxes before the first signature.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.template.loader import render_to_string

from sen.core import typesetting
from sen.core.i18n import in_vietnamese, vietnamese_label
from sen.core.models import OrgUnit
from sen.documents.choices import Confidentiality, DocumentType, Urgency
from sen.signing.pdfdoc import Box

PX_TO_PT = 0.75  # WeasyPrint's CSS pixels (1/96 in) to PDF points (1/72 in)


@dataclass(frozen=True)
class Layout:
    number_box: Box
    date_box: Box
    signer_box: Box
    signer_page: int
    pages: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Layout:
        return cls(
            number_box=tuple(data["number_box"]),
            date_box=tuple(data["date_box"]),
            signer_box=tuple(data["signer_box"]),
            signer_page=int(data["signer_page"]),
            pages=int(data["pages"]),
        )


@dataclass(frozen=True)
class Content:
    """What the page shows (a version of a draft)."""

    doc_type: str
    subject: str
    body: str
    urgency: str
    confidentiality: str
    signer_name: str
    signer_position: str
    signer_authority: str
    recipients: tuple[str, ...]
    drafting_abbreviation: str


def heading_lines(body: OrgUnit, heading: str = "") -> list[tuple[str, bool]]:
    """The agency at the top left: the body's own heading if it has one (one line each, the last in
    bold), else its parent over it in capitals; long lines broken in balanced halves."""
    if heading.strip():
        lines = [line.strip() for line in heading.strip().splitlines() if line.strip()]
        return [(line, index == len(lines) - 1) for index, line in enumerate(lines)]
    names: list[tuple[str, bool]] = []
    if body.parent_id is not None and body.parent is not None:
        names.append((body.parent.name.upper(), False))
    names.append((body.name.upper(), True))
    return [(line, bold) for name, bold in names for line in typesetting.balanced_lines(name)]


def _paragraphs(body: str) -> list[str]:
    return [line.strip() for line in body.replace("\r\n", "\n").split("\n") if line.strip()]


def _marks(content: Content) -> list[str]:
    marks = []
    if content.urgency != Urgency.NORMAL:
        marks.append(vietnamese_label(Urgency(content.urgency)).upper())
    if content.confidentiality == Confidentiality.SECRET:
        marks.append("MẬT")
    return marks


def document_html(content: Content, *, body: OrgUnit, heading: str = "") -> str:
    is_cong_van = content.doc_type == DocumentType.CONG_VAN
    filing = ", ".join(part for part in ("VT", content.drafting_abbreviation) if part)
    context = {
        "title": content.subject,
        "agency_lines": heading_lines(body, heading),
        "is_cong_van": is_cong_van,
        "type_name": vietnamese_label(DocumentType(content.doc_type)).upper(),
        "subject": content.subject,
        "addressees": "; ".join(content.recipients) if content.recipients else "…",
        "marks": _marks(content),
        "paragraphs": _paragraphs(content.body),
        "recipients": list(content.recipients),
        "filing_note": filing,
        "authority": content.signer_authority.upper(),
        "position": content.signer_position.upper(),
        "signer_name": content.signer_name,
    }
    with in_vietnamese():
        return render_to_string("documents/pdf/document.html", context)


def _box(anchor: tuple[float, float, float, float], page_height_px: float) -> Box:
    x1, y1, x2, y2 = anchor
    return (
        round(x1 * PX_TO_PT, 2),
        round((page_height_px - y2) * PX_TO_PT, 2),
        round(x2 * PX_TO_PT, 2),
        round((page_height_px - y1) * PX_TO_PT, 2),
    )


def _find(pages: list[Any], anchor_id: str) -> tuple[int, Box]:
    for index, page in enumerate(pages):
        if anchor_id in page.anchors:
            return index, _box(page.anchors[anchor_id], page.height)
    raise RuntimeError(f"the document template has no #{anchor_id}")


def document_pdf(content: Content, *, body: OrgUnit, heading: str = "") -> tuple[bytes, Layout]:
    laid_out = typesetting.render(document_html(content, body=body, heading=heading))
    pages = list(laid_out.pages)
    _page, number_box = _find(pages[:1], "number-field")
    _page, date_box = _find(pages[:1], "date-field")
    signer_page, signer_box = _find(pages, "signer-field")
    layout = Layout(
        number_box=number_box,
        date_box=date_box,
        signer_box=signer_box,
        signer_page=signer_page,
        pages=len(pages),
    )
    return bytes(laid_out.write_pdf()), layout
