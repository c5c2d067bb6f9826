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
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

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


def parse_components(raw: str, issues: list[str]) -> list[ComponentSpec]:
    text = _clean(raw)
    if not text:
        return []
    parts = text.split(COMPONENTS_HEADER)
    if len(parts) == 1:
        issues.append("components_unreadable")
        return []
    components: list[ComponentSpec] = []
    group = _group_label(parts[0])
    for part in parts[1:]:
        position = 0
        for match in _QUANTITY.finditer(part):
            name = part[position : match.start()].strip().lstrip("-+• ").strip()
            position = match.end()
            if not name:
                continue
            originals = int(match.group(1) or 0)
            copies = int(match.group(2) or match.group(3) or 0)
            optional = name.lower().startswith("trường hợp") or "(nếu có)" in name.lower()
            components.append(
                ComponentSpec(
                    name=name[:4000], group=group[:500], originals=originals, copies=copies, required=not optional
                )
            )
        group = _group_label(part[position:])
    if not components:
        issues.append("components_unreadable")
    return components


def _group_label(text: str) -> str:
    return text.strip().strip("*-:").strip()


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
    lines = []
    for option in channels:
        parts = [str(Channel(option.channel).label)]
        if option.amount is not None:
            parts.append(f"{option.amount} {TimeUnit(option.unit).label}")
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
        components=parse_components(record.get("thanh_phan_ho_so") or "", issues),
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
