"""The demo's people. Every name, number and address here is FICTITIOUS:

- staff names are invented; their official e-mails follow the usual pattern given-name + initials of
  the family and middle names (Nguyễn Văn An → an.nv@dongthap.gov.vn);
- CCCD numbers start with 082 (the province code of Tiền Giang/Đồng Tháp) and end in an obviously
  made-up serial 00000N;
- phone numbers are 090000000N;
- tax codes 140000000N fail the tax-code check digit, so no real business can have them;
- e-mail addresses of citizens and businesses are under example.com (reserved, RFC 2606).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Role codes (seeded by sen.identity's migration 0002_seed_roles).
LEADER = "leader"
SPECIALIST = "specialist"
ONE_STOP_OFFICER = "one_stop_officer"
CLERK = "clerk"
UNIT_ADMIN = "unit_admin"
PROVINCE_ADMIN = "province_admin"
UNIT_ROLES = (LEADER, SPECIALIST, ONE_STOP_OFFICER, CLERK, UNIT_ADMIN)


@dataclass(frozen=True)
class StaffSeed:
    full_name: str
    unit: str  # a key of build keys: a department "d03", its first unit "d03.1", a GSO commune code "28261"
    role: str
    position: str
    grant_on: str = ""  # where the role is granted, if not on `unit` ("province")


@dataclass(frozen=True)
class CitizenSeed:
    national_id: str
    full_name: str
    phone: str
    email: str


@dataclass(frozen=True)
class BusinessSeed:
    tax_code: str
    full_name: str
    phone: str
    email: str


def email_local_part(full_name: str) -> str:
    """Nguyễn Văn An → "an.nv": the given name, a dot, the initials of the other names, unaccented."""
    words = [_unaccent(word).lower() for word in full_name.split()]
    return f"{words[-1]}.{''.join(word[0] for word in words[:-1])}"


def _unaccent(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


DEPARTMENT_POSITIONS = {
    LEADER: "Giám đốc Sở",
    SPECIALIST: "Chuyên viên",
    ONE_STOP_OFFICER: "Công chức tiếp nhận và trả kết quả",
    CLERK: "Văn thư",
    UNIT_ADMIN: "Quản trị hệ thống của Sở",
}
COMMUNE_POSITIONS = {
    LEADER: "Chủ tịch Ủy ban nhân dân",
    SPECIALIST: "Công chức chuyên môn",
    ONE_STOP_OFFICER: "Công chức Trung tâm Phục vụ hành chính công",
    CLERK: "Văn thư",
    UNIT_ADMIN: "Quản trị hệ thống của đơn vị",
}

# Who works where: five people (one per role) in three departments and four wards/communes.
_TEAMS: dict[str, tuple[dict[str, str], tuple[str, str, str, str, str]]] = {
    # department number → names in UNIT_ROLES order
    "d03": (
        DEPARTMENT_POSITIONS,
        ("Nguyễn Văn An", "Trần Thị Bích", "Lê Minh Châu", "Phạm Thị Dung", "Hoàng Quốc Đạt"),
    ),
    "d04": (DEPARTMENT_POSITIONS, ("Võ Thanh Hải", "Đặng Thị Hạnh", "Bùi Văn Hiếu", "Đỗ Thị Hoa", "Ngô Minh Khang")),
    "d07": (DEPARTMENT_POSITIONS, ("Dương Văn Khoa", "Lý Thị Lan", "Huỳnh Tấn Lộc", "Trương Thị Mai", "Phan Đức Minh")),
    # GSO code of the ward/commune → names
    "28261": (COMMUNE_POSITIONS, ("Nguyễn Thị Ngọc", "Trần Văn Nam", "Lê Thị Nga", "Phạm Văn Phúc", "Võ Thị Phương")),
    "29869": (COMMUNE_POSITIONS, ("Hồ Văn Quang", "Đinh Thị Quyên", "Mai Văn Sơn", "Cao Thị Tâm", "Lâm Văn Tài")),
    "29905": (COMMUNE_POSITIONS, ("Châu Văn Thắng", "Tạ Thị Thảo", "Lương Văn Thịnh", "Kiều Thị Thu", "Đoàn Minh Trí")),
    "30037": (
        COMMUNE_POSITIONS,
        ("Nguyễn Hữu Trung", "Trần Thị Uyên", "Lê Văn Vinh", "Phạm Thị Xuân", "Huỳnh Văn Yên"),
    ),
}

STAFF: tuple[StaffSeed, ...] = (
    StaffSeed(
        "Nguyễn Minh Tuấn",
        "d08",
        PROVINCE_ADMIN,
        "Chuyên viên quản trị hệ thống Sen — Sở Khoa học và Công nghệ",
        grant_on="province",
    ),
    *(
        StaffSeed(name, unit, role, positions[role])
        for unit, (positions, names) in _TEAMS.items()
        for role, name in zip(UNIT_ROLES, names, strict=True)
    ),
    # Văn phòng Sở Tư pháp, the demo's drafting room: its head reviews what its specialist drafts.
    StaffSeed("Lâm Thị Yến", "d03.1", LEADER, "Chánh Văn phòng Sở"),
    StaffSeed("Tôn Văn Bảo", "d03.1", SPECIALIST, "Chuyên viên Văn phòng Sở"),
)

CITIZENS: tuple[CitizenSeed, ...] = (
    CitizenSeed("082099000001", "Nguyễn Văn Bình", "0900000001", "nguyen.van.binh@example.com"),
    CitizenSeed("082199000002", "Trần Thị Cúc", "0900000002", "tran.thi.cuc@example.com"),
    CitizenSeed("082090000003", "Lê Hoàng Dũng", "0900000003", "le.hoang.dung@example.com"),
)

BUSINESSES: tuple[BusinessSeed, ...] = (
    BusinessSeed("1400000001", "Công ty TNHH Sen Hồng (dữ liệu demo)", "0900000011", "lienhe@senhong.example.com"),
    BusinessSeed(
        "1400000002",
        "Hợp tác xã Nông nghiệp Tháp Mười Xanh (dữ liệu demo)",
        "0900000012",
        "hoptacxa@thapmuoixanh.example.com",
    ),
)
