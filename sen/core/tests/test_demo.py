"""`manage.py demo`: the demo province from the real 2025 data, idempotent, every role present."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from sen.core import audit
from sen.core.demo import codes, data
from sen.core.models import AuditEvent, CalendarDay, CalendarSettings, OrgUnit, UnitChange
from sen.identity import policies
from sen.identity.models import Employment, RoleGrant, User

DEMO_PASSWORD = "Mat-khau-demo-thu-2026"


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (OrgUnit, UnitChange, User, Employment, RoleGrant, CalendarDay, CalendarSettings, AuditEvent)
    }


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_builds_dong_thap_after_2025_and_a_second_run_changes_nothing(monkeypatch):
    monkeypatch.setenv("SEN_DEMO_PASSWORD", DEMO_PASSWORD)

    first_output = run_demo()
    after_first = counts()
    hashes = dict(User.objects.values_list("username", "password"))
    second_output = run_demo()

    # idempotent: nothing new, nothing changed, not even a password hash or an audit event
    assert counts() == after_first
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert "không thay đổi" in second_output
    assert "(01/QĐ-STP đã ban hành, gửi 2 nơi nhận)" in first_output  # the documents app's samples

    # the province root with its agency code (Đồng Tháp is H20 in qd766/provinces.json)
    root = OrgUnit.objects.get(parent__isnull=True)
    assert (root.name, root.code, root.depth) == ("Ủy ban nhân dân tỉnh Đồng Tháp", "000.00.00.H20", 0)
    justice = OrgUnit.objects.get(name="Sở Tư pháp")
    assert (justice.parent, justice.code) == (root, "000.00.03.H20")

    # all 102 wards and communes with their real GSO codes, directly under the province
    communes = OrgUnit.objects.filter(kind__code__in=["ward", "commune"], active_to__isnull=True)
    expected = {commune.code: commune for commune in data.communes_2025()}
    assert communes.count() == 102
    assert {unit.statistics_code for unit in communes} == set(expected)
    assert all(unit.parent_id == root.pk and unit.depth == 1 for unit in communes)
    assert communes.filter(kind__code="ward").count() == 20
    my_tho = communes.get(statistics_code="28261")
    assert (my_tho.name, my_tho.code) == ("Phường Mỹ Tho", codes.commune_code(2, is_ward=True))
    assert communes.get(statistics_code="28436").name == "Phường Thanh Hòa"  # the 2025 spelling
    assert OrgUnit.objects.filter(parent=my_tho, name="Trung tâm Phục vụ hành chính công").exists()
    assert len({unit.code for unit in OrgUnit.objects.all()}) == OrgUnit.objects.count()

    # staff in every role, all with official e-mails, posted and granted; citizens and businesses
    staff = User.objects.filter(kind=User.Kind.STAFF)
    assert staff.exists()
    assert all(user.email.endswith("@dongthap.gov.vn") and user.username == user.email for user in staff)
    assert set(RoleGrant.objects.values_list("role__code", flat=True)) == set(policies.ROLE_CODES)
    assert all(policies.current_employment(user) is not None for user in staff)
    an = User.objects.get(username="an.nv@dongthap.gov.vn")
    assert an.full_name == "Nguyễn Văn An" and policies.has_role(an, "leader", justice)
    admin = User.objects.get(username="tuan.nm@dongthap.gov.vn")
    assert policies.has_role(admin, "province_admin", my_tho)  # inherited down from the province
    assert User.objects.filter(kind=User.Kind.CITIZEN).count() >= 2
    assert User.objects.filter(kind=User.Kind.BUSINESS).count() == 2
    assert all(user.national_id.startswith("082") for user in User.objects.filter(kind=User.Kind.CITIZEN))

    # one demo password ($SEN_DEMO_PASSWORD) for every account, and the table says so
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD), user.username
        assert f"{user.username} " in first_output and f"{user.username} " in second_output
    assert first_output.count(DEMO_PASSWORD) == User.objects.count()

    # every change went through the services: the audit trail holds together
    assert AuditEvent.objects.filter(action="core.unit.create").count() == OrgUnit.objects.count()
    assert audit.verify().ok

    # the calendar: the working-hours row and the example days
    assert CalendarSettings.objects.filter(pk=1).exists()
    assert CalendarDay.objects.count() == 2
    assert all("demo" in day.reason for day in CalendarDay.objects.all())


@pytest.mark.django_db
def test_without_the_shared_data_the_demo_says_what_is_missing(settings, tmp_path):
    settings.SEN_SHARED_DATA_DIR = tmp_path / "nowhere"

    with pytest.raises(CommandError) as error:
        run_demo()

    assert "SEN_SHARED_DATA_DIR" in str(error.value)
    assert "dong_thap_2025_communes_wards.csv" in str(error.value)
    assert not OrgUnit.objects.exists()


@pytest.mark.django_db
def test_the_demo_refuses_production_settings(settings):
    settings.SETTINGS_MODULE = "config.settings.production"

    with pytest.raises(CommandError):
        run_demo()

    assert not User.objects.exists()


def test_official_e_mails_are_given_name_dot_initials():
    from sen.core.demo.people import STAFF, email_local_part

    assert email_local_part("Nguyễn Văn An") == "an.nv"
    assert email_local_part("Hoàng Quốc Đạt") == "dat.hq"
    assert email_local_part("Đỗ Thị Hoa") == "hoa.dt"
    assert len({email_local_part(seed.full_name) for seed in STAFF}) == len(STAFF)


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ((), "000.00.00.H20"),
        ((14,), "000.00.14.H20"),
        ((14, 1), "000.01.14.H20"),
        ((30, 20, 4), "004.20.30.H20"),
    ],
)
def test_agency_codes_read_right_to_left(arguments, code):
    assert codes.agency_code("H20", *arguments) == code
