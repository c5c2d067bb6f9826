"""Sample documents made at run time (WeasyPrint) for the tests, the benchmark and the demo: a decision
laid out as Decree 30/2020 Appendix I shows it, with the boxes where the fields go.

Coordinates: the page is A4 with absolutely positioned blocks in millimetres, so the boxes below are
known exactly (converted to PDF points, origin bottom left).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

A4_WIDTH_MM, A4_HEIGHT_MM = 210.0, 297.0
PT_PER_MM = 72 / 25.4

Box = tuple[float, float, float, float]


def mm_box(left: float, top: float, right: float, bottom: float) -> Box:
    """A box given from the page's top-left in mm → PDF points from the bottom-left."""
    return (
        round(left * PT_PER_MM, 2),
        round((A4_HEIGHT_MM - bottom) * PT_PER_MM, 2),
        round(right * PT_PER_MM, 2),
        round((A4_HEIGHT_MM - top) * PT_PER_MM, 2),
    )


@dataclass(frozen=True)
class SampleLayout:
    number_box: Box
    date_box: Box
    signer_box: Box


LAYOUT = SampleLayout(
    number_box=mm_box(39, 38.5, 92, 48.5),
    date_box=mm_box(100, 38.5, 196, 48.5),
    signer_box=mm_box(122, 216, 182, 244),
)

STYLE = """
@page { size: A4; margin: 0 }
body { font-family: 'Liberation Serif', 'Noto Serif', serif; font-size: 14pt; margin: 0 }
.abs { position: absolute }
.c { text-align: center }
.b { font-weight: bold }
.u { text-decoration: underline }
p { margin: 0 0 3mm 0; text-align: justify; text-indent: 10mm; line-height: 1.25 }
"""


def _page(body: str) -> str:
    head = f"<head><meta charset='utf-8'><style>{STYLE}</style></head>"
    return f"<!doctype html><html lang='vi'>{head}<body>{body}</body></html>"


def decision_html(
    *,
    agency_parent: str = "ỦY BAN NHÂN DÂN",
    agency: str = "TỈNH ĐỒNG THÁP",
    title: str = "QUYẾT ĐỊNH",
    subject: str = "Về việc phê duyệt kế hoạch chuyển đổi số năm 2026",
    paragraphs: tuple[str, ...] = (),
    authority: str = "TM. ỦY BAN NHÂN DÂN",
    position_title: str = "CHỦ TỊCH",
    signer_name: str = "Nguyễn Văn Lãnh Đạo",
) -> str:
    e = html.escape
    body_paragraphs = paragraphs or (
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
        "Theo đề nghị của Giám đốc Sở Khoa học và Công nghệ.",
        "Điều 1. Phê duyệt Kế hoạch chuyển đổi số năm 2026 của tỉnh Đồng Tháp kèm theo Quyết định này.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc các "
        "sở, ngành và Chủ tịch Ủy ban nhân dân các xã, phường chịu trách nhiệm thi hành Quyết định này.",
    )
    paragraphs_html = "".join(f"<p>{e(text)}</p>" for text in body_paragraphs)
    return _page(
        f"""
<div class="abs c" style="left:15mm; top:15mm; width:82mm; font-size:13pt">{e(agency_parent)}<br>
  <span class="b">{e(agency)}</span><br><span style="letter-spacing:-1px">———</span></div>
<div class="abs c b" style="left:92mm; top:15mm; width:108mm; font-size:13pt">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>
  <span class="u" style="font-size:14pt">Độc lập - Tự do - Hạnh phúc</span></div>
<div class="abs" style="left:30mm; top:41mm; font-size:13pt">Số:</div>
<div class="abs c b" style="left:20mm; top:60mm; width:170mm">{e(title)}</div>
<div class="abs c b" style="left:20mm; top:67mm; width:170mm">{e(subject)}</div>
<div class="abs c b" style="left:20mm; top:80mm; width:170mm">ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP</div>
<div class="abs" style="left:30mm; top:92mm; width:155mm">{paragraphs_html}</div>
<div class="abs" style="left:20mm; top:205mm; width:90mm; font-size:12pt"><b><i>Nơi nhận:</i></b><br>
  - Như Điều 2;<br>- Lưu: VT.</div>
<div class="abs c b" style="left:112mm; top:200mm; width:80mm">{e(authority)}<br>{e(position_title)}</div>
<div class="abs c b" style="left:112mm; top:246mm; width:80mm">{e(signer_name)}</div>
"""
    )


def appendix_html(title: str = "PHỤ LỤC", subject: str = "Danh mục nhiệm vụ chuyển đổi số năm 2026") -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{n}</td><td>{e(task)}</td><td>{e(unit)}</td></tr>"
        for n, (task, unit) in enumerate(
            (
                ("Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", "Văn phòng UBND tỉnh"),
                ("Ký số văn bản đi hai lớp", "Các sở, ngành"),
                ("Kết nối trục liên thông văn bản quốc gia", "Sở Khoa học và Công nghệ"),
            ),
            start=1,
        )
    )
    return _page(
        f"""
<div class="abs c b" style="left:20mm; top:40mm; width:170mm">{e(title)}</div>
<div class="abs c b" style="left:20mm; top:47mm; width:170mm">{e(subject)}</div>
<table class="abs" style="left:20mm; top:60mm; width:170mm; border-collapse:collapse; font-size:12pt" border="1">
<tr><th>STT</th><th>Nhiệm vụ</th><th>Đơn vị chủ trì</th></tr>{rows}</table>
"""
    )


def result_html(applicant: str = "Lê Thị Công Dân", code: str = "H15.50-261122-0007") -> str:
    e = html.escape
    return _page(
        f"""
<div class="abs c b" style="left:20mm; top:30mm; width:170mm">
  GIẤY CHỨNG NHẬN KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH</div>
<div class="abs" style="left:25mm; top:50mm; width:160mm"><p>Hồ sơ số {e(code)} của ông/bà {e(applicant)}
đã được giải quyết xong.</p></div>
"""
    )


def render(document_html: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=document_html).write_pdf())


def decision_pdf(**kwargs: str) -> bytes:
    return render(decision_html(**kwargs))  # type: ignore[arg-type]


def appendix_pdf() -> bytes:
    return render(appendix_html())


def result_pdf(**kwargs: str) -> bytes:
    return render(result_html(**kwargs))
