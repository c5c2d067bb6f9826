"""TOTP for staff, with real codes computed from the device key (django_otp.oath.totp)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sen.core.models import AuditEvent
from sen.identity import services
from sen.identity.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

SETUP = "/accounts/2fa/"
OTP = "/accounts/login/otp/"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def code(device, drift=0):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):0{device.digits}d}"


def confirmed_device(user):
    device = services.totp_device_start(actor=user)
    return services.totp_device_confirm(actor=user, device=device, token=code(device))


def logged_in_as(client):
    return client.session.get(SESSION_KEY)


def test_staff_set_up_totp_with_a_qr_code_and_a_code(client, officer):
    client.force_login(officer)

    page = client.get(SETUP)
    device = TOTPDevice.objects.get(user=officer)
    wrong = client.post(SETUP, {"token": "000000" if code(device) != "000000" else "111111"})
    right = client.post(SETUP, {"token": code(device)})

    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html  # the QR code, inline
    device.refresh_from_db()
    assert device.confirmed
    assert "Mã xác thực không đúng hoặc đã hết hạn." in wrong.content.decode()
    assert right.status_code == 302
    assert right.url == "/accounts/me/"
    actions = AuditEvent.objects.filter(object_id=str(officer.pk), action__startswith="identity.totp")
    assert list(actions.values_list("action", flat=True)) == ["identity.totp.start", "identity.totp.confirm"]


def test_the_setup_page_shows_the_secret_the_app_needs(client, officer):
    import base64

    client.force_login(officer)

    html = client.get(SETUP).content.decode()

    device = TOTPDevice.objects.get(user=officer)
    secret = base64.b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html


def test_citizens_have_no_totp_setup(client, citizen):
    client.force_login(citizen)

    assert client.get(SETUP).status_code == 404


def test_with_a_device_the_password_alone_does_not_log_in(client, officer):
    device = confirmed_device(officer)

    response = client.post(
        "/accounts/login/", {"username": officer.username, "password": TEST_PASSWORD, "next": "/accounts/me/"}
    )

    assert response.status_code == 302
    assert response.url == OTP
    assert logged_in_as(client) is None
    assert client.get("/accounts/me/").status_code == 302  # still anonymous

    finished = client.post(OTP, {"token": code(device, drift=1)})  # the confirm step used the current code

    assert finished.status_code == 302
    assert finished.url == "/accounts/me/"
    assert logged_in_as(client) == str(officer.pk)
    me = client.get("/accounts/me/")
    assert me.status_code == 200
    assert me.wsgi_request.user.is_verified()


def test_a_wrong_code_is_refused_and_counts_towards_lockout(client, officer, settings):
    settings.SEN_LOGIN_MAX_FAILURES = 2
    device = confirmed_device(officer)
    wrong = "123456" if code(device, 1) != "123456" else "654321"
    client.post("/accounts/login/", {"username": officer.username, "password": TEST_PASSWORD})

    first = client.post(OTP, {"token": wrong})
    second = client.post(OTP, {"token": wrong})

    assert "Mã xác thực không đúng hoặc đã hết hạn." in first.content.decode()
    assert second.status_code == 302
    assert second.url == "/accounts/login/"
    assert logged_in_as(client) is None
    officer.refresh_from_db()
    assert officer.locked_until is not None


def test_the_code_step_without_a_password_step_goes_back_to_login(client):
    response = client.get(OTP)

    assert response.status_code == 302
    assert response.url == "/accounts/login/"


def test_a_stale_password_step_expires(client, officer):
    device = confirmed_device(officer)
    client.post("/accounts/login/", {"username": officer.username, "password": TEST_PASSWORD})
    session = client.session
    session["sen_pending_login"]["at"] -= 3600
    session.save()

    response = client.post(OTP, {"token": code(device, 1)})

    assert response.status_code == 302
    assert logged_in_as(client) is None


def test_a_role_that_requires_2fa_sends_the_holder_to_setup_first(client, leader, settings):
    settings.SEN_2FA_REQUIRED_ROLES = ["leader"]

    response = client.post(
        "/accounts/login/", {"username": leader.username, "password": TEST_PASSWORD, "next": "/accounts/me/"}
    )

    assert response.status_code == 302
    assert response.url == SETUP
    assert logged_in_as(client) is None
    assert client.get("/accounts/me/").status_code == 302  # nothing else is usable
    assert client.get("/api/v1/me").status_code == 401
    assert client.get(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user=leader)

    done = client.post(SETUP, {"token": code(device)})

    assert done.status_code == 302
    assert done.url == "/accounts/me/"
    assert logged_in_as(client) == str(leader.pk)


def test_a_role_that_does_not_require_2fa_logs_in_directly(client, officer, settings):
    settings.SEN_2FA_REQUIRED_ROLES = ["leader"]

    response = client.post("/accounts/login/", {"username": officer.username, "password": TEST_PASSWORD})

    assert response.url == "/"
    assert logged_in_as(client) == str(officer.pk)


def test_setting_up_again_retires_the_old_device(officer):
    old = confirmed_device(officer)
    new = services.totp_device_start(actor=officer)

    services.totp_device_confirm(actor=officer, device=new, token=code(new))

    old.refresh_from_db()
    assert not old.confirmed
    assert list(TOTPDevice.objects.filter(user=officer, confirmed=True)) == [new]


def test_a_code_from_another_time_window_is_refused(officer):
    device = services.totp_device_start(actor=officer)

    with pytest.raises(services.InvalidInput):
        services.totp_device_confirm(actor=officer, device=device, token=code(device, drift=-5))

    assert not TOTPDevice.objects.get(pk=device.pk).confirmed


def test_device_start_is_for_staff(citizen):
    with pytest.raises(services.PermissionDenied):
        services.totp_device_start(actor=citizen)
    assert not TOTPDevice.objects.filter(user=citizen).exists()


def test_a_locked_account_cannot_pass_the_code_step(officer):
    from django.utils import timezone

    device = confirmed_device(officer)
    officer.locked_until = timezone.now() + dt.timedelta(minutes=5)

    with pytest.raises(services.AccountLocked):
        services.totp_verify(user=officer, token=code(device, 1))
