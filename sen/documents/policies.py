"""Who may see and act on a document. Services, the API and the pages all ask here.

Issuing bodies. A unit that has an active outgoing register is an issuing body (cơ quan ban hành);
the body of any unit is its nearest ancestor-or-self that is one. Rooms draft, bodies issue.

Outgoing documents:
- anyone posted in a unit of a body drafts for that body, as the drafting unit;
- the drafting unit's head — who holds `leader` on it, directly or inherited — reviews;
- the body's clerk (văn thư) checks form and layout, numbers, applies the organisation's
  signature, issues and files;
- the signer named on the draft signs, and must be a leader of the body;
- the body's leaders or clerk recall or correct an issued document.
- Before issue a draft is seen by those in its flow (drafter, reviewer, the drafting unit's leaders,
  the body's clerks and leaders, the signer); once issued by everyone posted in the body, except a
  secret document, which stays with those in its flow.

Incoming documents: the recipient body's clerks and leaders see them all; the handler and the
people of the lead and supporting units see those directed to them (not secret ones). The clerk
accepts, refuses and submits to the leader; a leader directs; the handler or a leader completes.

Case files (hồ sơ): a body's annual file list is kept by its clerks and leaders, who create, read
and close its case files. An outgoing document is filed by the clerk or its drafter; an incoming one,
once registered, by anyone who may see it (its handler files what they worked on).

Someone who may not see a document gets 404, exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sen.core.models import OrgUnit
from sen.documents.choices import (
    Confidentiality,
    Direction,
    IncomingAction,
    IncomingState,
    OutgoingAction,
    OutgoingState,
)
from sen.documents.models import IncomingDocument, OutgoingDocument, Register
from sen.documents.states import ISSUED_STATES
from sen.identity import policies as identity

# An issued document may be replaced until it is recalled.
REPLACEABLE_STATES = frozenset({str(OutgoingState.ISSUED), str(OutgoingState.FILED)})
# An incoming document goes into a case file once it has its incoming number, not while it waits for
# the clerk nor after a refusal.
INCOMING_FILEABLE_STATES = frozenset(
    {
        str(IncomingState.ACCEPTED),
        str(IncomingState.AWAITING_ASSIGNMENT),
        str(IncomingState.ASSIGNED),
        str(IncomingState.DONE),
    }
)


def is_person(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False)


def body_of(unit: OrgUnit | None) -> OrgUnit | None:
    """The issuing body of `unit`: the deepest ancestor-or-self with an active outgoing register."""
    if unit is None or unit.pk is None:
        return None
    ids = unit.ancestor_ids() or [unit.pk]
    register = (
        Register.objects.filter(body_id__in=ids, direction=Direction.OUTGOING, active=True)
        .select_related("body")
        .order_by("-body__depth")
        .first()
    )
    return register.body if register is not None else None


def home_unit(actor: Any) -> OrgUnit | None:
    """Where the actor is posted today."""
    employment = identity.current_employment(actor)
    return employment.unit if employment is not None else None


def home_body(actor: Any) -> OrgUnit | None:
    return body_of(home_unit(actor))


def _member_of(actor: Any, body: OrgUnit) -> bool:
    unit = home_unit(actor)
    return unit is not None and body.pk in (unit.ancestor_ids() or [unit.pk])


def is_clerk(actor: Any, body: OrgUnit) -> bool:
    return is_person(actor) and identity.has_role(actor, identity.CLERK, body)


def is_leader(actor: Any, unit: OrgUnit) -> bool:
    return is_person(actor) and identity.has_role(actor, identity.LEADER, unit)


def can_draft_in(actor: Any, unit: OrgUnit) -> bool:
    """May `actor` draft with `unit` as the drafting unit? They must be posted there (or below) and
    the unit must belong to an issuing body."""
    home = home_unit(actor)
    if not is_person(actor) or home is None:
        return False
    return unit.pk in (home.ancestor_ids() or [home.pk]) and body_of(unit) is not None


def in_outgoing_flow(actor: Any, document: OutgoingDocument) -> bool:
    return (
        actor.pk in {document.drafter_id, document.signer_id, document.reviewer_id}
        or is_leader(actor, document.drafting_unit)
        or is_clerk(actor, document.organisation)
        or is_leader(actor, document.organisation)
    )


def can_view_outgoing(actor: Any, document: OutgoingDocument) -> bool:
    if not is_person(actor):
        return False
    if in_outgoing_flow(actor, document):
        return True
    return (
        document.state in ISSUED_STATES
        and document.confidentiality != Confidentiality.SECRET
        and _member_of(actor, document.organisation)
    )


def can_act_outgoing(actor: Any, action: str, document: OutgoingDocument) -> bool:
    """May `actor` take `action` on `document` in its current state (the table decides the state)."""
    if not is_person(actor):
        return False
    state = document.state
    if action == OutgoingAction.EDIT or action == OutgoingAction.SUBMIT:
        return actor.pk == document.drafter_id
    if action in (OutgoingAction.APPROVE, OutgoingAction.SEND_BACK):
        if state == OutgoingState.HEAD_REVIEW:
            return is_leader(actor, document.drafting_unit)
        if state == OutgoingState.FORMAT_CHECK:
            return is_clerk(actor, document.organisation)
        if state == OutgoingState.PENDING_SIGNATURE:
            return actor.pk == document.signer_id
        return False
    if action == OutgoingAction.SIGN:
        return actor.pk == document.signer_id and is_leader(actor, document.organisation)
    if action in (OutgoingAction.NUMBER, OutgoingAction.SEAL, OutgoingAction.ISSUE):
        return is_clerk(actor, document.organisation)
    if action == OutgoingAction.FILE:
        return is_clerk(actor, document.organisation) or actor.pk == document.drafter_id
    if action in (OutgoingAction.RECALL, OutgoingAction.CORRECT):
        return is_clerk(actor, document.organisation) or is_leader(actor, document.organisation)
    return False


def can_replace_outgoing(actor: Any, document: OutgoingDocument) -> bool:
    """May `actor` draft a replacement of `document`? Those who draft for its body, once it is issued."""
    return (
        document.state in REPLACEABLE_STATES
        and can_view_outgoing(actor, document)
        and home_body(actor) == document.organisation
    )


def outgoing_scope(actor: Any) -> QuerySet[OutgoingDocument]:
    """The outgoing documents `actor` may see (the list pages; can_view_outgoing for one)."""
    if not is_person(actor):
        return OutgoingDocument.objects.none()
    condition = Q(drafter_id=actor.pk) | Q(signer_id=actor.pk) | Q(reviewer_id=actor.pk)
    led = list(identity.units_where(actor, identity.LEADER).values_list("pk", flat=True))
    clerked = list(identity.units_where(actor, identity.CLERK).values_list("pk", flat=True))
    if led:
        condition |= Q(drafting_unit_id__in=led) | Q(organisation_id__in=led)
    if clerked:
        condition |= Q(organisation_id__in=clerked)
    home = home_unit(actor)
    if home is not None:
        condition |= (
            Q(organisation_id__in=home.ancestor_ids() or [home.pk])
            & Q(state__in=ISSUED_STATES)
            & ~Q(confidentiality=Confidentiality.SECRET)
        )
    return OutgoingDocument.objects.filter(condition)


def _directed_to(actor: Any, document: IncomingDocument) -> bool:
    if document.handler_id == actor.pk:
        return True
    if document.confidentiality == Confidentiality.SECRET:
        return False
    home = home_unit(actor)
    if home is None:
        return False
    mine = set(home.ancestor_ids() or [home.pk])
    if document.lead_unit_id in mine:
        return True
    return document.supporting_units.filter(pk__in=mine).exists()


def can_view_incoming(actor: Any, document: IncomingDocument) -> bool:
    if not is_person(actor):
        return False
    body = document.organisation
    return is_clerk(actor, body) or is_leader(actor, body) or _directed_to(actor, document)


def can_act_incoming(actor: Any, action: str, document: IncomingDocument) -> bool:
    if not is_person(actor):
        return False
    body = document.organisation
    if action in (IncomingAction.ACCEPT, IncomingAction.REFUSE, IncomingAction.SUBMIT):
        return is_clerk(actor, body)
    if action == IncomingAction.DIRECT:
        return is_leader(actor, body)
    if action == IncomingAction.COMPLETE:
        return document.handler_id == actor.pk or is_leader(actor, body)
    return False


def incoming_scope(actor: Any) -> QuerySet[IncomingDocument]:
    if not is_person(actor):
        return IncomingDocument.objects.none()
    condition = Q(handler_id=actor.pk)
    bodies = list(
        (identity.units_where(actor, identity.CLERK) | identity.units_where(actor, identity.LEADER)).values_list(
            "pk", flat=True
        )
    )
    if bodies:
        condition |= Q(organisation_id__in=bodies)
    home = home_unit(actor)
    if home is not None:
        mine = home.ancestor_ids() or [home.pk]
        # A subquery, not a join: a join repeats a document per unit, and the DISTINCT that undoes it
        # makes PostgreSQL sort every match before the first page (0.2 s at a million; bench/documents).
        supported = IncomingDocument.supporting_units.through.objects.filter(orgunit_id__in=mine)
        condition |= ~Q(confidentiality=Confidentiality.SECRET) & (
            Q(lead_unit_id__in=mine) | Q(pk__in=supported.values("incomingdocument_id"))
        )
    return IncomingDocument.objects.filter(condition)


def can_file_incoming(actor: Any, document: IncomingDocument) -> bool:
    return document.state in INCOMING_FILEABLE_STATES and can_view_incoming(actor, document)


def can_keep_case_files(actor: Any, body: OrgUnit) -> bool:
    """May `actor` create, read and close the case files of `body`?"""
    return is_clerk(actor, body) or is_leader(actor, body)


def can_record_paper(actor: Any, body: OrgUnit) -> bool:
    """Registering a paper document (incoming or signed outside the software) is the clerk's."""
    return is_clerk(actor, body)
