"""Table tests of the working-day calendar: the 2026 national calendar as `holidays` 0.109 reports it,
deadlines around Tết 2026 and the swapped days, the receipt cut-off, the province's own days and hours."""

from __future__ import annotations

import datetime as dt
import threading
import time
from zoneinfo import ZoneInfo

import holidays
import pytest

from sen.core.calendar import (
    VN_TZ,
    DayOverride,
    NationalHolidays,
    WorkingCalendar,
    national_holidays,
    working_calendar,
)
from sen.core.exceptions import InvalidInput
from sen.core.models import CalendarDay, CalendarSettings

D = dt.datetime
CAL = WorkingCalendar()


def vn(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN_TZ)


# --- The national calendar of 2026 -----------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "working"),
    [
        (dt.date(2026, 1, 1), False),  # Tết Dương lịch (Thursday)
        (dt.date(2026, 1, 2), True),  # the Friday after it is worked
        (dt.date(2026, 2, 13), True),  # Friday before Tết
        (dt.date(2026, 2, 16), False),  # Giao thừa
        (dt.date(2026, 2, 17), False),  # Mùng một
        (dt.date(2026, 2, 18), False),
        (dt.date(2026, 2, 19), False),
        (dt.date(2026, 2, 20), False),  # Mùng bốn (Friday)
        (dt.date(2026, 2, 21), False),  # Saturday
        (dt.date(2026, 2, 22), False),  # Sunday
        (dt.date(2026, 2, 23), True),  # first working day after Tết
        (dt.date(2026, 4, 26), False),  # Giỗ Tổ Hùng Vương, a Sunday
        (dt.date(2026, 4, 27), False),  # ... observed on Monday
        (dt.date(2026, 4, 28), True),
        (dt.date(2026, 4, 29), True),
        (dt.date(2026, 4, 30), False),  # Ngày Chiến thắng
        (dt.date(2026, 5, 1), False),  # Quốc tế Lao động
        (dt.date(2026, 8, 22), True),  # Saturday worked in exchange for 31 Aug
        (dt.date(2026, 8, 29), False),  # an ordinary Saturday
        (dt.date(2026, 8, 31), False),  # day off swapped with 22 Aug
        (dt.date(2026, 9, 1), False),  # Quốc khánh
        (dt.date(2026, 9, 2), False),
        (dt.date(2026, 9, 3), True),
        (dt.date(2026, 11, 24), False),  # Ngày Văn hóa Việt Nam, new in the library's 2026 table
        (dt.date(2026, 3, 2), True),  # an ordinary Monday
        (dt.date(2026, 3, 7), False),  # an ordinary Saturday
        (dt.date(2026, 3, 8), False),  # an ordinary Sunday
    ],
)
def test_national_working_days_of_2026(day, working):
    assert CAL.is_working_day(day) is working


def test_the_library_still_reports_the_2026_swap():
    # given the holidays package as pinned (0.109)
    vn_holidays = holidays.country_holidays("VN", years=2026)

    # then its own view agrees with the one the engine relies on
    assert dt.date(2026, 8, 22) in vn_holidays.weekend_workdays
    assert vn_holidays.is_working_day(dt.date(2026, 8, 22))
    assert not vn_holidays.is_working_day(dt.date(2026, 8, 31))


def test_special_days_of_2026_are_the_exceptions_to_monday_to_friday():
    days = CAL.special_days(2026)

    assert [(d.date.isoformat(), d.working, d.source) for d in days] == [
        ("2026-01-01", False, "national"),
        ("2026-02-16", False, "national"),
        ("2026-02-17", False, "national"),
        ("2026-02-18", False, "national"),
        ("2026-02-19", False, "national"),
        ("2026-02-20", False, "national"),
        ("2026-04-27", False, "national"),
        ("2026-04-30", False, "national"),
        ("2026-05-01", False, "national"),
        ("2026-08-22", True, "national"),
        ("2026-08-31", False, "national"),
        ("2026-09-01", False, "national"),
        ("2026-09-02", False, "national"),
        ("2026-11-24", False, "national"),
    ]
    names = {d.date: d.name for d in days}
    assert names[dt.date(2026, 2, 17)] == "Tết Nguyên Đán"
    assert names[dt.date(2026, 8, 22)] == "Ngày làm việc bù cho ngày nghỉ 31/08/2026"


# --- Deadlines --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "amount", "unit", "cutoff", "due"),
    [
        # one working day is 8 h of working time, ending at the earliest instant it has elapsed
        (D(2026, 3, 2, 7, 0), 1, "working_days", False, vn(2026, 3, 2, 17, 0)),
        (D(2026, 3, 2, 7, 0), 1, "working_days", True, vn(2026, 3, 2, 17, 0)),
        (D(2026, 3, 2, 8, 0), 1, "working_days", True, vn(2026, 3, 3, 8, 0)),
        (D(2026, 3, 2, 8, 0), 5, "working_days", True, vn(2026, 3, 9, 8, 0)),
        # Tết 2026: 16–20 Feb off, then the weekend
        (D(2026, 2, 13, 8, 0), 1, "working_days", True, vn(2026, 2, 23, 8, 0)),
        (D(2026, 2, 12, 10, 0), 3, "working_days", True, vn(2026, 2, 24, 10, 0)),
        (D(2026, 2, 13, 16, 0), 1, "working_days", True, vn(2026, 2, 23, 17, 0)),  # after the cut-off
        (D(2026, 2, 13, 16, 0), 1, "working_days", False, vn(2026, 2, 23, 16, 0)),  # 1 h on Fri, 7 h on Mon
        (D(2026, 2, 17, 9, 0), 1, "working_days", True, vn(2026, 2, 23, 17, 0)),  # received during Tết
        (D(2026, 2, 17, 9, 0), 2, "working_hours", False, vn(2026, 2, 23, 9, 0)),
        # Hùng Kings' day observed on Mon 27 Apr; 30 Apr and 1 May
        (D(2026, 4, 24, 10, 0), 1, "working_days", True, vn(2026, 4, 28, 10, 0)),
        (D(2026, 4, 29, 10, 0), 1, "working_days", True, vn(2026, 5, 4, 10, 0)),
        # the 2026 swap: Saturday 22 Aug worked, Monday 31 Aug off, then Quốc khánh 1–2 Sep
        (D(2026, 8, 21, 8, 0), 1, "working_days", True, vn(2026, 8, 22, 8, 0)),
        (D(2026, 8, 21, 16, 0), 1, "working_days", True, vn(2026, 8, 22, 17, 0)),
        (D(2026, 8, 22, 9, 0), 1, "working_days", True, vn(2026, 8, 24, 9, 0)),
        (D(2026, 8, 28, 10, 0), 1, "working_days", True, vn(2026, 9, 3, 10, 0)),
        (D(2026, 8, 21, 16, 30), 1, "working_hours", False, vn(2026, 8, 22, 7, 30)),
        # a receipt on an ordinary Saturday counts from Monday's opening
        (D(2026, 3, 7, 9, 0), 1, "working_days", True, vn(2026, 3, 9, 17, 0)),
        # working hours, the lunch break and the close
        (D(2026, 3, 2, 10, 30), 1, "working_hours", True, vn(2026, 3, 2, 11, 30)),
        (D(2026, 3, 2, 11, 0), 1, "working_hours", True, vn(2026, 3, 2, 14, 0)),
        (D(2026, 3, 2, 12, 0), 1, "working_hours", True, vn(2026, 3, 2, 14, 30)),
        (D(2026, 3, 2, 6, 0), 1, "working_hours", True, vn(2026, 3, 2, 8, 0)),
        (D(2026, 3, 2, 16, 30), 1, "working_hours", False, vn(2026, 3, 3, 7, 30)),
        (D(2026, 3, 2, 8, 0), 8, "working_hours", True, vn(2026, 3, 3, 8, 0)),
        # the cut-off itself is not "after the cut-off"; one second later is
        (D(2026, 3, 2, 15, 0), 1, "working_hours", True, vn(2026, 3, 2, 16, 0)),
        (D(2026, 3, 2, 15, 0, 1), 1, "working_hours", True, vn(2026, 3, 3, 8, 0)),
        # calendar days are plain days, holidays or not; the cut-off still decides the receipt
        (D(2026, 2, 9, 10, 0), 10, "calendar_days", True, vn(2026, 2, 19, 10, 0)),
        (D(2026, 2, 13, 16, 0), 3, "calendar_days", False, vn(2026, 2, 16, 16, 0)),
        (D(2026, 2, 13, 16, 0), 3, "calendar_days", True, vn(2026, 2, 26, 7, 0)),
        # amount 0: the instant counting begins
        (D(2026, 3, 2, 9, 0), 0, "working_days", True, vn(2026, 3, 2, 9, 0)),
        (D(2026, 3, 2, 12, 0), 0, "working_hours", True, vn(2026, 3, 2, 13, 30)),
        (D(2026, 3, 7, 10, 0), 0, "working_days", True, vn(2026, 3, 9, 7, 0)),
        (D(2026, 3, 7, 10, 0), 0, "working_days", False, vn(2026, 3, 9, 7, 0)),
        (D(2026, 3, 7, 10, 0), 0, "calendar_days", False, vn(2026, 3, 7, 10, 0)),
    ],
)
def test_due(start, amount, unit, cutoff, due):
    assert CAL.due(start, amount, unit, apply_cutoff=cutoff) == due


def test_due_info_tells_where_counting_began():
    # given a dossier received on Friday 13 Feb 2026 at 16:00, after the cut-off, before Tết
    info = CAL.due_info(D(2026, 2, 13, 16, 0), 1, "working_days")

    # then it counts from the first opening after Tết
    assert info.start == vn(2026, 2, 13, 16, 0)
    assert info.effective_start == vn(2026, 2, 23, 7, 0)
    assert info.cutoff_applied is True
    assert info.due == vn(2026, 2, 23, 17, 0)


def test_a_receipt_before_opening_counts_from_the_opening_so_later_never_means_earlier():
    # Hypothesis found it: Saturday 9 Jan 2027 counted from Monday 07:00, but Monday 00:00 from 00:00
    saturday = CAL.due(D(2027, 1, 9, 0, 0), 0, "calendar_days")
    monday = CAL.due_info(D(2027, 1, 11, 0, 0), 0, "calendar_days")

    assert saturday == monday.due == vn(2027, 1, 11, 7, 0)
    assert monday.cutoff_applied is False
    assert CAL.due(D(2027, 1, 11, 5, 30), 3, "calendar_days") == vn(2027, 1, 14, 7, 0)


def test_a_start_in_the_lunch_break_is_not_a_cutoff_move():
    info = CAL.due_info(D(2026, 3, 2, 12, 0), 1, "working_days")

    assert info.cutoff_applied is False
    assert info.effective_start == vn(2026, 3, 2, 13, 30)
    # 3.5 h on Monday afternoon + the 4.5 h of Tuesday morning: it ends as the office breaks for lunch
    assert info.due == vn(2026, 3, 3, 11, 30)


def test_add_working_minutes_of_zero_returns_the_start_itself():
    saturday = vn(2026, 3, 7, 10, 0)

    assert CAL.add_working_minutes(saturday, 0) == saturday
    assert CAL.add_working_minutes(saturday, 1) == vn(2026, 3, 9, 7, 1)


def test_working_minutes_between_counts_only_working_time():
    # Friday before Tết 16:00 → Monday after Tết 08:00: 1 h on Friday, 1 h on Monday
    assert CAL.working_minutes_between(D(2026, 2, 13, 16, 0), D(2026, 2, 23, 8, 0)) == 120
    assert CAL.working_minutes_between(D(2026, 2, 23, 8, 0), D(2026, 2, 13, 16, 0)) == -120
    assert CAL.working_minutes_between(D(2026, 3, 2, 11, 0), D(2026, 3, 2, 14, 0)) == 60
    assert CAL.working_minutes_between(D(2026, 3, 2, 7, 0), D(2026, 3, 9, 7, 0)) == 5 * 480


def test_working_instants_include_the_end_of_a_period():
    assert CAL.is_working_instant(D(2026, 3, 2, 17, 0))
    assert CAL.is_working_instant(D(2026, 3, 2, 11, 30))
    assert CAL.is_working_instant(D(2026, 3, 2, 7, 0))
    assert not CAL.is_working_instant(D(2026, 3, 2, 11, 31))
    assert not CAL.is_working_instant(D(2026, 3, 2, 6, 59))
    assert not CAL.is_working_instant(D(2026, 3, 7, 9, 0))  # Saturday
    assert CAL.next_working_instant(D(2026, 3, 2, 11, 30)) == vn(2026, 3, 2, 13, 30)
    assert CAL.next_working_instant(D(2026, 3, 2, 17, 0)) == vn(2026, 3, 3, 7, 0)
    assert CAL.next_working_instant(D(2026, 2, 13, 17, 0)) == vn(2026, 2, 23, 7, 0)


def test_large_amounts_are_computed_day_by_day_not_minute_by_minute():
    # given 10,000 working days (the API's maximum): 4.8 million working minutes
    start = D(2026, 1, 5, 8, 0)
    began = time.perf_counter()

    due = CAL.due(start, 10_000, "working_days")

    # then it is exact and quick (a minute-by-minute loop would take many seconds)
    assert time.perf_counter() - began < 1.0
    assert CAL.working_minutes_between(start, due) == 10_000 * 480
    assert CAL.is_working_instant(due)


# --- Time zones: Vietnam has no daylight saving ---------------------------------------------------
def test_naive_means_vietnam_time_and_aware_values_are_converted():
    naive = CAL.due(D(2026, 3, 2, 8, 0), 1, "working_hours")
    from_utc = CAL.due(dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC), 1, "working_hours")
    from_paris_summer = CAL.due(dt.datetime(2026, 7, 6, 3, 0, tzinfo=ZoneInfo("Europe/Paris")), 1, "working_hours")

    assert naive == from_utc == vn(2026, 3, 2, 9, 0)
    assert from_paris_summer == vn(2026, 7, 6, 9, 0)  # 03:00 CEST = 01:00 UTC = 08:00 in Vietnam


@pytest.mark.parametrize("month", range(1, 13))
def test_every_result_is_at_plus_seven_all_year(month):
    due = CAL.due(D(2026, month, 10, 9, 0), 3, "working_days")

    assert due.tzinfo == VN_TZ
    assert due.utcoffset() == dt.timedelta(hours=7)
    assert due.isoformat().endswith("+07:00")


# --- Configuration: hours, cut-off, the province's days --------------------------------------------
def test_changed_working_hours_and_cutoff():
    # given an office open 08:00–12:00 and 13:00–17:00, closing receipt at 16:00
    cal = WorkingCalendar(periods=[(dt.time(8), dt.time(12)), (dt.time(13), dt.time(17))], cutoff=dt.time(16))

    assert cal.day_length == dt.timedelta(hours=8)
    assert cal.due(D(2026, 3, 2, 8, 0), 1, "working_days") == vn(2026, 3, 2, 17, 0)
    assert cal.due(D(2026, 3, 2, 11, 30), 1, "working_hours") == vn(2026, 3, 2, 13, 30)
    assert cal.due(D(2026, 3, 2, 15, 30), 1, "working_hours") == vn(2026, 3, 2, 16, 30)  # before this cut-off
    assert cal.due(D(2026, 3, 2, 16, 30), 1, "working_hours") == vn(2026, 3, 3, 9, 0)


def test_touching_periods_make_one_continuous_period():
    cal = WorkingCalendar(periods=[(dt.time(12), dt.time(16)), (dt.time(8), dt.time(12))])

    assert cal.periods == ((dt.time(8), dt.time(16)),)
    assert cal.due(D(2026, 3, 2, 11, 0), 2, "working_hours") == vn(2026, 3, 2, 13, 0)


@pytest.mark.parametrize(
    "periods",
    [
        [],
        [(dt.time(9), dt.time(8))],
        [(dt.time(8), dt.time(12)), (dt.time(11), dt.time(15))],
    ],
)
def test_impossible_working_periods_are_refused(periods):
    with pytest.raises(ValueError):
        WorkingCalendar(periods=periods)


def test_overrides_win_over_the_national_calendar():
    # given a province that works on Mon 31 Aug 2026 and takes Tue 10 Mar 2026 off
    cal = WorkingCalendar(
        overrides={dt.date(2026, 8, 31): True, dt.date(2026, 3, 10): DayOverride(working=False, reason="Lễ hội")}
    )

    assert cal.is_working_day(dt.date(2026, 8, 31))
    assert not cal.is_working_day(dt.date(2026, 3, 10))
    assert cal.due(D(2026, 8, 28, 10, 0), 1, "working_days") == vn(2026, 8, 31, 10, 0)
    assert cal.due(D(2026, 3, 9, 10, 0), 1, "working_days") == vn(2026, 3, 11, 10, 0)


@pytest.mark.parametrize(
    ("amount", "unit"),
    [(-1, "working_days"), (10_001, "working_days"), (1, "weeks"), (1, ""), (True, "working_days")],
)
def test_due_refuses_bad_amounts_and_units(amount, unit):
    with pytest.raises(InvalidInput) as raised:
        CAL.due(D(2026, 3, 2, 8, 0), amount, unit)

    assert raised.value.message


@pytest.mark.parametrize("start", [D(1999, 12, 31, 8), D(2101, 1, 3, 8), dt.datetime.min.replace(tzinfo=dt.UTC)])
def test_due_refuses_starts_outside_the_supported_years(start):
    with pytest.raises(InvalidInput):
        CAL.due(start, 1, "working_days")


def test_national_years_are_read_whole_even_by_racing_threads():
    # given a fresh, lazily filled holidays object shared by eight threads
    national = NationalHolidays(holidays.country_holidays("VN"))
    seen: list[bool] = []

    def look() -> None:
        year = national.year(2026)
        seen.append(dt.date(2026, 8, 22) in year.weekend_workdays and dt.date(2026, 8, 31) in year.days_off)

    threads = [threading.Thread(target=look) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert seen == [True] * 8


# --- Loaded from the database ------------------------------------------------------------------------
@pytest.mark.django_db
def test_working_calendar_uses_model_defaults_without_a_settings_row():
    CalendarSettings.objects.all().delete()

    cal = working_calendar()

    assert cal.periods == ((dt.time(7), dt.time(11, 30)), (dt.time(13, 30), dt.time(17)))
    assert cal.cutoff == dt.time(15)
    assert cal.day_length == dt.timedelta(hours=8)


@pytest.mark.django_db
def test_working_calendar_reads_the_settings_row():
    CalendarSettings.objects.update_or_create(
        pk=1,
        defaults={
            "morning_start": dt.time(7, 30),
            "morning_end": dt.time(11, 30),
            "afternoon_start": dt.time(13, 0),
            "afternoon_end": dt.time(17, 0),
            "cutoff": dt.time(16, 0),
        },
    )

    cal = working_calendar()

    assert cal.day_length == dt.timedelta(hours=8)
    assert cal.due(D(2026, 3, 2, 7, 0), 1, "working_hours") == vn(2026, 3, 2, 8, 30)
    assert cal.due(D(2026, 3, 2, 15, 30), 1, "working_hours") == vn(2026, 3, 2, 16, 30)


@pytest.mark.django_db
def test_province_days_off_and_extra_working_saturdays_come_from_calendar_days():
    # given an extra day off on Tue 10 Mar 2026 and a working Saturday 14 Mar 2026
    CalendarDay.objects.create(date=dt.date(2026, 3, 10), kind=CalendarDay.Kind.DAY_OFF, reason="Lễ hội Sen Đồng Tháp")
    CalendarDay.objects.create(date=dt.date(2026, 3, 14), kind=CalendarDay.Kind.WORKING_DAY, reason="")

    cal = working_calendar()

    assert cal.due(D(2026, 3, 9, 10, 0), 1, "working_days") == vn(2026, 3, 11, 10, 0)
    assert cal.due(D(2026, 3, 13, 10, 0), 1, "working_days") == vn(2026, 3, 14, 10, 0)
    assert cal.due(D(2026, 3, 14, 9, 0), 1, "working_hours") == vn(2026, 3, 14, 10, 0)  # received that Saturday
    province_days = [(d.date, d.working, d.name) for d in cal.special_days(2026) if d.source == "province"]
    assert province_days == [
        (dt.date(2026, 3, 10), False, "Lễ hội Sen Đồng Tháp"),
        (dt.date(2026, 3, 14), True, "Ngày làm việc theo quyết định của tỉnh"),
    ]


@pytest.mark.django_db
def test_an_edited_calendar_day_shows_at_once():
    before = working_calendar().due(D(2026, 3, 9, 10, 0), 1, "working_days")
    CalendarDay.objects.create(date=dt.date(2026, 3, 10), kind=CalendarDay.Kind.DAY_OFF)

    after = working_calendar().due(D(2026, 3, 9, 10, 0), 1, "working_days")

    assert (before, after) == (vn(2026, 3, 10, 10, 0), vn(2026, 3, 11, 10, 0))


def test_the_national_holidays_object_is_shared_per_language():
    assert national_holidays("vi") is national_holidays("vi")
    assert national_holidays("vi") is not national_holidays("en_US")
    assert national_holidays("en_US").year(2026).days_off[dt.date(2026, 9, 2)] == "National Day"
