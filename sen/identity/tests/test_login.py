"""Logging in at /accounts/login/ with the standard `username` and `password` fields."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sen.core.models import AuditEvent
from sen.identity.models import User
from sen.identity.tests.factories import TEST_PASSWORD, BusinessFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
LOCKED = "Tài khoản tạm thời bị khoá do đăng nhập sai quá nhiều lần."


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def login(client, username, password=TEST_PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def logged_in_as(client):
    return client.session.get(SESSION_KEY)


def user_events(user):
    return list(
        AuditEvent.objects.filter(object_type="identity.user", object_id=str(user.pk)).values_list("action", flat=True)
    )


def test_login_page_has_the_standard_fields(client):
    response = client.get(LOGIN)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert "Đăng nhập" in html


@pytest.mark.parametrize("typed", ["{email}", "{upper}", "  {email}  "])
def test_staff_log_in_with_their_official_email_in_any_case(client, officer, typed):
    username = typed.format(email=officer.username, upper=officer.username.upper())

    response = login(client, username)

    assert response.status_code == 302
    assert response.url == reverse("portal:home")
    assert logged_in_as(client) == str(officer.pk)
    assert user_events(officer)[-1] == "identity.login.success"


def test_citizens_log_in_with_their_cccd(client, citizen):
    response = login(client, citizen.national_id)

    assert response.status_code == 302
    assert logged_in_as(client) == str(citizen.pk)


@pytest.mark.parametrize("typed", ["0312345678-001", "0312345678001", "0312345678 001"])
def test_businesses_log_in_with_their_tax_code(client, typed):
    business = BusinessFactory(tax_code="0312345678-001")

    response = login(client, typed)

    assert response.status_code == 302
    assert logged_in_as(client) == str(business.pk)


def test_login_goes_to_next_when_it_is_ours(client, officer):
    response = login(client, officer.username, next="/accounts/me/")
    assert response.url == "/accounts/me/"


def test_login_ignores_a_next_elsewhere(client, officer):
    response = login(client, officer.username, next="https://evil.example/")
    assert response.url == reverse("portal:home")


def test_a_wrong_password_and_an_unknown_login_get_the_same_message(client, officer):
    wrong_password = login(client, officer.username, "sai-mat-khau")
    unknown = login(client, "khong.ton.tai@dongthap.gov.vn", "sai-mat-khau")

    assert wrong_password.status_code == unknown.status_code == 200
    assert wrong_password.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert WRONG in wrong_password.content.decode()
    assert logged_in_as(client) is None
    assert user_events(officer) == ["identity.staff.create", "identity.login.failure"]


def test_an_inactive_account_gets_the_generic_message(client, officer):
    User.objects.filter(pk=officer.pk).update(is_active=False)

    response = login(client, officer.username)

    assert WRONG in response.content.decode()
    assert logged_in_as(client) is None


def test_lockout_after_repeated_failures_even_with_the_right_password(client, officer, settings):
    settings.SEN_LOGIN_MAX_FAILURES = 3
    settings.SEN_LOGIN_LOCKOUT_MINUTES = 15

    first = login(client, officer.username, "sai-1")
    login(client, officer.username, "sai-2")
    third = login(client, officer.username, "sai-3")
    right = login(client, officer.username, TEST_PASSWORD)

    assert WRONG in first.content.decode()
    assert LOCKED in third.content.decode()
    assert LOCKED in right.content.decode()
    assert logged_in_as(client) is None
    officer.refresh_from_db()
    assert officer.locked_until > timezone.now() + dt.timedelta(minutes=14)
    until = timezone.localtime(officer.locked_until).strftime("%H:%M")
    assert until in right.content.decode()
    assert user_events(officer)[1:] == [
        "identity.login.failure",
        "identity.login.failure",
        "identity.login.lockout",
        "identity.login.locked",
    ]


def test_when_the_lock_ends_the_right_password_works_and_resets(client, officer, settings):
    settings.SEN_LOGIN_MAX_FAILURES = 3
    User.objects.filter(pk=officer.pk).update(
        locked_until=timezone.now() - dt.timedelta(seconds=1), failed_login_count=2
    )

    response = login(client, officer.username)

    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.failed_login_count, officer.locked_until) == (0, None)


def test_a_success_resets_the_count_of_failures(client, officer, settings):
    settings.SEN_LOGIN_MAX_FAILURES = 3
    login(client, officer.username, "sai-1")
    login(client, officer.username, "sai-2")
    officer.refresh_from_db()
    assert officer.failed_login_count == 2

    login(client, officer.username)
    client.logout()
    login(client, officer.username, "sai-3")
    login(client, officer.username, "sai-4")

    officer.refresh_from_db()
    assert (officer.failed_login_count, officer.locked_until) == (2, None)


def test_unknown_logins_lock_too_so_locking_reveals_nothing(client, settings):
    settings.SEN_LOGIN_MAX_FAILURES = 2

    first = login(client, "ai.do@dongthap.gov.vn", "x")
    second = login(client, "AI.DO@dongthap.gov.vn", "x")

    assert WRONG in first.content.decode()
    assert LOCKED in second.content.decode()
    assert AuditEvent.objects.filter(object_type="identity.login", action="identity.login.failure").count() == 2


def test_admin_login_goes_through_sens_login(client):
    response = client.get("/admin/login/?next=/admin/identity/user/")

    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/admin/identity/user/"


def test_logout_ends_the_session(client, officer):
    login(client, officer.username)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert logged_in_as(client) is None


def test_no_vneid_button_without_a_provider(client, settings):
    settings.VNEID_DISCOVERY_URL = ""

    assert "Đăng nhập bằng VNeID" not in client.get(LOGIN).content.decode()


def test_vneid_button_when_a_provider_is_configured(client, settings):
    settings.VNEID_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    try:
        start = reverse("oidc_login:start")
    except NoReverseMatch:
        pytest.fail("the VNeID login pages (sen/identity/urls_oidc.py) define no 'start' URL")

    html = client.get(LOGIN).content.decode()

    assert "Đăng nhập bằng VNeID" in html
    assert f'href="{start}' in html
