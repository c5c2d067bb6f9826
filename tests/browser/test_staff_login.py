"""A staff member logs in with their official e-mail and sees their unit (issue 2, "Done when")."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from sen.identity.services import staff_create
from sen.identity.tests.factories import OrgUnitFactory

PASSWORD = "Sen-Dong-Thap-2026!"


# Transactional, so the live server's thread sees the rows (the root conftest re-seeds the roles).
@pytest.mark.django_db(transaction=True)
def test_staff_member_logs_in_with_official_email_and_sees_their_unit(live_server, page: Page):
    unit = OrgUnitFactory(code="H15.50.05", name="Sở Tư pháp tỉnh Đồng Tháp")
    staff_create(
        actor=None,
        email="an.nv@dongthap.gov.vn",
        full_name="Nguyễn Văn An",
        unit=unit,
        position="Chuyên viên",
        roles=("specialist",),
        password=PASSWORD,
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill("an.nv@dongthap.gov.vn")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()

    expect(page.locator("#home-unit")).to_have_text("Sở Tư pháp tỉnh Đồng Tháp")
    expect(page.locator("header")).to_contain_text("Nguyễn Văn An")

    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Thông tin của tôi").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/me/")
    expect(page.locator("#my-unit")).to_have_text("Sở Tư pháp tỉnh Đồng Tháp")


@pytest.mark.django_db(transaction=True)
def test_wrong_password_keeps_the_staff_member_on_the_login_page_with_an_error(live_server, page: Page):
    unit = OrgUnitFactory(code="H15.50.06", name="Sở Nội vụ tỉnh Đồng Tháp")
    staff_create(actor=None, email="binh.tt@dongthap.gov.vn", full_name="Trần Thị Bình", unit=unit, password=PASSWORD)

    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill("binh.tt@dongthap.gov.vn")
    page.locator("input[name=password]").fill("sai-mat-khau")
    page.locator("main form button[type=submit]").click()

    expect(page.locator("main [role=alert]")).to_contain_text("không đúng")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.locator("#home-unit")).to_have_count(0)
