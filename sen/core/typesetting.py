"""Typesetting of official papers (Decree 30/2020/NĐ-CP, Appendix I): the page, the fonts and the
heading's line breaking, shared by the one-stop forms (sen.dossiers.official_forms) and outgoing
documents (sen.documents.rendering).

The system fonts (Liberation Serif, with Times New Roman's metrics, then Noto Serif) are resolved
once per thread: the FontConfiguration and the parsed stylesheet are kept and reused, so a page
renders in a fraction of a second after the first.
"""

from __future__ import annotations

import threading
from typing import Any

AGENCY_LINE_CHARS = 24  # longer names are broken in balanced lines ("ỦY BAN NHÂN DÂN / TỈNH ĐỒNG THÁP")

# Decree 30/2020 page: A4 portrait, margins 20 mm top and bottom, 30 mm left, 15 mm right; Times-style
# type (Liberation Serif has Times New Roman's metrics), 13 pt body, headings 12–13 pt.
STYLESHEET = """
@page { size: A4; margin: 20mm 15mm 20mm 30mm;
        @bottom-right { content: "Trang " counter(page) "/" counter(pages); font-size: 10pt; } }
html { font-family: "Liberation Serif", "Noto Serif", serif; font-size: 13pt; line-height: 1.3; color: #000; }
body { margin: 0; }
table.heading { width: 100%; border-collapse: collapse; margin-bottom: 6mm; }
table.heading td { vertical-align: top; text-align: center; padding: 0; }
td.agency { width: 40%; font-size: 12pt; }
td.nation { width: 60%; }
.nation-name { font-size: 12pt; font-weight: bold; white-space: nowrap; }
.motto { font-size: 13pt; font-weight: bold; }
.motto span { display: inline-block; border-bottom: 0.6pt solid #000; padding-bottom: 1pt; }
.agency-line { line-height: 1.2; }
.agency-line.b { font-weight: bold; }
.rule { width: 30mm; margin: 1mm auto 0; border-top: 0.6pt solid #000; height: 0; }
td.number { font-size: 12pt; padding-top: 3mm !important; }
td.place-date { font-style: italic; padding-top: 3mm !important; }
h1 { font-size: 14pt; font-weight: bold; text-align: center; margin: 4mm 0 1mm; }
.subtitle { text-align: center; margin: 0 0 1mm; }
.subtitle.i { font-style: italic; }
.body { margin-top: 5mm; }
.body p { margin: 0 0 1.5mm; text-align: justify; }
.body p.indent { text-indent: 10mm; }
.body ol { margin: 0 0 1.5mm; padding-left: 10mm; }
.body ol li { margin: 0 0 0.5mm; }
.b { font-weight: bold; }
.i { font-style: italic; }
.dots { color: #000; }
table.signatures { width: 100%; border-collapse: collapse; margin-top: 6mm; page-break-inside: avoid; }
table.signatures td { width: 50%; text-align: center; vertical-align: top; padding: 0; }
.sign-title { font-weight: bold; }
.sign-hint { font-style: italic; font-size: 12pt; }
.sign-name { font-weight: bold; margin-top: 22mm; }
table.grid { width: 100%; border-collapse: collapse; margin: 3mm 0; font-size: 10.5pt; line-height: 1.2; }
table.grid th, table.grid td { border: 0.6pt solid #000; padding: 1.2mm 1.5mm; vertical-align: top; }
table.grid th { font-weight: bold; text-align: center; vertical-align: middle; }
table.grid th.small { font-size: 9.5pt; }
table.grid td.c { text-align: center; }
table.grid thead { display: table-header-group; }
table.grid tr { page-break-inside: avoid; }
"""


_local = threading.local()


def _renderer() -> tuple[Any, Any]:
    """This thread's FontConfiguration and parsed stylesheet, made once (WeasyPrint's objects are not
    shared between threads)."""
    cached = getattr(_local, "renderer", None)
    if cached is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        stylesheet = CSS(string=STYLESHEET, font_config=font_config)
        cached = (font_config, stylesheet)
        _local.renderer = cached
    return cached


def render(document_html: str) -> Any:
    """The laid-out WeasyPrint document (its pages carry the positions of elements with an id)."""
    from weasyprint import HTML

    font_config, stylesheet = _renderer()
    return HTML(string=document_html).render(stylesheets=[stylesheet], font_config=font_config)


def render_pdf(document_html: str) -> bytes:
    return bytes(render(document_html).write_pdf())


def warm_up() -> None:
    """Import WeasyPrint and load the fonts now (about 2 s on the first render of a process), e.g. from a
    gunicorn `post_fork` hook, so that the first person to download a form does not wait for it."""
    render_pdf("<!doctype html><html lang='vi'><body><p>Cộng hòa xã hội chủ nghĩa Việt Nam</p></body></html>")


def balanced_lines(text: str, width: int = AGENCY_LINE_CHARS) -> list[str]:
    """`text` in lines of about `width` characters, broken at the space that balances them best, the way
    agency names are set in the narrow left column (the browser would leave one word alone on a line)."""
    words = text.split()
    if len(text) <= width or len(words) < 2:
        return [" ".join(words)]
    best = min(
        range(1, len(words)),
        key=lambda i: max(len(" ".join(words[:i])), len(" ".join(words[i:]))),
    )
    return [*balanced_lines(" ".join(words[:best]), width), *balanced_lines(" ".join(words[best:]), width)]
