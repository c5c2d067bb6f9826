"""The one transition table of dossiers: action → (states it may start from, state it leads to).

`None` as the target means "the state does not change" (a reschedule); `PREVIOUS` means "back to
the state the dossier was in before the withdrawal request" (reject-withdrawal). Guards that depend on more
than the state (the workflow step, an approval, a reason) live in the action's handler in
sen.dossiers.services; the table alone decides which states are reachable.

    receive             1 → 2        the clock starts: due date computed and stored once
    refuse              1 → 3        at intake, with a reason
    assign              2, 4 → 4     from the receiving step to the next step (the specialist)
    forward             4 → 4        to the next workflow step
    approve             4 → 4        the leader approves and hands over to the next step
    return-for-rework   4 → 4        back to the previous step (never to the receiving step)
    request-supplement  2, 4 → 5     the clock pauses; a second request needs a reason, flagged late
    supplement          5 → 4        the clock resumes; the effective due date moves by the pause
    request-payment     4 → 6        the financial obligation (fee, tax) with what it is: the clock pauses
    confirm-payment     6 → 4        the clock resumes; the effective due date moves by the pause
    stop                2, 4, 5, 6 → 8  with a reason
    complete            4 → 9        processed (needs the approval)
    return-result       9 → 10
    reschedule          2, 4, 5      a new date after an apology (form 04), beside the original
    request-withdrawal  1, 2, 4, 5, 6 → 7   by the applicant only, with a reason; a pause stays as it is
    accept-withdrawal   7 → 8        the dossier ends (stopped); an open pause is closed
    reject-withdrawal   7 → previous back to the state before the request, with a reason

The clock. It runs from receipt in 2, 4 and 7 and stops while the dossier waits for the applicant:
for a supplement (5) and for the financial obligation (6) — the national rule does not count the
time the citizen takes to pay fees, charges and taxes in the processing time, as it does not count a
supplement's. Both pauses are kept the same way (Dossier.paused_since, paused_minutes,
effective_due_at; see sen.dossiers.models). A withdrawal request (7) neither starts nor ends a pause.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from sen.dossiers.choices import DossierAction as A
from sen.dossiers.choices import DossierState as S

PREVIOUS = "previous"
# Where the clock runs (see "The clock" above): these states, while no pause is open (a withdrawal
# request keeps the pause it came from). The work queue's "today" and "late" tabs, and the partial
# index that serves them (Dossier.Meta), use this one condition.
CLOCK_RUNNING_STATES: tuple[str, ...] = (S.RECEIVED, S.PROCESSING, S.WITHDRAWAL_REQUESTED)
CLOCK_RUNNING = Q(state__in=CLOCK_RUNNING_STATES, paused_since__isnull=True)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: unchanged; PREVIOUS: the state before the withdrawal request


def _t(sources: set[S], target: S | str | None) -> Transition:
    return Transition(frozenset(str(s) for s in sources), str(target) if target is not None else None)


TRANSITIONS: dict[str, Transition] = {
    A.RECEIVE: _t({S.SUBMITTED}, S.RECEIVED),
    A.REFUSE: _t({S.SUBMITTED}, S.REFUSED),
    A.ASSIGN: _t({S.RECEIVED, S.PROCESSING}, S.PROCESSING),
    A.FORWARD: _t({S.PROCESSING}, S.PROCESSING),
    A.APPROVE: _t({S.PROCESSING}, S.PROCESSING),
    A.RETURN_FOR_REWORK: _t({S.PROCESSING}, S.PROCESSING),
    A.REQUEST_SUPPLEMENT: _t({S.RECEIVED, S.PROCESSING}, S.WAITING_SUPPLEMENT),
    A.SUPPLEMENT: _t({S.WAITING_SUPPLEMENT}, S.PROCESSING),
    A.REQUEST_PAYMENT: _t({S.PROCESSING}, S.WAITING_FINANCIAL),
    A.CONFIRM_PAYMENT: _t({S.WAITING_FINANCIAL}, S.PROCESSING),
    A.STOP: _t({S.RECEIVED, S.PROCESSING, S.WAITING_SUPPLEMENT, S.WAITING_FINANCIAL}, S.STOPPED),
    A.COMPLETE: _t({S.PROCESSING}, S.PROCESSED),
    A.RETURN_RESULT: _t({S.PROCESSED}, S.RETURNED),
    A.RESCHEDULE: _t({S.RECEIVED, S.PROCESSING, S.WAITING_SUPPLEMENT}, None),
    A.REQUEST_WITHDRAWAL: _t(
        {S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.WAITING_SUPPLEMENT, S.WAITING_FINANCIAL}, S.WITHDRAWAL_REQUESTED
    ),
    A.ACCEPT_WITHDRAWAL: _t({S.WITHDRAWAL_REQUESTED}, S.STOPPED),
    A.REJECT_WITHDRAWAL: _t({S.WITHDRAWAL_REQUESTED}, PREVIOUS),
}
ACTIONS: tuple[str, ...] = tuple(TRANSITIONS)


def reachable_states() -> set[str]:
    """Every state the table can lead to, with the initial one."""
    states = {str(S.SUBMITTED)}
    for transition in TRANSITIONS.values():
        states |= transition.sources
        if transition.target not in (None, PREVIOUS):
            states.add(str(transition.target))
    return states
