"""The official forms (Circular 01/2018/TT-VPCP) as PDF: each form rendered for a dossier brought to the
right state by the services, its text read back with poppler's pdftotext (so the Vietnamese diacritics
are proven to survive the typesetting), who may download which form, and forms that do not apply yet.

Where a test asserts literal dates, it first drives the dossier with the services, then pins the
instants the services stored (received_at, due_at, …) to fixed values, so the expected text is
written out by hand rather than computed by the code under test."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from sen.core import typesetting
from sen.core.calendar import VN_TZ
from sen.dossiers import official_forms
from sen.dossiers.models import Dossier
from sen.dossiers.official_forms import FormNotApplicable, form_pdf, vn_date, vn_datetime
from sen.dossiers.selectors import dossier_get
from sen.dossiers.services import dossier_receive_at_counter, dossier_transition
from sen.dossiers.tests.factories import EFORM, form, publish_version, submit
from sen.identity.tests.factories import CitizenFactory, OrgUnitFactory, StaffFactory
from sen.procedures.specs import ComponentSpec

HEADING = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def poppler(tool: str) -> str:
    """Path of a poppler tool; under CI a missing one fails the test, elsewhere it skips it."""
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} (poppler-utils) is required under CI")
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return path


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text as poppler extracts it, whitespace collapsed to single spaces."""
    source = tmp_path / "form.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(
        [poppler("pdftotext"), "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True, timeout=30
    )
    return " ".join(out.stdout.decode("utf-8").split())


def loaded(actor, dossier: Dossier) -> Dossier:
    """The dossier as the view loads it (history, hand-overs, files prefetched)."""
    return dossier_get(actor=actor, code=dossier.code)


def pin(dossier: Dossier, **instants: dt.datetime) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(**instants)


@pytest.fixture
def received(citizen, officer, unit, version):
    """Submitted online, received by the officer; pinned to 23/02/2026 15:30, due 26/02/2026 17:00."""
    citizen.phone = "0912345678"
    citizen.save(update_fields=["phone"])
    dossier = dossier_transition(actor=officer, dossier=submit(citizen, version, unit), action="receive")
    pin(
        dossier,
        received_at=vn(2026, 2, 23, 15, 30),
        due_at=vn(2026, 2, 26, 17, 0),
        effective_due_at=vn(2026, 2, 26, 17, 0),
    )
    return Dossier.objects.get(pk=dossier.pk)


# --- Dates ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("instant", "text"),
    [
        (vn(2026, 2, 23, 15, 30), "15 giờ 30 phút, ngày 23 tháng 02 năm 2026"),
        (vn(2026, 3, 5, 8, 5), "08 giờ 05 phút, ngày 05 tháng 3 năm 2026"),
        (vn(2026, 11, 1, 0, 0), "00 giờ 00 phút, ngày 01 tháng 11 năm 2026"),
        # stored in UTC, shown in Vietnam time: 20:00 UTC on 31/12 is 03:00 on 1 January in Vietnam
        (dt.datetime(2026, 12, 31, 20, 0, tzinfo=dt.UTC), "03 giờ 00 phút, ngày 01 tháng 01 năm 2027"),
    ],
)
def test_dates_are_written_the_vietnamese_way(instant, text):
    assert vn_datetime(instant) == text


def test_a_date_alone_follows_decree_30():
    assert vn_date(dt.date(2026, 1, 9)) == "ngày 09 tháng 01 năm 2026"
    assert vn_date(dt.date(2026, 10, 20)) == "ngày 20 tháng 10 năm 2026"


@pytest.mark.parametrize(
    ("end", "due", "result"),
    [
        (vn(2026, 2, 24, 10, 0), vn(2026, 2, 25, 9, 0), "Trước hạn"),
        (vn(2026, 2, 25, 8, 0), vn(2026, 2, 25, 9, 0), "Đúng hạn"),
        (vn(2026, 2, 25, 9, 1), vn(2026, 2, 25, 9, 0), "Quá hạn"),
        (None, vn(2026, 2, 25, 9, 0), "Đang xử lý"),
        (None, vn(2026, 2, 20, 9, 0), "Đang xử lý, đã quá hạn"),
    ],
)
def test_each_step_is_judged_against_its_own_due_time(end, due, result):
    assert official_forms._step_result(end, due, vn(2026, 2, 24, 12, 0)) == result


# --- The five forms ------------------------------------------------------------------------------
def test_form_01_receipt_and_appointment(received, officer, tmp_path):
    text = pdf_text(form_pdf(loaded(officer, received), "01"), tmp_path)
    for expected in (
        *HEADING,
        "SỞ TƯ PHÁP",
        "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
        f"Số: {received.code}/TNHS",
        "Đồng Tháp, ngày 23 tháng 02 năm 2026",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {received.code}",
        "Tiếp nhận hồ sơ của: Lê Thị Công Dân",
        "Số điện thoại: 0912345678",
        f"Nội dung yêu cầu giải quyết: {received.procedure_version.name}",
        "to-khai.pdf",
        "Thời gian giải quyết hồ sơ theo quy định là: 3 ngày làm việc",
        "Thời gian nhận hồ sơ: 15 giờ 30 phút, ngày 23 tháng 02 năm 2026",
        "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 26 tháng 02 năm 2026",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Phạm Văn Một Cửa",
    ):
        assert expected in text, expected


def test_form_02_supplement_request(received, officer, tmp_path):
    dossier_transition(
        actor=officer,
        dossier=received,
        action="request-supplement",
        note="Bản sao Giấy khai sinh của người con\n- Ảnh chân dung 4x6",
        reason="Thiếu giấy tờ chứng minh quan hệ nhân thân",
    )
    text = pdf_text(form_pdf(loaded(officer, received), "02"), tmp_path)
    for expected in (
        *HEADING,
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        f"Mã hồ sơ: {received.code}",
        "Hồ sơ của: Lê Thị Công Dân",
        "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:",
        "Bản sao Giấy khai sinh của người con",
        "Ảnh chân dung 4x6",
        "Lý do: Thiếu giấy tờ chứng minh quan hệ nhân thân",
        "liên hệ với Phạm Văn Một Cửa",
        "NGƯỜI HƯỚNG DẪN",
    ):
        assert expected in text, expected


def test_form_03_refusal_at_intake(citizen, officer, unit, version, tmp_path):
    dossier = submit(citizen, version, unit)
    dossier_transition(
        actor=officer, dossier=dossier, action="refuse", reason="Thủ tục không thuộc thẩm quyền của Sở Tư pháp"
    )
    text = pdf_text(form_pdf(loaded(citizen, dossier), "03"), tmp_path)
    for expected in (
        *HEADING,
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        f"Mã hồ sơ: {dossier.code}",
        "từ chối tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau: "
        "Thủ tục không thuộc thẩm quyền của Sở Tư pháp",
        "Xin thông báo cho ông/bà được biết và thực hiện./.",
    ):
        assert expected in text, expected


def test_form_04_apology_with_the_new_date_beside_the_original(received, officer, tmp_path):
    dossier_transition(
        actor=officer,
        dossier=received,
        action="reschedule",
        new_due_at=dt.datetime.now(tz=VN_TZ) + dt.timedelta(days=30),
        reason="Cần xác minh thông tin với cơ quan khác",
    )
    pin(received, rescheduled_due_at=vn(2026, 3, 5, 8, 0))
    text = pdf_text(form_pdf(loaded(officer, received), "04"), tmp_path)
    for expected in (
        *HEADING,
        "ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP",
        "SỞ TƯ PHÁP",
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "Kính gửi: Lê Thị Công Dân",
        f"Mã hồ sơ: {received.code}",
        "Ngày 23 tháng 02 năm 2026, Sở Tư pháp tiếp nhận giải quyết hồ sơ",
        "Thời gian hẹn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 26 tháng 02 năm 2026",
        "Lý do: Cần xác minh thông tin với cơ quan khác",
        "08 giờ 00 phút, ngày 05 tháng 3 năm 2026",
        "THỦ TRƯỞNG CƠ QUAN",
    ):
        assert expected in text, expected


def test_form_05_process_control_slip_lists_every_hand_over(received, officer, specialist, leader, tmp_path):
    dossier = dossier_transition(actor=officer, dossier=received, action="assign", assignee=specialist.username)
    dossier = dossier_transition(actor=specialist, dossier=dossier, action="forward", assignee=leader.username)
    dossier = dossier_transition(actor=leader, dossier=dossier, action="approve")
    data = official_forms.form_gather(loaded(officer, dossier), "05")
    rows = data.extra["rows"]
    assert [(r.order, r.giver, r.receiver) for r in rows] == [
        (1, "Phạm Văn Một Cửa", "Phạm Văn Một Cửa"),
        (2, "Phạm Văn Một Cửa", "Võ Thị Chuyên Viên"),
        (3, "Võ Thị Chuyên Viên", "Nguyễn Văn Lãnh Đạo"),
        (4, "Nguyễn Văn Lãnh Đạo", "Phạm Văn Một Cửa"),
    ]
    # the first three steps were handed on at once, the last is still with the officer
    assert all(r.result in ("Trước hạn", "Đúng hạn") for r in rows[:3])
    assert rows[3].result.startswith("Đang xử lý")
    text = pdf_text(form_pdf(loaded(officer, dossier), "05"), tmp_path)
    for expected in (
        *HEADING,
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        f"Mã hồ sơ: {dossier.code}",
        f"Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: {dossier.code}/TNHS",
        "Cơ quan (bộ phận) giải quyết hồ sơ: Sở Tư pháp",
        "Giao: Võ Thị Chuyên Viên",
        "Nhận: Nguyễn Văn Lãnh Đạo",
        "Thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 26 tháng 02 năm 2026",
        rows[1].at,
    ):
        assert expected in text, expected


def test_form_01_of_a_paper_dossier_lists_the_components_and_the_address(citizen, officer, unit):
    version = publish_version(
        eform=[
            *EFORM,
            {"name": "dia_chi", "label": "Địa chỉ thường trú", "type": "address", "required": True},
        ],
        components=[
            # not required: a paper dossier handed in without scans lists the procedure's components
            ComponentSpec("Tờ khai đăng ký khai sinh", originals=1, required=False),
            ComponentSpec("Giấy chứng sinh", copies=2, required=False),
        ],
    )
    address = {"detail": "Số 12 đường Nguyễn Huệ", "commune": "Phường Cao Lãnh", "province": "Đồng Tháp"}
    dossier = dossier_receive_at_counter(
        actor=officer,
        applicant=citizen,
        procedure_code=version.procedure.code,
        form_data=form(dia_chi=address),
        unit=unit,
    )
    data = official_forms.form_gather(loaded(officer, dossier), "01")
    assert data.applicant.address == "Số 12 đường Nguyễn Huệ, Phường Cao Lãnh, Đồng Tháp"
    assert data.extra["components"] == ["Tờ khai đăng ký khai sinh (01 bản chính)", "Giấy chứng sinh (02 bản sao)"]
    assert data.extra["return_place"] == "Bộ phận Tiếp nhận và Trả kết quả – Sở Tư pháp"


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("SỞ TƯ PHÁP", ["SỞ TƯ PHÁP"]),
        ("ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP", ["ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG THÁP"]),
        ("BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", ["BỘ PHẬN TIẾP NHẬN", "VÀ TRẢ KẾT QUẢ"]),
    ],
)
def test_agency_names_are_broken_in_balanced_lines(name, lines):
    assert typesetting.balanced_lines(name) == lines


def test_the_pdf_is_set_in_a_times_style_font_with_the_fonts_embedded(received, officer, tmp_path):
    source = tmp_path / "form.pdf"
    source.write_bytes(form_pdf(loaded(officer, received), "01"))
    fonts = subprocess.run([poppler("pdffonts"), str(source)], capture_output=True, check=True, timeout=30)
    listing = fonts.stdout.decode()
    assert "LiberationSerif" in listing.replace("-", "") or "NotoSerif" in listing.replace("-", ""), listing
    assert all(line.split()[-5] == "yes" for line in listing.splitlines()[2:]), listing  # every font embedded


def test_rendering_a_form_takes_well_under_a_second(received, officer):
    dossier = loaded(officer, received)
    form_pdf(dossier, "01")  # the first render of the process loads the fonts
    started = time.perf_counter()
    pdf = form_pdf(dossier, "01")
    elapsed = time.perf_counter() - started
    assert pdf.startswith(b"%PDF-")
    assert elapsed < 0.6, f"{elapsed:.3f} s"


def test_the_forms_stay_vietnamese_for_an_officer_working_in_english(received, officer, specialist):
    dossier = dossier_transition(actor=officer, dossier=received, action="assign", assignee=specialist.username)

    with translation.override("en"):
        receipt = official_forms.form_gather(loaded(officer, dossier), "01")
        slip = official_forms.form_gather(loaded(officer, dossier), "05")

    assert receipt.extra["processing_time"] == "3 ngày làm việc"
    assert slip.extra["state_label"] == "Đang xử lý"
    assert slip.extra["rows"][0].result in ("Trước hạn", "Đúng hạn")


# --- Not yet applicable --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("02", "chưa có yêu cầu bổ sung"),
        ("03", "không bị từ chối tiếp nhận"),
        ("04", "chưa được hẹn lại ngày trả kết quả"),
    ],
)
def test_a_form_that_does_not_apply_yet_is_refused(received, officer, number, message):
    with pytest.raises(FormNotApplicable) as caught:
        form_pdf(loaded(officer, received), number)
    assert message in caught.value.message


def test_before_receipt_there_is_no_receipt_and_no_slip(citizen, officer, unit, version):
    dossier = loaded(officer, submit(citizen, version, unit))
    for number in ("01", "05"):
        with pytest.raises(FormNotApplicable):
            form_pdf(dossier, number)


# --- Downloads and who may have them -----------------------------------------------------------
def url(dossier: Dossier, number: str) -> str:
    return reverse(f"dossiers:form_{number}", args=[dossier.code])


@pytest.fixture
def rescheduled(received, officer):
    """`received` with a supplement requested and answered and a new date: forms 01, 02, 04 and 05 apply."""
    dossier_transition(actor=officer, dossier=received, action="request-supplement", note="Ảnh 4x6")
    dossier_transition(actor=received.applicant, dossier=received, action="supplement")
    dossier_transition(
        actor=officer,
        dossier=received,
        action="reschedule",
        new_due_at=dt.datetime.now(tz=VN_TZ) + dt.timedelta(days=30),
        reason="Chờ ý kiến cơ quan phối hợp",
    )
    return received


@pytest.mark.parametrize(
    ("who", "number", "status"),
    [
        ("applicant", "01", 200),
        ("applicant", "02", 200),
        ("applicant", "04", 200),
        ("applicant", "05", 404),
        ("officer", "01", 200),
        ("officer", "05", 200),
        ("specialist", "02", 200),
        ("specialist", "05", 200),
        ("other_citizen", "01", 404),
        ("other_citizen", "05", 404),
        ("other_unit_officer", "01", 404),
        ("other_unit_officer", "05", 404),
        ("clerk", "05", 404),  # staff of the unit without a one-stop role
    ],
)
def test_who_may_download_which_form(client, rescheduled, officer, specialist, clerk, who, number, status):
    other_unit = OrgUnitFactory(code="H15.51", name="Sở Xây dựng")
    people = {
        "applicant": rescheduled.applicant,
        "officer": officer,
        "specialist": specialist,
        "clerk": clerk,
        "other_citizen": CitizenFactory(full_name="Đỗ Văn Người Khác"),
        "other_unit_officer": StaffFactory(
            full_name="Mai Thị Sở Khác", unit=other_unit, position="Cán bộ một cửa", roles=["one_stop_officer"]
        ),
    }
    client.force_login(people[who])
    response = client.get(url(rescheduled, number))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert f'filename="mau-{number}-' in response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-store"
    else:
        assert "Không tìm thấy hồ sơ có mã" in response.content.decode()


def test_a_form_not_applicable_yet_answers_404_with_a_vietnamese_page(client, received):
    client.force_login(received.applicant)
    response = client.get(url(received, "04"))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Không tìm thấy phiếu" in page
    assert "Hồ sơ chưa được hẹn lại ngày trả kết quả nên chưa có Phiếu xin lỗi và hẹn lại ngày trả kết quả." in page


def test_an_unknown_dossier_answers_404(client, officer):
    client.force_login(officer)
    response = client.get(reverse("dossiers:form_01", args=["H15.50-260223-9999"]))
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ có mã H15.50-260223-9999." in response.content.decode()


def test_a_visitor_must_log_in(client, received):
    response = client.get(url(received, "01"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_only_get_is_allowed(client, received):
    client.force_login(received.applicant)
    assert client.post(url(received, "01")).status_code == 405
