"""The citizen's dossier pages: the e-form built from data, inline errors, a real submission with a
PDF, idempotent resubmission, fake-typed files, drafts, "my dossiers", one dossier, tracking by code."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sen.dossiers import services
from sen.dossiers.choices import DossierAction, DossierState
from sen.dossiers.models import Dossier, DossierDraft, DossierFile
from sen.dossiers.tests.factories import EXE, PDF, publish_version, submit
from sen.identity.tests.factories import CitizenFactory
from sen.procedures.choices import OnlineLevel
from sen.procedures.models import Component
from sen.procedures.specs import ComponentSpec

ALL_TYPES = [
    {"name": "ho_ten", "label": "Họ và tên", "type": "text", "required": True, "validation": {"max_length": 80}},
    {"name": "so_con", "label": "Số con", "type": "number", "validation": {"min": 0, "max": 20, "integer": True}},
    {"name": "ngay_sinh", "label": "Ngày sinh", "type": "date", "required": True, "validation": {"max": "today"}},
    {
        "name": "gioi_tinh",
        "label": "Giới tính",
        "type": "choice",
        "required": True,
        "validation": {"options": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}]},
    },
    {"name": "cccd", "label": "Số CCCD", "type": "cccd", "required": True},
    {"name": "noi_o", "label": "Nơi cư trú", "type": "address", "required": True},
]


# --- Helpers -------------------------------------------------------------------------------------
class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def elements(html: str, tag: str, **attrs: str) -> list[dict[str, str]]:
    parser = _Elements()
    parser.feed(html)
    return [a for t, a in parser.found if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def one(html: str, tag: str, **attrs: str) -> dict[str, str]:
    found = elements(html, tag, **attrs)
    assert len(found) == 1, (tag, attrs, found)
    return found[0]


def error_beside(html: str, tag: str, name: str) -> str:
    """The text of the inline error list the field `name` points at with aria-describedby."""
    field = one(html, tag, name=name)
    assert field.get("aria-invalid") == "true", field
    error_id = field["aria-describedby"].split()[-1]
    match = re.search(rf'<ul class="field-errors" id="{re.escape(error_id)}">(.*?)</ul>', html, re.S)
    assert match, error_id
    return re.sub(r"<[^>]+>", " ", match.group(1))


def submit_url(version: Any) -> str:
    return reverse("dossiers:citizen_submit", kwargs={"procedure_code": version.procedure.code})


def rendered_key(client: Any, url: str) -> str:
    return one(client.get(url).content.decode(), "input", name="_idempotency_key")["value"]


def component_of(version: Any) -> Component:
    return version.components.order_by("order").first()


def post_data(version: Any, unit: Any, key: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "_idempotency_key": key,
        "_unit_code": unit.code,
        "ho_ten": "Trần Thị Thử Nghiệm",
        "cccd": "082012345678",
        "ghi_chu": "",
        "_action": "submit",
        f"_file_{component_of(version).pk}": SimpleUploadedFile("to-khai.pdf", PDF, "application/pdf"),
    }
    data.update(overrides)
    return data


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def desk(officer):
    """The `unit` has a one-stop desk (so applicants may choose it as the receiving unit)."""
    return officer


@pytest.fixture
def citizen_client(client, citizen):
    client.force_login(citizen)
    return client


# --- The submission page -------------------------------------------------------------------------
def test_the_form_is_built_from_the_eform_definition_one_input_per_field_type(citizen_client, desk, unit):
    # given a procedure whose e-form has one field of each type and one component
    version = publish_version(eform=ALL_TYPES)
    # when the citizen opens the submission page
    response = citizen_client.get(submit_url(version))
    html = response.content.decode()
    # then each type has its input, with its Vietnamese label
    assert response.status_code == 200
    assert one(html, "input", name="ho_ten")["type"] == "text"
    assert one(html, "input", name="ho_ten")["maxlength"] == "80"
    number = one(html, "input", name="so_con")
    assert (number["type"], number["min"], number["max"], number["step"]) == ("number", "0", "20", "1")
    date = one(html, "input", name="ngay_sinh")
    assert (date["type"], date["max"]) == ("date", timezone.localdate().isoformat())
    one(html, "select", name="gioi_tinh")
    choices = re.search(r'<select name="gioi_tinh".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', choices) == ["", "nam", "nu"]
    assert ">Nữ</option>" in choices
    assert one(html, "input", name="cccd")["inputmode"] == "numeric"
    for part in ("detail", "commune", "province"):
        assert one(html, "input", name=f"noi_o_{part}")["type"] == "text"
    assert "<legend>Nơi cư trú *</legend>" in html
    for label in ("Họ và tên *", "Số con", "Ngày sinh *", "Giới tính *", "Số CCCD *"):
        assert f">{label}</label>" in html
    # one file input per component, taking several PDF/JPEG/PNG files
    component = component_of(version)
    file_input = one(html, "input", name=f"_file_{component.pk}")
    assert file_input["type"] == "file" and "multiple" in file_input and "application/pdf" in file_input["accept"]
    assert f">{component.name} *</label>" in html
    # the receiving unit to choose (the unit with a one-stop desk), and this rendering's key
    assert one(html, "option", value=unit.code) is not None
    assert len(one(html, "input", name="_idempotency_key")["value"]) >= 32
    # and the browser gets a device cookie (recorded with the submission)
    assert response.cookies["sen_device"].value


def test_each_rendering_gets_its_own_idempotency_key(citizen_client, version):
    assert rendered_key(citizen_client, submit_url(version)) != rendered_key(citizen_client, submit_url(version))


def test_the_submission_page_needs_a_login(client, version):
    response = client.get(submit_url(version))
    assert response.status_code == 302 and reverse("identity:login") in response["Location"]


def test_a_procedure_without_online_submission_shows_a_message_and_no_form(citizen_client, desk, unit):
    version = publish_version(online_level=OnlineLevel.NONE)
    response = citizen_client.get(submit_url(version))
    html = response.content.decode()
    assert response.status_code == 200
    assert "chưa nhận hồ sơ trực tuyến" in html
    assert not elements(html, "form", id="submit-form")
    # and a post is refused the same way, creating nothing
    citizen_client.post(submit_url(version), post_data(version, unit, "k-none"))
    assert Dossier.objects.count() == 0


def test_staff_accounts_do_not_get_the_citizen_submission_form(client, officer, version):
    client.force_login(officer)
    response = client.get(submit_url(version))
    assert response.status_code == 403
    assert "dành cho tài khoản công dân và doanh nghiệp" in response.content.decode()


def test_an_unknown_procedure_is_404(citizen_client, db):
    assert (
        citizen_client.get(reverse("dossiers:citizen_submit", kwargs={"procedure_code": "0.000000"})).status_code == 404
    )


def test_invalid_values_come_back_beside_their_fields_and_nothing_is_written(citizen_client, desk, unit, _media):
    # given a form with every field type
    version = publish_version(eform=ALL_TYPES)
    key = rendered_key(citizen_client, submit_url(version))
    # when the citizen sends a malformed CCCD, a date in the future, an unknown choice, half an address
    data = post_data(
        version,
        unit,
        key,
        ho_ten="",
        so_con="2.5",
        ngay_sinh="2999-01-01",
        gioi_tinh="khac",
        cccd="12345",
        noi_o_detail="12 Lê Lợi",
        noi_o_commune="",
        noi_o_province="Đồng Tháp",
    )
    response = citizen_client.post(submit_url(version), data)
    html = response.content.decode()
    # then the page comes back with each message beside its field, in Vietnamese
    assert response.status_code == 200
    assert "“Họ và tên” là bắt buộc." in error_beside(html, "input", "ho_ten")
    assert "Phải là số nguyên." in error_beside(html, "input", "so_con")
    assert "Ngày không được sau" in error_beside(html, "input", "ngay_sinh")
    assert "Lựa chọn không hợp lệ." in error_beside(html, "select", "gioi_tinh")
    assert "12 chữ số" in error_beside(html, "input", "cccd")
    assert "xã/phường" in html and 'class="field field-error"' in html
    assert "Thông tin chưa hợp lệ" in html
    # what was typed stays; the same key is kept (nothing was submitted with it)
    assert one(html, "input", name="cccd")["value"] == "12345"
    assert one(html, "input", name="noi_o_detail")["value"] == "12 Lê Lợi"
    assert one(html, "input", name="_idempotency_key")["value"] == key
    assert Dossier.objects.count() == 0
    assert stored_files(_media) == []


def test_the_receiving_unit_must_be_chosen(citizen_client, desk, unit, version):
    key = rendered_key(citizen_client, submit_url(version))
    response = citizen_client.post(submit_url(version), post_data(version, unit, key, _unit_code=""))
    assert "Cần chọn cơ quan tiếp nhận hồ sơ." in error_beside(response.content.decode(), "select", "_unit_code")
    assert Dossier.objects.count() == 0


def test_a_submission_with_a_pdf_creates_one_dossier_and_shows_its_code(
    citizen_client, citizen, desk, unit, version, _media
):
    # given the rendered form
    key = rendered_key(citizen_client, submit_url(version))
    # when the citizen fills it, attaches a PDF to the component and submits
    response = citizen_client.post(submit_url(version), post_data(version, unit, key), follow=True)
    # then one dossier exists, theirs, online, at the chosen unit, with the PDF on its component
    dossier = Dossier.objects.get()
    assert (dossier.applicant, dossier.channel, dossier.unit, dossier.state) == (
        citizen,
        "online",
        unit,
        DossierState.SUBMITTED,
    )
    assert dossier.form_data == {"ho_ten": "Trần Thị Thử Nghiệm", "cccd": "082012345678", "ghi_chu": None}
    stored = DossierFile.objects.get(dossier=dossier)
    assert (stored.name, stored.content_type, stored.component) == (
        "to-khai.pdf",
        "application/pdf",
        component_of(version),
    )
    assert stored.file.read() == PDF
    assert dossier.submission.device_cookie  # the cookie the page set
    # and they land on the dossier's page with a success message showing the code
    assert response.redirect_chain[-1][0] == reverse("dossiers:citizen_detail", kwargs={"code": dossier.code})
    html = response.content.decode()
    assert f"Mã hồ sơ của bạn là {dossier.code}" in html
    assert 'class="msg msg-success"' in html


def test_posting_the_same_rendered_form_again_creates_no_second_dossier(citizen_client, desk, unit, version, _media):
    # given a form rendered once and submitted
    key = rendered_key(citizen_client, submit_url(version))
    first = citizen_client.post(submit_url(version), post_data(version, unit, key))
    # when the same rendering is posted again (a double click, the browser resending it)
    second = citizen_client.post(submit_url(version), post_data(version, unit, key))
    # then there is still one dossier (and one stored file), and both answers lead to it
    dossier = Dossier.objects.get()
    target = reverse("dossiers:citizen_detail", kwargs={"code": dossier.code})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == target
    assert len(stored_files(_media)) == 1


def test_the_same_rendering_with_other_data_is_refused_and_offers_a_new_key(citizen_client, desk, unit, version):
    key = rendered_key(citizen_client, submit_url(version))
    citizen_client.post(submit_url(version), post_data(version, unit, key))
    # when the citizen goes back, changes the name and submits the same rendering
    response = citizen_client.post(submit_url(version), post_data(version, unit, key, ho_ten="Trần Thị Khác"))
    html = response.content.decode()
    # then no second dossier; the page says why and carries a fresh key for a new submission
    assert Dossier.objects.count() == 1
    assert "đã được dùng để nộp một hồ sơ khác" in html
    new_key = one(html, "input", name="_idempotency_key")["value"]
    assert new_key and new_key != key
    citizen_client.post(submit_url(version), post_data(version, unit, new_key, ho_ten="Trần Thị Khác"))
    assert Dossier.objects.count() == 2


def test_a_fake_typed_file_is_refused_beside_its_input(citizen_client, desk, unit, version, _media):
    # given a Windows program renamed to .pdf
    key = rendered_key(citizen_client, submit_url(version))
    field = f"_file_{component_of(version).pk}"
    fake = SimpleUploadedFile("to-khai.pdf", EXE, "application/pdf")
    # when it is attached and submitted
    response = citizen_client.post(submit_url(version), post_data(version, unit, key, **{field: fake}))
    # then the service's message shows beside the file input, and nothing is written
    message = error_beside(response.content.decode(), "input", field)
    assert "không phải PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp)" in message
    assert "to-khai.pdf" in message
    assert Dossier.objects.count() == 0
    assert stored_files(_media) == []


def test_an_oversized_file_is_refused_beside_its_input(citizen_client, desk, unit, version, monkeypatch):
    monkeypatch.setattr(services, "MAX_FILE_BYTES", len(PDF) - 1)
    key = rendered_key(citizen_client, submit_url(version))
    field = f"_file_{component_of(version).pk}"
    response = citizen_client.post(submit_url(version), post_data(version, unit, key))
    assert "vượt quá dung lượng cho phép" in error_beside(response.content.decode(), "input", field)
    assert Dossier.objects.count() == 0


def test_a_required_component_left_empty_is_named_beside_its_input(citizen_client, desk, unit, _media):
    # given a procedure with a required declaration and an optional paper
    version = publish_version(
        components=[
            ComponentSpec("Tờ khai đăng ký khai sinh", originals=1),
            ComponentSpec("Văn bản ủy quyền (nếu có)", required=False),
        ]
    )
    declaration, optional = version.components.order_by("order")
    key = rendered_key(citizen_client, submit_url(version))
    html = citizen_client.get(submit_url(version)).content.decode()
    assert f">{declaration.name} *</label>" in html and f">{optional.name}</label>" in html
    # when only the optional paper is attached
    data = post_data(version, unit, key)
    del data[f"_file_{declaration.pk}"]
    data[f"_file_{optional.pk}"] = SimpleUploadedFile("uy-quyen.pdf", PDF, "application/pdf")
    response = citizen_client.post(submit_url(version), data)
    # then the message names the missing component beside its input, and nothing is written
    message = error_beside(response.content.decode(), "input", f"_file_{declaration.pk}")
    assert "Cần đính kèm “Tờ khai đăng ký khai sinh”: đây là thành phần hồ sơ bắt buộc." in message
    assert Dossier.objects.count() == 0 and stored_files(_media) == []


# --- Drafts --------------------------------------------------------------------------------------
def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of the rendered submission form, as the browser posts them back."""
    return {a["name"]: a.get("value", "") for a in elements(html, "input", type="hidden") if a.get("name")}


def test_a_draft_keeps_the_typed_values_and_the_files_until_submitted(
    citizen_client, citizen, desk, unit, _media, django_capture_on_commit_callbacks
):
    version = publish_version(eform=ALL_TYPES)
    component = component_of(version)
    url = submit_url(version)
    key = rendered_key(citizen_client, url)
    # when the citizen saves a half-filled form with its PDF as a draft
    draft = {
        "_idempotency_key": key,
        "_unit_code": unit.code,
        "_action": "draft",
        "ho_ten": "Nguyễn Văn Nháp",
        "cccd": "0820",
        "noi_o_detail": "5 Nguyễn Huệ",
        "noi_o_commune": "",
        "noi_o_province": "Đồng Tháp",
        f"_file_{component.pk}": SimpleUploadedFile("to-khai.pdf", PDF, "application/pdf"),
    }
    response = citizen_client.post(url, draft, follow=True)
    html = response.content.decode()
    # then nothing is submitted; the draft holds the values and the file, stored once
    assert Dossier.objects.count() == 0
    saved = DossierDraft.objects.get(owner=citizen)
    assert (saved.form_data["ho_ten"], saved.form_data["cccd"], saved.unit_code) == (
        "Nguyễn Văn Nháp",
        "0820",
        unit.code,
    )
    (kept,) = saved.files.all()
    assert (kept.name, kept.component, kept.file.read()) == ("to-khai.pdf", component, PDF)
    assert len(stored_files(_media)) == 1
    # and the page comes back filled in, listing the kept file beside its component
    assert "Đã lưu nháp cùng 1 tệp đính kèm" in html
    assert one(html, "input", name="ho_ten")["value"] == "Nguyễn Văn Nháp"
    assert one(html, "input", name="noi_o_detail")["value"] == "5 Nguyễn Huệ"
    assert one(html, "option", value=unit.code).get("selected") is not None
    assert one(html, "div", id="draft-notice")
    assert "to-khai.pdf" in one_text(html, "ul", f"kept-_file_{component.pk}")
    # when they come back later, correct the CCCD, fill the rest and submit without choosing the file again
    again = citizen_client.get(url).content.decode()
    fields = hidden_fields(again)
    assert fields["_draft"] == "1" and fields["_idempotency_key"] != key
    data = {
        **fields,
        "_unit_code": unit.code,
        "_action": "submit",
        "ho_ten": "Nguyễn Văn Nháp",
        "ngay_sinh": "2020-01-02",
        "gioi_tinh": "nam",
        "cccd": "082012345678",
        "noi_o_detail": "5 Nguyễn Huệ",
        "noi_o_commune": "Phường Cao Lãnh",
        "noi_o_province": "Đồng Tháp",
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = citizen_client.post(url, data)
    # then one dossier, with the draft's file (the same stored file), and the draft is gone
    dossier = Dossier.objects.get()
    assert first.status_code == 302 and first["Location"].endswith(f"/dossiers/{dossier.code}/")
    stored = dossier.files.get()
    assert (stored.name, stored.component, stored.file.name) == ("to-khai.pdf", component, kept.file.name)
    assert not DossierDraft.objects.exists() and len(stored_files(_media)) == 1
    # and posting the same rendering again (a double click) leads to the same dossier
    second = citizen_client.post(url, data)
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert Dossier.objects.count() == 1
    assert not elements(citizen_client.get(url).content.decode(), "div", id="draft-notice")


def one_text(html: str, tag: str, element_id: str) -> str:
    match = re.search(rf'<{tag}[^>]*id="{re.escape(element_id)}"[^>]*>(.*?)</{tag}>', html, re.S)
    assert match, element_id
    return re.sub(r"<[^>]+>", " ", match.group(1))


def test_a_kept_file_can_be_removed_and_the_draft_discarded(
    citizen_client, citizen, desk, unit, version, _media, django_capture_on_commit_callbacks
):
    url = submit_url(version)
    field = f"_file_{component_of(version).pk}"
    citizen_client.post(
        url,
        {
            "_action": "draft",
            "_idempotency_key": "k",
            "_unit_code": unit.code,
            field: SimpleUploadedFile("a.pdf", PDF, "application/pdf"),
        },
    )
    citizen_client.post(
        url,
        {
            "_action": "draft",
            "_idempotency_key": "k",
            "_unit_code": unit.code,
            field: SimpleUploadedFile("b.pdf", PDF, "application/pdf"),
        },
    )
    first, second = DossierDraft.objects.get().files.order_by("id")
    assert len(stored_files(_media)) == 2
    # when "remove" is ticked for the first and the draft saved again
    with django_capture_on_commit_callbacks(execute=True):
        citizen_client.post(
            url, {"_action": "draft", "_idempotency_key": "k", "_unit_code": unit.code, "_remove_file": [first.pk]}
        )
    # then only the second is kept, on storage too
    assert [f.name for f in DossierDraft.objects.get().files.all()] == ["b.pdf"]
    assert stored_files(_media) == [Path(second.file.path)]
    # and a submission that removes the last file of a required component is refused beside it
    key = rendered_key(citizen_client, url)
    response = citizen_client.post(
        url, {**post_data(version, unit, key), field: [], "_draft": "1", "_remove_file": [second.pk]}
    )
    assert "thành phần hồ sơ bắt buộc" in error_beside(response.content.decode(), "input", field)
    assert Dossier.objects.count() == 0
    # when the draft is discarded, it and its files are gone
    with django_capture_on_commit_callbacks(execute=True):
        citizen_client.post(url, {"_action": "discard"})
    assert not DossierDraft.objects.exists() and stored_files(_media) == []
    assert "value" not in one(citizen_client.get(url).content.decode(), "input", name="ho_ten")


def test_a_fake_typed_file_is_not_saved_in_a_draft(citizen_client, desk, unit, version, _media):
    field = f"_file_{component_of(version).pk}"
    response = citizen_client.post(
        submit_url(version),
        {"_action": "draft", "_idempotency_key": "k", field: SimpleUploadedFile("x.pdf", EXE, "application/pdf")},
    )
    assert "không phải PDF, JPEG hoặc PNG" in error_beside(response.content.decode(), "input", field)
    assert not DossierDraft.objects.exists() and stored_files(_media) == []


def test_a_draft_is_seen_by_its_owner_only(client, citizen, desk, unit, version):
    services.dossier_draft_save(actor=citizen, procedure_code=version.procedure.code, form_data={"ho_ten": "Của tôi"})
    other = CitizenFactory(full_name="Phan Văn Khác")
    client.force_login(other)
    html = client.get(submit_url(version)).content.decode()
    assert not elements(html, "div", id="draft-notice") and "Của tôi" not in html


# --- My dossiers ---------------------------------------------------------------------------------
def test_my_dossiers_lists_only_mine_with_state_and_dates(citizen_client, citizen, unit, version):
    mine = submit(citizen, version, unit)
    others = submit(CitizenFactory(), version, unit)
    html = citizen_client.get(reverse("dossiers:citizen_list")).content.decode()
    assert mine.code in html and others.code not in html
    assert "Mới đăng ký" in html and version.name in html
    assert "Chưa tiếp nhận" in html


def test_my_dossiers_costs_the_same_queries_for_one_or_many(citizen_client, citizen, unit, version):
    submit(citizen, version, unit)
    url = reverse("dossiers:citizen_list")
    citizen_client.get(url)  # warm the session and the content types
    with CaptureQueriesContext(connection) as one_row:
        citizen_client.get(url)
    for _n in range(7):
        submit(citizen, version, unit)
    with CaptureQueriesContext(connection) as many_rows:
        response = citizen_client.get(url)
    assert response.content.decode().count('href="/dossiers/H15.50-') == 8
    assert len(many_rows) == len(one_row)


def test_my_dossiers_is_paginated_and_filtered_by_state(citizen_client, citizen, officer, unit, version):
    dossiers = [submit(citizen, version, unit) for _n in range(22)]
    services.dossier_transition(actor=officer, dossier=dossiers[0], action=DossierAction.RECEIVE)
    url = reverse("dossiers:citizen_list")
    first = citizen_client.get(url).content.decode()
    second = citizen_client.get(url, {"page": 2}).content.decode()
    assert first.count("/dossiers/H15.50-") == 20 and second.count("/dossiers/H15.50-") == 2
    assert "Trang 1/2" in first
    received = citizen_client.get(url, {"state": DossierState.RECEIVED}).content.decode()
    assert dossiers[0].code in received and dossiers[1].code not in received


# --- One dossier ---------------------------------------------------------------------------------
def test_my_dossier_shows_state_dates_public_history_and_files(citizen_client, citizen, officer, unit, version):
    # given a dossier received by an officer with an internal note
    dossier = submit(citizen, version, unit)
    services.dossier_transition(
        actor=officer, dossier=dossier, action=DossierAction.RECEIVE, note="Ghi chú nội bộ: gọi lại sau"
    )
    # when its applicant opens it
    response = citizen_client.get(reverse("dossiers:citizen_detail", kwargs={"code": dossier.code}))
    html = response.content.decode()
    # then the state, the due date and the history show, without staff names or notes
    assert response.status_code == 200
    assert "Đã tiếp nhận" in html and "Ngày hẹn trả kết quả" in html
    assert "Nộp hồ sơ" in html and "Tiếp nhận" in html
    assert officer.full_name not in html and officer.username not in html
    assert "Ghi chú nội bộ" not in html
    # and the file, downloadable by them
    stored = dossier.files.get()
    link = reverse("dossiers:citizen_file", kwargs={"code": dossier.code, "file_id": stored.pk})
    assert link in html
    download = citizen_client.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"


def test_a_refusal_reason_is_shown_to_the_applicant(citizen_client, citizen, officer, unit, version):
    dossier = submit(citizen, version, unit)
    services.dossier_transition(
        actor=officer, dossier=dossier, action=DossierAction.REFUSE, reason="Thiếu bản sao giấy khai sinh"
    )
    html = citizen_client.get(reverse("dossiers:citizen_detail", kwargs={"code": dossier.code})).content.decode()
    assert "Không được tiếp nhận" in html and "Thiếu bản sao giấy khai sinh" in html


def test_the_result_page_is_linked_once_the_result_is_returned(citizen_client, citizen, unit, version):
    dossier = submit(citizen, version, unit)
    url = reverse("dossiers:citizen_detail", kwargs={"code": dossier.code})
    assert not elements(citizen_client.get(url).content.decode(), "a", id="result-link")
    # (the state is set directly: this test is about the page, the workflow is tested in test_results.py)
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.RETURNED)
    link = one(citizen_client.get(url).content.decode(), "a", id="result-link")
    assert link["href"] == reverse("dossiers:result_detail", kwargs={"code": dossier.code})


def test_someone_elses_dossier_and_its_files_are_404(citizen_client, officer, unit, version):
    # given a dossier of another citizen (and the unit's officer, who may see it on staff pages)
    other = submit(CitizenFactory(), version, unit)
    stored = other.files.get()
    detail = reverse("dossiers:citizen_detail", kwargs={"code": other.code})
    file_url = reverse("dossiers:citizen_file", kwargs={"code": other.code, "file_id": stored.pk})
    # then for this citizen it does not exist, like a missing one
    assert citizen_client.get(detail).status_code == 404
    assert citizen_client.get(file_url).status_code == 404
    assert (
        citizen_client.get(reverse("dossiers:citizen_detail", kwargs={"code": "H15.50-990101-0001"})).status_code == 404
    )
    # nor on the applicant's page for staff
    citizen_client.force_login(officer)
    assert citizen_client.get(detail).status_code == 404


def test_another_dossiers_file_id_is_404_on_my_dossier(citizen_client, citizen, unit, version):
    mine = submit(citizen, version, unit)
    other = submit(CitizenFactory(), version, unit)
    url = reverse("dossiers:citizen_file", kwargs={"code": mine.code, "file_id": other.files.get().pk})
    assert citizen_client.get(url).status_code == 404


# --- Tracking without logging in -----------------------------------------------------------------
@pytest.fixture
def tracked(unit, version):
    applicant = CitizenFactory(phone="0912 345 678")
    return submit(applicant, version, unit)


def track(client: Any, code: str, last4: str) -> Any:
    return client.post(reverse("dossiers:citizen_track"), {"code": code, "phone_last4": last4})


def test_tracking_with_the_right_code_and_phone_shows_the_public_history(client, tracked, officer):
    services.dossier_transition(actor=officer, dossier=tracked, action=DossierAction.RECEIVE)
    assert client.get(reverse("dossiers:citizen_track")).status_code == 200  # no login needed
    response = track(client, f" {tracked.code} ", "5678")
    html = response.content.decode()
    assert response.status_code == 200
    assert one(html, "div", id="track-result")
    assert tracked.code in html and "Đã tiếp nhận" in html and "Ngày hẹn trả kết quả" in html
    assert officer.full_name not in html and tracked.applicant.full_name not in html


def test_a_wrong_code_and_a_wrong_phone_get_the_same_answer(client, tracked):
    wrong_code = track(client, tracked.code[:-1] + "9", "5678").content.decode()
    wrong_phone = track(client, tracked.code, "5679").content.decode()

    def error(html: str) -> str:
        return re.search(r'<div class="form-errors" role="alert">(.*?)</div>', html, re.S).group(1)

    assert "Không tìm thấy hồ sơ với mã và số điện thoại này" in error(wrong_code)
    assert error(wrong_code) == error(wrong_phone)
    assert not elements(wrong_phone, "div", id="track-result")


def test_tracking_is_rate_limited_per_ip(client, tracked, settings):
    for n in range(10):
        assert track(client, f"H15.50-000000-{n:04d}", "0000").status_code == 200
    # after ten failures, even the right pair is refused for a while, with a Vietnamese message
    response = track(client, tracked.code, "5678")
    assert response.status_code == 429
    assert "Bạn đã tra cứu sai quá nhiều lần" in response.content.decode()
    # another address is not affected
    other = client.post(
        reverse("dossiers:citizen_track"), {"code": tracked.code, "phone_last4": "5678"}, REMOTE_ADDR="10.9.9.9"
    )
    assert other.status_code == 200 and one(other.content.decode(), "div", id="track-result")


def test_tracking_one_code_is_rate_limited_whatever_the_address(client, tracked):
    for n in range(10):
        client.post(
            reverse("dossiers:citizen_track"),
            {"code": tracked.code, "phone_last4": f"{n:04d}"},
            REMOTE_ADDR=f"10.0.0.{n + 1}",
        )
    response = client.post(
        reverse("dossiers:citizen_track"), {"code": tracked.code, "phone_last4": "5678"}, REMOTE_ADDR="10.0.1.1"
    )
    assert response.status_code == 429


def test_tracking_needs_four_digits(client, db):
    response = track(client, "H15.50-260101-0001", "56a8")
    assert "4 chữ số" in response.content.decode()


def test_a_logged_in_applicant_who_tracks_their_own_dossier_gets_a_link_to_it(client, tracked):
    client.force_login(tracked.applicant)
    html = track(client, tracked.code, "5678").content.decode()
    assert reverse("dossiers:citizen_detail", kwargs={"code": tracked.code}) in html
