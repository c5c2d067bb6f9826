"""The documents pages through Django's test client: drafting, the buttons of each step, inline errors,
404 for what one may not see, registers printed and exported."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sen.core import counts as core_counts
from sen.documents.models import IncomingDocument, OutgoingDocument
from sen.documents.services import case_file_create
from sen.documents.tests.world import appendix_pdf, issue, to_pending_signature

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def draft_post(signer, **changes) -> dict:
    data = {
        "doc_type": "TB",
        "subject": "Thông báo lịch tiếp công dân tháng 12/2026",
        "body": "Sở Tư pháp thông báo lịch tiếp công dân.",
        "urgency": "0",
        "confidentiality": "normal",
        "signer": signer.username,
        "signer_position": "Giám đốc",
        "recipients": ["H15.51"],
        "copies": "2",
        "idempotency_key": "page-1",
    }
    data.update(changes)
    return data


def act(client: Client, document, action: str, **fields):
    url = reverse("documents:outgoing_action", args=[document.pk, action])
    return client.post(url, {f"{action}-{name}": value for name, value in fields.items()}, follow=True)


def test_a_notice_is_drafted_reviewed_signed_and_issued_with_the_buttons_of_its_page(
    drafter, head, clerk, signer, seal, other, other_clerk, django_capture_on_commit_callbacks
):
    home = client_for(drafter).get(reverse("documents:home"))
    assert home.status_code == 200 and "Soạn văn bản đi" in home.content.decode()
    response = client_for(drafter).post(
        reverse("documents:outgoing_new"),
        {**draft_post(signer), "appendices": SimpleUploadedFile("lich.pdf", appendix_pdf(), "application/pdf")},
        follow=True,
    )
    assert response.status_code == 200
    document = OutgoingDocument.objects.get()
    assert "Đã lưu dự thảo." in response.content.decode()
    # A retried post (same form, same key) makes no second draft.
    client_for(drafter).post(reverse("documents:outgoing_new"), draft_post(signer))
    assert OutgoingDocument.objects.count() == 1

    act(client_for(drafter), document, "submit")
    page = act(client_for(head), document, "send-back")
    assert "Cần ghi ý kiến khi trả lại dự thảo." in page.content.decode()
    act(client_for(head), document, "approve", comment="Đồng ý.")
    act(client_for(clerk), document, "approve")
    act(client_for(signer), document, "sign")
    act(client_for(clerk), document, "number")
    act(client_for(clerk), document, "seal")
    with django_capture_on_commit_callbacks(execute=True):
        page = act(client_for(clerk), document, "issue")
    text = page.content.decode()
    assert "01/TB-STP" in text and "Đã phát hành" in text
    assert IncomingDocument.objects.filter(outgoing=document, organisation=other).exists()

    inbox = client_for(other_clerk).get(reverse("documents:home") + "?view=incoming&box=arrived")
    assert "Thông báo lịch tiếp công dân" in inbox.content.decode()


def test_the_draft_form_shows_service_errors_inline_and_keeps_what_was_typed(drafter, head, signer):
    response = client_for(drafter).post(reverse("documents:outgoing_new"), draft_post(head))
    assert response.status_code == 200 and "field-error" in response.content.decode()  # head may not sign
    response = client_for(drafter).post(
        reverse("documents:outgoing_new"),
        {**draft_post(signer), "outside": "không hợp lệ! | Bộ Tư pháp"},
    )
    text = response.content.decode()
    assert response.status_code == 200 and "không hợp lệ" in text
    assert "Thông báo lịch tiếp công dân tháng 12/2026" in text  # kept
    assert not OutgoingDocument.objects.exists()


def test_someone_outside_the_flow_gets_404_and_citizens_have_no_documents_pages(drafter, signer, other_clerk, citizen):
    client_for(drafter).post(reverse("documents:outgoing_new"), draft_post(signer))
    document = OutgoingDocument.objects.get()
    assert client_for(other_clerk).get(reverse("documents:outgoing", args=[document.pk])).status_code == 404
    assert client_for(citizen).get(reverse("documents:home")).status_code == 404
    response = client_for(other_clerk).post(reverse("documents:outgoing_action", args=[document.pk, "submit"]))
    assert response.status_code == 404


def test_the_paper_register_is_printed_and_exported(other_clerk, other, other_leader):
    response = client_for(other_clerk).post(
        reverse("documents:incoming_paper"),
        {
            "sender_name": "Ủy ban nhân dân xã Mỹ An Hưng",
            "subject": "Về việc đề nghị hỗ trợ kinh phí",
            "reference": "15/TTr-UBND",
            "urgency": "0",
            "confidentiality": "normal",
        },
        follow=True,
    )
    assert "Đã vào sổ văn bản đến số 1." in response.content.decode()
    register = other.registers.get(direction="in", is_secret=False)
    page = client_for(other_leader).get(reverse("documents:register", args=[register.pk]))
    assert page.status_code == 200 and "15/TTr-UBND" in page.content.decode() and "Số đến" in page.content.decode()
    xlsx = client_for(other_clerk).get(reverse("documents:register_export", args=[register.pk, "xlsx"]))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[2]][:2] == ["Mã định danh văn bản", "Số đến"]
    assert len(list(sheet[2])) == 18
    assert sheet["E3"].value == "15/TTr-UBND"
    pdf = client_for(other_clerk).get(reverse("documents:register_export", args=[register.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    participation = client_for(other_leader).get(reverse("documents:participation"))
    assert participation.status_code == 200 and other_leader.full_name in participation.content.decode()


def _rendered_key(html: str) -> str:
    found = re.search(r'<input type="hidden" name="idempotency_key" value="([0-9a-f]{32})">', html)
    assert found is not None, "the form carries its one-time key"
    return found.group(1)


def test_a_paper_registration_submitted_twice_lands_on_the_same_document(other_clerk, other):
    client = client_for(other_clerk)
    url = reverse("documents:incoming_paper")
    key = _rendered_key(client.get(url).content.decode())
    assert _rendered_key(client.get(url).content.decode()) != key  # each rendering its own
    form = {
        "idempotency_key": key,
        "sender_name": "Ủy ban nhân dân xã Mỹ An Hưng",
        "subject": "Về việc đề nghị hỗ trợ kinh phí",
        "reference": "15/TTr-UBND",
        "urgency": "0",
        "confidentiality": "normal",
    }

    def submit(**changes):
        scan = SimpleUploadedFile("scan.pdf", appendix_pdf(), "application/pdf")
        return client.post(url, {**form, "scans": scan, **changes})

    first, again = submit(), submit()
    document = IncomingDocument.objects.get()
    assert (first.status_code, again.status_code) == (302, 302)
    assert first["Location"] == again["Location"] == reverse("documents:incoming", args=[document.pk])
    assert document.incoming_number == 1 and document.files.count() == 1
    # The same rendering sent back with other content is refused on the form, with a fresh key.
    reused = submit(subject="Văn bản khác")
    text = reused.content.decode()
    assert reused.status_code == 200 and "đã được dùng cho một yêu cầu khác" in text
    assert _rendered_key(text) != key
    assert IncomingDocument.objects.count() == 1


def test_a_draft_submitted_twice_lands_on_the_same_draft(drafter, signer):
    client = client_for(drafter)
    url = reverse("documents:outgoing_new")
    key = _rendered_key(client.get(url).content.decode())
    data = draft_post(signer, idempotency_key=key)
    first, again = client.post(url, data), client.post(url, data)
    document = OutgoingDocument.objects.get()
    assert first["Location"] == again["Location"] == reverse("documents:outgoing", args=[document.pk])


def test_the_direct_form_refuses_a_past_deadline_inline(other_clerk, other, other_leader, other_specialist):
    client_for(other_clerk).post(
        reverse("documents:incoming_paper"),
        {"sender_name": "UBND xã A", "subject": "Đề nghị", "urgency": "0", "confidentiality": "normal"},
    )
    document = IncomingDocument.objects.get()
    url = reverse("documents:incoming_action", args=[document.pk, "direct"])
    response = client_for(other_leader).post(
        url,
        {"direct-lead_unit": other.code, "direct-handler": other_specialist.username, "direct-deadline": "2020-01-01"},
        follow=True,
    )
    assert "Hạn xử lý phải là một ngày từ hôm nay trở đi." in response.content.decode()
    document.refresh_from_db()
    assert document.state == "03"


def test_a_replacement_is_drafted_from_the_issued_documents_page_and_its_recipients_see_the_notice(
    drafter, head, clerk, signer, seal, other, other_clerk, jobs
):
    old = issue(
        to_pending_signature(drafter=drafter, head=head, clerk=clerk, signer=signer),
        signer=signer,
        clerk=clerk,
        jobs=jobs,
    )
    link = reverse("documents:outgoing_new") + f"?replaces={old.pk}"
    page = client_for(drafter).get(reverse("documents:outgoing", args=[old.pk])).content.decode()
    assert f'href="{link}"' in page and "Soạn văn bản thay thế" in page
    form = client_for(drafter).get(link).content.decode()
    assert "Thay thế văn bản 01/QĐ-STP" in form and f'name="replaces" value="{old.pk}"' in form
    assert old.subject in form  # the form starts from the document it replaces

    data = draft_post(signer, doc_type="QĐ", subject="Thay thế Quyết định 01/QĐ-STP", idempotency_key="replace-1")
    created = client_for(drafter).post(reverse("documents:outgoing_new"), {**data, "replaces": old.pk}, follow=True)
    new = OutgoingDocument.objects.get(replaces=old)
    text = created.content.decode()
    assert "Thay thế văn bản 01/QĐ-STP" in text and 'id="draft-replacement"' not in text  # a draft replaces nothing yet

    steps = ((drafter, "submit"), (head, "approve"), (clerk, "approve"), (signer, "sign"), (clerk, "number"))
    for who, action in (*steps, (clerk, "seal")):
        act(client_for(who), new, action)
    with jobs(execute=True):
        act(client_for(clerk), new, "issue")
    new.refresh_from_db()
    assert new.reference == "02/QĐ-STP"
    copy_of_old = IncomingDocument.objects.get(outgoing=old, organisation=other)
    notice = client_for(other_clerk).get(reverse("documents:incoming", args=[copy_of_old.pk])).content.decode()
    assert "Được thay thế bởi văn bản số 02/QĐ-STP." in notice

    # Filed from its page, the replacement is listed on its case file's page.
    case_file = case_file_create(actor=clerk, body=old.organisation, code="01.QĐ", title="Hồ sơ quyết định")
    filed = act(client_for(clerk), new, "file", case_file=case_file.pk).content.decode()
    assert "Đã lưu hồ sơ" in filed and "01.QĐ — Hồ sơ quyết định" in filed
    listed = client_for(clerk).get(reverse("documents:case_file", args=[case_file.pk])).content.decode()
    assert "02/QĐ-STP" in listed and reverse("documents:outgoing", args=[new.pk]) in listed


def test_the_lists_come_first_and_the_tab_counts_in_a_second_request(drafter, signer, monkeypatch):
    client_for(drafter).post(reverse("documents:outgoing_new"), draft_post(signer))
    page = client_for(drafter).get(reverse("documents:home"), {"view": "outgoing", "box": "mine", "q": "tiếp công dân"})
    html = page.content.decode()
    assert "Thông báo lịch tiếp công dân" in html
    assert 'data-box="mine">Tôi soạn <span class="tab-count"></span>' in html  # not counted yet
    counts_url = (
        reverse("documents:home_counts") + "?view=outgoing&amp;box=mine&amp;q=ti%E1%BA%BFp%20c%C3%B4ng%20d%C3%A2n"
    )
    assert f'hx-get="{counts_url}" hx-trigger="load"' in html
    counts = client_for(drafter).get(
        reverse("documents:home_counts"),
        {"view": "outgoing", "box": "mine", "q": "tiếp công dân"},
        HTTP_HX_REQUEST="true",
    )
    tabs = counts.content.decode()
    assert counts.status_code == 200 and "<h1>" not in tabs and "hx-get" not in tabs
    assert 'aria-current="page" data-box="mine">Tôi soạn <span class="tab-count">1</span>' in tabs
    assert 'data-box="all">Tất cả <span class="tab-count">1</span>' in tabs
    assert "?view=outgoing&amp;box=all&q=ti%E1%BA%BFp%20c%C3%B4ng%20d%C3%A2n" in tabs  # the search carries over
    monkeypatch.setattr(core_counts, "COUNT_CAP", 0)
    capped = client_for(drafter).get(reverse("documents:home_counts"), {"view": "outgoing"}).content.decode()
    assert 'data-box="all">Tất cả <span class="tab-count">0+</span>' in capped
