"""Citizens and businesses register at /accounts/register/ and land logged in on the portal."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY

from sen.identity.models import User
from sen.identity.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

CITIZEN = {
    "national_id": "087099000123",
    "full_name": "Nguyễn Thị Hoa",
    "phone": "0912345678",
    "email": "hoa.nt@example.vn",
    "password1": TEST_PASSWORD,
    "password2": TEST_PASSWORD,
}
BUSINESS = {
    "tax_code": "1801234567",
    "full_name": "Công ty TNHH Sen Vàng",
    "phone": "0901234567",
    "email": "lienhe@senvang.vn",
    "password1": TEST_PASSWORD,
    "password2": TEST_PASSWORD,
}


def field_errors(response, field):
    return response.context["form"].errors.get(field, [])


def test_the_register_page_is_public_and_asks_for_the_cccd(client):
    response = client.get("/accounts/register/")

    html = response.content.decode()
    assert response.status_code == 200
    for name in CITIZEN:
        assert f'name="{name}"' in html


def test_a_citizen_registers_and_is_logged_in_on_the_portal(client):
    response = client.post("/accounts/register/", CITIZEN, follow=True)

    user = User.objects.get(username="087099000123")
    assert response.redirect_chain == [("/", 302)]
    assert client.session[SESSION_KEY] == str(user.pk)
    assert (user.kind, user.full_name, user.phone) == ("citizen", "Nguyễn Thị Hoa", "0912345678")
    assert "Đăng ký thành công" in response.content.decode()


def test_a_registered_citizen_logs_in_again_with_the_cccd(client):
    client.post("/accounts/register/", CITIZEN)
    client.post("/accounts/logout/")

    response = client.post("/accounts/login/", {"username": "087099000123", "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert SESSION_KEY in client.session


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("national_id", "12345", "Số CCCD phải gồm đúng 12 chữ số."),
        ("national_id", "099123456789", "ba chữ số đầu phải là mã tỉnh"),
        ("phone", "12345", "Số điện thoại di động phải gồm 10 chữ số"),
        ("email", "khong-phai-email", "Địa chỉ thư điện tử không hợp lệ."),
        ("password2", "khac-mat-khau", "Hai mật khẩu không khớp nhau."),
    ],
)
def test_bad_input_is_shown_beside_the_field(client, field, value, message):
    response = client.post("/accounts/register/", CITIZEN | {field: value})

    assert response.status_code == 200
    assert any(message in error for error in field_errors(response, field)), field_errors(response, field)
    assert not User.objects.filter(kind="citizen").exists()
    assert SESSION_KEY not in client.session


def test_a_weak_password_is_refused_beside_the_password(client):
    response = client.post("/accounts/register/", CITIZEN | {"password1": "12345678", "password2": "12345678"})

    assert field_errors(response, "password1")
    assert not User.objects.filter(kind="citizen").exists()


def test_a_duplicate_cccd_is_shown_beside_the_cccd(client, citizen):
    response = client.post("/accounts/register/", CITIZEN | {"national_id": citizen.national_id})

    assert field_errors(response, "national_id") == ["Số CCCD này đã được đăng ký. Vui lòng đăng nhập."]
    html = response.content.decode()
    assert "Số CCCD này đã được đăng ký" in html.split('name="national_id"', 1)[1].split('name="full_name"', 1)[0]


def test_a_business_registers_with_its_tax_code(client):
    response = client.post("/accounts/register/business/", BUSINESS | {"tax_code": "1801234567001"})

    user = User.objects.get(kind="business")
    assert response.status_code == 302
    assert response.url == "/"
    assert (user.username, user.tax_code, user.full_name) == (
        "1801234567-001",
        "1801234567-001",
        "Công ty TNHH Sen Vàng",
    )
    assert client.session[SESSION_KEY] == str(user.pk)


def test_a_duplicate_tax_code_is_shown_beside_the_tax_code(client):
    client.post("/accounts/register/business/", BUSINESS)
    client.post("/accounts/logout/")

    response = client.post("/accounts/register/business/", BUSINESS | {"email": "khac@senvang.vn"})

    assert field_errors(response, "tax_code") == ["Mã số thuế này đã được đăng ký. Vui lòng đăng nhập."]
    assert User.objects.filter(kind="business").count() == 1


def test_a_logged_in_person_is_sent_home_from_register(client, citizen):
    client.force_login(citizen)

    response = client.get("/accounts/register/")

    assert response.status_code == 302


def test_a_new_citizen_is_welcomed_by_email_once_the_account_is_saved(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/register/", CITIZEN)

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["hoa.nt@example.vn"]
    assert "087099000123" in message.body
    assert "Chào mừng" in message.body


def test_a_refused_registration_sends_no_email(client, citizen, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/register/", {**CITIZEN, "national_id": citizen.national_id})

    assert mailoutbox == []
