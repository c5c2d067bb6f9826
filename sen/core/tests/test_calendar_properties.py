"""Hypothesis properties of the working-day calendar, over random starts and random configurations
(working hours, cut-off, province overrides) around Tết 2026 and the 2026 swapped days.

A working instant is an instant on a working day inside a working period with both ends included,
so a deadline may fall exactly at 11:30 or 17:00 (see sen.core.calendar)."""

from __future__ import annotations

import datetime as dt

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from sen.core.calendar import VN_TZ, WorkingCalendar

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)
WORKING_UNITS = ("working_days", "working_hours")
ALL_UNITS = (*WORKING_UNITS, "calendar_days")
FIRST_DAY = dt.date(2025, 12, 1)
LAST_DAY = dt.date(2027, 3, 31)


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    """The default calendar, or random working hours (one or two periods), cut-off and overrides."""
    if draw(st.booleans()):
        return WorkingCalendar()
    quarter = dt.timedelta(minutes=15)
    morning_start = draw(st.integers(6 * 4, 9 * 4)) * quarter
    morning_end = morning_start + draw(st.integers(1, 24)) * quarter
    afternoon_start = morning_end + draw(st.integers(0, 12)) * quarter
    afternoon_end = afternoon_start + draw(st.integers(1, 24)) * quarter
    spans = [(morning_start, morning_end), (afternoon_start, afternoon_end)]
    if draw(st.booleans()):
        spans = spans[:1]
    periods = [((dt.datetime.min + a).time(), (dt.datetime.min + b).time()) for a, b in spans]
    cutoff = draw(st.times(min_value=dt.time(9), max_value=dt.time(20)))
    override_days = draw(st.dictionaries(st.dates(min_value=FIRST_DAY, max_value=LAST_DAY), st.booleans(), max_size=30))
    return WorkingCalendar(periods=periods, cutoff=cutoff, overrides=override_days)


starts = st.datetimes(min_value=dt.datetime(2025, 12, 1), max_value=dt.datetime(2027, 1, 31))
minute_starts = starts.map(lambda value: value.replace(second=0, microsecond=0))
amounts = st.integers(min_value=0, max_value=40)
units = st.sampled_from(ALL_UNITS)
working_units = st.sampled_from(WORKING_UNITS)


@PROPERTY_SETTINGS
@given(calendars(), starts, amounts, amounts, units, st.booleans())
def test_monotonic_in_amount(cal, start, a, b, unit, cutoff):
    low, high = sorted((a, b))

    assert cal.due(start, low, unit, apply_cutoff=cutoff) <= cal.due(start, high, unit, apply_cutoff=cutoff)


@PROPERTY_SETTINGS
@given(calendars(), starts, starts, amounts, units, st.booleans())
def test_monotonic_in_start(cal, s, t, amount, unit, cutoff):
    early, late = sorted((s, t))

    assert cal.due(early, amount, unit, apply_cutoff=cutoff) <= cal.due(late, amount, unit, apply_cutoff=cutoff)


@PROPERTY_SETTINGS
@given(calendars(), starts, amounts, st.integers(min_value=1, max_value=40), working_units)
def test_additive_for_working_units(cal, start, a, b, unit):
    # due(·, 0) is "where counting begins", so the second step needs b >= 1 (see the next test)
    first = cal.due(start, a, unit, apply_cutoff=False)

    assert cal.due(first, b, unit, apply_cutoff=False) == cal.due(start, a + b, unit, apply_cutoff=False)


@PROPERTY_SETTINGS
@given(calendars(), starts, amounts, working_units)
def test_a_zero_amount_after_a_deadline_is_the_next_working_instant(cal, start, a, unit):
    first = cal.due(start, a, unit, apply_cutoff=False)

    assert cal.due(first, 0, unit, apply_cutoff=False) == cal.next_working_instant(first)


@PROPERTY_SETTINGS
@given(calendars(), starts, st.integers(0, 20_000), st.integers(0, 20_000))
def test_add_working_minutes_is_additive_including_zero(cal, start, m, n):
    assert cal.add_working_minutes(cal.add_working_minutes(start, m), n) == cal.add_working_minutes(start, m + n)


@PROPERTY_SETTINGS
@given(calendars(), starts, amounts, working_units, st.booleans())
def test_working_units_never_end_on_a_non_working_instant(cal, start, amount, unit, cutoff):
    due = cal.due(start, amount, unit, apply_cutoff=cutoff)

    assert cal.is_working_instant(due)
    assert cal.is_working_day(due.date())


@PROPERTY_SETTINGS
@given(calendars(), starts, st.integers(1, 40), working_units, st.booleans())
def test_the_due_instant_is_the_earliest_one(cal, start, amount, unit, cutoff):
    info = cal.due_info(start, amount, unit, apply_cutoff=cutoff)
    needed = (cal.day_length if unit == "working_days" else dt.timedelta(hours=1)) * amount

    assert cal.working_time_between(info.effective_start, info.due) == needed
    assert cal.working_time_between(info.effective_start, info.due - dt.timedelta(microseconds=1)) < needed


@PROPERTY_SETTINGS
@given(calendars(), starts, st.integers(0, 30_000))
def test_minutes_between_undoes_add_working_minutes(cal, start, minutes):
    assert cal.working_minutes_between(start, cal.add_working_minutes(start, minutes)) == minutes


@PROPERTY_SETTINGS
@given(calendars(), starts, starts, starts)
def test_working_time_between_adds_up_and_is_antisymmetric(cal, a, b, c):
    assert cal.working_time_between(a, b) + cal.working_time_between(b, c) == cal.working_time_between(a, c)
    assert cal.working_time_between(a, b) == -cal.working_time_between(b, a)


@PROPERTY_SETTINGS
@given(calendars(), starts, amounts, st.booleans())
def test_calendar_days_are_plain_days_from_the_effective_start(cal, start, amount, cutoff):
    info = cal.due_info(start, amount, "calendar_days", apply_cutoff=cutoff)

    assert info.due == info.effective_start + dt.timedelta(days=amount)
    if not cutoff:
        assert info.effective_start == start.replace(tzinfo=VN_TZ)


@PROPERTY_SETTINGS
@given(calendars(), starts, units)
def test_the_cutoff_never_makes_a_deadline_earlier(cal, start, unit):
    with_cutoff = cal.due_info(start, 1, unit, apply_cutoff=True)
    without = cal.due_info(start, 1, unit, apply_cutoff=False)

    assert with_cutoff.due >= without.due
    assert with_cutoff.effective_start >= without.start
    if with_cutoff.cutoff_applied:  # moved to the opening of a later working day
        assert with_cutoff.effective_start.date() > start.date()
        assert with_cutoff.effective_start == cal.opening(with_cutoff.effective_start.date())
        assert cal.is_working_day(with_cutoff.effective_start.date())
    else:  # received on a working day, not after the cut-off
        assert cal.is_working_day(start.date())
        assert start.time() <= cal.cutoff


@PROPERTY_SETTINGS
@given(calendars(), starts, amounts, units, st.booleans())
def test_results_are_aware_at_plus_seven(cal, start, amount, unit, cutoff):
    info = cal.due_info(start, amount, unit, apply_cutoff=cutoff)

    for value in (info.due, info.start, info.effective_start):
        assert value.utcoffset() == dt.timedelta(hours=7)


# --- An independent oracle: walk minute by minute with the `holidays` package's own answer ----------
_VN = holidays.country_holidays("VN", years=range(2025, 2029))


def _oracle_working_day(day: dt.date, overrides: dict[dt.date, bool]) -> bool:
    if day in overrides:
        return overrides[day]
    return _VN.is_working_day(day)


def _oracle_add_minutes(
    start: dt.datetime, minutes: int, periods: list[tuple[dt.time, dt.time]], overrides: dict[dt.date, bool]
) -> dt.datetime:
    """The deadline by brute force: step one minute at a time, counting the minutes that lie inside a
    working period of a working day. Only for whole-minute starts and small amounts."""
    current, counted = start, 0
    while counted < minutes:
        inside = _oracle_working_day(current.date(), overrides) and any(
            begin <= current.time() < end for begin, end in periods
        )
        current += dt.timedelta(minutes=1)
        if inside:
            counted += 1
    return current


@settings(max_examples=60, deadline=None)
@given(
    minute_starts,
    st.integers(0, 3 * 480),
    st.dictionaries(st.dates(min_value=FIRST_DAY, max_value=LAST_DAY), st.booleans(), max_size=30),
)
def test_add_working_minutes_agrees_with_a_brute_force_walk(start, minutes, overrides):
    periods = [(dt.time(7), dt.time(11, 30)), (dt.time(13, 30), dt.time(17))]
    cal = WorkingCalendar(periods=periods, overrides=overrides)

    expected = _oracle_add_minutes(start, minutes, periods, overrides)

    assert cal.add_working_minutes(start, minutes) == expected.replace(tzinfo=VN_TZ)
