"""A one-stop officer works a dossier from the work queue: finds it under "Chờ tiếp nhận", receives it,
assigns it to a specialist; the specialist finds it under "Được giao cho tôi" (issue 3, processing)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from sen.dossiers.models import Dossier
from sen.dossiers.tests.factories import publish_version, submit
from sen.identity.tests.factories import TEST_PASSWORD


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header")).to_contain_text("Đăng xuất")


@pytest.mark.django_db(transaction=True)
def test_officer_receives_and_assigns_from_the_work_queue(
    live_server, page: Page, citizen, officer, specialist, unit, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # given a dossier submitted online to the unit
    dossier = submit(citizen, publish_version(name="Chứng thực bản sao (thử nghiệm)"), unit)

    # the officer finds it waiting for receipt
    log_in(page, live_server.url, officer.username)
    page.goto(f"{live_server.url}/dossiers/work/")
    page.locator("a[data-tab=receive]").click()
    expect(page.locator("a[data-tab=receive] .tab-count")).to_have_text("1")
    page.get_by_role("link", name=dossier.code).click()

    # receives it (htmx swaps the dossier panel)
    page.locator("#action-receive summary").click()
    page.locator("#action-receive textarea").fill("Đủ thành phần hồ sơ")
    page.locator("#action-receive button[type=submit]").click()
    expect(page.locator("#dossier-state")).to_have_text("Đã tiếp nhận")
    expect(page.locator("#dossier-panel .msg-success")).to_contain_text("Tiếp nhận")
    expect(page.locator("#history")).to_contain_text("Đủ thành phần hồ sơ")

    # assigns it to the specialist
    page.locator("#action-assign summary").click()
    page.locator("#action-assign select").select_option(specialist.username)
    page.locator("#action-assign button[type=submit]").click()
    expect(page.locator("#dossier-state")).to_have_text("Đang xử lý")
    expect(page.locator("#handovers")).to_contain_text(specialist.full_name)
    assert Dossier.objects.get(pk=dossier.pk).assignee == specialist

    # the specialist finds it assigned to them
    page.locator("header").get_by_role("button", name="Đăng xuất").click()
    log_in(page, live_server.url, specialist.username)
    page.goto(f"{live_server.url}/dossiers/work/")
    expect(page.locator("a[data-tab=mine] .tab-count")).to_have_text("1")
    expect(page.locator("#queue-table")).to_contain_text(dossier.code)
