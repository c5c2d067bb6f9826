"""The dossiers API end to end, with the demo province's birth registration (1.001193)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sen.core.calendar import working_calendar
from sen.dossiers.models import Dossier, DossierFile
from sen.dossiers.services import MAX_FILE_BYTES
from sen.dossiers.tests.factories import EXE, PDF, PNG, submit
from sen.identity.tests.factories import CitizenFactory
from sen.procedures.demo import demo_build
from sen.procedures.models import Procedure

BIRTH = "1.001193"
ADDRESS = {"detail": "Số 12, ấp Mỹ Thạnh", "commune": "Xã Mỹ An", "province": "Tỉnh Đồng Tháp"}
BIRTH_FORM = {
    "ho_ten_tre": "Nguyễn Thị Bé Sen",
    "ngay_sinh": "2026-11-01",
    "gioi_tinh": "nu",
    "noi_sinh": ADDRESS,
    "ho_ten_me": "Trần Thị Mẹ",
    "cccd_me": "082190001234",
    "nguoi_yeu_cau": "Trần Thị Mẹ",
    "cccd_nguoi_yeu_cau": "082190001234",
    "noi_cu_tru": ADDRESS,
}


@pytest.fixture
def birth(db):
    demo_build(stdout=io.StringIO())
    return Procedure.objects.get(code=BIRTH).current_version


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def required_uploads(code: str = BIRTH) -> tuple[list[SimpleUploadedFile], str]:
    """One PDF for each required component of the procedure's current version, and the matching
    `file_components` field (the component ids in the order of the files)."""
    version = Procedure.objects.get(code=code).current_version
    ids = list(version.components.filter(required=True).order_by("order").values_list("pk", flat=True))
    return [SimpleUploadedFile(f"giay-to-{n}.pdf", PDF) for n in range(len(ids))], json.dumps(ids)


def post_dossier(client: Client, *, key: str | None = "k-1", files=None, **fields):
    data = {"procedure_code": BIRTH, "form_data": json.dumps(BIRTH_FORM), "unit_code": "H15.50", **fields}
    if files is None:
        data["files"], data["file_components"] = required_uploads()
    else:
        data["files"] = files
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/dossiers", data=data, headers=headers)


def act(client: Client, code: str, action: str, **body):
    return client.post(f"/api/v1/dossiers/{code}/actions/{action}", data=body, content_type="application/json")


def test_the_whole_journey_through_the_api(birth, unit, citizen, officer, specialist, leader, unit_certificate):
    # the citizen submits online
    response = post_dossier(client_for(citizen))
    assert response.status_code == 201, response.json()
    code = response.json()["code"]
    assert response.json()["state"] == "1" and response.json()["procedure_code"] == BIRTH
    assert response.json()["files"][0]["content_type"] == "application/pdf"
    # the officer receives: the due date is computed from the procedure's time
    body = act(client_for(officer), code, "receive", note="Hồ sơ đủ").json()
    assert body["state"] == "2"
    dossier = Dossier.objects.get(code=code)
    expected = working_calendar().due(dossier.received_at, birth.processing_amount, birth.processing_unit)
    assert dossier.due_at == expected
    # hand-overs: officer → specialist → leader → officer
    assert act(client_for(officer), code, "assign", assignee=specialist.username).json()["state"] == "4"
    assert act(client_for(specialist), code, "forward", assignee=leader.username).status_code == 200
    assert act(client_for(leader), code, "approve").status_code == 200
    assert act(client_for(officer), code, "complete").json()["state"] == "9"
    body = act(client_for(officer), code, "return-result").json()
    assert body["state"] == "10" and body["state_label"] == "Đã trả kết quả"
    # the applicant reads it: dates, history and the process-control slip
    body = client_for(citizen).get(f"/api/v1/dossiers/{code}").json()
    assert [h["action"] for h in body["history"]] == [
        "submit",
        "receive",
        "assign",
        "forward",
        "approve",
        "complete",
        "return-result",
    ]
    assert [(h["step"], h["receiver"]) for h in body["handovers"]] == [
        (1, officer.username),
        (2, specialist.username),
        (3, leader.username),
        (4, officer.username),
    ]
    assert body["due_at"] is not None and body["timeliness"] in {"early", "on_time"}


def test_a_retried_request_returns_the_same_dossier(birth, unit, citizen):
    client = client_for(citizen)
    first = post_dossier(client, key="retry-1")
    again = post_dossier(client, key="retry-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["code"] == again.json()["code"]
    assert Dossier.objects.count() == 1
    other_body = post_dossier(client, key="retry-1", form_data=json.dumps({**BIRTH_FORM, "gioi_tinh": "nam"}))
    assert other_body.status_code == 409 and other_body.json()["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"key": None}, 400, "idempotency_key_required"),
        ({"procedure_code": "9.999999"}, 404, "unknown_procedure"),
        ({"form_data": json.dumps({**BIRTH_FORM, "ho_ten_tre": ""})}, 400, "invalid_input"),
        ({"form_data": json.dumps({**BIRTH_FORM, "cccd_me": "08219000123A"})}, 400, "invalid_input"),
        ({"form_data": "{not json"}, 400, "invalid_input"),
        ({"files": [SimpleUploadedFile("giay-to.pdf", EXE)]}, 400, "file_type_not_allowed"),
        ({"files": [SimpleUploadedFile("anh.png", PNG + b"\x00" * MAX_FILE_BYTES)]}, 400, "file_too_large"),
    ],
)
def test_bad_submissions_answer_4xx_json_and_write_nothing(birth, unit, citizen, _media, fields, status, code):
    response = post_dossier(client_for(citizen), **fields)
    assert response.status_code == status, response.json()
    body = response.json()
    assert body["code"] == code and body["message"]
    assert not Dossier.objects.exists() and not DossierFile.objects.exists()
    assert not (_media / "dossiers").exists() or not any(p.is_file() for p in (_media / "dossiers").rglob("*"))


def test_the_form_error_names_the_malformed_cccd(birth, unit, citizen):
    response = post_dossier(client_for(citizen), form_data=json.dumps({**BIRTH_FORM, "cccd_me": "12345"}))
    assert "cccd_me" in response.json()["details"]["fields"]


def test_someone_elses_dossier_is_404_like_a_missing_one(unit, citizen, version):
    dossier = submit(citizen, version, unit)
    stranger = client_for(CitizenFactory(full_name="Hồ Văn Lạ"))
    assert stranger.get(f"/api/v1/dossiers/{dossier.code}").status_code == 404
    assert stranger.get("/api/v1/dossiers/KHONG-CO-0001").status_code == 404
    response = act(stranger, dossier.code, "supplement")
    assert response.status_code == 404 and response.json()["code"] == "dossier_not_found"


def test_an_invalid_transition_answers_409(unit, citizen, officer, version):
    dossier = submit(citizen, version, unit)
    response = act(client_for(officer), dossier.code, "complete")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert "Mới đăng ký" in response.json()["message"]


def test_staff_without_the_steps_role_get_403(unit, citizen, specialist, version):
    dossier = submit(citizen, version, unit)
    assert act(client_for(specialist), dossier.code, "receive").status_code == 403


def test_anonymous_requests_get_401(unit, citizen, version):
    dossier = submit(citizen, version, unit)
    assert Client().get(f"/api/v1/dossiers/{dossier.code}").status_code == 401


def test_session_writes_need_the_csrf_header(birth, unit, citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    response = post_dossier(client, key="csrf-1")
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    assert not Dossier.objects.exists()


def test_the_reschedule_date_is_sent_in_the_body(unit, citizen, officer, version):
    dossier = submit(citizen, version, unit)
    client = client_for(officer)
    act(client, dossier.code, "receive")
    due = Dossier.objects.get(pk=dossier.pk).due_at
    new_date = due.replace(year=due.year + 1).isoformat()
    body = act(client, dossier.code, "reschedule", reason="Cần xác minh thêm", new_due_at=new_date).json()
    assert body["rescheduled_due_at"] is not None
    assert Dossier.objects.get(pk=dossier.pk).due_at == due


# --- Required components -------------------------------------------------------------------------
def test_a_missing_required_component_answers_400_naming_it(birth, unit, citizen, _media):
    # given the birth registration, whose one required paper is the birth certificate
    certificate = birth.components.get(required=True)
    optional = birth.components.filter(required=False).first()
    # when the citizen sends only the optional form, attached to its component
    response = post_dossier(
        client_for(citizen),
        files=[SimpleUploadedFile("to-khai.pdf", PDF)],
        file_components=json.dumps([optional.pk]),
    )
    # then 400, a code, a Vietnamese message naming the certificate, the component by id; nothing written
    body = response.json()
    assert response.status_code == 400 and body["code"] == "component_required"
    assert body["message"].startswith("Thiếu thành phần hồ sơ bắt buộc “Giấy chứng sinh; trường hợp")
    assert body["details"]["components"] == [{"id": certificate.pk, "name": certificate.name}]
    assert not Dossier.objects.exists() and not DossierFile.objects.exists()


@pytest.mark.parametrize(
    ("file_components", "code"),
    [
        ("[1, 2]", "invalid_input"),  # two ids for one file
        ("{not json", "invalid_input"),
        ('["12"]', "invalid_input"),
        ("[999999]", "unknown_component"),  # not a component of this procedure
    ],
)
def test_file_components_must_match_the_files(birth, unit, citizen, file_components, code):
    response = post_dossier(
        client_for(citizen), files=[SimpleUploadedFile("a.pdf", PDF)], file_components=file_components
    )
    assert response.status_code == 400 and response.json()["code"] == code
    assert not Dossier.objects.exists()


def test_files_land_on_their_components(birth, unit, citizen):
    response = post_dossier(client_for(citizen))
    assert response.status_code == 201, response.json()
    stored = DossierFile.objects.get()
    assert stored.component == birth.components.get(required=True)
