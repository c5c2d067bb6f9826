"""E-results and ratings: completing a dossier signs its result with the receiving unit's certificate;
who may download it and when; the public verify page finds it by dossier code; the rating rules."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from sen.core.calendar import VN_TZ
from sen.core.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from sen.core.models import AuditEvent
from sen.dossiers.choices import DossierState
from sen.dossiers.models import Dossier, DossierRating, DossierResult
from sen.dossiers.results import result_bytes
from sen.dossiers.services import dossier_rate, dossier_transition
from sen.dossiers.tests.factories import submit
from sen.identity.tests.factories import CitizenFactory, OrgUnitFactory, StaffFactory
from sen.signing.validation import pdf_validate

S = DossierState


def processing(citizen, officer, specialist, leader, unit, version) -> Dossier:
    """A dossier received, processed and approved: the next action is `complete`."""
    dossier = submit(citizen, version, unit)
    dossier = dossier_transition(actor=officer, dossier=dossier, action="receive")
    dossier = dossier_transition(actor=officer, dossier=dossier, action="assign", assignee=specialist.username)
    dossier = dossier_transition(actor=specialist, dossier=dossier, action="forward", assignee=leader.username)
    return dossier_transition(actor=leader, dossier=dossier, action="approve")


@pytest.fixture
def approved(citizen, officer, specialist, leader, unit, version):
    return processing(citizen, officer, specialist, leader, unit, version)


@pytest.fixture
def processed(approved, officer, unit_certificate):
    return dossier_transition(actor=officer, dossier=approved, action="complete")


@pytest.fixture
def returned(processed, officer):
    return dossier_transition(actor=officer, dossier=processed, action="return-result")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The e-result -------------------------------------------------------------------------------
def test_completing_signs_the_result_with_the_receiving_units_certificate(processed, unit, unit_certificate, citizen):
    # then the dossier is processed and its result stored once, with its hash and size
    assert processed.state == S.PROCESSED
    result = DossierResult.objects.select_related("signer_unit").get(dossier=processed)
    data = result_bytes(result)
    assert (result.sha256, result.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert result.signer_unit == unit and result.certificate_serial == unit_certificate.serial
    assert result.file.name.startswith(f"dossiers/results/{result.sha256[:2]}/{result.sha256}-")
    # and the PDF carries one signature: intact, trusted, by the unit, nothing changed after it
    report = pdf_validate(data)
    assert report.ok, report.as_dict()
    [signature] = report.signatures
    assert signature.intact and signature.valid and signature.trusted
    assert signature.signer == unit.name
    assert signature.certificate_serial == unit_certificate.serial
    assert signature.changes == "none"
    assert processed.code in signature.reason
    # and the audit trail names the completion and the signature
    completion = AuditEvent.objects.get(action="dossiers.dossier.complete", object_id=str(processed.pk))
    assert completion.after["result_sha256"] == result.sha256
    assert AuditEvent.objects.filter(action="signing.document.sign_result", object_id=result.sha256).exists()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_result_page_is_vietnamese_with_the_code_applicant_and_date(processed, citizen, unit):
    data = result_bytes(DossierResult.objects.get(dossier=processed))
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in text
    assert processed.code in text and citizen.full_name in text
    assert processed.procedure_version.name in text
    day = processed.processed_at.astimezone(VN_TZ).date()
    assert f"Đồng Tháp, ngày {day.day:02d} tháng" in text


def test_the_procedures_result_name_is_the_documents_title(
    citizen, officer, specialist, leader, unit, unit_certificate
):
    from sen.dossiers.tests.factories import publish_version

    version = publish_version(result="Giấy chứng nhận thử nghiệm\nDòng thứ hai không vào tiêu đề")
    dossier = processing(citizen, officer, specialist, leader, unit, version)
    dossier = dossier_transition(actor=officer, dossier=dossier, action="complete")
    assert DossierResult.objects.get(dossier=dossier).name == "Giấy chứng nhận thử nghiệm"


def test_completion_without_a_unit_certificate_is_refused_and_changes_nothing(approved, officer, _media):
    with pytest.raises(Conflict) as caught:
        dossier_transition(actor=officer, dossier=approved, action="complete")
    assert caught.value.code == "unit_certificate_missing"
    assert "Đơn vị chưa có chứng thư số" in caught.value.message
    dossier = Dossier.objects.get(pk=approved.pk)
    assert (dossier.state, dossier.processed_at) == (S.PROCESSING, None)
    assert not DossierResult.objects.exists()
    assert not (_media / "dossiers" / "results").exists()
    assert dossier.transitions.last().action == "approve"


def test_a_revoked_certificate_does_not_sign(approved, officer, unit_certificate):
    from sen.signing.services import certificate_revoke

    certificate_revoke(actor=None, certificate=unit_certificate)
    with pytest.raises(Conflict):
        dossier_transition(actor=officer, dossier=approved, action="complete")
    assert Dossier.objects.get(pk=approved.pk).state == S.PROCESSING


def test_the_api_answers_409_without_a_certificate(approved, officer):
    response = client_for(officer).post(
        f"/api/v1/dossiers/{approved.code}/actions/complete", data={}, content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["code"] == "unit_certificate_missing"


def test_a_result_is_never_replaced(processed):
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierResult.objects.create(
            dossier=processed,
            name="x",
            file="x.pdf",
            size=1,
            sha256="0" * 64,
            signed_at=processed.processed_at,
            signer_unit=processed.unit,
            certificate_serial="1",
        )


# --- Downloading --------------------------------------------------------------------------------
def _people(citizen, officer, specialist, leader, clerk, province):
    return {
        "applicant": citizen,
        "officer": officer,
        "specialist": specialist,
        "leader": leader,
        "clerk_same_unit": clerk,  # no one-stop role: does not see dossiers
        "another_citizen": CitizenFactory(full_name="Phan Thị Người Lạ"),
        "officer_elsewhere": StaffFactory(
            full_name="Lý Văn Xã Khác",
            unit=OrgUnitFactory(code="H15.99", name="UBND xã Khác", parent=province),
            roles=["one_stop_officer"],
        ),
    }


DOWNLOAD_TABLE = [
    # (who, status at 9 "processed", status at 10 "returned")
    ("applicant", 404, 200),
    ("officer", 200, 200),
    ("specialist", 200, 200),
    ("leader", 200, 200),
    ("clerk_same_unit", 404, 404),
    ("another_citizen", 404, 404),
    ("officer_elsewhere", 404, 404),
]


@pytest.mark.parametrize(("who", "at_processed", "at_returned"), DOWNLOAD_TABLE)
def test_who_may_download_the_result_and_when(
    processed, officer, citizen, specialist, leader, clerk, province, who, at_processed, at_returned
):
    person = _people(citizen, officer, specialist, leader, clerk, province)[who]
    url = reverse("dossiers:result_download", args=[processed.code])
    client = client_for(person)
    assert client.get(url).status_code == at_processed
    assert client.get(f"/api/v1/dossiers/{processed.code}/result.pdf").status_code == (
        at_processed if who not in {"clerk_same_unit", "another_citizen", "officer_elsewhere"} else 404
    )
    dossier_transition(actor=officer, dossier=processed, action="return-result")
    response = client.get(url)
    assert response.status_code == at_returned
    if at_returned == 200:
        data = b"".join(response.streaming_content)
        result = DossierResult.objects.get(dossier=processed)
        assert hashlib.sha256(data).hexdigest() == result.sha256
        assert response["Content-Type"] == "application/pdf"
        assert f'filename="ket-qua-{processed.code}.pdf"' in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]


def test_no_result_before_completion_and_anonymous_visitors_are_sent_to_log_in(approved, citizen, officer):
    url = reverse("dossiers:result_download", args=[approved.code])
    assert client_for(officer).get(url).status_code == 404
    assert client_for(citizen).get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert Client().get(f"/api/v1/dossiers/{approved.code}/result.pdf").status_code == 401


def test_the_dossier_api_shows_the_result_to_the_applicant_only_once_returned(processed, citizen, officer):
    api = f"/api/v1/dossiers/{processed.code}"
    assert client_for(citizen).get(api).json()["result"] is None
    staff_view = client_for(officer).get(api).json()["result"]
    assert staff_view["signer_unit"] == processed.unit.name and staff_view["download_url"].endswith("/result.pdf")
    dossier_transition(actor=officer, dossier=processed, action="return-result")
    body = client_for(citizen).get(api).json()
    assert body["result"]["sha256"] == DossierResult.objects.get(dossier=processed).sha256
    assert client_for(citizen).get(body["result"]["download_url"]).status_code == 200


def test_the_result_page_links_the_download_and_the_rating(returned, citizen):
    html = client_for(citizen).get(reverse("dossiers:result_detail", args=[returned.code])).content.decode()
    assert reverse("dossiers:result_download", args=[returned.code]) in html
    assert reverse("dossiers:result_rate", args=[returned.code]) in html
    assert returned.unit.name in html
    stranger = client_for(CitizenFactory(full_name="Hồ Văn Lạ"))
    assert stranger.get(reverse("dossiers:result_detail", args=[returned.code])).status_code == 404


# --- Verifying by dossier code -------------------------------------------------------------------
def test_the_public_verify_page_validates_the_stored_result_by_dossier_code(processed, unit):
    anonymous = Client()
    assert 'name="code"' in anonymous.get(reverse("signing:verify")).content.decode()
    html = anonymous.post(reverse("signing:verify"), {"code": f" {processed.code} "}).content.decode()
    assert "Tất cả chữ ký số hợp lệ" in html
    assert unit.name in html
    assert "Nguyên vẹn: nội dung đã ký không bị thay đổi." in html
    assert DossierResult.objects.get(dossier=processed).sha256 in html
    missing = anonymous.post(reverse("signing:verify"), {"code": "H15.50-261122-9999"}).content.decode()
    assert "Không tìm thấy hồ sơ có mã này." in missing


def test_a_dossier_without_a_result_is_not_found_on_the_verify_page(approved):
    html = Client().post(reverse("signing:verify"), {"code": approved.code}).content.decode()
    assert "Không tìm thấy hồ sơ có mã này." in html


# --- Rating -------------------------------------------------------------------------------------
def rate(client: Client, code: str, **body):
    return client.post(f"/api/v1/dossiers/{code}/rating", data=body, content_type="application/json")


def test_the_applicant_rates_once_after_the_result_is_returned(returned, citizen):
    response = rate(client_for(citizen), returned.code, level="very_satisfied", comment="Cán bộ nhiệt tình.")
    assert response.status_code == 201, response.json()
    assert response.json()["level_label"] == "Rất hài lòng"
    rating = DossierRating.objects.get(dossier=returned)
    assert (rating.applicant, rating.level, rating.comment) == (citizen, "very_satisfied", "Cán bộ nhiệt tình.")
    event = AuditEvent.objects.get(action="dossiers.dossier.rate")
    assert event.after == {"level": "very_satisfied", "comment": "Cán bộ nhiệt tình."}
    # twice → 409, the first rating stays
    again = rate(client_for(citizen), returned.code, level="not_satisfied")
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    assert DossierRating.objects.get(dossier=returned).level == "very_satisfied"
    assert client_for(citizen).get(f"/api/v1/dossiers/{returned.code}").json()["rating"]["level"] == "very_satisfied"


def test_rating_before_the_result_is_returned_is_a_conflict(processed, citizen):
    response = rate(client_for(citizen), processed.code, level="satisfied")
    assert response.status_code == 409 and response.json()["code"] == "not_returned"
    assert not DossierRating.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("another_citizen", 404), ("officer_elsewhere", 404), ("officer", 403)])
def test_only_the_applicant_rates(returned, citizen, officer, specialist, leader, clerk, province, who, status):
    person = _people(citizen, officer, specialist, leader, clerk, province)[who]
    assert rate(client_for(person), returned.code, level="satisfied").status_code == status
    assert not DossierRating.objects.exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"level": "ecstatic"}, "invalid_input"),
        ({"level": "satisfied", "comment": "x" * 1001}, "invalid_input"),
        ({}, "invalid_input"),
    ],
)
def test_bad_ratings_answer_400(returned, citizen, body, code):
    response = rate(client_for(citizen), returned.code, **body)
    assert response.status_code == 400 and response.json()["code"] == code
    assert not DossierRating.objects.exists()


def test_the_service_checks_level_comment_and_person(returned, citizen, officer):
    with pytest.raises(InvalidInput):
        dossier_rate(actor=citizen, dossier=returned, level="ecstatic")
    with pytest.raises(InvalidInput):
        dossier_rate(actor=citizen, dossier=returned, level="satisfied", comment="ý" * 1001)
    with pytest.raises(PermissionDenied):
        dossier_rate(actor=officer, dossier=returned, level="satisfied")
    with pytest.raises(NotFound):
        dossier_rate(actor=CitizenFactory(full_name="Mai Thị Lạ"), dossier=returned, level="satisfied")
    rating = dossier_rate(actor=citizen, dossier=returned, level="not_satisfied", comment="ý" * 1000)
    assert len(rating.comment) == 1000


def test_the_database_keeps_one_rating_per_dossier(returned, citizen):
    dossier_rate(actor=citizen, dossier=returned, level="satisfied")
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierRating.objects.create(
            dossier=returned, applicant=citizen, level="satisfied", rated_at=returned.returned_at
        )


def test_the_rating_page_in_vietnamese(returned, citizen):
    client = client_for(citizen)
    url = reverse("dossiers:result_rate", args=[returned.code])
    page = client.get(url).content.decode()
    assert "Đánh giá mức độ hài lòng" in page
    assert "Rất hài lòng" in page and "Hài lòng" in page and "Không hài lòng" in page
    bad = client.post(url, {"level": "", "comment": "Không chọn mức"})
    assert bad.status_code == 400 and "field-errors" in bad.content.decode()
    done = client.post(url, {"level": "satisfied", "comment": "Nhanh, đúng hẹn."})
    assert done.status_code == 302 and done["Location"] == reverse("dossiers:result_detail", args=[returned.code])
    detail = client.get(done["Location"]).content.decode()
    assert "Cảm ơn ông/bà đã đánh giá mức độ hài lòng." in detail and "Nhanh, đúng hẹn." in detail
    twice = client.post(url, {"level": "not_satisfied"})
    assert twice.status_code == 409 and "Hồ sơ này đã được đánh giá." in twice.content.decode()
    assert DossierRating.objects.get(dossier=returned).level == "satisfied"


def test_the_rating_page_is_the_applicants_alone(returned, officer):
    url = reverse("dossiers:result_rate", args=[returned.code])
    assert client_for(officer).get(url).status_code == 404
    assert client_for(CitizenFactory(full_name="Đỗ Văn Lạ")).get(url).status_code == 404


def test_the_rating_page_before_the_result_says_when(processed, citizen):
    client = client_for(citizen)
    url = reverse("dossiers:result_rate", args=[processed.code])
    assert "đánh giá được sau khi hồ sơ đã được trả kết quả" in client.get(url).content.decode()
    response = client.post(url, {"level": "satisfied"})
    assert response.status_code == 409
    assert not DossierRating.objects.exists()
