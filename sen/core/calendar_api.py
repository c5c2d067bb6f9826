"""Public calendar API (no login): deadlines and the year's special days."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from sen.core.calendar import FIRST_YEAR, LAST_YEAR, DueInfo, working_calendar
from sen.core.exceptions import InvalidInput

router = Router(tags=["calendar"])

# In a query string an unencoded "+" arrives as a space: "2026-02-23T08:00:00 07:00".
_SPACED_OFFSET = re.compile(r"^(.*\d) (\d{2}:?\d{2})$")


class DueIn(Schema):
    start: str = Field(description="Thời điểm bắt đầu, ISO 8601; không có múi giờ nghĩa là giờ Việt Nam (+07:00).")
    amount: int = Field(description="Số lượng (0–10000).")
    unit: str = Field(description="working_days | working_hours | calendar_days")
    cutoff: bool = Field(True, description="Áp dụng giờ chốt tiếp nhận (mặc định 15:00).")


class DueOut(Schema):
    due: dt.datetime
    start: dt.datetime
    effective_start: dt.datetime = Field(description="Thời điểm bắt đầu tính sau giờ chốt và ngoài giờ làm việc.")
    amount: int
    unit: str
    cutoff_applied: bool = Field(
        description="Giờ chốt hoặc ngày nghỉ đã dời thời điểm tiếp nhận sang ngày làm việc sau."
    )


class SpecialDayOut(Schema):
    date: dt.date
    kind: Literal["day_off", "working_day"]
    name: str
    source: Literal["national", "province"]


class DaysOut(Schema):
    year: int
    days: list[SpecialDayOut]


def parse_start(text: str) -> dt.datetime:
    """An ISO 8601 date or date-time; raises InvalidInput with a Vietnamese message otherwise."""
    value = text.strip()
    spaced = _SPACED_OFFSET.match(value)
    if spaced and ("T" in value or value.count(" ") > 1):
        value = f"{spaced.group(1)}+{spaced.group(2)}"
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            _("Thời điểm bắt đầu không đúng định dạng ISO 8601, ví dụ 2026-02-23T08:00:00+07:00."),
            details={"field": "start", "value": text[:64]},
        ) from None


@router.get("/due", auth=None, response=DueOut, summary="Tính thời hạn theo ngày làm việc")
def due(request: HttpRequest, params: Query[DueIn]) -> DueInfo:
    start = parse_start(params.start)
    return working_calendar().due_info(start, params.amount, params.unit, apply_cutoff=params.cutoff)


@router.get("/days", auth=None, response=DaysOut, summary="Ngày nghỉ và ngày làm bù trong năm")
def days(request: HttpRequest, year: int) -> DaysOut:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(
            _("Năm phải nằm trong khoảng %(first)s–%(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
            details={"field": "year", "min": FIRST_YEAR, "max": LAST_YEAR},
        )
    special = working_calendar().special_days(year)
    return DaysOut(
        year=year,
        days=[
            SpecialDayOut(
                date=day.date,
                kind="working_day" if day.working else "day_off",
                name=day.name,
                source=day.source,
            )
            for day in special
        ],
    )
