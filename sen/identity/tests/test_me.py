"""'Thông tin của tôi' (/accounts/me/) and GET /api/v1/me."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from sen.identity import services
from sen.identity.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_a_staff_member_logs_in_with_the_official_email_and_sees_their_unit(client, specialist, unit):
    client.post("/accounts/login/", {"username": specialist.username.upper(), "password": TEST_PASSWORD})

    response = client.get("/accounts/me/")

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="my-unit"[^>]*>\s*Sở Tư pháp\s*<', html)
    assert unit.code in html
    assert "Võ Thị Chuyên Viên" in html
    assert "Chuyên viên" in html


def test_the_page_shows_roles_and_the_history_after_a_transfer(client, leader, unit, province):
    services.staff_transfer(
        actor=None,
        user=leader,
        new_unit=province,
        on_date=timezone.localdate(),
        position="Phó Chủ tịch",
        roles=["leader"],
    )
    client.force_login(leader)

    html = client.get("/accounts/me/").content.decode()

    assert re.search(r'id="my-unit"[^>]*>\s*Ủy ban nhân dân tỉnh Đồng Tháp\s*<', html)
    history = html.split('id="my-history"', 1)[1].split("</table>", 1)[0]
    assert "Sở Tư pháp" in history
    assert "Ủy ban nhân dân tỉnh Đồng Tháp" in history
    roles = html.split('id="my-roles"', 1)[1].split("</table>", 1)[0]
    assert "Lãnh đạo" in roles
    assert "Sở Tư pháp" not in roles


def test_the_page_needs_a_login(client):
    response = client.get("/accounts/me/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_a_citizen_sees_their_account_without_staff_sections(client, citizen):
    client.force_login(citizen)

    html = client.get("/accounts/me/").content.decode()

    assert citizen.national_id in html
    assert 'id="my-unit"' not in html
    assert 'id="my-history"' not in html


def test_api_me_without_login_is_401_json(client):
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_api_me_tells_who_where_and_which_roles(client, leader, unit):
    client.force_login(leader)

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json() == {
        "username": leader.username,
        "kind": "staff",
        "full_name": "Nguyễn Văn Lãnh Đạo",
        "email": leader.username,
        "unit": {"code": unit.code, "name": "Sở Tư pháp"},
        "position": "Giám đốc",
        "roles": [{"role": "leader", "unit_code": unit.code}],
    }


def test_api_me_for_a_citizen_has_no_unit(client, citizen):
    client.force_login(citizen)

    body = client.get("/api/v1/me").json()

    assert (body["username"], body["kind"], body["unit"], body["roles"]) == (citizen.national_id, "citizen", None, [])
