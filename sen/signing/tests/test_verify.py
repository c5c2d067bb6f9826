from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sen.signing import lookup
from sen.signing.tests.conftest import decision_pdf, flip_byte_in_first_stream


def _upload(data: bytes, name: str = "van-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_verify_page_is_public_and_shows_each_signature(client, two_layer, leader, unit):
    # given: nobody logged in
    page = client.get(reverse("signing:verify"))
    assert page.status_code == 200 and "Kiểm tra chữ ký số" in page.content.decode()
    # when
    response = client.post(reverse("signing:verify"), {"file": _upload(two_layer)})
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tất cả chữ ký số hợp lệ" in html
    assert leader.full_name in html and unit.name in html
    assert html.count("Nguyên vẹn: nội dung đã ký không bị thay đổi.") == 2
    assert "Sau khi ký chỉ điền biểu mẫu" in html and "+07:00" in html


def test_verify_page_shows_tampering(client, two_layer):
    response = client.post(reverse("signing:verify"), {"file": _upload(flip_byte_in_first_stream(two_layer))})
    html = response.content.decode()
    assert "KHÔNG nguyên vẹn" in html and "Tất cả chữ ký số hợp lệ" not in html


def test_verify_page_checks_the_type_by_content(client, db):
    response = client.post(reverse("signing:verify"), {"file": _upload(b"GIF89a...", name="gia-mao.pdf")})
    assert response.status_code == 200
    assert "Tệp không phải là tài liệu PDF." in response.content.decode()
    unsigned = client.post(reverse("signing:verify"), {"file": _upload(decision_pdf())})
    assert "Tệp PDF không có chữ ký số." in unsigned.content.decode()


def test_verify_page_finds_a_document_by_code_when_a_lookup_is_registered(client, two_layer, leader):
    lookup.register("test", lambda code: two_layer if code == "H15.50-261122-0007" else None)
    try:
        assert 'name="code"' in client.get(reverse("signing:verify")).content.decode()
        found = client.post(reverse("signing:verify"), {"code": "H15.50-261122-0007"}).content.decode()
        missing = client.post(reverse("signing:verify"), {"code": "H15.50-261122-9999"}).content.decode()
    finally:
        lookup.unregister("test")
    assert leader.full_name in found
    assert "Không tìm thấy hồ sơ có mã này." in missing
    # the dossiers app registers its own lookup at start-up, so the code box stays
    assert 'name="code"' in client.get(reverse("signing:verify")).content.decode()


def test_api_validates_anonymously(client, two_layer, leader, unit):
    response = client.post("/api/v1/signatures/validate", {"file": _upload(two_layer)})
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["errors"] == []
    assert [sig["signer"] for sig in body["signatures"]] == [leader.full_name, unit.name]
    assert body["signatures"][0]["changes"] == "form_filling"
    assert all(sig["intact"] and sig["trusted"] for sig in body["signatures"])


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"not a pdf at all", "Tệp không phải là tài liệu PDF."),
        (b"%PDF-1.4 broken", "Tệp PDF bị hỏng, không đọc được."),
    ],
)
def test_api_reports_bad_files_in_the_report(client, db, data, error):
    response = client.post("/api/v1/signatures/validate", {"file": _upload(data)})
    assert response.status_code == 200
    assert response.json()["ok"] is False and response.json()["errors"] == [error]


def test_api_without_a_file_is_a_400(client, db):
    response = client.post("/api/v1/signatures/validate", {})
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"


def test_api_refuses_files_over_the_limit(client, db, settings, monkeypatch):
    from sen.signing import validation

    monkeypatch.setattr(validation, "MAX_PDF_BYTES", 1000)
    response = client.post("/api/v1/signatures/validate", {"file": _upload(b"%PDF-" + b"0" * 2000)})
    assert response.status_code == 400 and response.json()["code"] == "file_too_large"
