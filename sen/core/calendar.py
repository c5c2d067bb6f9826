"""The working-day calendar: Vietnam's public holidays (from `holidays`), the province's own days
(`CalendarDay`) and working hours (`CalendarSettings`), and the arithmetic of legal deadlines.

`WorkingCalendar` is a pure engine (no database): build it from working periods, a cut-off, the
province's overrides and a `holidays` object. `working_calendar()` builds one from the database.

Time. Everything is Vietnam wall-clock time (Asia/Ho_Chi_Minh, UTC+07:00 without daylight saving
since 1976). A naive datetime given to the engine means Vietnam time; an aware one is converted.
Every datetime the engine returns is aware, in Asia/Ho_Chi_Minh. Arithmetic is exact (seconds and
microseconds of the start are kept); amounts are whole minutes, hours or days.

Words used below, precisely:
- working day: a date that the province overrides as a working day; else not a national holiday
  and either not a weekend day or a weekend day that `holidays` marks as a swapped working day
  (`weekend_workdays`, e.g. Saturday 22 Aug 2026).
- working period: one of the day's spans of working hours (07:00–11:30 and 13:30–17:00 by default).
- working instant: an instant on a working day inside a working period, both ends included — so
  17:00 and 11:30 are working instants (a deadline may end exactly when the office closes) but
  11:31 and 06:59 are not.
- working time between two instants: the length of their overlap with the working periods.

Deadlines. N working days = N × the length of one working day (8 h by default) of working time,
counted from the start; N working hours = N × 60 working minutes. The due instant is the EARLIEST
instant at which that much working time has elapsed: 1 working day from Mon 07:00 ends Mon 17:00,
from Mon 08:00 it ends Tue 08:00. So a due instant for a positive amount always lies in
(period start, period end] of a working day. Calendar days: the start plus N × 24 h of wall-clock
time, whatever the days are.

Receipt cut-off (`apply_cutoff=True`, the default, because this is how receiving a dossier works):
a start on a working day after the cut-off (15:00 by default; 15:00:00 itself is not after it), or
on a non-working day, counts as received at the opening of the next working day. This applies to
every unit, calendar days included: it decides when the dossier counts as received.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, get_args
from zoneinfo import ZoneInfo

import holidays
from django.utils import translation
from django.utils.translation import gettext as _

from sen.core.exceptions import InvalidInput
from sen.core.models import CalendarDay, CalendarSettings

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

Unit = Literal["working_days", "working_hours", "calendar_days"]
UNITS: tuple[str, ...] = get_args(Unit)

DEFAULT_PERIODS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(7, 0), dt.time(11, 30)),
    (dt.time(13, 30), dt.time(17, 0)),
)
DEFAULT_CUTOFF = dt.time(15, 0)

# Limits of `due()`: an amount above MAX_AMOUNT is a data error, not a deadline. Starts are accepted
# from 2000 (Vietnam's five-day week began in late 1999) to 2100 (the last year `holidays` knows).
MAX_AMOUNT = 10_000
FIRST_YEAR = 2000
LAST_YEAR = 2100

_ONE_DAY = dt.timedelta(days=1)
_ZERO = dt.timedelta(0)
_MINUTE = dt.timedelta(minutes=1)
# A calendar with no working day for ten years is misconfigured; stop rather than loop for ever.
_MAX_IDLE_DAYS = 3660


# --- National holidays ----------------------------------------------------------------------
@dataclass(frozen=True)
class NationalYear:
    """What `holidays` says about one year: days off with their names, and swapped working days."""

    days_off: Mapping[dt.date, str]
    weekend_workdays: frozenset[dt.date]


class NationalHolidays:
    """A thread-safe, per-year view of a `holidays` object.

    A `holidays` object fills a year lazily on first look-up, and fills `weekend_workdays` only then;
    two threads filling the same object at once can see a half-filled year. So each year is read
    once, under a lock, into an immutable `NationalYear`.
    """

    def __init__(self, source: holidays.HolidayBase):
        self.source = source
        self.weekend = frozenset(source.weekend)
        self._years: dict[int, NationalYear] = {}
        self._lock = threading.Lock()

    def year(self, year: int) -> NationalYear:
        data = self._years.get(year)
        if data is None:
            with self._lock:
                data = self._years.get(year)
                if data is None:
                    data = self._read_year(year)
                    self._years[year] = data
        return data

    def _read_year(self, year: int) -> NationalYear:
        source = self.source
        _ = dt.date(year, 1, 1) in source  # fills the year (and its weekend_workdays) when the object expands
        days_off = {day: str(name) for day, name in source.items() if day.year == year}
        swapped = frozenset(day for day in source.weekend_workdays if day.year == year)
        return NationalYear(days_off=days_off, weekend_workdays=swapped)


@lru_cache(maxsize=4)
def national_holidays(language: str = "vi") -> NationalHolidays:
    """Vietnam's public holidays, shared by the whole process (one object per language of names)."""
    return NationalHolidays(holidays.country_holidays("VN", language=language))


def _holiday_language() -> str:
    return "en_US" if (translation.get_language() or "vi").startswith("en") else "vi"


# --- Time helpers -----------------------------------------------------------------------------
def to_vietnam_naive(value: dt.datetime) -> dt.datetime:
    """Vietnam wall-clock time of `value`, without tzinfo (a naive value already is one)."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=None)
    return value.astimezone(VN_TZ).replace(tzinfo=None)


def to_vietnam(value: dt.datetime) -> dt.datetime:
    """`value` as an aware datetime in Asia/Ho_Chi_Minh (a naive value means Vietnam time)."""
    return to_vietnam_naive(value).replace(tzinfo=VN_TZ)


def _offset(value: dt.time) -> dt.timedelta:
    return dt.timedelta(hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


# --- Results --------------------------------------------------------------------------------
@dataclass(frozen=True)
class DayOverride:
    """The province's decision for one date (a `CalendarDay` row)."""

    working: bool
    reason: str = ""


@dataclass(frozen=True)
class DueInfo:
    """A computed deadline with how it was reached (what the public API shows)."""

    due: dt.datetime
    start: dt.datetime
    effective_start: dt.datetime
    amount: int
    unit: str
    cutoff_applied: bool


@dataclass(frozen=True)
class SpecialDay:
    """A weekday that is not worked, or a weekend day that is."""

    date: dt.date
    working: bool
    name: str
    source: Literal["national", "province"]


# --- The engine -----------------------------------------------------------------------------
class WorkingCalendar:
    """Working days, working instants and deadlines. Pure: it never touches the database.

    periods: the working periods of a working day as (start, end) times, end after start; touching
    periods are merged, overlapping ones refused. cutoff: the receipt cut-off time. overrides: the
    province's days (date -> DayOverride, or date -> bool meaning "is a working day"), which win
    over the national calendar. national: a `holidays` object (or a NationalHolidays view of one);
    the process-wide Vietnamese one by default.
    """

    def __init__(
        self,
        *,
        periods: Iterable[tuple[dt.time, dt.time]] = DEFAULT_PERIODS,
        cutoff: dt.time = DEFAULT_CUTOFF,
        overrides: Mapping[dt.date, DayOverride | bool] | None = None,
        national: holidays.HolidayBase | NationalHolidays | None = None,
    ):
        spans: list[tuple[dt.timedelta, dt.timedelta]] = []
        for start, end in sorted(periods):
            if not start < end:
                raise ValueError(f"working period {start}–{end} does not end after it starts")
            if spans and _offset(start) < spans[-1][1]:
                raise ValueError(f"working period {start}–{end} overlaps the one before it")
            if spans and _offset(start) == spans[-1][1]:
                spans[-1] = (spans[-1][0], _offset(end))
            else:
                spans.append((_offset(start), _offset(end)))
        if not spans:
            raise ValueError("a working calendar needs at least one working period")
        self._periods: tuple[tuple[dt.timedelta, dt.timedelta], ...] = tuple(spans)
        self.day_length: dt.timedelta = sum((end - start for start, end in spans), _ZERO)
        self.cutoff = cutoff
        self._overrides: dict[dt.date, DayOverride] = {
            day: value if isinstance(value, DayOverride) else DayOverride(working=bool(value))
            for day, value in (overrides or {}).items()
        }
        if national is None:
            national = national_holidays()
        self._national = national if isinstance(national, NationalHolidays) else NationalHolidays(national)

    # -- days ----------------------------------------------------------------------------------
    @property
    def periods(self) -> tuple[tuple[dt.time, dt.time], ...]:
        return tuple(((dt.datetime.min + start).time(), (dt.datetime.min + end).time()) for start, end in self._periods)

    def is_working_day(self, day: dt.date) -> bool:
        override = self._overrides.get(day)
        if override is not None:
            return override.working
        national = self._national.year(day.year)
        if day in national.days_off:
            return False
        if day in national.weekend_workdays:
            return True
        return day.weekday() not in self._national.weekend

    def next_working_day(self, day: dt.date, *, include: bool = False) -> dt.date:
        """The first working day after `day` (or from `day` on, with include=True)."""
        candidate = day if include else day + _ONE_DAY
        for _idle in range(_MAX_IDLE_DAYS):
            if self.is_working_day(candidate):
                return candidate
            candidate += _ONE_DAY
        raise ValueError(f"no working day within {_MAX_IDLE_DAYS} days after {day}")

    def opening(self, day: dt.date) -> dt.datetime:
        """When the first working period of `day` begins (aware), whether or not `day` is worked."""
        return (_midnight(day) + self._periods[0][0]).replace(tzinfo=VN_TZ)

    def special_days(self, year: int) -> list[SpecialDay]:
        """The exceptions to "Monday–Friday are worked" in `year`: weekdays off and weekend days worked,
        with the name of the holiday or the province's reason."""
        national = self._national.year(year)
        found: list[SpecialDay] = []
        day = dt.date(year, 1, 1)
        while day.year == year:
            weekday = day.weekday() not in self._national.weekend
            working = self.is_working_day(day)
            if working != weekday:
                found.append(self._describe(day, working, national))
            day += _ONE_DAY
        return found

    def _describe(self, day: dt.date, working: bool, national: NationalYear) -> SpecialDay:
        override = self._overrides.get(day)
        if override is not None:
            default = (
                _("Ngày làm việc theo quyết định của tỉnh") if working else _("Ngày nghỉ theo quyết định của tỉnh")
            )
            return SpecialDay(date=day, working=working, name=override.reason or default, source="province")
        if not working:
            return SpecialDay(date=day, working=False, name=national.days_off[day], source="national")
        return SpecialDay(date=day, working=True, name=self._swap_name(day), source="national")

    def _swap_name(self, day: dt.date) -> str:
        # `holidays` names the day off "... (thay cho ngày 22/08/2026)"; find it to say what is made up.
        label = day.strftime("%d/%m/%Y")
        for year in (day.year - 1, day.year, day.year + 1):
            for off_day, name in sorted(self._national.year(year).days_off.items()):
                if label in name or day.strftime("%m/%d/%Y") in name:
                    return _("Ngày làm việc bù cho ngày nghỉ %(date)s") % {"date": off_day.strftime("%d/%m/%Y")}
        return _("Ngày làm việc bù")

    # -- instants ------------------------------------------------------------------------------
    def is_working_instant(self, value: dt.datetime) -> bool:
        """On a working day and inside a working period, both ends included (17:00 is one)."""
        local = to_vietnam_naive(value)
        if not self.is_working_day(local.date()):
            return False
        offset = local - _midnight(local.date())
        return any(start <= offset <= end for start, end in self._periods)

    def next_working_instant(self, value: dt.datetime) -> dt.datetime:
        """The earliest instant at or after `value` from which working time elapses: `value` itself
        inside [period start, period end), else the next period's start (11:30 -> 13:30)."""
        return self._next_working_instant(to_vietnam_naive(value)).replace(tzinfo=VN_TZ)

    def _next_working_instant(self, local: dt.datetime) -> dt.datetime:
        day = local.date()
        if self.is_working_day(day):
            midnight = _midnight(day)
            offset = local - midnight
            for start, end in self._periods:
                if offset < end:
                    return midnight + max(offset, start)
        return _midnight(self.next_working_day(day)) + self._periods[0][0]

    def add_working_minutes(self, start: dt.datetime, minutes: int) -> dt.datetime:
        """The earliest instant at which `minutes` of working time have elapsed since `start`.
        0 minutes returns `start` itself (in Vietnam time), working instant or not."""
        return self.add_working_time(start, dt.timedelta(minutes=minutes))

    def add_working_time(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        if amount < _ZERO:
            raise ValueError("working time to add must not be negative")
        return self._add(to_vietnam_naive(start), amount).replace(tzinfo=VN_TZ)

    def _add(self, local: dt.datetime, remaining: dt.timedelta) -> dt.datetime:
        if remaining == _ZERO:
            return local
        day = local.date()
        offset = local - _midnight(day)
        idle = 0
        while True:
            if self.is_working_day(day):
                idle = 0
                if offset == _ZERO and remaining > self.day_length:
                    remaining -= self.day_length  # a whole day at once: the loop runs per day, never per minute
                else:
                    for start, end in self._periods:
                        begin = max(offset, start)
                        if begin < end:
                            if remaining <= end - begin:
                                return _midnight(day) + begin + remaining
                            remaining -= end - begin
            else:
                idle += 1
                if idle > _MAX_IDLE_DAYS:
                    raise ValueError(f"no working day within {_MAX_IDLE_DAYS} days after {day}")
            day += _ONE_DAY
            offset = _ZERO

    def working_time_between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """The working time from `a` to `b` (negative when `b` is before `a`)."""
        first, last = to_vietnam_naive(a), to_vietnam_naive(b)
        if last < first:
            return -self._between(last, first)
        return self._between(first, last)

    def working_minutes_between(self, a: dt.datetime, b: dt.datetime) -> int:
        """`working_time_between` in whole minutes, truncated toward zero."""
        total = self.working_time_between(a, b)
        minutes = abs(total) // _MINUTE
        return minutes if total >= _ZERO else -minutes

    def _between(self, first: dt.datetime, last: dt.datetime) -> dt.timedelta:
        total = _ZERO
        day, last_day = first.date(), last.date()
        while day <= last_day:
            if self.is_working_day(day):
                midnight = _midnight(day)
                low = first - midnight if day == first.date() else _ZERO
                high = last - midnight if day == last_day else _ONE_DAY
                if low == _ZERO and high == _ONE_DAY:
                    total += self.day_length
                else:
                    for start, end in self._periods:
                        overlap = min(end, high) - max(start, low)
                        if overlap > _ZERO:
                            total += overlap
            day += _ONE_DAY
        return total

    # -- deadlines -------------------------------------------------------------------------------
    def receipt_start(self, value: dt.datetime) -> tuple[dt.datetime, bool]:
        """When something received at `value` counts as received, and whether the cut-off rule moved
        it: after the cut-off on a working day, or any time on a non-working day, it is the opening of
        the next working day; before the opening of a working day, that opening (so a later receipt
        never counts from earlier than a Saturday's); otherwise `value` itself."""
        local = to_vietnam_naive(value)
        day = local.date()
        if self.is_working_day(day) and local.time() <= self.cutoff:
            opening = self.opening(day)
            return max(local.replace(tzinfo=VN_TZ), opening), False
        return self.opening(self.next_working_day(day)), True

    def due(self, start: dt.datetime, amount: int, unit: str, *, apply_cutoff: bool = True) -> dt.datetime:
        """The deadline for `amount` `unit`s from `start` (see the module docstring)."""
        return self.due_info(start, amount, unit, apply_cutoff=apply_cutoff).due

    def due_info(self, start: dt.datetime, amount: int, unit: str, *, apply_cutoff: bool = True) -> DueInfo:
        """The deadline with its effective start.

        effective_start is the instant counting begins: the start moved by the cut-off rule (when
        `apply_cutoff`), then, for working units, to the next working instant (12:00 -> 13:30).
        Amount 0 returns the effective start: for working units a working instant from which work
        can begin, never a closed-office instant; for calendar days the (cut-off-adjusted) start.
        cutoff_applied says whether the cut-off rule moved the start.

        Raises InvalidInput for an unknown unit, an amount outside 0..MAX_AMOUNT, or a start outside
        FIRST_YEAR..LAST_YEAR.
        """
        if unit not in UNITS:
            raise InvalidInput(
                _("Đơn vị thời hạn không hợp lệ: dùng working_days, working_hours hoặc calendar_days."),
                details={"field": "unit", "allowed": list(UNITS)},
            )
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= MAX_AMOUNT:
            raise InvalidInput(
                _("Số lượng thời hạn phải là số nguyên từ 0 đến %(max)s.") % {"max": MAX_AMOUNT},
                details={"field": "amount", "min": 0, "max": MAX_AMOUNT},
            )
        try:
            local = to_vietnam_naive(start)
        except OverflowError:  # an offset that pushes year 1 or 9999 out of range
            local = dt.datetime.min
        if not FIRST_YEAR <= local.year <= LAST_YEAR:
            raise InvalidInput(
                _("Thời điểm bắt đầu phải nằm trong các năm %(first)s–%(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
                details={"field": "start", "min_year": FIRST_YEAR, "max_year": LAST_YEAR},
            )
        moved = False
        effective = local
        if apply_cutoff:
            received, moved = self.receipt_start(local)
            effective = to_vietnam_naive(received)
        if unit == "calendar_days":
            due = effective + dt.timedelta(days=amount)
        else:
            effective = self._next_working_instant(effective)
            per_unit = self.day_length if unit == "working_days" else dt.timedelta(hours=1)
            due = self._add(effective, per_unit * amount)
        return DueInfo(
            due=due.replace(tzinfo=VN_TZ),
            start=local.replace(tzinfo=VN_TZ),
            effective_start=effective.replace(tzinfo=VN_TZ),
            amount=amount,
            unit=unit,
            cutoff_applied=moved,
        )


# --- Loading from the database --------------------------------------------------------------
def working_calendar() -> WorkingCalendar:
    """The province's calendar: CalendarSettings (pk=1, model defaults when absent), every CalendarDay
    row, and the process-wide national holidays (names in the active language). Two small queries per
    call: the override rows are few, and reading them each time means an edit shows at once."""
    row = CalendarSettings.objects.filter(pk=1).first() or CalendarSettings()
    overrides = {
        day: DayOverride(working=kind == CalendarDay.Kind.WORKING_DAY, reason=reason)
        for day, kind, reason in CalendarDay.objects.values_list("date", "kind", "reason")
    }
    return WorkingCalendar(
        periods=((row.morning_start, row.morning_end), (row.afternoon_start, row.afternoon_end)),
        cutoff=row.cutoff,
        overrides=overrides,
        national=national_holidays(_holiday_language()),
    )
