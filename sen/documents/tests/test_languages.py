"""Labels follow the reader's language; what is kept, sent or printed stays Vietnamese (sen.core.i18n).

Each record here is made by someone working in English: what they read is English, what Sen keeps of
their work (the search text, the history, the edXML package, the document's PDF, the register, the
default names, what the sender is told) is the same Vietnamese as if they had worked in Vietnamese."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from sen.core.calendar import VN_TZ
from sen.core.models import AuditEvent
from sen.documents import exchange, rendering
from sen.documents.models import IncomingDocument, Recipient
from sen.documents.services import case_file_create, outgoing_create, outgoing_transition
from sen.documents.services_incoming import Arrival, incoming_register_paper, incoming_transition
from sen.documents.services_setup import body_set_up
from sen.documents.tests.world import draft_in, issue, to_pending_signature
from sen.identity.tests.factories import OrgUnitFactory
from sen.integrations import edxml

pytestmark = pytest.mark.django_db


def issued(*, drafter, head, clerk, signer, jobs, **draft_changes):
    document = to_pending_signature(drafter=drafter, head=head, clerk=clerk, signer=signer, **draft_changes)
    return issue(document, signer=signer, clerk=clerk, jobs=jobs)


# --- What the reader sees ------------------------------------------------------------------------
def test_the_page_and_the_api_in_english_name_the_type_and_the_state_in_english(drafter, signer, english_client):
    document = outgoing_create(actor=drafter, data=draft_in(signer))  # a Quyết định, in draft

    page = english_client(drafter).get(reverse("documents:outgoing", args=[document.pk])).content.decode()
    api = english_client(drafter).get(f"/api/v1/documents/outgoing/{document.pk}").json()

    assert "<h1>Decision</h1>" in page
    assert '<span class="badge" id="document-state">Draft</span>' in page
    assert api["state_label"] == "Draft"
    listed = english_client(drafter).get(reverse("documents:home"), {"box": "mine"}).content.decode()
    assert "<td>Decision</td>" in listed and "<td>Draft</td>" in listed
    vietnamese = Client()
    vietnamese.force_login(drafter)
    listed = vietnamese.get(reverse("documents:home"), {"box": "mine"}).content.decode()
    assert "<td>Quyết định</td>" in listed and "<td>Dự thảo</td>" in listed


# --- What is kept, sent or printed ---------------------------------------------------------------
def test_a_draft_saved_in_english_is_searched_by_its_vietnamese_type(drafter, signer):
    with translation.override("en"):
        document = outgoing_create(actor=drafter, data=draft_in(signer))

    assert document.search_text.startswith("quyet dinh ve viec ban hanh")
    assert "decision" not in document.search_text


def test_a_step_taken_in_english_is_kept_in_vietnamese_in_the_history_and_the_audit_trail(drafter, head, signer):
    document = outgoing_create(actor=drafter, data=draft_in(signer))
    with translation.override("en"):
        outgoing_transition(actor=drafter, document=document, action="submit")
        outgoing_transition(actor=head, document=document, action="approve")

    approved = "Chờ lãnh đạo đơn vị soạn thảo duyệt"
    assert document.transitions.get(action="approve").details["approved"] == approved
    assert AuditEvent.objects.get(action="documents.outgoing.approve").after["approved"] == approved


def test_the_document_pdf_laid_out_in_english_reads_in_vietnamese(body):
    content = rendering.Content(
        doc_type="QĐ",
        subject="Về việc ban hành Quy chế",
        body="Điều 1. Ban hành kèm theo Quyết định này Quy chế.",
        urgency="1",
        confidentiality="secret",
        signer_name="Nguyễn Văn Lãnh Đạo",
        signer_position="Giám đốc",
        signer_authority="",
        recipients=("Sở Nội vụ",),
        drafting_abbreviation="VP",
    )

    with translation.override("en"):
        html = rendering.document_html(content, body=body)

    assert "QUYẾT ĐỊNH" in html and "KHẨN" in html and "MẬT" in html
    assert "DECISION" not in html and "URGENT" not in html


def test_an_edxml_package_built_in_english_names_the_type_in_vietnamese(drafter, head, clerk, signer, seal, jobs):
    document = issued(drafter=drafter, head=head, clerk=clerk, signer=signer, jobs=jobs)
    recipient = Recipient(organ_id="000.00.00.H53", name="UBND tỉnh Tây Ninh")

    with translation.override("en"):
        message = exchange.document_message(document, recipient, [])
        package = edxml.build(message).decode()

    assert message.header.document_type.type_name == "Quyết định"
    assert "<edXML:TypeName>Quyết định</edXML:TypeName>" in package


def test_a_package_naming_its_type_in_vietnamese_is_read_under_english():
    with translation.override("en"):
        assert exchange._doc_type("Quyết định") == "QĐ"
        assert exchange._doc_type("Công văn") == "CV"


def test_the_register_exported_in_english_is_in_vietnamese(
    drafter, head, clerk, signer, seal, body, jobs, english_client
):
    document = issued(drafter=drafter, head=head, clerk=clerk, signer=signer, jobs=jobs, urgency="1")
    outgoing_transition(actor=clerk, document=document, action="recall", comment="Ban hành nhầm.")
    register = body.registers.get(direction="out", is_secret=False)

    xlsx = english_client(clerk).get(reverse("documents:register_export", args=[register.pk, "xlsx"]))

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    year = dt.datetime.now(VN_TZ).year
    assert sheet["A1"].value == f"Sổ văn bản đi — Sở Tư pháp — năm {year}"
    row = {heading.value: cell.value for heading, cell in zip(sheet[2], sheet[3], strict=True)}
    assert row["Tên loại văn bản"] == "Quyết định"
    assert (row["Mức độ khẩn"], row["Độ mật"], row["Ghi chú"]) == ("Khẩn", "Thường", "Đã thu hồi")


def test_a_body_set_up_in_english_gets_its_registers_named_in_vietnamese(province):
    health = OrgUnitFactory(code="H15.52", name="Sở Y tế", parent=province)

    with translation.override("en"):
        registers = body_set_up(actor=None, body=health, abbreviation="SYT")

    assert [register.name for register in registers] == [
        "Sổ văn bản đi — Sở Y tế",
        "Sổ văn bản đi mật — Sở Y tế",
        "Sổ văn bản đến — Sở Y tế",
        "Sổ văn bản đến mật — Sở Y tế",
    ]


def test_a_case_file_created_in_english_is_kept_for_ever_in_vietnamese(clerk, body):
    with translation.override("en"):
        case_file = case_file_create(actor=clerk, body=body, code="01.VP", title="Hồ sơ tiếp công dân")

    case_file.refresh_from_db()
    assert case_file.retention == "Vĩnh viễn"


def test_what_the_sender_is_told_of_a_document_handled_in_english_is_in_vietnamese(
    drafter, head, clerk, signer, seal, other_clerk, jobs
):
    with translation.override("en"):
        document = issued(drafter=drafter, head=head, clerk=clerk, signer=signer, jobs=jobs)
        incoming = IncomingDocument.objects.get(outgoing=document)
        incoming_transition(actor=other_clerk, document=incoming, action="accept")

    statuses = Recipient.objects.get(document=document).statuses.order_by("id").values_list("code", "description")
    assert list(statuses) == [("01", "Văn bản đã đến Sở Nội vụ."), ("03", "Đã tiếp nhận, vào sổ văn bản đến số 1.")]
    incoming.refresh_from_db()
    assert incoming.doc_type_name == "Quyết định" and "quyet dinh" in incoming.search_text


def test_a_paper_document_registered_in_english_keeps_its_type_and_problems_in_vietnamese(other, other_clerk):
    arrival = Arrival(sender_name="Ủy ban nhân dân xã Mỹ An Hưng", subject="Về việc đề nghị hỗ trợ", doc_type="CV")

    with translation.override("en"):
        document = incoming_register_paper(actor=other_clerk, body=other, arrival=arrival)

    document.refresh_from_db()
    assert [problem["message"] for problem in document.problems] == ["Văn bản đến không có tệp đính kèm."]
    assert document.doc_type_name == "Công văn"
