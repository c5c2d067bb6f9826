"""Loaders for the real administrative-unit data the demo and the tree tests are built from.

Files (in settings.SEN_SHARED_DATA_DIR, see its README.md; source: thanglequoc/vietnamese-provinces-
database, MIT, built from the national statistics office's unit-code service):

- admin-units/dong_thap_2025_communes_wards.csv: the 102 wards and communes of Đồng Tháp after
  1 July 2025, each with its GSO code and the pre-merger units it replaced
  (`predecessors_truocsapnhap`, e.g. "Phường 1 (thành phố Mỹ Tho), Phường 2 (thành phố Mỹ Tho),
  Phường Tân Long").
- admin-units/dong_thap_tien_giang_pre2025_3level.csv: the three-level tree before the reform
  (province → district → commune) of Tiền Giang (82) and Đồng Tháp (87).
- qd766/provinces.json: the provincial People's Committees with their agency codes (Đồng Tháp: H20).

Names: the data mixes the older tone-mark placement ("Hoà", "Thuỷ") with the newer ("Hòa", "Thủy");
`fold()` makes both compare equal.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

COMMUNES_2025 = Path("admin-units") / "dong_thap_2025_communes_wards.csv"
UNITS_PRE2025 = Path("admin-units") / "dong_thap_tien_giang_pre2025_3level.csv"
PROVINCES = Path("qd766") / "provinces.json"


class DemoDataMissing(Exception):
    """The shared data directory or one of its files is not there."""


def data_dir() -> Path:
    return Path(settings.SEN_SHARED_DATA_DIR)


def data_file(relative: Path, *, base: Path | None = None) -> Path:
    root = base or data_dir()
    path = root / relative
    if not path.is_file():
        raise DemoDataMissing(
            f"Thiếu tệp dữ liệu {path}. Đặt biến môi trường SEN_SHARED_DATA_DIR trỏ tới thư mục dữ liệu dùng chung "
            f"(hiện tại: {root}). / Missing data file {path}: set SEN_SHARED_DATA_DIR to the shared data directory."
        )
    return path


# --- Names ------------------------------------------------------------------------------------------

# Combining tone marks (grave, acute, tilde, hook above, dot below). Circumflex, breve and horn are
# letters of their own in Vietnamese and are kept.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
# A syllable whose only vowel is a final i or y (after "qu" or consonants) is spelt either way:
# "Quí"/"Quý", "Mĩ"/"Mỹ", "Lí"/"Lý".
_I_OR_Y_RE = re.compile(r"^(qu|[bcdđghklmnpqrstvx]+)y$")


def fold(name: str) -> str:
    """A comparison key for Vietnamese names that ignores case, spacing, where the tone mark sits
    ("Hoà" == "Hòa", "Thuỷ" == "Thủy") and the i/y variants ("Quí" == "Quý"), but not which tone it
    is ("Hòa" != "Hoa")."""
    words = []
    for word in unicodedata.normalize("NFD", name).lower().split():
        tones = "".join(ch for ch in word if ch in _TONES)
        base = unicodedata.normalize("NFC", "".join(ch for ch in word if ch not in _TONES))
        words.append(_I_OR_Y_RE.sub(r"\1i", base) + tones)
    return " ".join(words)


# --- 2025 wards and communes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Predecessor:
    """One item of `predecessors_truocsapnhap`: a name; when the source disambiguates it, the name of
    the former district in brackets; and any other bracketed note, e.g. "(phần còn lại sau khi sáp
    nhập vào xã Thanh Bình)" for a commune split between two new ones (`partial`)."""

    name: str
    qualifier: str = ""
    note: str = ""

    @property
    def partial(self) -> bool:
        return bool(self.note)


@dataclass(frozen=True)
class Commune2025:
    code: str  # GSO code, 5 digits
    name: str  # full name in the 2025 spelling, e.g. "Phường Thanh Hòa"
    name_v4: str  # full name as the current data set writes it ("Phường Thanh Hoà")
    short_name: str  # without the type, e.g. "Mỹ Tho"
    unit_type: str  # "Phường" or "Xã"
    name_en: str
    predecessors: tuple[Predecessor, ...]

    @property
    def is_ward(self) -> bool:
        return fold(self.unit_type) == fold("Phường")


_PREDECESSOR_RE = re.compile(r"^(?P<name>[^()]+?)\s*(?P<brackets>(?:\([^()]+\)\s*)*)$")
_BRACKET_RE = re.compile(r"\(([^()]+)\)")
_DISTRICT_PREFIXES = ("huyện ", "thành phố ", "thị xã ", "quận ")


def parse_predecessors(text: str) -> tuple[Predecessor, ...]:
    """Split the source's comma-separated list into names with their bracketed district and note."""
    items = []
    for raw in text.split(","):
        raw = raw.strip()
        if not raw:
            continue
        match = _PREDECESSOR_RE.match(raw)
        if match is None:
            raise ValueError(f"Cannot read predecessor {raw!r}")
        qualifier, notes = "", []
        for bracket in _BRACKET_RE.findall(match["brackets"]):
            bracket = bracket.strip()
            if not qualifier and bracket.lower().startswith(_DISTRICT_PREFIXES):
                qualifier = bracket
            else:
                notes.append(bracket)
        items.append(Predecessor(match["name"].strip(), qualifier, "; ".join(notes)))
    return tuple(items)


def communes_2025(*, base: Path | None = None) -> list[Commune2025]:
    """The 102 wards and communes of Đồng Tháp from 1 July 2025, in GSO code order."""
    with data_file(COMMUNES_2025, base=base).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    communes = [
        Commune2025(
            code=row["ward_code"].strip(),
            name=(row["full_name_v3.0.2_20250701"] or row["ward_full_name"]).strip(),
            name_v4=row["ward_full_name"].strip(),
            short_name=row["ward_name"].strip(),
            unit_type=row["unit_type"].strip(),
            name_en=row["full_name_en"].strip(),
            predecessors=parse_predecessors(row["predecessors_truocsapnhap"]),
        )
        for row in rows
    ]
    return sorted(communes, key=lambda commune: commune.code)


# --- Before 2025: province → district → commune -----------------------------------------------------


@dataclass(frozen=True)
class Unit2024:
    province_code: str
    province_name: str
    district_code: str
    district_name: str
    code: str
    name: str


def units_pre2025(*, base: Path | None = None) -> list[Unit2024]:
    """The communes of Tiền Giang and Đồng Tháp before the reform, each with its district and province."""
    with data_file(UNITS_PRE2025, base=base).open(encoding="utf-8", newline="") as handle:
        return [
            Unit2024(
                province_code=row["province_code"].strip(),
                province_name=row["province_full_name"].strip(),
                district_code=row["district_code"].strip(),
                district_name=row["district_full_name"].strip(),
                code=row["ward_code"].strip(),
                name=row["ward_full_name"].strip(),
            )
            for row in csv.DictReader(handle)
        ]


@dataclass
class Resolution:
    """Which pre-2025 communes a 2025 commune was made of. `unresolved` lists the items of the source
    text that matched no commune, or more than one, even with the context of the others."""

    commune: Commune2025
    units: list[Unit2024] = field(default_factory=list)
    unresolved: list[Predecessor] = field(default_factory=list)


def resolve_predecessors(commune: Commune2025, old_units: list[Unit2024]) -> Resolution:
    """Match each predecessor of `commune` to a pre-2025 commune: by folded name; a bracketed
    qualifier ("thành phố Mỹ Tho") picks the district; an unqualified name found in several districts
    is taken from the district where this commune's other predecessors lie."""
    by_name: dict[str, list[Unit2024]] = defaultdict(list)
    for unit in old_units:
        by_name[fold(unit.name)].append(unit)

    found: dict[int, Unit2024] = {}
    pending: list[tuple[int, Predecessor, list[Unit2024]]] = []
    for index, predecessor in enumerate(commune.predecessors):
        candidates = by_name.get(fold(predecessor.name), [])
        if predecessor.qualifier:
            candidates = [unit for unit in candidates if fold(unit.district_name) == fold(predecessor.qualifier)]
        if len(candidates) == 1:
            found[index] = candidates[0]
        else:
            pending.append((index, predecessor, candidates))

    resolution = Resolution(commune)
    districts = {unit.district_code for unit in found.values()}
    for index, predecessor, candidates in pending:
        near = [unit for unit in candidates if unit.district_code in districts]
        if len(near) == 1:
            found[index] = near[0]
        else:
            resolution.unresolved.append(predecessor)
    resolution.units = [found[index] for index in sorted(found)]
    return resolution


# --- Agency codes of the provinces ------------------------------------------------------------------


def province_agency_code(name_fragment: str, *, base: Path | None = None) -> str:
    """The level-1 agency code (e.g. "H20") of the provincial People's Committee whose name contains
    `name_fragment`, from qd766/provinces.json."""
    with data_file(PROVINCES, base=base).open(encoding="utf-8") as handle:
        document = json.load(handle)
    wanted = fold(name_fragment)
    for items in document.values():
        if not isinstance(items, list):
            continue
        for item in items:
            if isinstance(item, dict) and wanted in fold(str(item.get("departmentName", ""))):
                return str(item["departmentCode"])
    raise DemoDataMissing(f"{PROVINCES}: no province named like {name_fragment!r}")
