"""The whole journey in a browser (issue 3, "Done when"): a citizen finds birth registration in the
catalogue and submits it online with a PDF; the one-stop officer receives it and assigns it to the
specialist; the specialist forwards it to the leader; the leader approves; the officer completes it
(the e-result is signed with the receiving unit's certificate) and returns it; the citizen sees the
result, rates it and downloads the signed PDF, which validates: one signature, intact, trusted, by
the receiving unit. Each person has their own browser context (their own cookies)."""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from sen.dossiers.choices import DossierState
from sen.dossiers.models import Dossier
from sen.dossiers.tests.factories import PDF
from sen.identity.tests.factories import TEST_PASSWORD, CitizenFactory
from sen.procedures.demo import demo_build
from sen.signing import services as signing
from sen.signing.validation import ValidationReport, pdf_validate

BIRTH = "1.001193"
CCCD = "082096007531"  # fictitious
PHONE = "0917654321"  # fictitious


def validate_off_the_event_loop(data: bytes) -> ValidationReport:
    """pdf_validate in a worker thread: Playwright's sync API keeps an asyncio loop running in this
    thread, and pyHanko's synchronous validation calls asyncio.run(), which refuses to nest."""

    def work() -> ValidationReport:
        try:
            return pdf_validate(data)
        finally:
            connection.close()  # the worker's own database connection

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header")).to_contain_text("Đăng xuất")


def act(page: Page, action: str, *, assignee: str | None = None, note: str = "") -> None:
    """Opens an action's box on the staff dossier page, fills it and submits it (htmx swaps the panel)."""
    box = page.locator(f"#action-{action}")
    box.locator("summary").click()
    if assignee is not None:
        box.locator("select").select_option(assignee)
    if note:
        box.locator("textarea").last.fill(note)
    box.locator("button[type=submit]").click()


def open_work_dossier(page: Page, base: str, tab: str, code: str) -> None:
    page.goto(f"{base}/dossiers/work/?tab={tab}")
    expect(page.locator(f"a[data-tab={tab}] .tab-count")).to_have_text("1")
    page.locator("#queue-table").get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", name=f"Hồ sơ {code}")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_the_whole_journey_in_the_browser(
    live_server, page: Page, person_page, officer, specialist, leader, unit, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    # given the demo catalogue, a unit with its organisation certificate and its one-stop staff, a citizen
    demo_build(stdout=io.StringIO())
    settings.VAR_DIR = tmp_path
    certificate = signing.certificate_issue(actor=None, unit=unit)
    CitizenFactory(national_id=CCCD, full_name="Trần Thị Mẹ Sen", phone=PHONE)
    pdf = tmp_path / "giay-chung-sinh.pdf"
    pdf.write_bytes(PDF)

    # the citizen searches the catalogue without accents' help and opens birth registration
    page.goto(f"{base}/procedures/")
    page.locator("#id_q").fill("khai sinh")
    page.locator("form.search button[type=submit]").click()
    page.locator(f"a[href='/procedures/{BIRTH}/']").first.click()
    expect(page.locator("#procedure-code")).to_have_text(BIRTH)
    expect(page.locator("h1")).to_contain_text("khai sinh")

    # clicks "Nộp hồ sơ trực tuyến", logs in, and lands on the submission page
    page.locator("#submit-online").click()
    page.locator("input[name=username]").fill(CCCD)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", name="Nộp hồ sơ trực tuyến")).to_be_visible()
    expect(page.locator("#procedure-name")).to_contain_text(BIRTH)

    # fills the e-form, attaches the PDF and submits
    page.locator("select[name=_unit_code]").select_option(unit.code)
    page.locator("input[name=ho_ten_tre]").fill("Nguyễn Thị Bé Sen")
    page.locator("input[name=ngay_sinh]").fill("2026-11-01")
    page.locator("select[name=gioi_tinh]").select_option("nu")
    for prefix in ("noi_sinh", "noi_cu_tru"):
        page.locator(f"input[name={prefix}_detail]").fill("Số 12, ấp Mỹ Thạnh")
        page.locator(f"input[name={prefix}_commune]").fill("Xã Mỹ An")
        page.locator(f"input[name={prefix}_province]").fill("Tỉnh Đồng Tháp")
    page.locator("input[name=ho_ten_me]").fill("Trần Thị Mẹ Sen")
    page.locator("input[name=cccd_me]").fill(CCCD)
    page.locator("input[name=nguoi_yeu_cau]").fill("Trần Thị Mẹ Sen")
    page.locator("input[name=cccd_nguoi_yeu_cau]").fill(CCCD)
    page.locator("#components").get_by_label(re.compile(r"^Giấy chứng sinh")).set_input_files(str(pdf))
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()

    # reads the code on the dossier's page
    expect(page.locator(".msg-success")).to_contain_text("Mã hồ sơ của bạn là")
    code = page.locator("#dossier-code").inner_text().strip()
    assert re.fullmatch(rf"{re.escape(unit.code)}-\d{{6}}-0001", code)
    expect(page.locator("#dossier-state")).to_have_text("Mới đăng ký")
    expect(page.locator("#files")).to_contain_text("giay-chung-sinh.pdf")

    # the one-stop officer finds it waiting for receipt, receives it and assigns it to the specialist
    officer_page = person_page()
    log_in(officer_page, base, officer.username)
    open_work_dossier(officer_page, base, "receive", code)
    act(officer_page, "receive", note="Hồ sơ đủ thành phần")
    expect(officer_page.locator("#dossier-state")).to_have_text("Đã tiếp nhận")
    expect(officer_page.locator("#dossier-panel .msg-success")).to_contain_text("Tiếp nhận")
    expect(officer_page.locator("#history")).to_contain_text("Hồ sơ đủ thành phần")
    expect(officer_page.locator("#due-at")).not_to_have_text("—")
    act(officer_page, "assign", assignee=specialist.username)
    expect(officer_page.locator("#dossier-state")).to_have_text("Đang xử lý")
    expect(officer_page.locator("#handovers")).to_contain_text(specialist.full_name)

    # the specialist processes it and forwards it to the leader
    specialist_page = person_page()
    log_in(specialist_page, base, specialist.username)
    open_work_dossier(specialist_page, base, "mine", code)
    act(specialist_page, "forward", assignee=leader.username, note="Đã thẩm định, đủ điều kiện")
    expect(specialist_page.locator("#dossier-panel .msg-success")).to_contain_text("Chuyển bước tiếp theo")
    expect(specialist_page.locator("#handovers")).to_contain_text(leader.full_name)

    # the leader approves: the dossier goes back to the officer who received it
    leader_page = person_page()
    log_in(leader_page, base, leader.username)
    open_work_dossier(leader_page, base, "mine", code)
    act(leader_page, "approve")
    expect(leader_page.locator("#dossier-panel .msg-success")).to_contain_text("Phê duyệt")
    expect(leader_page.locator("#handovers tbody tr")).to_have_count(4)
    expect(leader_page.locator("#handovers tbody tr").last).to_contain_text(officer.full_name)

    # the officer completes it (the e-result is signed) and returns the result
    open_work_dossier(officer_page, base, "mine", code)
    act(officer_page, "complete")
    expect(officer_page.locator("#dossier-state")).to_have_text("Đã xử lý xong")
    expect(officer_page.locator("#documents")).to_contain_text("Kết quả điện tử (PDF có chữ ký số)")
    act(officer_page, "return-result")
    expect(officer_page.locator("#dossier-state")).to_have_text("Đã trả kết quả")
    expect(officer_page.locator("#history")).to_contain_text("Trả kết quả")

    # the citizen sees the result returned and rates it
    page.goto(f"{base}/dossiers/{code}/")
    expect(page.locator("#dossier-state")).to_have_text("Đã trả kết quả")
    page.locator("#result-link").click()
    expect(page.get_by_role("heading", name=f"Kết quả giải quyết hồ sơ {code}")).to_be_visible()
    expect(page.locator("main")).to_contain_text(unit.name)
    page.get_by_role("link", name="Đánh giá việc giải quyết hồ sơ").click()
    page.get_by_label("Rất hài lòng").check()
    page.get_by_label("Góp ý (không bắt buộc)").fill("Cán bộ hướng dẫn tận tình, trả kết quả sớm.")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator(".msg-success")).to_contain_text("Cảm ơn ông/bà đã đánh giá mức độ hài lòng.")
    expect(page.locator("main")).to_contain_text("Rất hài lòng")
    expect(page.get_by_role("link", name="Đánh giá việc giải quyết hồ sơ")).to_have_count(0)

    # and downloads the signed e-result
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải kết quả điện tử (PDF đã ký số)").click()
    download = download_info.value
    assert download.suggested_filename == f"ket-qua-{code}.pdf"
    data = Path(download.path()).read_bytes()

    # which carries one signature: intact, trusted, by the receiving unit, unchanged since
    report = validate_off_the_event_loop(data)
    assert report.ok, report.as_dict()
    [signature] = report.signatures
    assert signature.intact and signature.valid and signature.trusted
    assert signature.signer == unit.name
    assert signature.certificate_serial == certificate.serial
    assert signature.changes == "none"
    dossier = Dossier.objects.get(code=code)
    assert dossier.state == DossierState.RETURNED
    assert dossier.rating.level == "very_satisfied"
