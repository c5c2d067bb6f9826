"""Who holds which role where and when: table-driven over roles × tree relations × dates."""

from __future__ import annotations

import datetime as dt

import pytest

from sen.identity import policies
from sen.identity.models import Role, RoleGrant
from sen.identity.tests.factories import OrgUnitFactory, StaffFactory, province_kind

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def tree():
    """root → a → a1, and b beside a."""
    root = OrgUnitFactory(code="P", name="Tỉnh", kind=province_kind())
    a = OrgUnitFactory(code="P.A", name="Sở A", parent=root)
    a1 = OrgUnitFactory(code="P.A.1", name="Phòng A1", parent=a)
    b = OrgUnitFactory(code="P.B", name="Sở B", parent=root)
    return {"root": root, "a": a, "a1": a1, "b": b}


# relation of the unit asked about to the unit granted on ("a") → where to ask
RELATIONS = {"same unit": "a", "child unit": "a1", "parent unit": "root", "sibling unit": "b"}
INHERITING = {"leader", "unit_admin", "province_admin"}

CASES = [
    (role, relation, relation == "same unit" or (relation == "child unit" and role in INHERITING))
    for role in policies.ROLE_CODES
    for relation in RELATIONS
]


def test_seeded_roles_say_which_inherit():
    roles = {role.code: role for role in Role.objects.all()}

    assert set(roles) == set(policies.ROLE_CODES)
    assert {code for code, role in roles.items() if role.inherits_down} == INHERITING
    assert roles["leader"].name == "Lãnh đạo"
    assert roles["one_stop_officer"].name_en == "One-stop officer"


@pytest.mark.parametrize(("role_code", "relation", "expected"), CASES)
def test_has_role_by_relation_in_the_tree(tree, role_code, relation, expected):
    person = StaffFactory(unit=tree["a"], roles=[role_code])

    assert policies.has_role(person, role_code, tree[RELATIONS[relation]]) is expected


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (DAY - dt.timedelta(days=1), False),  # before valid_from
        (DAY, True),  # on valid_from
        (DAY + dt.timedelta(days=9), True),  # last day
        (DAY + dt.timedelta(days=10), False),  # on valid_to (exclusive)
        (DAY + dt.timedelta(days=11), False),  # after
    ],
)
def test_grant_is_valid_from_inclusive_to_exclusive(tree, on, expected):
    person = StaffFactory(unit=tree["a"], valid_from=DAY - dt.timedelta(days=30))
    RoleGrant.objects.create(
        user=person,
        role=Role.objects.get(code="specialist"),
        unit=tree["a"],
        valid_from=DAY,
        valid_to=DAY + dt.timedelta(days=10),
    )

    assert policies.has_role(person, "specialist", tree["a"], on=on) is expected
    assert (("specialist", tree["a"]) in policies.roles_of(person, on=on)) is expected


def test_whether_a_role_inherits_is_data(tree):
    person = StaffFactory(unit=tree["a"], roles=["clerk"])
    assert not policies.has_role(person, "clerk", tree["a1"])

    Role.objects.filter(code="clerk").update(inherits_down=True)

    assert policies.has_role(person, "clerk", tree["a1"])


def test_a_role_held_elsewhere_or_another_role_does_not_count(tree):
    person = StaffFactory(unit=tree["a"], roles=["specialist"])

    assert not policies.has_role(person, "leader", tree["a"])
    assert not policies.has_role(person, "specialist", tree["b"])


def test_inactive_and_anonymous_people_hold_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    person = StaffFactory(unit=tree["a"], roles=["leader"])
    person.is_active = False
    person.save()

    assert not policies.has_role(person, "leader", tree["a"])
    assert not policies.has_role(AnonymousUser(), "leader", tree["a"])
    assert policies.roles_of(AnonymousUser()) == []
    assert not policies.units_where(AnonymousUser(), "leader").exists()


@pytest.mark.parametrize(
    ("role_code", "expected_units"),
    [("leader", {"a", "a1"}), ("specialist", {"a"}), ("clerk", set())],
)
def test_units_where_covers_descendants_for_inheriting_roles(tree, role_code, expected_units):
    person = StaffFactory(unit=tree["a"], roles=["leader", "specialist"])

    units = set(policies.units_where(person, role_code).values_list("code", flat=True))

    assert units == {tree[name].code for name in expected_units}


def test_units_where_joins_several_grants(tree):
    person = StaffFactory(unit=tree["a1"], roles=["specialist"])
    RoleGrant.objects.create(user=person, role=Role.objects.get(code="specialist"), unit=tree["b"], valid_from=DAY)

    units = set(policies.units_where(person, "specialist").values_list("code", flat=True))

    assert units == {"P.A.1", "P.B"}


def test_roles_of_lists_role_and_unit(tree):
    person = StaffFactory(unit=tree["a"], roles=["leader", "clerk"])

    assert sorted((code, unit.code) for code, unit in policies.roles_of(person)) == [
        ("clerk", "P.A"),
        ("leader", "P.A"),
    ]


def test_current_employment_follows_the_date(tree):
    person = StaffFactory(unit=tree["a"], position="Chuyên viên", valid_from=DAY)

    assert policies.current_employment(person, on=DAY - dt.timedelta(days=1)) is None
    employment = policies.current_employment(person, on=DAY)
    assert employment is not None
    assert (employment.unit, employment.position) == (tree["a"], "Chuyên viên")


def test_is_province_admin(tree, admin_user):
    province_admin = StaffFactory(unit=tree["root"], roles=["province_admin"])
    leader = StaffFactory(unit=tree["root"], roles=["leader", "unit_admin"])

    assert policies.is_province_admin(province_admin)
    assert not policies.is_province_admin(leader)
    assert policies.is_province_admin(admin_user)  # superuser
    assert not policies.is_province_admin(None)


@pytest.mark.parametrize(
    ("actor_role", "target", "role_code", "expected"),
    [
        ("province_admin", "b", "province_admin", True),
        ("unit_admin", "a", "specialist", True),
        ("unit_admin", "a1", "leader", True),  # below the grant
        ("unit_admin", "b", "specialist", False),  # beside it
        ("unit_admin", "a", "unit_admin", False),  # admin roles: province admins only
        ("leader", "a", "specialist", False),
    ],
)
def test_who_may_manage_people(tree, actor_role, target, role_code, expected):
    actor = StaffFactory(unit=tree["a"] if actor_role != "province_admin" else tree["root"], roles=[actor_role])

    assert policies.can_manage_people(actor, tree[target], role_code=role_code) is expected
