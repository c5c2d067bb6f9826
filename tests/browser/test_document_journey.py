"""An outgoing document's whole life in a browser (issue 4): a specialist drafts a decision on the page;
the room's head approves it; the clerk checks its form; the director signs it (layer 1); the clerk
numbers it, applies the organisation's signature (layer 2) and issues it; Sở Nội vụ's clerk finds it
in the incoming queue and registers it; its director assigns it; the handler closes it; the drafter
sees every status and downloads the PDF, whose two signatures validate. One browser context each."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from sen.documents.models import OutgoingDocument
from tests.browser.test_dossier_journey import log_in, validate_off_the_event_loop


def act(page: Page, action: str, *, comment: str = "") -> None:
    box = page.locator(f"#action-{action}")
    box.locator("summary").click()
    if comment:
        box.locator("textarea").first.fill(comment)
    box.locator("button[type=submit]").click()
    expect(page.locator(".messages").first).to_contain_text("Đã thực hiện")


def open_box(page: Page, base: str, view: str, box: str, subject: str) -> None:
    page.goto(f"{base}/documents/?view={view}&box={box}")
    expect(page.locator(f"a[data-box={box}] .tab-count")).to_have_text("1")
    page.locator("#documents-table").get_by_role("link", name=subject).click()


SUBJECT = "Về việc ban hành Quy chế văn hóa công sở của Sở Tư pháp"


@pytest.mark.django_db(transaction=True)
def test_a_decision_from_draft_to_done_at_the_recipient_in_the_browser(
    live_server, person_page, drafter, head, clerk, signer, seal, other, other_clerk, other_leader, other_specialist
):
    base = live_server.url

    # the specialist drafts the decision on the page
    page = person_page()
    log_in(page, base, drafter.username)
    page.goto(f"{base}/documents/")
    page.locator("#new-draft").click()
    page.locator("select[name=doc_type]").select_option("QĐ")
    page.locator("textarea[name=subject]").fill(SUBJECT)
    page.locator("textarea[name=body]").fill("Điều 1. Ban hành kèm theo Quyết định này Quy chế văn hóa công sở.")
    page.locator("select[name=signer]").select_option(signer.username)
    page.locator("input[name=signer_position]").fill("Giám đốc")
    page.locator("select[name=recipients]").select_option(other.code)
    page.locator("#draft-form button[type=submit]").click()
    expect(page.locator("#document-state")).to_have_text("Dự thảo")
    act(page, "submit")
    expect(page.locator("#document-state")).to_have_text(re.compile("Chờ lãnh đạo đơn vị"))

    # the head of the room approves, the clerk checks the form, the director signs
    for person, box, action in ((head, "review", "approve"), (clerk, "check", "approve"), (signer, "sign", "sign")):
        their = person_page()
        log_in(their, base, person.username)
        open_box(their, base, "outgoing", box, SUBJECT)
        act(their, action, comment="Đồng ý." if action == "approve" else "")

    # the clerk numbers, seals and issues
    clerk_page = person_page()
    log_in(clerk_page, base, clerk.username)
    open_box(clerk_page, base, "outgoing", "clerk", SUBJECT)
    for action in ("number", "seal", "issue"):
        act(clerk_page, action)
    expect(clerk_page.locator("h1")).to_contain_text("01/QĐ-STP")
    expect(clerk_page.locator("#document-state")).to_have_text("Đã phát hành")

    # Sở Nội vụ: the clerk registers it, the director assigns it, the handler closes it
    receiving = person_page()
    log_in(receiving, base, other_clerk.username)
    open_box(receiving, base, "incoming", "arrived", SUBJECT)
    expect(receiving.locator(".signature")).to_have_count(2)
    act(receiving, "accept")
    expect(receiving.locator("h1")).to_have_text("Văn bản đến số 1")
    director = person_page()
    log_in(director, base, other_leader.username)
    open_box(director, base, "incoming", "direct", SUBJECT)
    box = director.locator("#action-direct")
    box.locator("summary").click()
    box.locator("select[name=direct-lead_unit]").select_option(other.code)
    box.locator("select[name=direct-handler]").select_option(other_specialist.username)
    box.locator("textarea[name=direct-instruction]").fill("Triển khai trong Sở.")
    box.locator("button[type=submit]").click()
    expect(director.locator("#document-state")).to_have_text(re.compile("Đã phân công"))
    handler = person_page()
    log_in(handler, base, other_specialist.username)
    open_box(handler, base, "incoming", "mine", SUBJECT)
    act(handler, "complete", comment="Đã phổ biến.")

    # the drafter sees each status and downloads the issued PDF: both signatures valid
    page.reload()
    recipients = page.locator("#recipients")
    for text in ("Đã đến", "Đã tiếp nhận", "Đã phân công", "Đã hoàn thành"):
        expect(recipients).to_contain_text(text)
    document = OutgoingDocument.objects.get(subject=SUBJECT)
    final = document.files.get(role="final")
    with page.expect_download() as download_info:
        page.locator("#files").get_by_role("link", name=final.name).click()
    data = open(download_info.value.path(), "rb").read()  # noqa: SIM115
    report = validate_off_the_event_loop(data)
    assert report.ok and [sig.signer for sig in report.signatures] == [signer.full_name, "Sở Tư pháp"]
