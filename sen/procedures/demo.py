"""The demo province's procedures: seven real procedures of the national catalogue, read from the
vendored extract (data/procedures/), with what the province adds: the online level, the e-form, the
downloadable forms (generated here as .docx/.xlsx), the internal workflow — and, where the crawled
record gives no readable time or fee, the legal one, with the legal basis in `processing_note`.
Idempotent: an unchanged spec publishes nothing (sen.procedures.services.procedure_publish)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings

from sen.procedures.choices import Channel, OnlineLevel, Source, TimeUnit
from sen.procedures.formfiles import docx_form, xlsx_form
from sen.procedures.parsing import default_workflow, parse_file
from sen.procedures.services import procedure_publish
from sen.procedures.specs import ComponentSpec, FeeSpec, FormSpec, ProcedureSpec

EXTRACT = Path(settings.BASE_DIR) / "data" / "procedures" / "dvcqg_tthc_province_commune_2026-07.jsonl.gz"
COMMUNE_PC = "Ủy ban nhân dân cấp xã"


def _f(name: str, label: str, kind: str, required: bool = True, **validation: Any) -> dict[str, Any]:
    return {"name": name, "label": label, "type": kind, "required": required, "validation": validation}


def _choices(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"value": value, "label": label} for value, label in pairs]


REQUESTER = [
    _f("nguoi_yeu_cau", "Họ, chữ đệm, tên người yêu cầu", "text", min_length=2, max_length=100),
    _f("cccd_nguoi_yeu_cau", "Số CCCD người yêu cầu", "cccd"),
    _f("noi_cu_tru", "Nơi cư trú", "address"),
]


@dataclass
class DemoProcedure:
    code: str
    online_level: str
    eform: list[dict[str, Any]]
    form_title: str
    form_filename: str
    form_builder: Callable[[], bytes]
    agency: str = ""
    time: tuple[int, str, str] | None = None  # (amount, unit, legal basis) when the record has none readable
    fees: list[FeeSpec] | None = None  # replaces the parsed fees when they are unreadable
    extra: dict[str, Any] = field(default_factory=dict)


def _lines(eform: list[dict[str, Any]]) -> list[str]:
    return [item["label"] for item in eform]


BIRTH = [
    _f("ho_ten_tre", "Họ, chữ đệm, tên người được khai sinh", "text", min_length=2, max_length=100),
    _f("ngay_sinh", "Ngày, tháng, năm sinh", "date", max="today"),
    _f("gioi_tinh", "Giới tính", "choice", options=_choices(("nam", "Nam"), ("nu", "Nữ"))),
    _f("noi_sinh", "Nơi sinh", "address"),
    _f("ho_ten_me", "Họ, chữ đệm, tên người mẹ", "text", max_length=100),
    _f("cccd_me", "Số CCCD của người mẹ", "cccd"),
    _f("ho_ten_cha", "Họ, chữ đệm, tên người cha", "text", required=False, max_length=100),
    _f("cccd_cha", "Số CCCD của người cha", "cccd", required=False),
    *REQUESTER,
]
HOUSEHOLD_BUSINESS = [
    _f("ten_ho_kinh_doanh", "Tên hộ kinh doanh", "text", min_length=3, max_length=200),
    _f("chu_ho", "Họ, chữ đệm, tên chủ hộ kinh doanh", "text", max_length=100),
    _f("cccd_chu_ho", "Số CCCD của chủ hộ kinh doanh", "cccd"),
    _f("dia_diem", "Địa điểm kinh doanh", "address"),
    _f("nganh_nghe", "Ngành, nghề kinh doanh", "text", max_length=1000),
    _f("von_kinh_doanh", "Vốn kinh doanh (đồng)", "number", integer=True, min=0),
    _f("so_lao_dong", "Số lao động", "number", required=False, integer=True, min=0, max=10000),
]
CERTIFIED_COPY = [
    _f("ten_giay_to", "Tên giấy tờ, văn bản cần chứng thực", "text", max_length=300),
    _f("so_trang", "Số trang của bản chính", "number", integer=True, min=1, max=1000),
    _f("so_ban", "Số bản sao cần chứng thực", "number", integer=True, min=1, max=50),
    *REQUESTER,
]
CONSTRUCTION = [
    _f("chu_dau_tu", "Tên chủ đầu tư", "text", max_length=200),
    _f("cccd_chu_dau_tu", "Số CCCD của chủ đầu tư", "cccd"),
    _f("dia_diem_xay_dung", "Địa điểm xây dựng", "address"),
    _f("thua_dat", "Lô đất / thửa đất số, tờ bản đồ số", "text", max_length=200),
    _f("dien_tich_xay_dung", "Diện tích xây dựng tầng 1 (m²)", "number", min=1, max=100000),
    _f("so_tang", "Số tầng", "number", integer=True, min=1, max=20),
    _f(
        "cap_cong_trinh",
        "Cấp công trình",
        "choice",
        options=_choices(("III", "Cấp III"), ("IV", "Cấp IV"), ("nha_o", "Nhà ở riêng lẻ")),
    ),
]
JUDICIAL_RECORD = [
    _f("ho_ten", "Họ, chữ đệm, tên", "text", max_length=100),
    _f("ngay_sinh", "Ngày, tháng, năm sinh", "date", max="today"),
    _f("cccd", "Số CCCD", "cccd"),
    _f("noi_thuong_tru", "Nơi thường trú", "address"),
    _f(
        "loai_phieu", "Loại Phiếu lý lịch tư pháp", "choice", options=_choices(("1", "Phiếu số 1"), ("2", "Phiếu số 2"))
    ),
    _f("so_luong", "Số lượng Phiếu yêu cầu cấp", "number", integer=True, min=1, max=10),
    _f("muc_dich", "Mục đích sử dụng Phiếu", "text", required=False, max_length=300),
]
HOUSEHOLD_CHANGE = [
    _f("ma_so_ho_kinh_doanh", "Mã số hộ kinh doanh", "text", min_length=10, max_length=20),
    _f("ten_ho_kinh_doanh", "Tên hộ kinh doanh", "text", max_length=200),
    _f("cccd_chu_ho", "Số CCCD của chủ hộ kinh doanh", "cccd"),
    _f(
        "noi_dung_thay_doi",
        "Nội dung đăng ký thay đổi",
        "choice",
        options=_choices(
            ("ten", "Tên hộ kinh doanh"),
            ("dia_diem", "Địa điểm kinh doanh"),
            ("nganh_nghe", "Ngành, nghề"),
            ("von", "Vốn kinh doanh"),
            ("chu_ho", "Chủ hộ kinh doanh"),
        ),
    ),
    _f("noi_dung_moi", "Nội dung sau khi thay đổi", "text", max_length=1000),
]
ENTERPRISE_CHANGE = [
    _f("ma_so_doanh_nghiep", "Mã số doanh nghiệp", "text", min_length=10, max_length=14),
    _f("ten_doanh_nghiep", "Tên doanh nghiệp", "text", max_length=300),
    _f("nguoi_dai_dien", "Người đại diện theo pháp luật", "text", max_length=100),
    _f("cccd_nguoi_dai_dien", "Số CCCD người đại diện theo pháp luật", "cccd"),
    _f(
        "noi_dung_thay_doi",
        "Nội dung đăng ký thay đổi",
        "choice",
        options=_choices(
            ("dia_chi", "Địa chỉ trụ sở chính"),
            ("ten", "Tên doanh nghiệp"),
            ("nganh_nghe", "Ngành, nghề kinh doanh"),
            ("thue", "Thông tin đăng ký thuế"),
        ),
    ),
    _f("dia_chi_moi", "Địa chỉ trụ sở chính mới (nếu thay đổi)", "address", required=False),
]

DEMO_PROCEDURES = [
    DemoProcedure(
        code="1.001193",
        online_level=OnlineLevel.FULL,
        eform=BIRTH,
        agency=COMMUNE_PC,
        form_title="Tờ khai đăng ký khai sinh",
        form_filename="to-khai-dang-ky-khai-sinh.docx",
        form_builder=lambda: docx_form(
            "Tờ khai đăng ký khai sinh",
            _lines(BIRTH),
            legal_note="Mẫu theo Thông tư 04/2020/TT-BTP (bản minh họa của Sen)",
        ),
    ),
    DemoProcedure(
        code="1.001612",
        online_level=OnlineLevel.FULL,
        eform=HOUSEHOLD_BUSINESS,
        agency=COMMUNE_PC,
        time=(
            3,
            TimeUnit.WORKING_DAYS,
            "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ (trình tự thực hiện; Nghị định 168/2025/NĐ-CP);"
            " cột thời gian của CSDL quốc gia để trống.",
        ),
        form_title="Giấy đề nghị đăng ký hộ kinh doanh",
        form_filename="giay-de-nghi-dang-ky-ho-kinh-doanh.docx",
        form_builder=lambda: docx_form("Giấy đề nghị đăng ký hộ kinh doanh", _lines(HOUSEHOLD_BUSINESS)),
    ),
    DemoProcedure(
        code="2.000815",
        online_level=OnlineLevel.NONE,
        eform=CERTIFIED_COPY,
        agency=COMMUNE_PC,
        time=(
            1,
            TimeUnit.WORKING_DAYS,
            "Trong ngày tiếp nhận yêu cầu, hoặc ngày làm việc tiếp theo nếu tiếp nhận sau 15 giờ"
            " (Nghị định 23/2015/NĐ-CP); cột thời gian của CSDL quốc gia để trống.",
        ),
        # The record also lists 10 USD per copy at diplomatic missions; not a province's fee.
        fees=[
            FeeSpec(
                2000,
                "Hai trang đầu: 2.000 đồng/trang; từ trang thứ 3: 1.000 đồng/trang; tối đa 200.000 đồng/bản.",
                True,
                "trang",
            ),
        ],
        form_title="Bảng kê giấy tờ đề nghị chứng thực",
        form_filename="bang-ke-giay-to-chung-thuc.xlsx",
        form_builder=lambda: xlsx_form(
            "Bảng kê giấy tờ, văn bản đề nghị chứng thực bản sao từ bản chính",
            ["Tên giấy tờ, văn bản", "Số trang", "Số bản sao"],
        ),
    ),
    DemoProcedure(
        code="1.013225",
        online_level=OnlineLevel.PARTIAL,
        eform=CONSTRUCTION,
        form_title="Đơn đề nghị cấp giấy phép xây dựng",
        form_filename="don-de-nghi-cap-giay-phep-xay-dung.docx",
        form_builder=lambda: docx_form(
            "Đơn đề nghị cấp giấy phép xây dựng",
            _lines(CONSTRUCTION),
            legal_note="Mẫu số 01 Phụ lục II Nghị định 175/2024/NĐ-CP (bản minh họa của Sen)",
        ),
    ),
    DemoProcedure(
        code="3.000333",
        online_level=OnlineLevel.FULL,
        eform=JUDICIAL_RECORD,
        # The record says "Miễn phí (theo Thông tư 244/2016/TT-BTC)"; that circular sets the fee.
        fees=[
            FeeSpec(200000, "Phí cung cấp thông tin lý lịch tư pháp (Thông tư 244/2016/TT-BTC).", True, "phiếu"),
        ],
        form_title="Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu số 01/2025/LLTP)",
        form_filename="to-khai-ly-lich-tu-phap.docx",
        form_builder=lambda: docx_form(
            "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
            _lines(JUDICIAL_RECORD),
            legal_note="Mẫu số 01/2025/LLTP (bản minh họa của Sen)",
        ),
    ),
    DemoProcedure(
        code="2.000720",
        online_level=OnlineLevel.FULL,
        eform=HOUSEHOLD_CHANGE,
        agency=COMMUNE_PC,
        time=(
            3,
            TimeUnit.WORKING_DAYS,
            "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ (trình tự thực hiện);"
            " cột thời gian của CSDL quốc gia ghi “1” không kèm đơn vị.",
        ),
        form_title="Thông báo thay đổi nội dung đăng ký hộ kinh doanh",
        form_filename="thong-bao-thay-doi-ho-kinh-doanh.docx",
        form_builder=lambda: docx_form("Thông báo thay đổi nội dung đăng ký hộ kinh doanh", _lines(HOUSEHOLD_CHANGE)),
    ),
    DemoProcedure(
        code="2.002041",
        online_level=OnlineLevel.FULL,
        eform=ENTERPRISE_CHANGE,
        time=(
            3,
            TimeUnit.WORKING_DAYS,
            "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ (trình tự thực hiện);"
            " cột thời gian và lệ phí của CSDL quốc gia bị dính liền (“1100 VNĐ”).",
        ),
        fees=[
            FeeSpec(
                100000,
                "Phí công bố nội dung đăng ký doanh nghiệp (Thông tư 47/2019/TT-BTC).",
                False,
                "",
                Channel.ONLINE,
            ),
            FeeSpec(
                25000, "Lệ phí đăng ký doanh nghiệp: 50% mức thu (Thông tư 64/2025/TT-BTC).", False, "", Channel.POSTAL
            ),
            FeeSpec(
                25000, "Lệ phí đăng ký doanh nghiệp: 50% mức thu (Thông tư 64/2025/TT-BTC).", False, "", Channel.COUNTER
            ),
        ],
        form_title="Thông báo thay đổi nội dung đăng ký doanh nghiệp",
        form_filename="thong-bao-thay-doi-dang-ky-doanh-nghiep.docx",
        form_builder=lambda: docx_form("Thông báo thay đổi nội dung đăng ký doanh nghiệp", _lines(ENTERPRISE_CHANGE)),
    ),
]
DEMO_CODES = [item.code for item in DEMO_PROCEDURES]


def demo_spec(item: DemoProcedure, base: ProcedureSpec) -> ProcedureSpec:
    form = FormSpec(title=item.form_title, filename=item.form_filename, content=item.form_builder())
    # The e-form holds the declaration's data, so the downloadable form is for those who fill it on
    # paper; the components the national record requires stay required.
    components = [
        ComponentSpec(
            name=f"{item.form_title} (theo mẫu)", group="Giấy tờ phải nộp", originals=1, required=False, forms=(form,)
        )
    ]
    changes: dict[str, Any] = {
        "online_level": item.online_level,
        "eform": item.eform,
        "workflow": default_workflow(),
        "components": components + list(base.components),
        "source": Source.PROVINCE,
    }
    if item.agency and not base.agency:
        changes["agency"] = item.agency
    if item.time is not None:
        changes["processing_amount"], changes["processing_unit"], changes["processing_note"] = item.time
    if item.fees is not None:
        changes["fees"] = item.fees
    return dataclasses.replace(base, **changes, **item.extra)


def demo_build(*, stdout: TextIO) -> dict[str, int]:
    report = parse_file(EXTRACT, codes=set(DEMO_CODES))
    by_code = {record.code: record for record in report.records if record.spec is not None}
    published = 0
    for item in DEMO_PROCEDURES:
        base = by_code[item.code].spec
        assert base is not None
        _version, changed = procedure_publish(
            actor=None, spec=demo_spec(item, base), change_note="Thủ tục của tỉnh demo"
        )
        published += int(changed)
    stdout.write(f"Thủ tục hành chính: {len(DEMO_PROCEDURES)} ({published} phiên bản mới)\n")
    return {"procedure_versions_published": published}
