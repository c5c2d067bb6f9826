"""The organisation tree: levels are data, re-organisation keeps history.

The big scenario uses the REAL units of Tiền Giang before and after the 2025 reform (shared data,
admin-units/): the province with two of its former districts (Thành phố Mỹ Tho, Thành phố Gò Công)
and their 24 communes; then the reform merges the communes into new ones directly under the
province and abolishes the district level."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from sen.core import audit, selectors, services
from sen.core.demo import data
from sen.core.exceptions import Conflict, InvalidInput
from sen.core.models import AuditEvent, OrgUnit, UnitChange, UnitKind
from sen.core.tests.factories import OrgUnitFactory, UnitKindFactory
from sen.identity.models import Employment, User

BEFORE = dt.date(2004, 1, 1)
REFORM = dt.date(2025, 7, 1)
DISTRICTS = ("815", "816")  # Thành phố Mỹ Tho, Thành phố Gò Công

# Old commune names start with their type; the type is a UnitKind row found by that prefix.
KIND_BY_PREFIX = {"Phường": "ward", "Xã": "commune", "Thị trấn": "township"}


def kinds() -> None:
    for code, name, rank in [
        ("province", "Tỉnh", 0),
        ("district", "Huyện, thị xã, thành phố thuộc tỉnh", 10),
        ("ward", "Phường", 20),
        ("commune", "Xã", 20),
        ("township", "Thị trấn", 20),
        ("room", "Phòng", 30),
    ]:
        UnitKindFactory(code=code, name=name, rank=rank)


def kind_of(name: str) -> str:
    return next(kind for prefix, kind in KIND_BY_PREFIX.items() if name.startswith(prefix + " "))


@pytest.fixture
def tien_giang_2024(db):
    """Province → 2 districts → 24 communes, from dong_thap_tien_giang_pre2025_3level.csv."""
    kinds()
    rows = [row for row in data.units_pre2025() if row.district_code in DISTRICTS]
    province = services.unit_create(
        actor=None, code="82", name=rows[0].province_name, kind_code="province", active_from=BEFORE
    )
    districts: dict[str, OrgUnit] = {}
    communes: dict[str, OrgUnit] = {}
    for row in rows:
        if row.district_code not in districts:
            districts[row.district_code] = services.unit_create(
                actor=None,
                code=row.district_code,
                name=row.district_name,
                kind_code="district",
                parent=province,
                active_from=BEFORE,
                statistics_code=row.district_code,
            )
        communes[row.code] = services.unit_create(
            actor=None,
            code=row.code,
            name=row.name,
            kind_code=kind_of(row.name),
            parent=districts[row.district_code],
            active_from=BEFORE,
            statistics_code=row.code,
        )
    return {"province": province, "districts": districts, "communes": communes, "rows": rows}


def reform_2025(tree) -> dict[str, OrgUnit]:
    """Merge the old communes per dong_thap_2025_communes_wards.csv into new communes directly
    under the province, then abolish the districts. Returns the new communes by GSO code."""
    new: dict[str, OrgUnit] = {}
    every_old_unit = data.units_pre2025()
    for commune in data.communes_2025():
        resolution = data.resolve_predecessors(commune, every_old_unit)
        assert not resolution.unresolved
        if not {unit.district_code for unit in resolution.units} <= set(DISTRICTS):
            continue  # made of communes outside the two districts of this test
        new[commune.code] = services.unit_merge(
            actor=None,
            units=[tree["communes"][unit.code] for unit in resolution.units],
            code=commune.code,
            name=commune.name,
            kind_code="ward" if commune.is_ward else "commune",
            parent=tree["province"],
            on_date=REFORM,
        )
    for district in tree["districts"].values():
        services.unit_dissolve(actor=None, unit=district, on_date=REFORM)
    return new


def test_a_three_level_tree_from_real_data_has_its_levels_as_data(tien_giang_2024):
    province = tien_giang_2024["province"]
    my_tho = tien_giang_2024["districts"]["815"]
    phuong_1 = tien_giang_2024["communes"]["28261"]  # Phường 1, Thành phố Mỹ Tho

    assert province.depth == 0 and province.path == f"/{province.pk}/"
    assert my_tho.depth == 1 and my_tho.path == f"/{province.pk}/{my_tho.pk}/"
    assert phuong_1.name == "Phường 1"
    assert phuong_1.depth == 2 and phuong_1.path == f"/{province.pk}/{my_tho.pk}/{phuong_1.pk}/"
    assert selectors.unit_ancestors(phuong_1) == [province, my_tho]
    assert selectors.unit_descendants(province).count() == 1 + 2 + 24
    assert selectors.unit_descendants(my_tho, include_self=False).count() == 14
    assert set(UnitKind.objects.filter(units__isnull=False).values_list("code", flat=True)) == {
        "province",
        "district",
        "ward",
        "commune",
    }
    tree = selectors.unit_tree(province)
    assert [node.unit.name for node in tree.children] == ["Thành phố Mỹ Tho", "Thành phố Gò Công"]
    assert len(tree.walk()) == 27


def test_the_2025_reform_merges_communes_under_the_province_and_keeps_history(tien_giang_2024):
    # given a civil servant posted to Phường 1 (Mỹ Tho) before the reform
    old_phuong_1 = tien_giang_2024["communes"]["28261"]
    officer = User.objects.create(username="nga.lt@dongthap.gov.vn", kind=User.Kind.STAFF, full_name="Lê Thị Nga")
    post = Employment.objects.create(user=officer, unit=old_phuong_1, position="Công chức", valid_from=BEFORE)
    province = tien_giang_2024["province"]

    # when the 2025 reform is applied
    new = reform_2025(tien_giang_2024)

    # then the 24 old communes became 9 new ones directly under the province, no district left
    assert len(new) == 9
    phuong_my_tho = new["28261"]
    assert phuong_my_tho.name == "Phường Mỹ Tho"
    assert phuong_my_tho.parent == province and phuong_my_tho.depth == 1
    assert phuong_my_tho.code == old_phuong_1.code  # the code of a merged unit is reused
    on_reform_day = selectors.unit_descendants(province, include_self=False, active_on=REFORM)
    assert set(on_reform_day) == set(new.values())
    the_day_before = selectors.unit_descendants(province, include_self=False, active_on=REFORM - dt.timedelta(1))
    assert the_day_before.count() == 2 + 24
    assert all(unit.active_to == REFORM for unit in OrgUnit.objects.filter(depth=2))
    assert not selectors.active_units(on=REFORM).filter(kind__code="district").exists()

    # and what belonged to the old commune still shows it; the successor chain leads to the new one
    post.refresh_from_db()
    assert post.unit == old_phuong_1 and post.unit.name == "Phường 1"
    old_phuong_1.refresh_from_db()
    assert old_phuong_1.active_to == REFORM
    assert old_phuong_1.parent == tien_giang_2024["districts"]["815"]  # history: it was in Mỹ Tho
    assert selectors.unit_successor_chain(old_phuong_1) == [phuong_my_tho]
    assert selectors.unit_current_successor(old_phuong_1) == phuong_my_tho
    assert {unit.name for unit in phuong_my_tho.predecessors.all()} == {"Phường 1", "Phường 2", "Phường Tân Long"}

    # and the history and the audit trail say what happened
    merge = UnitChange.objects.get(unit=old_phuong_1, kind=UnitChange.Kind.MERGE)
    assert (merge.successor, merge.effective_on, merge.old_name) == (phuong_my_tho, REFORM, "Phường 1")
    assert UnitChange.objects.filter(kind=UnitChange.Kind.MERGE).count() == 24
    assert UnitChange.objects.filter(kind=UnitChange.Kind.DISSOLVE).count() == 2
    event = AuditEvent.objects.get(action="core.unit.merge", object_id=str(phuong_my_tho.pk))
    assert event.after["predecessors"] == [unit.pk for unit in phuong_my_tho.predecessors.order_by("path")]
    assert event.actor is None and event.actor_label == "system"
    assert audit.verify().ok


def test_a_second_merge_extends_the_successor_chain(db):
    kinds()
    province = OrgUnitFactory(code="P", name="Tỉnh thử", kind=UnitKind.objects.get(code="province"))
    commune = UnitKind.objects.get(code="commune")
    a, b, c = (OrgUnitFactory(code=code, name=f"Xã {code}", kind=commune, parent=province) for code in "ABC")

    ab = services.unit_merge(
        actor=None, units=[a, b], code="AB", name="Xã AB", kind_code="commune", parent=province, on_date=REFORM
    )
    later = REFORM + dt.timedelta(days=365)
    abc = services.unit_merge(
        actor=None, units=[ab, c], code="ABC", name="Xã ABC", kind_code="commune", parent=province, on_date=later
    )

    a.refresh_from_db()
    assert selectors.unit_successor_chain(a) == [ab, abc]
    assert selectors.unit_current_successor(a) == abc
    assert selectors.unit_current_successor(abc) == abc
    assert list(selectors.active_units(on=later).filter(kind=commune)) == [abc]


@pytest.mark.parametrize("language", ["vi", "en"])  # the history is written in Vietnamese whoever merges
def test_merging_moves_the_active_units_below_and_records_the_moves(db, language):
    kinds()
    province = OrgUnitFactory(code="P", name="Tỉnh thử", kind=UnitKind.objects.get(code="province"))
    commune, room = UnitKind.objects.get(code="commune"), UnitKind.objects.get(code="room")
    east = OrgUnitFactory(code="E", name="Xã Đông", kind=commune, parent=province)
    west = OrgUnitFactory(code="W", name="Xã Tây", kind=commune, parent=province)
    one_stop = OrgUnitFactory(code="E1", name="Bộ phận Một cửa", kind=room, parent=east)
    desk = OrgUnitFactory(code="E1a", name="Quầy tiếp nhận", kind=room, parent=one_stop)
    closed = OrgUnitFactory(code="W9", name="Tổ đã giải thể", kind=room, parent=west)
    services.unit_dissolve(actor=None, unit=closed, on_date=dt.date(2025, 8, 1))

    with translation.override(language):
        merged = services.unit_merge(
            actor=None,
            units=[east, west],
            code="EW",
            name="Xã Đông Tây",
            kind_code="commune",
            parent=province,
            on_date=dt.date(2026, 1, 1),
        )

    one_stop.refresh_from_db()
    desk.refresh_from_db()
    closed.refresh_from_db()
    assert one_stop.parent == merged and one_stop.path == f"{merged.path}{one_stop.pk}/" and one_stop.depth == 2
    assert desk.path == f"{one_stop.path}{desk.pk}/" and desk.depth == 3
    assert closed.parent == west  # an inactive unit stays where history put it
    move = UnitChange.objects.get(unit=one_stop, kind=UnitChange.Kind.MOVE)
    assert (move.old_parent, move.new_parent) == (east, merged)
    assert move.note == "Chuyển theo việc hợp nhất “Xã Đông”."
    assert UnitChange.objects.get(unit=merged, kind=UnitChange.Kind.CREATE).note == "Hợp nhất từ: Xã Đông, Xã Tây"


def test_moving_a_department_rewrites_the_paths_of_its_subtree(db):
    kinds()
    province = OrgUnitFactory(code="P", name="Tỉnh thử", kind=UnitKind.objects.get(code="province"))
    department, room = UnitKindFactory(code="department", name="Sở"), UnitKind.objects.get(code="room")
    office = OrgUnitFactory(code="VP", name="Văn phòng UBND tỉnh", kind=department, parent=province)
    centre = OrgUnitFactory(code="TT", name="Trung tâm Phục vụ hành chính công", kind=department, parent=province)
    counter = OrgUnitFactory(code="TT1", name="Quầy Tư pháp", kind=room, parent=centre)
    window = OrgUnitFactory(code="TT1a", name="Cửa số 1", kind=room, parent=counter)

    services.unit_move(actor=None, unit=centre, new_parent=office, on_date=dt.date(2026, 1, 1))

    for unit in (centre, counter, window):
        unit.refresh_from_db()
    assert centre.parent == office and centre.path == f"/{province.pk}/{office.pk}/{centre.pk}/"
    assert (centre.depth, counter.depth, window.depth) == (2, 3, 4)
    assert window.path == f"{centre.path}{counter.pk}/{window.pk}/"
    assert selectors.unit_ancestors(window) == [province, office, centre, counter]
    assert list(selectors.unit_descendants(office, include_self=False)) == [centre, counter, window]
    change = UnitChange.objects.get(unit=centre, kind=UnitChange.Kind.MOVE)
    assert (change.old_parent, change.new_parent, change.effective_on) == (province, office, dt.date(2026, 1, 1))
    event = AuditEvent.objects.get(action="core.unit.move", object_id=str(centre.pk))
    assert event.before["parent_id"] == province.pk and event.after["parent_id"] == office.pk


@pytest.mark.parametrize("target", ["itself", "child", "grandchild"])
def test_a_unit_cannot_move_under_itself_or_its_descendants(db, target):
    kinds()
    room = UnitKind.objects.get(code="room")
    top = OrgUnitFactory(code="A", name="Sở A", kind=room)
    child = OrgUnitFactory(code="A1", name="Phòng A1", kind=room, parent=top)
    grandchild = OrgUnitFactory(code="A1a", name="Tổ A1a", kind=room, parent=child)
    new_parent = {"itself": top, "child": child, "grandchild": grandchild}[target]

    with pytest.raises(InvalidInput) as error:
        services.unit_move(actor=None, unit=top, new_parent=new_parent, on_date=REFORM)

    assert "Không thể chuyển đơn vị" in error.value.message
    assert OrgUnit.objects.get(pk=top.pk).path == top.path
    assert not UnitChange.objects.filter(kind=UnitChange.Kind.MOVE).exists()
    assert not AuditEvent.objects.filter(action="core.unit.move").exists()


def test_renaming_keeps_the_old_name_in_the_history(db):
    kinds()
    unit = OrgUnitFactory(
        code="S", name="Sở Thông tin và Truyền thông", kind=UnitKind.objects.get(code="room"), active_from=BEFORE
    )

    services.unit_rename(actor=None, unit=unit, name="Sở Khoa học và Công nghệ", on_date=dt.date(2025, 3, 1))

    unit.refresh_from_db()
    assert unit.name == "Sở Khoa học và Công nghệ"
    change = UnitChange.objects.get(unit=unit, kind=UnitChange.Kind.RENAME)
    assert (change.old_name, change.new_name) == ("Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ")
    event = AuditEvent.objects.get(action="core.unit.rename")
    assert (event.before["name"], event.after["name"]) == ("Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ")


def test_a_code_is_unique_among_active_units_only(db):
    kinds()
    room = UnitKind.objects.get(code="room")
    first = OrgUnitFactory(code="000.00.03.H20", name="Sở Tư pháp", kind=room)

    with pytest.raises(Conflict):
        OrgUnitFactory(code="000.00.03.H20", name="Sở khác", kind=room)
    services.unit_dissolve(actor=None, unit=first, on_date=REFORM)
    again = OrgUnitFactory(code="000.00.03.H20", name="Sở Tư pháp (mới)", kind=room)

    assert again.pk != first.pk
    assert OrgUnit.objects.filter(code="000.00.03.H20").count() == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("unknown kind", "Không có loại đơn vị"),
        ("empty name", "Vui lòng nhập tên đơn vị."),
        ("inactive parent", "không hoạt động"),
    ],
)
def test_bad_input_is_refused_with_a_vietnamese_message(db, change, message):
    kinds()
    room = UnitKind.objects.get(code="room")
    parent = OrgUnitFactory(code="X", name="Đơn vị cũ", kind=room, active_from=BEFORE)
    services.unit_dissolve(actor=None, unit=parent, on_date=REFORM)
    arguments = {"actor": None, "code": "Y", "name": "Phòng mới", "kind_code": "room", "active_from": BEFORE}
    if change == "unknown kind":
        arguments["kind_code"] = "district-2030"
    elif change == "empty name":
        arguments["name"] = "   "
    else:
        arguments |= {"parent": parent, "active_from": REFORM}

    with pytest.raises(InvalidInput) as error:
        services.unit_create(**arguments)

    assert message in error.value.message
    assert not OrgUnit.objects.filter(code="Y").exists()


# --- The admin: province admins edit the tree through the services ------------------------------------

INLINE_MANAGEMENT = {
    "changes-TOTAL_FORMS": "0",
    "changes-INITIAL_FORMS": "0",
    "changes-MIN_NUM_FORMS": "0",
    "changes-MAX_NUM_FORMS": "1000",
}


def test_a_province_admin_adds_a_unit_in_the_admin_with_path_history_and_audit(client, province_admin, province):
    room = UnitKindFactory(code="room", name="Phòng")
    client.force_login(province_admin)

    response = client.post(
        "/admin/core/orgunit/add/",
        {
            "code": "000.01.08.H20",
            "name": "Phòng Chuyển đổi số",
            "short_name": "",
            "kind": room.pk,
            "parent": province.pk,
            "statistics_code": "",
            "active_from": "2025-07-01",
            **INLINE_MANAGEMENT,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    unit = OrgUnit.objects.get(code="000.01.08.H20")
    assert (unit.parent, unit.depth, unit.path) == (province, province.depth + 1, f"{province.path}{unit.pk}/")
    assert UnitChange.objects.filter(unit=unit, kind=UnitChange.Kind.CREATE).exists()
    assert AuditEvent.objects.get(action="core.unit.create", object_id=str(unit.pk)).actor == province_admin


def test_the_admin_refuses_moving_a_unit_under_its_own_descendant(client, province_admin, province):
    room = UnitKindFactory(code="room", name="Phòng")
    top = OrgUnitFactory(code="A", name="Sở A", kind=room, parent=province)
    below = OrgUnitFactory(code="A1", name="Phòng A1", kind=room, parent=top)
    client.force_login(province_admin)

    response = client.post(
        f"/admin/core/orgunit/{top.pk}/change/", {"name": "Sở A", "parent": below.pk, **INLINE_MANAGEMENT}
    )

    assert response.status_code == 200
    assert "Không thể chuyển đơn vị" in response.content.decode()
    top.refresh_from_db()
    assert top.parent == province


def test_the_audit_trail_is_read_only_in_the_admin(client, province_admin):
    client.force_login(province_admin)

    assert client.get("/admin/core/auditevent/").status_code == 200
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    event = AuditEvent.objects.first()
    assert event is not None  # creating the province admin was audited
    assert client.get(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
    assert client.post(f"/admin/core/auditevent/{event.pk}/change/", {"action": "x"}).status_code == 403


def test_renaming_and_moving_in_the_admin_go_through_the_services(client, province_admin, province):
    room = UnitKindFactory(code="room", name="Phòng")
    office = OrgUnitFactory(code="VP", name="Văn phòng UBND tỉnh", kind=room, parent=province)
    centre = OrgUnitFactory(code="TT", name="Trung tâm Hành chính công", kind=room, parent=province)
    client.force_login(province_admin)

    response = client.post(
        f"/admin/core/orgunit/{centre.pk}/change/",
        {"name": "Trung tâm Phục vụ hành chính công", "parent": office.pk, **INLINE_MANAGEMENT},
    )

    assert response.status_code == 302
    centre.refresh_from_db()
    assert (centre.name, centre.parent, centre.path) == (
        "Trung tâm Phục vụ hành chính công",
        office,
        f"{office.path}{centre.pk}/",
    )
    assert {change.kind for change in UnitChange.objects.filter(unit=centre)} == {"create", "move", "rename"}
    actions = set(AuditEvent.objects.filter(object_id=str(centre.pk)).values_list("action", "actor"))
    assert {("core.unit.move", province_admin.pk), ("core.unit.rename", province_admin.pk)} <= actions


def test_the_admin_answers_a_unit_older_than_its_parent_with_a_form_error(client, province_admin, province):
    room = UnitKindFactory(code="room", name="Phòng")
    client.force_login(province_admin)

    response = client.post(
        "/admin/core/orgunit/add/",
        {"code": "X", "name": "Phòng X", "kind": room.pk, "parent": province.pk, "active_from": "2020-01-01"}
        | INLINE_MANAGEMENT,
    )

    assert response.status_code == 200
    assert "Đơn vị cha chỉ hoạt động từ ngày 01/07/2025." in response.content.decode()
    assert not OrgUnit.objects.filter(code="X").exists()


def test_calendar_rows_edited_in_the_admin_are_audited_and_the_settings_stay_one_row(client, province_admin):
    from sen.core.models import CalendarDay, CalendarSettings

    CalendarSettings.objects.get_or_create(pk=1)
    client.force_login(province_admin)

    response = client.post(
        "/admin/core/calendarday/add/", {"date": "2026-12-31", "kind": "day_off", "reason": "Ngày nghỉ thử"}
    )

    assert response.status_code == 302
    day = CalendarDay.objects.get(date=dt.date(2026, 12, 31))
    event = AuditEvent.objects.get(action="core.calendarday.create", object_id=str(day.pk))
    assert event.actor == province_admin and event.after["reason"] == "Ngày nghỉ thử"
    assert client.get("/admin/core/calendarsettings/add/").status_code == 403
    assert client.get("/admin/core/calendarsettings/1/change/").status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
def test_two_crossing_moves_at_once_cannot_make_a_cycle():
    # given two sibling units, and two people moving each under the other at the same moment
    import threading

    from django.db import connection

    kinds()
    room = UnitKind.objects.get(code="room")
    root = OrgUnitFactory(code="R", name="Tỉnh", kind=room)
    a = OrgUnitFactory(code="A", name="Sở A", kind=room, parent=root)
    b = OrgUnitFactory(code="B", name="Sở B", kind=room, parent=root)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def move(unit: OrgUnit, under: OrgUnit) -> None:
        try:
            start.wait()
            services.unit_move(actor=None, unit=unit, new_parent=under, on_date=REFORM)
            outcomes.append("moved")
        except InvalidInput:
            outcomes.append("refused")
        except BaseException as error:  # a deadlock or anything else fails the test below
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=pair) for pair in ((a, b), (b, a))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then one move wins, the other is refused, and the tree has no cycle
    assert sorted(outcomes) == ["moved", "refused"]
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.path.startswith(b.path)) != (b.path.startswith(a.path))
    assert {a.depth, b.depth} == {1, 2}
