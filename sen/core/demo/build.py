"""Build the demo province: Đồng Tháp after the 2025 reform (no district level).

What it creates, all through the services (so every unit, person and grant has its history and audit
events), in one transaction, and only what is missing — running it again changes nothing:

- the levels as data (`UnitKind`): province, department, affiliated unit, ward, commune, room;
- the root "Ủy ban nhân dân tỉnh Đồng Tháp" (000.00.00.H20) and twelve provincial bodies (the set
  every province has after the 2025 restructuring), with a few units under some of them;
- all 102 wards and communes from admin-units/dong_thap_2025_communes_wards.csv (real GSO codes
  as `statistics_code`, names in the 2025 spelling); the four where demo staff work get the four
  standard units of a commune government (the other 98 do not, to keep the demo fast);
- staff in every role in three departments and four wards/communes, a province admin, three citizens
  and two businesses (people.py: all fictitious), every account with the one demo password;
- the calendar: the working-hours row and two EXAMPLE province days (marked as demo examples).

Agency codes follow codes.py. Dates: everything starts on 1 July 2025, the day the reform took effect.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import check_password, is_password_usable, make_password
from django.db import transaction

from sen.core import audit, services
from sen.core.demo import codes, data, people
from sen.core.models import CalendarDay, CalendarSettings, OrgUnit
from sen.identity import services as identity_services
from sen.identity.models import Role, RoleGrant, User

DEFAULT_DEMO_PASSWORD = "sen-demo-2026"  # a demo: never for a real installation
REFORM_DAY = dt.date(2025, 7, 1)

# (code, name, English name, rank): the levels are data.
KINDS = (
    ("province", "Tỉnh, thành phố trực thuộc trung ương", "Province", 0),
    ("department", "Sở, ban, ngành tỉnh", "Provincial department", 10),
    ("affiliate", "Đơn vị trực thuộc", "Affiliated unit", 20),
    ("ward", "Phường", "Ward", 30),
    ("commune", "Xã", "Commune", 30),
    ("room", "Phòng, bộ phận", "Room", 40),
)

PROVINCE_NAME = "Ủy ban nhân dân tỉnh Đồng Tháp"
PROVINCE_SHORT_NAME = "UBND tỉnh Đồng Tháp"
PROVINCE_GSO_CODE = "82"

# Level-2 number, name, short name, units under it (level 3). The bodies are the real set of a
# province after the 2025 restructuring; the units under them are typical, not an official list.
DEPARTMENTS: tuple[tuple[int, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        1,
        "Văn phòng Ủy ban nhân dân tỉnh",
        "VP UBND tỉnh",
        (("affiliate", "Trung tâm Phục vụ hành chính công tỉnh"), ("room", "Phòng Hành chính - Tổ chức")),
    ),
    (2, "Sở Nội vụ", "SNV", (("room", "Văn phòng Sở"),)),
    (3, "Sở Tư pháp", "STP", (("room", "Văn phòng Sở"), ("room", "Phòng Hành chính tư pháp"))),
    (4, "Sở Tài chính", "STC", (("room", "Văn phòng Sở"), ("room", "Phòng Đăng ký kinh doanh"))),
    (5, "Sở Công Thương", "SCT", ()),
    (6, "Sở Nông nghiệp và Môi trường", "SNNMT", (("room", "Văn phòng Sở"),)),
    (7, "Sở Xây dựng", "SXD", (("room", "Văn phòng Sở"), ("room", "Phòng Quản lý xây dựng"))),
    (8, "Sở Khoa học và Công nghệ", "SKHCN", (("room", "Văn phòng Sở"), ("room", "Phòng Chuyển đổi số"))),
    (9, "Sở Giáo dục và Đào tạo", "SGDĐT", ()),
    (10, "Sở Y tế", "SYT", ()),
    (11, "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL", ()),
    (12, "Thanh tra tỉnh", "TTr", ()),
)

# The four units of a ward/commune government after 2025 (level 4 under the commune's code).
COMMUNE_ROOMS_WARD = (
    "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân",
    "Phòng Kinh tế, Hạ tầng và Đô thị",
    "Phòng Văn hóa - Xã hội",
    "Trung tâm Phục vụ hành chính công",
)
COMMUNE_ROOMS = (
    "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân",
    "Phòng Kinh tế",
    "Phòng Văn hóa - Xã hội",
    "Trung tâm Phục vụ hành chính công",
)

# EXAMPLES of the province's own calendar days (not real decisions): shown in the admin to explain
# what the rows are for. Saturday 26 Dec 2026 worked to make up Thursday 31 Dec 2026.
CALENDAR_EXAMPLES = (
    (
        dt.date(2026, 12, 31),
        CalendarDay.Kind.DAY_OFF,
        "Ví dụ (dữ liệu demo): ngày nghỉ bổ sung theo quyết định của tỉnh",
    ),
    (
        dt.date(2026, 12, 26),
        CalendarDay.Kind.WORKING_DAY,
        "Ví dụ (dữ liệu demo): thứ Bảy làm việc bù cho ngày 31/12/2026",
    ),
)


def demo_password() -> str:
    """The one password of every demo account: $SEN_DEMO_PASSWORD, default "sen-demo-2026"."""
    return os.environ.get("SEN_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


@dataclass(frozen=True)
class DemoAccount:
    role: str
    unit: str
    username: str
    password: str


@dataclass
class DemoReport:
    accounts: list[DemoAccount] = field(default_factory=list)
    created: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return any(self.created.values())


class _Builder:
    def __init__(self, *, password: str, level1: str) -> None:
        self.password = password
        self.report = DemoReport()
        self.units: dict[str, OrgUnit] = {}  # active units by code
        self.keys: dict[str, OrgUnit] = {}  # "province", "d03", "d03.1" (its first unit), GSO codes
        self.level1 = level1

    # --- the tree ---------------------------------------------------------------------------------

    def unit(
        self,
        *,
        code: str,
        name: str,
        kind: str,
        parent: OrgUnit | None,
        statistics_code: str = "",
        short_name: str = "",
    ) -> OrgUnit:
        existing = self.units.get(code)
        if existing is not None:
            return existing
        created = services.unit_create(
            actor=None,
            code=code,
            name=name,
            kind_code=kind,
            parent=parent,
            active_from=REFORM_DAY,
            statistics_code=statistics_code,
            short_name=short_name,
        )
        self.units[code] = created
        self.report.created["units"] += 1
        return created

    def tree(self, communes: list[data.Commune2025]) -> None:
        for code, name, name_en, rank in KINDS:
            services.unit_kind_ensure(actor=None, code=code, name=name, name_en=name_en, rank=rank)
        self.units = {unit.code: unit for unit in OrgUnit.objects.filter(active_to__isnull=True)}
        root = self.unit(
            code=codes.province_code(self.level1),
            name=PROVINCE_NAME,
            kind="province",
            parent=None,
            statistics_code=PROVINCE_GSO_CODE,
            short_name=PROVINCE_SHORT_NAME,
        )
        self.keys["province"] = root
        for number, name, short_name, below in DEPARTMENTS:
            department = self.unit(
                code=codes.department_code(number, self.level1),
                name=name,
                kind="department",
                parent=root,
                short_name=short_name,
            )
            self.keys[f"d{number:02d}"] = department
            for index, (kind, sub_name) in enumerate(below, start=1):
                self.keys[f"d{number:02d}.{index}"] = self.unit(
                    code=codes.department_unit_code(number, index, self.level1),
                    name=sub_name,
                    kind=kind,
                    parent=department,
                )
        staffed = {seed.unit for seed in people.STAFF}
        counters = {True: 0, False: 0}
        for commune in communes:
            counters[commune.is_ward] += 1
            code = codes.commune_code(counters[commune.is_ward], is_ward=commune.is_ward, level1=self.level1)
            unit = self.unit(
                code=code,
                name=commune.name,
                kind="ward" if commune.is_ward else "commune",
                parent=root,
                statistics_code=commune.code,
                short_name=commune.short_name,
            )
            self.keys[commune.code] = unit
            if commune.code not in staffed:
                continue
            rooms = COMMUNE_ROOMS_WARD if commune.is_ward else COMMUNE_ROOMS
            for number, room in enumerate(rooms, start=1):
                self.unit(code=codes.room_code(code, number), name=room, kind="room", parent=unit)

    # --- people -----------------------------------------------------------------------------------

    def staff(self) -> list[tuple[User, people.StaffSeed]]:
        seeds = people.STAFF
        domain = settings.SEN_STAFF_EMAIL_DOMAIN
        emails = [f"{people.email_local_part(seed.full_name)}@{domain}" for seed in seeds]
        if len(set(emails)) != len(emails):
            raise ValueError("Two demo staff would get the same official e-mail")
        existing = {user.username: user for user in User.objects.filter(username__in=emails)}
        result = []
        for seed, email in zip(seeds, emails, strict=True):
            user = existing.get(email)
            unit = self.keys[seed.unit]
            grant_on = self.keys[seed.grant_on] if seed.grant_on else unit
            if user is None:
                user = identity_services.staff_create(
                    actor=None,
                    email=email,
                    full_name=seed.full_name,
                    unit=unit,
                    position=seed.position,
                    roles=() if seed.grant_on else (seed.role,),
                    valid_from=REFORM_DAY,
                )
                self.report.created["staff"] += 1
            has_grant = RoleGrant.objects.filter(
                user=user, role__code=seed.role, unit=grant_on, valid_to__isnull=True
            ).exists()
            if not has_grant:
                identity_services.role_grant(
                    actor=None, user=user, role_code=seed.role, unit=grant_on, valid_from=REFORM_DAY
                )
                self.report.created["role grants"] += 1
            result.append((user, seed))
        return result

    def citizens(self) -> list[User]:
        users = []
        for citizen in people.CITIZENS:
            user = User.objects.filter(username=citizen.national_id).first()
            if user is None:
                user = identity_services.citizen_register(
                    national_id=citizen.national_id,
                    full_name=citizen.full_name,
                    phone=citizen.phone,
                    email=citizen.email,
                    password=self.password,
                )
                self.report.created["citizens"] += 1
            users.append(user)
        for business in people.BUSINESSES:
            user = User.objects.filter(username=business.tax_code).first()
            if user is None:
                user = identity_services.business_register(
                    tax_code=business.tax_code,
                    full_name=business.full_name,
                    phone=business.phone,
                    email=business.email,
                    password=self.password,
                )
                self.report.created["businesses"] += 1
            users.append(user)
        return users

    def passwords(self, users: list[User]) -> None:
        """Give every demo account the demo password, all with ONE shared hash: the production hasher
        takes about half a second per hash, so a run checks one hash, not one per account."""
        rows = list(User.objects.filter(pk__in=[user.pk for user in users]).order_by("pk"))
        by_hash = Counter(user.password for user in rows)
        canonical = next(
            (
                encoded
                for encoded, _count in by_hash.most_common()
                if is_password_usable(encoded) and check_password(self.password, encoded)
            ),
            None,
        ) or make_password(self.password)
        for user in rows:
            if user.password == canonical:
                continue
            User.objects.filter(pk=user.pk).update(password=canonical)
            audit.record(actor=None, action="core.demo.password_set", obj=user, after={"username": user.username})
            self.report.created["demo passwords set"] += 1

    # --- calendar ---------------------------------------------------------------------------------

    def calendar(self) -> None:
        settings_row, created = CalendarSettings.objects.get_or_create(pk=1)
        if created:
            audit.record(
                actor=None,
                action="core.calendar.settings.create",
                obj=settings_row,
                after={
                    "morning": [settings_row.morning_start, settings_row.morning_end],
                    "afternoon": [settings_row.afternoon_start, settings_row.afternoon_end],
                    "cutoff": settings_row.cutoff,
                },
            )
            self.report.created["calendar settings"] += 1
        for day, kind, reason in CALENDAR_EXAMPLES:
            row, created = CalendarDay.objects.get_or_create(date=day, defaults={"kind": kind, "reason": reason})
            if created:
                audit.record(
                    actor=None,
                    action="core.calendar.day.create",
                    obj=row,
                    after={"date": day, "kind": kind, "reason": reason},
                )
                self.report.created["calendar days"] += 1

    # --- the table printed at the end -------------------------------------------------------------

    def accounts(self, staff: list[tuple[User, people.StaffSeed]], others: list[User]) -> list[DemoAccount]:
        role_names = dict(Role.objects.values_list("code", "name"))
        rows = []
        for user, seed in staff:
            unit = self.keys[seed.unit]
            where = unit.name
            if seed.grant_on:
                where = f"{self.keys[seed.grant_on].name} ({unit.name})"
            rows.append(DemoAccount(role_names.get(seed.role, seed.role), where, user.username, self.password))
        for user in others:
            kind = "Công dân" if user.kind == User.Kind.CITIZEN else "Doanh nghiệp"
            rows.append(DemoAccount(kind, user.full_name, user.username, self.password))
        return rows


def build_demo(*, password: str | None = None, base: Path | None = None) -> DemoReport:
    """Create what is missing of the demo province (see the module docstring) and return the demo
    accounts. Raises data.DemoDataMissing when the shared data directory is not there."""
    password = password or demo_password()
    communes = data.communes_2025(base=base)
    level1 = data.province_agency_code("Đồng Tháp", base=base)
    builder = _Builder(password=password, level1=level1)
    with transaction.atomic():
        builder.tree(communes)
        staff = builder.staff()
        others = builder.citizens()
        builder.passwords([user for user, _seed in staff] + others)
        builder.calendar()
        if builder.report.changed:
            audit.record(
                actor=None,
                action="core.demo.build",
                object_type="core.demo",
                object_id=codes.province_code(level1),
                after=dict(builder.report.created),
            )
    builder.report.accounts = builder.accounts(staff, others)
    return builder.report
