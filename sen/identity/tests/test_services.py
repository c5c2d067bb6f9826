"""Accounts, posts and roles are written by services: checked, normalised, audited, never deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sen.core.exceptions import Conflict, InvalidInput, PermissionDenied
from sen.core.models import AuditEvent
from sen.identity import policies, services
from sen.identity.models import Employment, RoleGrant, User
from sen.identity.tests.factories import TEST_PASSWORD, OrgUnitFactory, StaffFactory

pytestmark = pytest.mark.django_db


def events(user, action):
    return AuditEvent.objects.filter(object_type="identity.user", object_id=str(user.pk), action=action)


# --- staff_create -------------------------------------------------------------------------------


def test_staff_create_makes_account_post_roles_and_one_audit_event(unit, province_admin):
    user = services.staff_create(
        actor=province_admin,
        email="  An.NV@DongThap.gov.vn ",
        full_name="Nguyễn  Văn An",
        unit=unit,
        position="Chuyên viên",
        roles=["specialist", "clerk"],
        password=TEST_PASSWORD,
        phone="0912 345 678",
    )

    assert (user.username, user.email, user.kind) == ("an.nv@dongthap.gov.vn", "an.nv@dongthap.gov.vn", "staff")
    assert user.full_name == "Nguyễn Văn An"
    assert user.phone == "0912345678"
    assert user.check_password(TEST_PASSWORD)
    assert not user.is_staff
    employment = Employment.objects.get(user=user)
    assert (employment.unit, employment.position, employment.valid_from, employment.valid_to) == (
        unit,
        "Chuyên viên",
        timezone.localdate(),
        None,
    )
    assert sorted(code for code, _unit in policies.roles_of(user)) == ["clerk", "specialist"]
    assert all(grant.granted_by == province_admin for grant in RoleGrant.objects.filter(user=user))
    [event] = events(user, "identity.staff.create")
    assert event.actor == province_admin
    assert event.acting_unit == unit
    assert sorted(role["role"] for role in event.after["roles"]) == ["clerk", "specialist"]


def test_staff_create_without_password_cannot_log_in_with_one(unit):
    user = services.staff_create(actor=None, email="binh.tt@dongthap.gov.vn", full_name="Trần Thị Bình", unit=unit)

    assert not user.has_usable_password()


@pytest.mark.parametrize(
    "email", ["an.nv@gmail.com", "an.nv@dongthap.gov.vn.evil.com", "an.nv@xdongthap.gov.vn", "khong-hop-le"]
)
def test_staff_create_refuses_an_email_outside_the_official_domain(unit, email):
    with pytest.raises(InvalidInput) as caught:
        services.staff_create(actor=None, email=email, full_name="Nguyễn Văn An", unit=unit)

    assert "email" in caught.value.details
    assert not User.objects.filter(username=email.lower()).exists()


def test_staff_create_refuses_a_duplicate_in_any_case(unit):
    services.staff_create(actor=None, email="an.nv@dongthap.gov.vn", full_name="Nguyễn Văn An", unit=unit)

    with pytest.raises(Conflict) as caught:
        services.staff_create(actor=None, email="AN.NV@dongthap.gov.vn", full_name="Nguyễn Văn An", unit=unit)

    assert caught.value.details == {"email": ["Đã có tài khoản với thư điện tử công vụ này."]}
    assert User.objects.filter(username="an.nv@dongthap.gov.vn").count() == 1


def test_staff_create_refuses_an_unknown_role_and_writes_nothing(unit):
    with pytest.raises(InvalidInput):
        services.staff_create(actor=None, email="an.nv@dongthap.gov.vn", full_name="An", unit=unit, roles=["king"])

    assert not User.objects.filter(username="an.nv@dongthap.gov.vn").exists()


def test_a_unit_admin_creates_staff_in_their_unit_but_not_admins(unit_admin, unit, province):
    made = services.staff_create(
        actor=unit_admin, email="moi@dongthap.gov.vn", full_name="Người Mới", unit=unit, roles=["specialist"]
    )
    assert policies.has_role(made, "specialist", unit)

    with pytest.raises(PermissionDenied):
        services.staff_create(
            actor=unit_admin, email="x@dongthap.gov.vn", full_name="X", unit=unit, roles=["unit_admin"]
        )
    with pytest.raises(PermissionDenied):
        services.staff_create(actor=unit_admin, email="y@dongthap.gov.vn", full_name="Y", unit=province)


def test_someone_without_an_admin_role_cannot_create_staff(officer, unit):
    with pytest.raises(PermissionDenied):
        services.staff_create(actor=officer, email="z@dongthap.gov.vn", full_name="Z", unit=unit)


# --- role_grant / role_revoke ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role_code", "becomes_staff"), [("province_admin", True), ("unit_admin", True), ("leader", False)]
)
def test_role_grant_makes_admins_django_staff_users(specialist, unit, role_code, becomes_staff):
    grant = services.role_grant(actor=None, user=specialist, role_code=role_code, unit=unit)

    specialist.refresh_from_db()
    assert specialist.is_staff is becomes_staff
    assert (grant.role.code, grant.unit, grant.valid_from, grant.valid_to) == (
        role_code,
        unit,
        timezone.localdate(),
        None,
    )
    assert policies.has_role(specialist, role_code, unit)
    [event] = events(specialist, "identity.role.grant")
    assert event.after["role"] == role_code


def test_role_grant_of_an_open_grant_returns_it_unchanged(leader, unit):
    first = RoleGrant.objects.get(user=leader, role__code="leader")

    again = services.role_grant(actor=None, user=leader, role_code="leader", unit=unit)

    assert again.pk == first.pk
    assert not events(leader, "identity.role.grant").exists()


def test_role_grant_from_a_future_date(specialist, unit):
    start = timezone.localdate() + dt.timedelta(days=7)

    services.role_grant(actor=None, user=specialist, role_code="leader", unit=unit, valid_from=start)

    assert not policies.has_role(specialist, "leader", unit)
    assert policies.has_role(specialist, "leader", unit, on=start)


def test_role_revoke_ends_a_grant_and_keeps_it(leader, unit, province_admin):
    grant = RoleGrant.objects.get(user=leader, role__code="leader")
    end = timezone.localdate() + dt.timedelta(days=1)

    services.role_revoke(actor=province_admin, grant=grant, on_date=end)

    grant.refresh_from_db()
    assert grant.valid_to == end
    assert policies.has_role(leader, "leader", unit)
    assert not policies.has_role(leader, "leader", unit, on=end)
    with pytest.raises(Conflict):
        services.role_revoke(actor=province_admin, grant=grant)
    assert events(leader, "identity.role.revoke").count() == 1


# --- staff_transfer -------------------------------------------------------------------------------


def test_transfer_today_ends_old_rights_today_and_keeps_yesterday(province):
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    old_unit = OrgUnitFactory(code="H15.51", name="Sở Nội vụ", parent=province)
    new_unit = OrgUnitFactory(code="H15.52", name="Sở Tài chính", parent=province)
    person = StaffFactory(unit=old_unit, roles=["leader", "clerk"], valid_from=today - dt.timedelta(days=100))

    employment = services.staff_transfer(
        actor=None, user=person, new_unit=new_unit, on_date=today, position="Phó Giám đốc", roles=["leader"]
    )

    # old unit: no longer today, still yesterday
    assert not policies.has_role(person, "leader", old_unit)
    assert not policies.has_role(person, "clerk", old_unit)
    assert policies.has_role(person, "leader", old_unit, on=yesterday)
    assert policies.has_role(person, "clerk", old_unit, on=yesterday)
    # new unit: from today, not before
    assert policies.has_role(person, "leader", new_unit)
    assert not policies.has_role(person, "leader", new_unit, on=yesterday)
    assert not policies.has_role(person, "clerk", new_unit)
    # posts follow
    assert policies.current_employment(person) == employment
    assert policies.current_employment(person, on=yesterday).unit == old_unit
    # history: nothing deleted
    posts = list(Employment.objects.filter(user=person).order_by("valid_from").values_list("unit__code", "valid_to"))
    assert posts == [("H15.51", today), ("H15.52", None)]
    grants = sorted(RoleGrant.objects.filter(user=person).values_list("role__code", "unit__code", "valid_to"))
    assert grants == [("clerk", "H15.51", today), ("leader", "H15.51", today), ("leader", "H15.52", None)]


def test_transfer_is_audited_with_before_and_after(leader, unit, province, province_admin):
    on = timezone.localdate() + dt.timedelta(days=3)

    services.staff_transfer(actor=province_admin, user=leader, new_unit=province, on_date=on, roles=["specialist"])

    [event] = events(leader, "identity.staff.transfer")
    assert event.actor == province_admin
    assert event.before["employment"]["unit"] == unit.code
    assert event.before["employment"]["valid_to"] is None
    assert [grant["role"] for grant in event.before["roles"]] == ["leader"]
    assert event.after["employment"]["unit"] == province.code
    assert event.after["employment"]["valid_from"] == on.isoformat()
    assert [grant["valid_to"] for grant in event.after["ended_roles"]] == [on.isoformat()]
    assert [grant["role"] for grant in event.after["roles"]] == ["specialist"]


def test_transfer_cannot_go_back_before_the_current_post(leader, province):
    current = policies.current_employment(leader)

    with pytest.raises(InvalidInput):
        services.staff_transfer(
            actor=None, user=leader, new_unit=province, on_date=current.valid_from - dt.timedelta(days=1)
        )

    assert Employment.objects.filter(user=leader).count() == 1
    assert policies.has_role(leader, "leader", current.unit)


def test_transfer_needs_rights_on_both_units(unit_admin, officer, province):
    with pytest.raises(PermissionDenied):
        services.staff_transfer(actor=unit_admin, user=officer, new_unit=province, on_date=timezone.localdate())

    assert Employment.objects.filter(user=officer).count() == 1


def test_transfer_is_for_staff_only(citizen, unit):
    from sen.core.exceptions import NotFound

    with pytest.raises(NotFound):
        services.staff_transfer(actor=None, user=citizen, new_unit=unit, on_date=timezone.localdate())


# --- citizen_register / business_register ---------------------------------------------------------


def test_citizen_register_normalises_and_audits():
    user = services.citizen_register(
        national_id="087 123 456 789",
        full_name="  Lê  Văn Dân ",
        phone="+84 912 345 678",
        email="Le.Dan@Example.VN",
        password=TEST_PASSWORD,
    )

    assert (user.username, user.national_id, user.kind) == ("087123456789", "087123456789", "citizen")
    assert (user.full_name, user.phone, user.email) == ("Lê Văn Dân", "0912345678", "le.dan@example.vn")
    assert user.check_password(TEST_PASSWORD)
    [event] = events(user, "identity.user.register")
    assert event.actor is None
    assert event.after["kind"] == "citizen"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("national_id", "08712345678"),  # 11 digits
        ("national_id", "0871234567890"),  # 13 digits
        ("national_id", "08712345678a"),
        ("national_id", "000123456789"),  # no province 000
        ("national_id", "097123456789"),  # no province 097
        ("phone", "091234567"),  # 9 digits
        ("phone", "0212345678"),  # landline
        ("phone", "1912345678"),
        ("email", "khong-phai-email"),
        ("full_name", "   "),
        ("password", "12345678"),  # numeric and common
        ("password", "087123456789"),  # the CCCD itself
    ],
)
def test_citizen_register_refuses_bad_input_naming_the_field(field, value):
    data = {
        "national_id": "087123456789",
        "full_name": "Lê Văn Dân",
        "phone": "0912345678",
        "email": "le.dan@example.vn",
        "password": TEST_PASSWORD,
    } | {field: value}

    with pytest.raises(InvalidInput) as caught:
        services.citizen_register(**data)

    assert list(caught.value.details) == [field]
    assert not User.objects.filter(kind="citizen").exists()


def test_citizen_register_refuses_a_duplicate_cccd(citizen):
    with pytest.raises(Conflict) as caught:
        services.citizen_register(
            national_id=citizen.national_id,
            full_name="Người Khác",
            phone="0987654321",
            email="khac@example.vn",
            password=TEST_PASSWORD,
        )

    assert "national_id" in caught.value.details


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("0312345678", "0312345678"), ("0312345678-001", "0312345678-001"), ("0312345678001", "0312345678-001")],
)
def test_business_register_normalises_the_tax_code(typed, stored):
    user = services.business_register(
        tax_code=typed,
        full_name="Công ty TNHH Sen Hồng",
        phone="0901234567",
        email="lienhe@senhong.vn",
        password=TEST_PASSWORD,
    )

    assert (user.username, user.tax_code, user.kind) == (stored, stored, "business")
    assert events(user, "identity.user.register").count() == 1


@pytest.mark.parametrize("tax_code", ["031234567", "03123456789", "0312345678-01", "03123456780012", "abcdefghij"])
def test_business_register_refuses_a_malformed_tax_code(tax_code):
    with pytest.raises(InvalidInput) as caught:
        services.business_register(
            tax_code=tax_code, full_name="Công ty", phone="0901234567", email="a@b.vn", password=TEST_PASSWORD
        )

    assert list(caught.value.details) == ["tax_code"]


def test_business_register_refuses_a_duplicate_tax_code():
    services.business_register(
        tax_code="0312345678-001", full_name="Chi nhánh", phone="0901234567", email="a@b.vn", password=TEST_PASSWORD
    )

    with pytest.raises(Conflict):
        services.business_register(
            tax_code="0312345678001",
            full_name="Chi nhánh 2",
            phone="0901234568",
            email="c@b.vn",
            password=TEST_PASSWORD,
        )
