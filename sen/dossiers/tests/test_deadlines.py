"""Deadlines by hand-checked dates (Tết 2026, the 15:00 cut-off, a pause), and the national on-time
rule as a table. Pure: the calendar engine with the national holidays, unsaved dossiers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sen.core.calendar import VN_TZ, WorkingCalendar
from sen.dossiers.choices import DossierState
from sen.dossiers.deadlines import dossier_timeliness, effective_due, receipt_due, step_due_at
from sen.dossiers.models import Dossier
from sen.procedures.models import ProcedureVersion, WorkflowStep

CAL = WorkingCalendar()


def vn(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN_TZ)


def three_working_days() -> ProcedureVersion:
    return ProcedureVersion(processing_amount=3, processing_unit="working_days")


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Friday before Tết 2026 (16–20 Feb off): 7 h on Friday, then Mon 23 and Tue 24, 1 h on Wed 25
        (vn(2026, 2, 13, 8, 0), vn(2026, 2, 25, 8, 0)),
        # received during Tết: counts from the first working day's opening (Mon 23 Feb 07:00)
        (vn(2026, 2, 18, 9, 0), vn(2026, 2, 25, 17, 0)),
        # after 15:00: counts from the next working day (Tue 24 Feb 07:00)
        (vn(2026, 2, 23, 15, 30), vn(2026, 2, 26, 17, 0)),
        # before 15:00: counts from the instant itself
        (vn(2026, 2, 23, 14, 30), vn(2026, 2, 26, 14, 30)),
        # exactly 15:00 is still that day
        (vn(2026, 2, 23, 15, 0), vn(2026, 2, 26, 15, 0)),
    ],
)
def test_due_date_at_receipt(received, due):
    assert receipt_due(CAL, three_working_days(), received) == due


def test_no_legal_time_no_due_date():
    assert receipt_due(CAL, ProcedureVersion(processing_amount=None, processing_unit=""), vn(2026, 3, 2, 8)) is None


def test_a_pause_moves_the_due_date_by_its_working_time():
    due = vn(2026, 2, 13, 16, 0)  # Friday before Tết
    # a pause of two working days: skips the weekend and Tết
    assert effective_due(CAL, due, 2 * 8 * 60) == vn(2026, 2, 24, 16, 0)
    # the pause itself, asked Thu 12 Feb 08:00, supplemented Tue 24 Feb 08:00: Thu 7 h + Fri 8 h + Mon 8 h + Tue 1 h
    assert CAL.working_minutes_between(vn(2026, 2, 12, 8, 0), vn(2026, 2, 24, 8, 0)) == 24 * 60


def test_a_steps_due_time_is_its_share_of_the_processing_time():
    step = WorkflowStep(share_percent=Decimal("60"))
    # 60 % of 24 working hours = 14 h 24 min from Fri 13 Feb 08:00: 7 h Fri, then on Mon 23 Feb
    # 4 h 30 min in the morning and 2 h 54 min from 13:30
    assert step_due_at(CAL, three_working_days(), step, vn(2026, 2, 13, 8, 0)) == vn(2026, 2, 23, 16, 24)
    calendar_days = ProcedureVersion(processing_amount=10, processing_unit="calendar_days")
    assert step_due_at(CAL, calendar_days, step, vn(2026, 2, 13, 8, 0)) == vn(2026, 2, 19, 8, 0)


def dossier(**fields) -> Dossier:
    values = {
        "state": DossierState.PROCESSING,
        "due_at": vn(2026, 2, 25, 8, 0),
        "effective_due_at": vn(2026, 2, 25, 8, 0),
    }
    values.update(fields)
    return Dossier(**values)


P = DossierState.PROCESSED
R = DossierState.RETURNED


@pytest.mark.parametrize(
    ("fields", "period_end", "expected"),
    [
        # processed before / on / after the due DATE (times of day do not matter)
        ({"state": P, "processed_at": vn(2026, 2, 24, 17, 0)}, None, "early"),
        ({"state": P, "processed_at": vn(2026, 2, 25, 16, 59)}, None, "on_time"),
        ({"state": P, "processed_at": vn(2026, 2, 26, 7, 0)}, None, "late"),
        # the dates are Vietnam dates: 23:30 UTC on the 24th is the 25th in Vietnam
        (
            {"state": P, "processed_at": dt.datetime(2026, 2, 24, 23, 30, tzinfo=dt.UTC)},
            None,
            "on_time",
        ),
        # processed counts, not returned: processed on time, returned late
        ({"state": R, "processed_at": vn(2026, 2, 25, 9), "returned_at": vn(2026, 3, 2, 9)}, None, "on_time"),
        # returned without a processed instant: the return is the end
        ({"state": R, "returned_at": vn(2026, 3, 2, 9)}, None, "late"),
        # stopped: the stop is the end
        ({"state": DossierState.STOPPED, "ended_at": vn(2026, 2, 20, 9)}, None, "early"),
        # supplement time subtracted: the effective due date is what counts
        ({"state": P, "processed_at": vn(2026, 2, 27, 9), "effective_due_at": vn(2026, 2, 27, 8)}, None, "on_time"),
        # a second supplement request: late whatever the dates
        ({"state": P, "processed_at": vn(2026, 2, 20, 9), "late_by_rule": True}, None, "late"),
        # an apology's new date does not make it on time
        ({"state": P, "processed_at": vn(2026, 3, 2, 9), "rescheduled_due_at": vn(2026, 3, 5, 17)}, None, "late"),
        # unfinished: judged at the period's end
        ({}, vn(2026, 2, 25, 23, 0), "pending"),
        ({}, vn(2026, 2, 26, 8, 0), "late"),
        ({}, dt.date(2026, 2, 28), "late"),
        # the clock is stopped while waiting for a supplement or for the financial obligation
        (
            {"state": DossierState.WAITING_SUPPLEMENT, "paused_since": vn(2026, 2, 24, 9)},
            dt.date(2026, 3, 31),
            "pending",
        ),
        (
            {"state": DossierState.WAITING_FINANCIAL, "paused_since": vn(2026, 2, 24, 9)},
            dt.date(2026, 3, 31),
            "pending",
        ),
        # a withdrawal request does not stop it
        ({"state": DossierState.WITHDRAWAL_REQUESTED}, dt.date(2026, 3, 31), "late"),
        # processed after the period's end: unfinished at that end
        ({"state": P, "processed_at": vn(2026, 3, 2, 9)}, dt.date(2026, 2, 25), "pending"),
        ({"state": P, "processed_at": vn(2026, 3, 2, 9)}, dt.date(2026, 2, 28), "late"),
        # no legal time, or refused before receipt (no due date)
        ({"due_at": None, "effective_due_at": None}, vn(2026, 12, 31, 0), "pending"),
        (
            {"state": DossierState.REFUSED, "due_at": None, "effective_due_at": None, "ended_at": vn(2026, 2, 1, 9)},
            None,
            "on_time",
        ),
    ],
)
def test_timeliness_by_the_national_rule(fields, period_end, expected):
    assert dossier_timeliness(dossier(**fields), period_end=period_end) == expected
