"""Agency codes (mã định danh điện tử) for the demo province, in the style of Decision 20/2020/QĐ-TTg.

How the real codes read (inferred from the 448 ministry and Tây Ninh codes in
agency-codes/edoc_integrator_organ_codes_tayninh_ministries_pre2025.csv): four dot-separated parts,
read from RIGHT to LEFT, one per level:

    CCC.BB.AA.Hxx
            └── level 1: the ministry (G01…) or provincial People's Committee (H01…); Đồng Tháp = H20
         └───── level 2: AA = 01–99, a unit directly under level 1; "00" when the unit IS level 1
      └──────── level 3: BB = 01–99, a unit under level-2 unit AA; "00" at level 2
    └────────── level 4: CCC = 001–999, a unit under level-3 unit BB; "000" above level 4

    000.00.00.H53  UBND tỉnh Tây Ninh                   (level 1)
    000.00.14.H53  Sở Tư pháp                           (level 2, number 14)
    000.01.14.H53  Phòng Công chứng số 1 - Sở Tư pháp   (level 3: 01 under 14)
    000.00.30.H53  UBND Thành phố Tây Ninh               (level 2, a district, number 30)
    000.20.30.H53  UBND Phường 1 thành phố Tây Ninh      (level 3: commune 20 under district 30)

Tây Ninh numbered its departments and provincial bodies 01–29 and its districts from 30, with each
district's communes at level 3 under the district's number.

Sen's demo scheme for Đồng Tháp after the 2025 reform (no district level; communes report to the
province). Level 2 has only 99 numbers, fewer than the province's 13 bodies plus 102 communes, so
the district numbers of the old scheme become commune BLOCKS, and a commune's own number is its
level-3 part:

    000.00.00.H20   Ủy ban nhân dân tỉnh Đồng Tháp
    000.00.NN.H20   provincial departments and bodies, NN = 01–29 (Văn phòng UBND tỉnh = 01, ...)
    000.MM.NN.H20   a unit under department NN (e.g. 000.01.01.H20 Trung tâm Phục vụ hành chính công,
                    under Văn phòng UBND tỉnh)
    000.KK.30.H20   ward (phường) number KK (01–99), in GSO-code order (blocks 32, 34… past 99)
    000.KK.31.H20   commune (xã) number KK (01–99), in GSO-code order (blocks 33, 35… past 99)
    RRR.KK.BB.H20   room RRR (001–999) of the ward/commune KK in block BB
    RRR.MM.NN.H20   the same for a room of a department's unit, at level 4

The blocks 30 (wards) and 31 (communes) are not units of the tree: they are numbering ranges, like
the district numbers were. Sen never parses a code: the tree is the `parent`/`path` of each unit;
the code is an attribute (unique among active units) shown to people and sent to other systems.
A real province would load its registered codes instead (the import keeps `code` as given).
"""

from __future__ import annotations

PROVINCE_LEVEL_1 = "H20"  # qd766/provinces.json: "UBND tỉnh Đồng Tháp" → H20
WARD_BLOCK = 30
COMMUNE_BLOCK = 31
BLOCK_SIZE = 99


def agency_code(level1: str, level2: int = 0, level3: int = 0, level4: int = 0) -> str:
    """Compose a code from its level numbers: agency_code("H20", 14, 1) == "000.01.14.H20"."""
    if not (0 <= level2 <= 99 and 0 <= level3 <= 99 and 0 <= level4 <= 999):
        raise ValueError(f"Agency code levels out of range: {level2}, {level3}, {level4}")
    if (level3 and not level2) or (level4 and not level3):
        raise ValueError("A lower level needs every level above it")
    return f"{level4:03d}.{level3:02d}.{level2:02d}.{level1}"


def province_code(level1: str = PROVINCE_LEVEL_1) -> str:
    return agency_code(level1)


def department_code(number: int, level1: str = PROVINCE_LEVEL_1) -> str:
    """Level 2: a provincial department or body, numbered 01–29."""
    if not 1 <= number <= 29:
        raise ValueError("Departments are numbered 01–29")
    return agency_code(level1, number)


def department_unit_code(department: int, number: int, level1: str = PROVINCE_LEVEL_1) -> str:
    """Level 3: a unit under a department (a centre, a room)."""
    return agency_code(level1, department, number)


def commune_code(index: int, *, is_ward: bool, level1: str = PROVINCE_LEVEL_1) -> str:
    """Level 3 inside a block: the `index`-th (1-based, in GSO-code order) ward or commune."""
    if index < 1:
        raise ValueError("Communes are numbered from 1")
    block = (WARD_BLOCK if is_ward else COMMUNE_BLOCK) + 2 * ((index - 1) // BLOCK_SIZE)
    return agency_code(level1, block, (index - 1) % BLOCK_SIZE + 1)


def room_code(parent_code: str, number: int) -> str:
    """Level 4: room `number` (001–999) of a level-3 unit (a commune or a department's unit)."""
    level4, level3, level2, level1 = parent_code.split(".")
    if level4 != "000" or level3 == "00":
        raise ValueError(f"{parent_code} is not a level-3 code")
    return agency_code(level1, int(level2), int(level3), number)
