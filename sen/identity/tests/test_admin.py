"""The Django admin is for province admins; every change in it goes through a service."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sen.core.models import AuditEvent
from sen.identity import policies
from sen.identity.models import Employment, Role, RoleGrant, User
from sen.identity.tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/identity/user/",
        "/admin/identity/role/",
        "/admin/identity/employment/",
        "/admin/identity/rolegrant/",
    ],
)
def test_a_province_admin_opens_the_admin(client, province_admin, officer, url):
    client.force_login(province_admin)

    response = client.get(url)

    assert response.status_code == 200


def test_the_person_page_shows_posts_and_roles(client, province_admin, officer):
    client.force_login(province_admin)

    html = client.get(f"/admin/identity/user/{officer.pk}/change/").content.decode()

    assert "Sở Tư pháp" in html
    assert "Cán bộ một cửa" in html


def test_a_unit_admin_is_staff_but_not_let_into_the_province_admin(client, unit_admin):
    client.force_login(unit_admin)

    assert client.get("/admin/identity/user/").status_code == 403


def test_someone_who_is_not_staff_is_refused_not_looped(client, officer):
    client.force_login(officer)

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403


def test_adding_a_person_in_the_admin_creates_a_civil_servant(client, province_admin, unit):
    client.force_login(province_admin)
    leader = Role.objects.get(code="leader")

    response = client.post(
        "/admin/identity/user/add/",
        {
            "email": "Moi.NV@dongthap.gov.vn",
            "full_name": "Nguyễn Văn Mới",
            "phone": "0987654321",
            "unit": unit.pk,
            "position": "Phó Giám đốc",
            "roles": [leader.pk],
            "password": "",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    user = User.objects.get(username="moi.nv@dongthap.gov.vn")
    assert policies.has_role(user, "leader", unit)
    assert AuditEvent.objects.get(object_id=str(user.pk), action="identity.staff.create").actor == province_admin


def test_adding_a_person_outside_the_official_domain_is_an_inline_error(client, province_admin, unit):
    client.force_login(province_admin)

    response = client.post(
        "/admin/identity/user/add/", {"email": "moi@gmail.com", "full_name": "Mới", "unit": unit.pk, "password": ""}
    )

    assert response.status_code == 200
    assert "@dongthap.gov.vn" in str(response.context["adminform"].form.errors["email"])


def test_editing_a_person_is_audited(client, province_admin, officer):
    client.force_login(province_admin)

    response = client.post(
        f"/admin/identity/user/{officer.pk}/change/",
        {
            "full_name": "Phạm Văn Đổi Tên",
            "phone": "0911111111",
            "email": officer.email,
            "is_active": "",
            "employments-TOTAL_FORMS": "0",
            "employments-INITIAL_FORMS": "0",
            "role_grants-TOTAL_FORMS": "0",
            "role_grants-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.full_name, officer.is_active) == ("Phạm Văn Đổi Tên", False)
    event = AuditEvent.objects.get(object_id=str(officer.pk), action="identity.user.update")
    assert (event.before["is_active"], event.after["is_active"]) == (True, False)


def test_a_transfer_in_the_admin_uses_the_transfer_service(client, province_admin, specialist, province):
    client.force_login(province_admin)
    new_unit = OrgUnitFactory(code="H15.60", name="Sở Y tế", parent=province)
    today = timezone.localdate()

    response = client.post(
        "/admin/identity/employment/add/",
        {
            "user": specialist.pk,
            "unit": new_unit.pk,
            "position": "Chuyên viên chính",
            "valid_from": today.isoformat(),
            "roles": [Role.objects.get(code="specialist").pk],
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert Employment.objects.filter(user=specialist).count() == 2
    assert policies.current_employment(specialist).unit == new_unit
    assert policies.has_role(specialist, "specialist", new_unit)
    old_grant = RoleGrant.objects.get(user=specialist, unit__code="H15.50")
    assert old_grant.valid_to == today


def test_granting_and_ending_a_role_in_the_admin(client, province_admin, specialist, unit):
    client.force_login(province_admin)
    role = Role.objects.get(code="unit_admin")

    added = client.post(
        "/admin/identity/rolegrant/add/",
        {
            "user": specialist.pk,
            "role": role.pk,
            "unit": unit.pk,
            "valid_from": timezone.localdate().isoformat(),
        },
    )
    grant = RoleGrant.objects.get(user=specialist, role=role)
    ended = client.post(
        "/admin/identity/rolegrant/", {"action": "end_today", "_selected_action": [grant.pk], "index": 0}
    )

    assert added.status_code == 302
    assert ended.status_code == 302
    specialist.refresh_from_db()
    assert specialist.is_staff
    grant.refresh_from_db()
    assert grant.valid_to == timezone.localdate()
    assert not policies.has_role(specialist, "unit_admin", unit)


def test_nothing_is_deleted_in_the_admin(client, province_admin, officer):
    client.force_login(province_admin)

    assert client.get(f"/admin/identity/user/{officer.pk}/delete/").status_code == 403


def test_changing_whether_a_role_inherits_is_audited(client, province_admin):
    client.force_login(province_admin)
    clerk = Role.objects.get(code="clerk")

    response = client.post(
        f"/admin/identity/role/{clerk.pk}/change/", {"name": "Văn thư", "name_en": "Clerk", "inherits_down": "on"}
    )

    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.inherits_down
    assert AuditEvent.objects.filter(object_type="identity.role", action="identity.role.update").count() == 1
