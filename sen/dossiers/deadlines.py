"""Deadlines of dossiers and of their workflow steps, and the national on-time rule. Pure functions
over a calendar and a dossier's fields: no queries.

On-time rule (as the national portal judges it). The end of a dossier is the instant it was
processed (state 9), else returned (10), else stopped or refused (8, 3). It is compared BY DATE
(Vietnam) with the effective due date — the due date moved by the pauses (waiting for a supplement or
for the financial obligation): earlier is "early", the same day "on_time", later "late". A second
supplement request makes a dossier late whatever its dates (`late_by_rule`). An apology's new date
(`rescheduled_due_at`) does not make a late dossier on time: it is shown, not judged against. An
unfinished dossier is judged at the end of the period: past its effective due date it is "late",
otherwise "pending" (so is one whose clock is stopped: `paused_since` is set). A dossier without a
legal time (or refused before receipt, hence without a due date) is "on_time" once ended and
"pending" before.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from sen.core.calendar import VN_TZ, WorkingCalendar
from sen.dossiers.choices import Timeliness
from sen.dossiers.models import Dossier
from sen.procedures.choices import TimeUnit
from sen.procedures.models import ProcedureVersion, WorkflowStep


def vietnam_date(value: dt.datetime) -> dt.date:
    return value.astimezone(VN_TZ).date() if timezone.is_aware(value) else value.date()


def receipt_due(calendar: WorkingCalendar, version: ProcedureVersion, received_at: dt.datetime) -> dt.datetime | None:
    """The due date (ngày hẹn trả) of a dossier received at `received_at`, with the cut-off rule
    (received after 15:00 or on a day off counts from the next working day's opening)."""
    if version.processing_amount is None:
        return None
    return calendar.due(received_at, version.processing_amount, version.processing_unit, apply_cutoff=True)


def effective_due(calendar: WorkingCalendar, due_at: dt.datetime, paused_minutes: int) -> dt.datetime:
    """The due date moved by the working minutes the supplement pauses took."""
    return calendar.add_working_minutes(due_at, paused_minutes)


def step_due_at(
    calendar: WorkingCalendar, version: ProcedureVersion, step: WorkflowStep, start: dt.datetime
) -> dt.datetime | None:
    """When `step`, handed over at `start`, must be done: its share of the procedure's processing time,
    counted in working time from `start` (calendar time for calendar-day procedures)."""
    if version.processing_amount is None:
        return None
    share = Decimal(step.share_percent) / Decimal(100)
    if version.processing_unit == TimeUnit.CALENDAR_DAYS:
        return start + dt.timedelta(minutes=int(Decimal(version.processing_amount * 24 * 60) * share))
    per_unit = calendar.day_length if version.processing_unit == TimeUnit.WORKING_DAYS else dt.timedelta(hours=1)
    total_minutes = Decimal(int(per_unit.total_seconds() // 60) * version.processing_amount)
    minutes = int((total_minutes * share).to_integral_value())
    return calendar.add_working_minutes(calendar.next_working_instant(start), minutes)


def end_instant(dossier: Dossier) -> dt.datetime | None:
    return dossier.processed_at or dossier.returned_at or dossier.ended_at


def dossier_timeliness(dossier: Dossier, *, period_end: dt.datetime | dt.date | None = None) -> str:
    """ "early" | "on_time" | "late" | "pending" by the national rule (see the module docstring).
    `period_end` (default: now): an end after it counts as not ended yet."""
    if period_end is None:
        judged_on = vietnam_date(timezone.now())
        end = end_instant(dossier)
    else:
        if isinstance(period_end, dt.datetime):
            judged_on = vietnam_date(period_end)
            limit = period_end
        else:
            judged_on = period_end
            limit = dt.datetime.combine(period_end + dt.timedelta(days=1), dt.time.min, tzinfo=VN_TZ)
        end = end_instant(dossier)
        if end is not None and end >= limit:
            end = None
    due = dossier.effective_due_at or dossier.due_at
    if due is None:
        return Timeliness.ON_TIME if end is not None else Timeliness.PENDING
    if dossier.late_by_rule:
        return Timeliness.LATE
    due_date = vietnam_date(due)
    if end is None:
        if dossier.paused_since is not None:
            return Timeliness.PENDING
        return Timeliness.LATE if judged_on > due_date else Timeliness.PENDING
    end_date = vietnam_date(end)
    if end_date < due_date:
        return Timeliness.EARLY
    if end_date == due_date:
        return Timeliness.ON_TIME
    return Timeliness.LATE
