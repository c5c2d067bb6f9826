"""Reading the national catalogue's crawled records (data/procedures/*.jsonl).

The crawl flattened the portal's tables into strings, e.g. `cach_thuc_thuc_hien`:
    "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến3 Ngày làm việc2,400,000 VNĐ(lần cấp)03 ngày…Trực tiếp…"
so channels, times and fees are parsed out here. What cannot be read is never guessed: it is listed
in `ParsedRecord.issues` (the record is still usable for the rest) and counted by the import.
What is read with an assumption is listed in `assumptions` (a time given without a unit, which the
portal shows for same-day procedures such as birth registration, is read as working days).
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sen.core.i18n import vietnamese_label
from sen.core.text import fold
from sen.procedures.choices import Channel, Level, OnlineLevel, TimeUnit
from sen.procedures.specs import ChannelSpec, ComponentSpec, FeeSpec, ProcedureSpec, StepSpec

NO_INFO = "Không có thông tin"
CHANNELS_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
COMPONENTS_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
CHANNEL_NAMES = {"Trực tuyến": Channel.ONLINE, "Trực tiếp": Channel.COUNTER, "Dịch vụ bưu chính": Channel.POSTAL}
LEVEL_NAMES = {
    "Cấp bộ": Level.MINISTRY,
    "Cấp tỉnh": Level.PROVINCE,
    "Cấp xã": Level.COMMUNE,
    "Cơ quan khác": Level.OTHER,
}
TIME_UNITS = {
    "Ngày làm việc": TimeUnit.WORKING_DAYS,
    "Ngày": TimeUnit.CALENDAR_DAYS,
    "Giờ làm việc": TimeUnit.WORKING_HOURS,
    "Giờ": TimeUnit.WORKING_HOURS,
}
# A channel name starts a row only when a time (a number or "Không…") follows it at once: the
# descriptions also say "Trực tiếp tại…".
_ROW = re.compile(r"(Trực tuyến|Dịch vụ bưu chính|Trực tiếp)(?=\s*(?:\d|Không))")
_TIME = re.compile(r"^\s*(?:(\d+)\s*(Ngày làm việc|Ngày|Giờ làm việc|Giờ|Tháng|Năm)?|Không có thông tin|Không)")
_MONEY = re.compile(r"^\s*(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(VNĐ|Việt Nam Đồng|Đồng|đồng|USD)")
_GLUED_CURRENCY = re.compile(r"^\s*(VNĐ|Việt Nam Đồng|Đồng|USD)")
_QUANTITY = re.compile(r"(\d+)\s*bản chính(?:\s*,\s*(\d+)\s*bản sao)?|(\d+)\s*bản sao")
_RESULT = re.compile(r"Mã:\s*KQ\.[A-Z0-9]+\.\d+")


# Issues that mean "could not read" (the source holds something the parser cannot make sense of),
# as opposed to what the source itself leaves empty ("Không có thông tin": fee_unknown,
# processing_time_unknown when no channel gives a time).
UNREADABLE = frozenset(
    {
        "json_invalid",
        "identity_missing",
        "level_missing",
        "level_unknown",
        "channels_unreadable",
        "time_fee_run_together",
        "time_unit_unsupported",
        "fee_unreadable",
        "fee_foreign_currency",
        "components_unreadable",
    }
)


@dataclass
class ParsedRecord:
    line: int
    code: str
    spec: ProcedureSpec | None
    issues: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return self.spec is not None and not self.unreadable_issues

    @property
    def unreadable_issues(self) -> list[str]:
        return [issue for issue in self.issues if issue.split(":", 1)[0] in UNREADABLE]


@dataclass
class ParseReport:
    records: list[ParsedRecord]

    @property
    def unreadable(self) -> list[ParsedRecord]:
        return [record for record in self.records if not record.readable]

    @property
    def without_time(self) -> list[ParsedRecord]:
        return [r for r in self.records if r.spec is not None and r.spec.processing_amount is None]

    def issue_counts(self) -> Counter[str]:
        return Counter(issue.split(":", 1)[0] for record in self.records for issue in record.issues)


def default_workflow() -> list[StepSpec]:
    """Receive at the one-stop desk → the specialist processes → the leader approves → return."""
    return [
        StepSpec("Tiếp nhận hồ sơ", "one_stop_officer", Decimal("10")),
        StepSpec("Thẩm định, xử lý hồ sơ", "specialist", Decimal("60")),
        StepSpec("Phê duyệt kết quả", "leader", Decimal("20")),
        StepSpec("Trả kết quả", "one_stop_officer", Decimal("10")),
    ]


def _clean(text: str | None) -> str:
    text = (text or "").strip()
    return "" if text == NO_INFO else text


def _amount(text: str) -> int:
    return int(re.sub(r"[.,]", "", text))


def _parse_fee(text: str, channel: str, issues: list[str]) -> tuple[list[FeeSpec], str]:
    """The fee at the start of a channel row's tail; returns the fees and the rest (description)."""
    stripped = text.lstrip()
    if stripped.startswith("Miễn phí"):
        rest = stripped[len("Miễn phí") :]
        note, rest = _paren(rest)
        return [], (note + " " + rest).strip() if note else rest.strip()
    if stripped.startswith(NO_INFO):
        issues.append(f"fee_unknown:{channel}")
        return [], stripped[len(NO_INFO) :].strip()
    match = _MONEY.match(stripped)
    if not match:
        issues.append(f"fee_unreadable:{channel}")
        return [], stripped
    rest = stripped[match.end() :]
    note, rest = _paren(rest)
    if match.group(2) == "USD":
        issues.append(f"fee_foreign_currency:{channel}")
        return [], (match.group(0) + " " + note + " " + rest).strip()
    per_item = note.startswith("/")
    fee = FeeSpec(
        amount_vnd=_amount(match.group(1)),
        per_item=per_item,
        item_label=note[1:].strip()[:60] if per_item else "",
        description="" if per_item else note.strip(),
        channel=channel,
    )
    return [fee], rest.strip()


def _paren(text: str) -> tuple[str, str]:
    """A balanced parenthesised note at the start of `text`, and what follows it."""
    if not text.startswith("("):
        return "", text
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            inner = text[1:index].strip()
            while inner.startswith("(") and inner.endswith(")") and _paren(inner)[1] == "":
                inner = inner[1:-1].strip()  # "((…))" in the source
            return inner, text[index + 1 :]
    return text[1:].strip(), ""


def parse_channels(raw: str, issues: list[str], assumptions: list[str]) -> tuple[list[ChannelSpec], list[FeeSpec]]:
    body = raw[len(CHANNELS_HEADER) :] if raw.startswith(CHANNELS_HEADER) else raw
    rows = list(_ROW.finditer(body))
    if not rows:
        issues.append("channels_unreadable")
        return [], []
    channels: list[ChannelSpec] = []
    fees_by_channel: dict[str, list[FeeSpec]] = {}
    for index, row in enumerate(rows):
        channel = CHANNEL_NAMES[row.group(1)]
        tail = body[row.end() : rows[index + 1].start() if index + 1 < len(rows) else len(body)]
        time = _TIME.match(tail)
        assert time is not None  # the row pattern's look-ahead guarantees it
        amount: int | None = None
        unit = ""
        rest = tail[time.end() :]
        if time.group(1) is not None:
            unit_name = time.group(2)
            if _GLUED_CURRENCY.match(rest):
                # "Trực tuyến1100 VNĐ": the time and the fee's digits ran together; neither is readable.
                issues.append(f"time_fee_run_together:{channel}")
                fees_by_channel.setdefault(channel, [])
                channels.append(ChannelSpec(channel=channel, fee_text=tail.strip()[:2000]))
                continue
            if unit_name in ("Tháng", "Năm"):
                issues.append(f"time_unit_unsupported:{channel}:{unit_name}")
            else:
                amount = int(time.group(1))
                if unit_name is None:
                    assumptions.append(f"time_unit_missing:{channel}")
                    unit = TimeUnit.WORKING_DAYS
                else:
                    unit = TIME_UNITS[unit_name]
        fees, description = _parse_fee(rest, channel, issues)
        fees_by_channel.setdefault(channel, []).extend(fees)
        fee_text = rest.strip()[: len(rest.strip()) - len(description)].strip() if description else rest.strip()
        channels.append(
            ChannelSpec(channel=channel, amount=amount, unit=unit, fee_text=fee_text[:2000], description=description)
        )
    # The same fees on every channel are stored once, for all channels.
    distinct = {
        tuple((f.amount_vnd, f.per_item, f.item_label, f.description) for f in fees)
        for fees in fees_by_channel.values()
    }
    if len(distinct) == 1 and len(fees_by_channel) == len({c.channel for c in channels}):
        fees = [
            FeeSpec(f.amount_vnd, f.description, f.per_item, f.item_label, "")
            for f in next(iter(fees_by_channel.values()))
        ]
    else:
        fees = [fee for channel_fees in fees_by_channel.values() for fee in channel_fees]
    return channels, _dedupe(fees)


def _dedupe(fees: list[FeeSpec]) -> list[FeeSpec]:
    seen, unique = set(), []
    for fee in fees:
        if fee not in seen:
            seen.add(fee)
            unique.append(fee)
    return unique


# --- Components (thành phần hồ sơ) -----------------------------------------------------------------
# The portal's components table is flattened to "<group label>Tên giấy tờMẫu đơn, tờ khaiSố lượng
# <name><quantity><name><quantity>…<next group label>Tên giấy tờ…", the quantity being "1 bản chính",
# "0 bản chính,1 bản sao" or "1 bản sao". Not every row is a paper: editors also typed notes into the
# table — a whole "Lưu ý" group, intros ending in ":" ("…các giấy tờ sau:"), statements about who
# does what ("Người tiếp nhận có trách nhiệm…", "Người ủy quyền … chịu trách nhiệm trước pháp
# luật…"), cross-references ("…thực hiện theo quy định tại mục (ii)") and, with a quantity of 0,
# explanations ("Trường hợp … thì không phải nộp bản giấy."). Those rows are kept as the version's
# `component_notes`, never as components: each component becomes a file input on the submission page.
#
# A quantity inside a name ("(01 bản chính hoặc 01 bản sao có chứng thực)") does not end the row, and
# digits glued in front of a quantity ("…ngày 30/12/20261 bản chính") go back to the name.
#
# Required. A component is required unless the text makes it conditional: it starts with "Trường
# hợp"/"Nếu", says "(nếu …)", "nếu có", "trong trường hợp", "đối với trường hợp"; or its group is a
# case ("Trường hợp ủy quyền…", "(1.2) Đối với công trình theo tuyến") — the groups of one record are
# then alternatives, of which an applicant meets one, and so is a group of "một trong các giấy tờ
# sau"; or it is a power of attorney ("Văn bản ủy
# quyền…", needed only when someone acts for the applicant); or its group lists papers to be shown
# ("Giấy tờ phải xuất trình": checked at the desk and handed back, not handed in); or it is the
# interactive e-form ("… điện tử tương tác"), which Sen's e-form stands for. And when a record has
# several groups, each group not named as the common set ("Giấy tờ phải nộp", "Thành phần hồ sơ")
# is a case too ("Nộp trực tiếp" / "Nộp theo phương thức điện tử"). What stays required is what every
# applicant hands in; the one-stop officer checks the rest against the applicant's case at receipt.
NOTE_GROUPS = ("luu y", "ghi chu", "chu y")
# Words a paper's name starts with (folded): a row with a quantity of 0 is a paper only if it starts so.
PAPER_WORDS = (
    "anh",
    "ban",
    "bang",
    "bao cao",
    "bien ban",
    "chung chi",
    "chung nhan",
    "chung tu",
    "cong van",
    "danh muc",
    "danh sach",
    "de an",
    "don",
    "du an",
    "giay",
    "hoa don",
    "ho chieu",
    "ho so",
    "hop dong",
    "ke hoach",
    "mau",
    "phieu",
    "phuong an",
    "quyet dinh",
    "so do",
    "so ",
    "tai lieu",
    "the ",
    "thong bao",
    "thuyet minh",
    "to khai",
    "to trinh",
    "trich",
    "van ban",
)
_LIST_MARKER = re.compile(r"^\s*(?:[-+•*–.]+|\(?(?:[a-zđ]|[ivx]+|\d+(?:\.\d+)*)\)|\d+(?:\.\d+)*\.)\s*")
# A statement about a person or a body, not the name of a paper.
_SUBJECT = re.compile(r"^(?:nguoi|co quan|ca nhan|to chuc|cong dan) ")
_CROSS_REFERENCE = re.compile(r"theo quy dinh tai muc \(")
# Modal words of a rule ("phải được hợp pháp hóa", "có thể nộp", "có trách nhiệm").
_RULE_WORDS = re.compile(r"\b(?:phai|co the|khong can|trach nhiem|khong duoc)\b")
_CONDITIONAL_START = re.compile(r"^\(?(?:truong hop|neu)\b")
_CONDITIONAL_PHRASES = ("(nếu", "nếu có", "trong trường hợp", "đối với trường hợp")
_CASE_GROUP = re.compile(r"^(?:truong hop|doi voi|neu|khi)\b")
# When a record has several groups, they are cases ("Nộp trực tiếp" / "Nộp theo phương thức điện tử",
# "1. Giấy tờ chứng minh là người có công…" / "2. … hộ nghèo") unless the label names the common set.
_COMMON_GROUP = re.compile(r"phai nop|thanh phan ho so|ho so (?:bao )?gom|giay to chung\b(?! minh)")
# A power of attorney is handed in only when someone acts for the applicant.
_AUTHORISATION = re.compile(r"^(?:ban sao )?(?:van ban|giay|hop dong) uy quyen\b")


def _group_label(text: str) -> str:
    return text.strip().strip("*-:").strip()


@dataclass(frozen=True)
class _Row:
    group: str
    name: str
    originals: int
    copies: int


def _bare(text: str) -> str:
    """The folded text without its list markers ("- (i) ", "a) ", "1.2. ")."""
    previous = None
    while previous != text:
        previous, text = text, _LIST_MARKER.sub("", text, count=1)
    return fold(text)


def _count(digits: str) -> tuple[int, str]:
    """A quantity and the digits that belong to the name before it: the crawl glued them, so a
    year or a form number ends up in front of the count ("ngày 30/12/2026" + "1 bản chính" reads
    "20261 bản chính"). Quantities have one or two digits ("1", "01")."""
    if len(digits) >= 3:
        return int(digits[-1]), digits[:-1]
    return int(digits), ""


def _in_name(part: str, match: re.Match[str]) -> bool:
    """A quantity written inside a paper's name ("Hợp đồng … (01 bản chính hoặc 01 bản sao có chứng
    thực)", "… khai và nộp 02 bản chính tờ khai …"), not the table's quantity column: the crawl glued
    each cell to the next one, so a real quantity is never followed by a space and a lower-case word."""
    if part[: match.start()].rstrip().endswith("("):
        return True
    after = part[match.end() :]
    rest = after.lstrip()
    return rest.startswith(")") or (after[:1].isspace() and rest[:1].islower())


def _rows(parts: list[str]) -> Iterator[_Row]:
    group = _group_label(parts[0])
    for part in parts[1:]:
        position = 0
        for match in _QUANTITY.finditer(part):
            if _in_name(part, match):
                continue
            originals, copies, glued = 0, 0, ""
            if match.group(1) is not None:
                originals, glued = _count(match.group(1))
                copies = int(match.group(2) or 0)
            else:
                copies, glued = _count(match.group(3))
            name = (part[position : match.start()] + glued).strip().lstrip("-+•. ").strip()
            position = match.end()
            if name:
                yield _Row(group=group, name=name, originals=originals, copies=copies)
        group = _group_label(part[position:])


def _is_note(row: _Row) -> bool:
    text = _bare(row.name)
    if _bare(row.group).startswith(NOTE_GROUPS) or not text:
        return True
    if row.name.rstrip().endswith(":") or text.startswith(("so luong", "so bo ho so")):
        return True
    if _SUBJECT.match(text) or _CROSS_REFERENCE.search(text):
        return True
    if row.originals == 0 and row.copies == 0:
        return not text.startswith(PAPER_WORDS) or bool(_RULE_WORDS.search(text))
    return False


def _is_required(row: _Row, *, several_groups: bool) -> bool:
    text = _bare(row.name)
    lowered = unicodedata.normalize("NFC", row.name).lower()
    group = _bare(row.group)
    if _CONDITIONAL_START.match(text) or _AUTHORISATION.match(text):
        return False
    if any(phrase in lowered for phrase in _CONDITIONAL_PHRASES):
        return False
    if _CASE_GROUP.match(group) or any(words in group for words in ("truong hop", "xuat trinh", "mot trong")):
        return False
    if several_groups and group and not _COMMON_GROUP.search(group):
        return False
    return "dien tu tuong tac" not in text


def parse_components(raw: str, issues: list[str]) -> tuple[list[ComponentSpec], str]:
    """The components of a record and the notes typed into its components table (one per line,
    under their group's label)."""
    text = _clean(raw)
    if not text:
        return [], ""
    parts = text.split(COMPONENTS_HEADER)
    if len(parts) == 1:
        issues.append("components_unreadable")
        return [], ""
    rows = list(_rows(parts))
    if not rows:
        issues.append("components_unreadable")
        return [], ""
    components: list[ComponentSpec] = []
    notes: list[str] = []
    note_group: str | None = None
    groups = {row.group for row in rows if row.group and not _bare(row.group).startswith(NOTE_GROUPS)}
    for row in rows:
        if not _is_note(row):
            components.append(
                ComponentSpec(
                    name=row.name[:4000],
                    group=row.group[:500],
                    originals=row.originals,
                    copies=row.copies,
                    required=_is_required(row, several_groups=len(groups) > 1),
                )
            )
            continue
        if row.group != note_group:
            note_group = row.group
            if row.group:
                notes.append(f"{row.group}:")
        notes.append(f"- {row.name}")
    return components, "\n".join(notes)


def parse_result(raw: str) -> str:
    text = _clean(raw).split("Từ khóa", 1)[0]
    names = [name.strip() for name in _RESULT.split(text) if name.strip()]
    return "; ".join(names)


def parse_levels(raw: str, issues: list[str]) -> list[str]:
    levels = []
    for name in (part.strip() for part in (raw or "").split(",")):
        if name in LEVEL_NAMES:
            levels.append(LEVEL_NAMES[name].value)
        elif name:
            issues.append(f"level_unknown:{name}")
    if not levels:
        issues.append("level_missing")
    return levels


def _channels_text(channels: list[ChannelSpec]) -> str:
    """The ways to submit as one text, kept on the version (so in Vietnamese, whoever imports)."""
    lines = []
    for option in channels:
        parts = [vietnamese_label(Channel(option.channel))]
        if option.amount is not None:
            parts.append(f"{option.amount} {vietnamese_label(TimeUnit(option.unit))}")
        if option.fee_text:
            parts.append(option.fee_text)
        if option.description:
            parts.append(option.description)
        lines.append(" — ".join(parts))
    return "\n".join(lines)


def _processing_time(channels: list[ChannelSpec]) -> ChannelSpec | None:
    """The version's time: the counter's if known, else the online one's, else the postal one's."""
    for wanted in (Channel.COUNTER, Channel.ONLINE, Channel.POSTAL):
        for option in channels:
            if option.channel == wanted and option.amount is not None:
                return option
    return None


def parse_record(record: dict[str, Any], *, line: int = 0) -> ParsedRecord:
    code = str(record.get("ma_thu_tuc") or "").strip()
    name = (record.get("ten_thu_tuc") or "").strip()
    if not re.match(r"^[0-9]\.[0-9]{6}$", code) or not name:
        return ParsedRecord(line=line, code=code, spec=None, issues=["identity_missing"])
    issues: list[str] = []
    assumptions: list[str] = []
    levels = parse_levels(record.get("cap_thuc_hien", ""), issues)
    channels, fees = parse_channels(record.get("cach_thuc_thuc_hien") or "", issues, assumptions)
    time = _processing_time(channels)
    if time is None:
        issues.append("processing_time_unknown")
    agency = _clean(record.get("co_quan_thuc_hien")) or _clean(record.get("co_quan_co_tham_quyen"))
    legal = _clean(record.get("can_cu_phap_ly"))
    components, component_notes = parse_components(record.get("thanh_phan_ho_so") or "", issues)
    spec = ProcedureSpec(
        code=code,
        name=name,
        field_name=_clean(record.get("linh_vuc")) or "Khác",
        levels=levels,
        decision_no=_clean(record.get("so_quyet_dinh"))[:120],
        procedure_type=_clean(record.get("loai_thu_tuc"))[:255],
        steps=_clean(record.get("trinh_tu_thuc_hien")),
        channels_text=_channels_text(channels),
        applicants=_clean(record.get("doi_tuong_thuc_hien")),
        agency=agency,
        processing_amount=time.amount if time else None,
        processing_unit=time.unit if time else "",
        result=parse_result(record.get("ket_qua_xu_ly") or ""),
        online_level=OnlineLevel.PARTIAL if any(c.channel == Channel.ONLINE for c in channels) else OnlineLevel.NONE,
        legal_basis=legal[len(LEGAL_HEADER) :] if legal.startswith(LEGAL_HEADER) else legal,
        conditions=_clean(record.get("yeu_cau_dieu_kien")),
        source_url=(record.get("detail_url") or "")[:500],
        channels=channels,
        fees=fees,
        components=components,
        component_notes=component_notes,
        workflow=default_workflow(),
        parse_issues=issues,
    )
    return ParsedRecord(line=line, code=code, spec=spec, issues=issues, assumptions=assumptions)


def iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        yield from enumerate(handle, start=1)


def parse_file(path: Path, *, codes: set[str] | None = None) -> ParseReport:
    """Parse a .jsonl (or .jsonl.gz) file; a line that is not JSON is an unreadable record too.
    With `codes`, only those records are parsed."""
    records = []
    for line_no, line in iter_lines(path):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError:
            records.append(ParsedRecord(line=line_no, code="", spec=None, issues=["json_invalid"]))
            continue
        if not isinstance(raw, dict):
            records.append(ParsedRecord(line=line_no, code="", spec=None, issues=["json_invalid"]))
            continue
        if codes is not None and raw.get("ma_thu_tuc") not in codes:
            continue
        records.append(parse_record(raw, line=line_no))
    return ParseReport(records=records)
