"""The two transition tables of documents: action → (states it may start from, state it leads to).
`None` as the target: the state does not change (an edit, a correction notice).

Outgoing (văn bản đi), Decree 30/2020 Articles 10–16:

    edit        draft → draft                          a new version; only the drafter
    submit      draft → head_review                    to the drafting unit's head
    approve     head_review → format_check             the head approves
                format_check → pending_signature       the office checks form and layout
    send-back   head_review, format_check,
                pending_signature → draft              with a comment, to the drafter
    sign        pending_signature → signed             layer 1: the competent signer's signature
    number      signed → numbered                      the clerk takes the next number of the register
    seal        numbered → sealed                      layer 2: the organisation's signature, number and
                                                       date filled in the same update
    issue       sealed → issued                        delivered to every recipient
    file        issued → filed                         into a case file
    recall      issued, filed → recalled               recorded and shown to every recipient
    correct     issued, filed → (same)                 a correction notice

Incoming (văn bản đến), Article 20–24, with the exchange's status codes as states:

    accept      01 → 03     the clerk registers it (incoming number of the year)
    refuse      01 → 02     returned to the sender, with a reason
    submit      03 → 04     to the leader, for direction
    direct      03, 04 → 05 lead unit, supporting units, handler, deadline, instruction
    complete    05 → 06     the handler closes it
"""

from __future__ import annotations

from dataclasses import dataclass

from sen.documents.choices import IncomingAction as IA
from sen.documents.choices import IncomingState as I
from sen.documents.choices import OutgoingAction as OA
from sen.documents.choices import OutgoingState as O


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None


def _t(sources: set[str], target: str | None) -> Transition:
    return Transition(frozenset(str(s) for s in sources), str(target) if target is not None else None)


# approve leads to a state that depends on where it starts: one row per source.
APPROVE_TARGETS: dict[str, str] = {
    str(O.HEAD_REVIEW): str(O.FORMAT_CHECK),
    str(O.FORMAT_CHECK): str(O.PENDING_SIGNATURE),
}

OUTGOING: dict[str, Transition] = {
    OA.EDIT: _t({O.DRAFT}, None),
    OA.SUBMIT: _t({O.DRAFT}, O.HEAD_REVIEW),
    OA.APPROVE: Transition(frozenset(APPROVE_TARGETS), None),
    OA.SEND_BACK: _t({O.HEAD_REVIEW, O.FORMAT_CHECK, O.PENDING_SIGNATURE}, O.DRAFT),
    OA.SIGN: _t({O.PENDING_SIGNATURE}, O.SIGNED),
    OA.NUMBER: _t({O.SIGNED}, O.NUMBERED),
    OA.SEAL: _t({O.NUMBERED}, O.SEALED),
    OA.ISSUE: _t({O.SEALED}, O.ISSUED),
    OA.FILE: _t({O.ISSUED}, O.FILED),
    OA.RECALL: _t({O.ISSUED, O.FILED}, O.RECALLED),
    OA.CORRECT: _t({O.ISSUED, O.FILED}, None),
}


def outgoing_target(action: str, source: str) -> str:
    """The state `action` leads to from `source` (the caller has checked the source is allowed)."""
    if action == OA.APPROVE:
        return APPROVE_TARGETS[source]
    target = OUTGOING[action].target
    return source if target is None else target


INCOMING: dict[str, Transition] = {
    IA.ACCEPT: _t({I.ARRIVED}, I.ACCEPTED),
    IA.REFUSE: _t({I.ARRIVED}, I.REFUSED),
    IA.SUBMIT: _t({I.ACCEPTED}, I.AWAITING_ASSIGNMENT),
    IA.DIRECT: _t({I.ACCEPTED, I.AWAITING_ASSIGNMENT}, I.ASSIGNED),
    IA.COMPLETE: _t({I.ASSIGNED}, I.DONE),
}

# Outgoing states in which the document is out in the world: recipients have it.
ISSUED_STATES = frozenset({str(O.ISSUED), str(O.FILED), str(O.RECALLED)})
# Incoming states still waiting for someone in the receiving body.
INCOMING_OPEN = frozenset({str(I.ARRIVED), str(I.ACCEPTED), str(I.AWAITING_ASSIGNMENT), str(I.ASSIGNED)})
