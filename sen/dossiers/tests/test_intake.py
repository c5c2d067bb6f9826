"""Counter and postal intake by a one-stop officer: the pages under /dossiers/work/intake/, the
API (POST /api/v1/dossiers with channel=counter|postal) and the service's idempotent retries."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sen.core.exceptions import Conflict, InvalidInput
from sen.dossiers import services
from sen.dossiers.choices import DossierState
from sen.dossiers.models import Dossier, DossierFile
from sen.dossiers.tests.factories import PDF, component_id, form, pdf_for
from sen.dossiers.tests.test_pages_citizen import elements, error_beside, one
from sen.identity.models import User
from sen.identity.tests.factories import CitizenFactory
from sen.procedures.choices import Channel

NEW_CCCD = "082199007777"  # fictitious, not registered


def intake_url(version) -> str:
    return reverse("dossiers:intake", kwargs={"procedure_code": version.procedure.code})


def rendered_key(client, url: str) -> str:
    return one(client.get(url).content.decode(), "input", name="_idempotency_key")["value"]


def intake_data(version, key: str, **overrides):
    data = {
        "_idempotency_key": key,
        "_channel": "counter",
        "_postal_tracking_no": "",
        "_applicant_national_id": NEW_CCCD,
        "_applicant_full_name": "Ngô Thị Nộp Giấy",
        "_applicant_phone": "0907 123 456",
        "_applicant_address": "Số 3 đường Lý Thường Kiệt, Phường Cao Lãnh, Đồng Tháp",
        "_note": "Nhận bản giấy tại quầy",
        "ho_ten": "Ngô Thị Nộp Giấy",
        "cccd": NEW_CCCD,
        f"_file_{component_id(version)}": SimpleUploadedFile("ban-quet.pdf", PDF, "application/pdf"),
    }
    data.update(overrides)
    return data


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


# --- The pages -------------------------------------------------------------------------------------
def test_the_queue_links_the_intake_and_the_intake_lists_procedures(officer_client, version):
    queue = officer_client.get(reverse("dossiers:work_queue")).content.decode()
    assert one(queue, "a", id="intake-link")["href"] == reverse("dossiers:intake_start")
    html = officer_client.get(reverse("dossiers:intake_start"), {"q": version.name[:12]}).content.decode()
    assert version.procedure.code in html
    assert f'href="{intake_url(version)}?channel=postal"' in html


@pytest.mark.parametrize("who", ["specialist", "citizen", "clerk"])
def test_only_one_stop_officers_have_the_intake_pages(client, version, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("dossiers:intake_start")).status_code == 404
    assert client.get(intake_url(version)).status_code == 404
    assert client.post(intake_url(version), intake_data(version, "k")).status_code == 404
    assert not Dossier.objects.exists()


def test_a_counter_dossier_for_a_new_applicant_is_received_at_once(officer_client, officer, unit, version, _media):
    # given the intake form for the procedure
    url = intake_url(version)
    key = rendered_key(officer_client, url)
    # when the officer types in the applicant, the e-form, attaches the scan and sends it
    response = officer_client.post(url, intake_data(version, key))
    # then the dossier is received: channel counter, the officer as receiver, the clock started
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dossiers:work_dossier", args=[dossier.code])
    assert (dossier.channel, dossier.state, dossier.receiver, dossier.unit) == (
        Channel.COUNTER,
        DossierState.RECEIVED,
        officer,
        unit,
    )
    assert dossier.due_at is not None
    assert dossier.applicant_address == "Số 3 đường Lý Thường Kiệt, Phường Cao Lãnh, Đồng Tháp"
    # the applicant got a citizen account by CCCD, with no password to log in with
    applicant = dossier.applicant
    assert (applicant.username, applicant.national_id, applicant.kind, applicant.full_name, applicant.phone) == (
        NEW_CCCD,
        NEW_CCCD,
        User.Kind.CITIZEN,
        "Ngô Thị Nộp Giấy",
        "0907123456",
    )
    assert not applicant.has_usable_password()
    # the context says staff keyed it in: never an online submission
    context = dossier.submission
    assert (context.channel, context.account, context.is_staff_account, context.created_by_staff) == (
        Channel.COUNTER,
        officer,
        True,
        officer,
    )
    assert dossier.files.get().component_id == component_id(version)
    assert list(dossier.transitions.values_list("action", "note")) == [
        ("submit", ""),
        ("receive", "Nhận bản giấy tại quầy"),
    ]
    # and posting the same rendering again (a double click) leads to the same dossier
    again = officer_client.post(url, intake_data(version, key))
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert Dossier.objects.count() == 1 and DossierFile.objects.count() == 1


def test_a_postal_dossier_needs_its_tracking_number(officer_client, version, _media):
    url = intake_url(version)
    assert (
        one(officer_client.get(url + "?channel=postal").content.decode(), "input", value="postal").get("checked")
        is not None
    )
    key = rendered_key(officer_client, url)
    response = officer_client.post(url, intake_data(version, key, _channel="postal"))
    assert "Cần số hiệu bưu gửi" in error_beside(response.content.decode(), "input", "_postal_tracking_no")
    assert not Dossier.objects.exists()
    officer_client.post(url, intake_data(version, key, _channel="postal", _postal_tracking_no=" EB123456789VN "))
    dossier = Dossier.objects.get()
    assert (dossier.channel, dossier.postal_tracking_no, dossier.state) == (
        Channel.POSTAL,
        "EB123456789VN",
        DossierState.RECEIVED,
    )


def test_an_existing_account_is_used_and_left_as_it_is(officer_client, version):
    citizen = CitizenFactory(national_id="082188001111", full_name="Đoàn Văn Có Tài Khoản")
    key = rendered_key(officer_client, intake_url(version))
    officer_client.post(
        intake_url(version),
        intake_data(version, key, _applicant_national_id="0821 8800 1111", _applicant_full_name="Doan Van Co"),
    )
    dossier = Dossier.objects.get()
    assert dossier.applicant == citizen
    citizen.refresh_from_db()
    assert citizen.full_name == "Đoàn Văn Có Tài Khoản" and User.objects.filter(kind=User.Kind.CITIZEN).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"_applicant_national_id": "12345"}, "_applicant_national_id", "12 chữ số"),
        ({"_applicant_phone": "12345"}, "_applicant_phone", "10 chữ số"),
        ({"_applicant_full_name": ""}, "_applicant_full_name", "họ và tên"),
        ({"cccd": "999012345678"}, "cccd", "mã tỉnh"),
        ({"_file_COMPONENT": ""}, "_file_COMPONENT", "thành phần hồ sơ bắt buộc"),
    ],
)
def test_bad_intake_input_comes_back_beside_its_field(officer_client, version, _media, overrides, field, message):
    file_field = f"_file_{component_id(version)}"
    overrides = {k.replace("_file_COMPONENT", file_field): v for k, v in overrides.items()}
    field = field.replace("_file_COMPONENT", file_field)
    key = rendered_key(officer_client, intake_url(version))
    data = intake_data(version, key, **overrides)
    if data.get(file_field) == "":
        del data[file_field]
    response = officer_client.post(intake_url(version), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in error_beside(html, "input", field)
    assert not Dossier.objects.exists() and not User.objects.filter(national_id=NEW_CCCD).exists()
    assert elements(html, "form", id="intake-form")


# --- The service -----------------------------------------------------------------------------------
def receive(officer, version, key="counter-1", **overrides):
    values = {
        "actor": officer,
        "channel": Channel.COUNTER,
        "applicant": services.ApplicantDetails(NEW_CCCD, "Ngô Thị Nộp Giấy", "0907123456", "Đồng Tháp"),
        "procedure_code": version.procedure.code,
        "form_data": form(),
        "files": [pdf_for(version)],
        "idempotency_key": key,
    }
    values.update(overrides)
    return services.dossier_receive_paper(**values)


def test_a_retried_intake_returns_the_same_dossier_and_another_body_is_a_conflict(officer, unit, version):
    first = receive(officer, version)
    assert receive(officer, version).pk == first.pk
    with pytest.raises(Conflict) as caught:
        receive(officer, version, form_data=form(ho_ten="Người Khác"))
    assert caught.value.code == "idempotency_key_reused"
    assert Dossier.objects.count() == 1 and User.objects.filter(national_id=NEW_CCCD).count() == 1


def test_a_refused_intake_opens_no_account(officer, unit, version):
    with pytest.raises(InvalidInput):
        receive(officer, version, form_data={"ho_ten": ""})
    with pytest.raises(InvalidInput) as caught:
        receive(officer, version, channel=Channel.POSTAL, postal_tracking_no="")
    assert caught.value.code == "tracking_no_required"
    assert not User.objects.filter(national_id=NEW_CCCD).exists() and not Dossier.objects.exists()


# --- The API -----------------------------------------------------------------------------------------
def api_post(user, version, *, key="api-counter-1", **fields):
    client = Client()
    client.force_login(user)
    data = {
        "procedure_code": version.procedure.code,
        "form_data": json.dumps(form()),
        "channel": "counter",
        "applicant_national_id": NEW_CCCD,
        "applicant_full_name": "Ngô Thị Nộp Giấy",
        "applicant_phone": "0907123456",
        "applicant_address": "Đồng Tháp",
        "files": [SimpleUploadedFile("ban-quet.pdf", PDF)],
        "file_components": json.dumps([component_id(version)]),
        **fields,
    }
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/dossiers", data, headers=headers)


def test_staff_receive_paper_dossiers_through_the_api(officer, unit, version):
    response = api_post(officer, version)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["channel"], body["state"], body["unit_code"]) == ("counter", "2", unit.code)
    again = api_post(officer, version)
    assert again.status_code == 201 and again.json()["code"] == body["code"]
    postal = api_post(officer, version, key="api-postal-1", channel="postal", postal_tracking_no="RR987654321VN")
    assert (postal.json()["channel"], postal.json()["postal_tracking_no"]) == ("postal", "RR987654321VN")
    assert Dossier.objects.count() == 2
    assert Dossier.objects.get(code=body["code"]).submission.created_by_staff == officer


@pytest.mark.parametrize(
    ("who", "fields", "status", "code"),
    [
        ("officer", {"channel": "postal"}, 400, "tracking_no_required"),
        ("officer", {"channel": "pigeon"}, 400, "invalid_channel"),
        ("officer", {"applicant_national_id": "123"}, 400, "invalid_applicant"),
        ("officer", {"unit_code": "KHONG.CO"}, 400, "unknown_unit"),
        ("officer", {"key": None}, 400, "idempotency_key_required"),
        ("specialist", {}, 403, "permission_denied"),
        ("citizen", {}, 403, "permission_denied"),
    ],
)
def test_bad_paper_intakes_through_the_api_answer_4xx_json(request, unit, version, who, fields, status, code):
    key = fields.pop("key", "api-bad-1")
    response = api_post(request.getfixturevalue(who), version, key=key, **fields)
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code and response.json()["message"]
    assert not Dossier.objects.exists()
    if code == "invalid_applicant":
        assert response.json()["details"] == {"field": "applicant_national_id"}
        assert re.search("12 chữ số", response.json()["message"])
