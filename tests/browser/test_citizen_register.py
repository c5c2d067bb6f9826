"""A citizen registers with a CCCD, logs out, and logs in again with it (issue 2, "Done when")."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

PASSWORD = "Hoa-Sen-Thap-Muoi-2026"
CCCD = "082095001234"  # fictitious: 082 is Tiền Giang's province code, the rest is made up


@pytest.mark.django_db(transaction=True)
def test_citizen_registers_logs_out_and_logs_in_with_their_cccd(live_server, page: Page):
    page.goto(f"{live_server.url}/")
    page.get_by_role("main").get_by_role("link", name="Đăng ký tài khoản").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/register/")
    page.locator("input[name=national_id]").fill(CCCD)
    page.locator("input[name=full_name]").fill("Võ Thị Hồng Nhung")
    page.locator("input[name=phone]").fill("0918123456")
    page.locator("input[name=email]").fill("hong.nhung@example.vn")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()

    expect(page.locator(".msg-success")).to_contain_text("Võ Thị Hồng Nhung")
    expect(page.locator("header")).to_contain_text("Võ Thị Hồng Nhung")

    page.locator("header").get_by_role("button", name="Đăng xuất").click()

    expect(page.locator("header")).not_to_contain_text("Võ Thị Hồng Nhung")
    page.locator("header").get_by_role("link", name="Đăng nhập").click()
    page.locator("input[name=username]").fill(CCCD)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()

    expect(page.get_by_role("heading", name="Xin chào, Võ Thị Hồng Nhung")).to_be_visible()
    page.goto(f"{live_server.url}/accounts/me/")
    expect(page.locator("#my-name")).to_have_text("Võ Thị Hồng Nhung")


@pytest.mark.django_db(transaction=True)
def test_registration_errors_show_beside_the_fields(live_server, page: Page):
    page.goto(f"{live_server.url}/accounts/register/")
    page.locator("input[name=national_id]").fill("12345")
    page.locator("input[name=full_name]").fill("Lê Văn Tám")
    page.locator("input[name=phone]").fill("0918123457")
    page.locator("input[name=email]").fill("le.van.tam@example.vn")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()

    national_id = page.locator("input[name=national_id]")
    expect(national_id).to_have_attribute("aria-invalid", "true")
    error_id = national_id.get_attribute("aria-describedby").split()[-1]
    expect(page.locator(f"#{error_id}")).to_contain_text("12 chữ số")
    expect(page).to_have_url(f"{live_server.url}/accounts/register/")
