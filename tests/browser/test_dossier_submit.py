"""A citizen finds a procedure, submits a dossier online with a PDF, sees its code, and then tracks it
by code and phone without logging in (issue 3, submission and tracking)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from sen.dossiers.models import Dossier
from sen.dossiers.tests.factories import PDF, publish_version
from sen.identity.tests.factories import TEST_PASSWORD, CitizenFactory
from sen.procedures.choices import OnlineLevel

CCCD = "082095004321"  # fictitious
PHONE = "0918765432"  # fictitious
EFORM = [
    {"name": "ho_ten_tre", "label": "Họ và tên người được khai sinh", "type": "text", "required": True},
    {"name": "ngay_sinh", "label": "Ngày sinh", "type": "date", "required": True, "validation": {"max": "today"}},
    {
        "name": "gioi_tinh",
        "label": "Giới tính",
        "type": "choice",
        "required": True,
        "validation": {"options": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}]},
    },
    {"name": "cccd_me", "label": "Số CCCD của người mẹ", "type": "cccd", "required": True},
    {"name": "noi_cu_tru", "label": "Nơi cư trú", "type": "address", "required": True},
]


@pytest.mark.django_db(transaction=True)
def test_citizen_submits_online_and_tracks_without_logging_in(
    live_server, page: Page, officer, unit, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"  # uploads go to this test's directory
    # given a procedure open to online submission, a unit with a one-stop desk, a citizen
    version = publish_version(name="Đăng ký khai sinh (thử nghiệm)", eform=EFORM, online_level=OnlineLevel.FULL)
    code = version.procedure.code
    CitizenFactory(national_id=CCCD, full_name="Võ Thị Mẹ", phone=PHONE)
    pdf = tmp_path / "to-khai-khai-sinh.pdf"
    pdf.write_bytes(PDF)

    # the citizen finds the procedure in the catalogue
    page.goto(f"{live_server.url}/procedures/")
    page.locator("#id_q").fill("khai sinh")
    page.locator("form.search button[type=submit]").click()
    page.get_by_role("link", name="Đăng ký khai sinh (thử nghiệm)").click()
    expect(page.locator("#procedure-code")).to_have_text(code)

    # opens the submission page, logs in, and comes back to it
    page.goto(f"{live_server.url}/dossiers/submit/{code}/")
    page.locator("input[name=username]").fill(CCCD)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", name="Nộp hồ sơ trực tuyến")).to_be_visible()

    # fills the e-form and first gets an inline error for a malformed CCCD
    page.locator("select[name=_unit_code]").select_option(unit.code)
    page.locator("input[name=ho_ten_tre]").fill("Võ Minh An")
    page.locator("input[name=ngay_sinh]").fill("2026-01-15")
    page.locator("select[name=gioi_tinh]").select_option("nam")
    page.locator("input[name=cccd_me]").fill("12345")
    page.locator("input[name=noi_cu_tru_detail]").fill("12 đường Lê Lợi")
    page.locator("input[name=noi_cu_tru_commune]").fill("Phường Mỹ Tho")
    page.locator("input[name=noi_cu_tru_province]").fill("Đồng Tháp")
    file_input = page.locator("#components input[type=file]")
    file_input.set_input_files(str(pdf))
    page.get_by_role("button", name="Nộp hồ sơ").click()
    cccd = page.locator("input[name=cccd_me]")
    expect(cccd).to_have_attribute("aria-invalid", "true")
    error_id = cccd.get_attribute("aria-describedby").split()[-1]
    expect(page.locator(f"#{error_id}")).to_contain_text("12 chữ số")
    assert Dossier.objects.count() == 0

    # corrects it, attaches the PDF again (a browser never keeps a file input) and submits
    expect(page.locator("input[name=ho_ten_tre]")).to_have_value("Võ Minh An")
    cccd.fill("082190001234")
    file_input.set_input_files(str(pdf))
    page.get_by_role("button", name="Nộp hồ sơ").click()

    # sees the code on the dossier's page
    expect(page.locator(".msg-success")).to_contain_text("Mã hồ sơ của bạn là")
    dossier_code = page.locator("#dossier-code").inner_text().strip()
    assert re.fullmatch(rf"{re.escape(unit.code)}-\d{{6}}-0001", dossier_code)
    expect(page.locator(".msg-success")).to_contain_text(dossier_code)
    expect(page.locator("#dossier-state")).to_have_text("Mới đăng ký")
    expect(page.locator("#files")).to_contain_text("to-khai-khai-sinh.pdf")
    assert Dossier.objects.get().code == dossier_code

    # logs out and tracks it with the code and the last four digits of the phone
    page.locator("header").get_by_role("button", name="Đăng xuất").click()
    expect(page.locator("header")).not_to_contain_text("Võ Thị Mẹ")
    page.goto(f"{live_server.url}/dossiers/track/")
    page.locator("input[name=code]").fill(dossier_code)
    page.locator("input[name=phone_last4]").fill(PHONE[-4:])
    page.get_by_role("button", name="Tra cứu").click()
    result = page.locator("#track-result")
    expect(result).to_contain_text(dossier_code)
    expect(result.locator("#dossier-state")).to_have_text("Mới đăng ký")
    expect(result.locator("#history")).to_contain_text("Nộp hồ sơ")

    # a wrong phone gets the "not found" message, and no history
    page.locator("input[name=phone_last4]").fill("0000")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.locator(".form-errors")).to_contain_text("Không tìm thấy hồ sơ")
    expect(page.locator("#track-result")).to_have_count(0)
