"""Who may see and act on a dossier. Services, the API and (later) pages all ask here.

- The applicant sees their own dossiers, may supplement them and ask to withdraw them (only they).
- Staff see the dossiers of the units where they hold a one-stop role (one-stop officer, specialist,
  leader), inherited down the tree as the role says (sen.identity.policies).
- Staff act when they hold the role the dossier's current workflow step needs, on the step's unit
  (or the receiving unit when the step names none). Before receipt the first step's role decides.
- Someone who may not see a dossier gets 404, exactly like a missing one.
- The e-result: staff who see the dossier download it once it is processed (9); the applicant once
  it is returned (10). Only the applicant rates, once, after state 10.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sen.core.models import OrgUnit
from sen.dossiers.choices import DossierAction, DossierState
from sen.dossiers.models import Dossier
from sen.identity import policies as identity
from sen.procedures.models import WorkflowStep

DOSSIER_ROLES = (identity.ONE_STOP_OFFICER, identity.SPECIALIST, identity.LEADER)
# Actions the applicant takes on their own dossier (staff may also record a supplement handed in
# at the desk); a withdrawal is asked for by the applicant alone.
APPLICANT_ACTIONS = {DossierAction.SUPPLEMENT, DossierAction.REQUEST_WITHDRAWAL}
APPLICANT_ONLY_ACTIONS = {DossierAction.REQUEST_WITHDRAWAL}


def _is_person(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False)


def staff_units(actor: Any) -> QuerySet[OrgUnit]:
    """Every unit where `actor` holds a one-stop role today."""
    units = OrgUnit.objects.none()
    for role in DOSSIER_ROLES:
        units = units | identity.units_where(actor, role)
    return units


def scope(actor: Any) -> QuerySet[Dossier]:
    """The dossiers `actor` may see."""
    if not _is_person(actor):
        return Dossier.objects.none()
    condition = Q(applicant_id=actor.pk)
    unit_ids = list(staff_units(actor).values_list("pk", flat=True))
    if unit_ids:
        condition |= Q(unit_id__in=unit_ids)
    return Dossier.objects.filter(condition)


def can_view(actor: Any, dossier: Dossier) -> bool:
    if not _is_person(actor):
        return False
    if dossier.applicant_id == actor.pk:
        return True
    return any(identity.has_role(actor, role, dossier.unit) for role in DOSSIER_ROLES)


def acting_step(dossier: Dossier) -> WorkflowStep | None:
    """The step whose role acts now: the current one, or the first before receipt."""
    if dossier.current_step is not None:
        return dossier.current_step
    return WorkflowStep.objects.filter(version_id=dossier.procedure_version_id).order_by("order").first()


def step_unit(step: WorkflowStep, dossier: Dossier) -> OrgUnit:
    return step.unit if step.unit_id is not None and step.unit is not None else dossier.unit


def can_act(actor: Any, action: str, dossier: Dossier) -> bool:
    if not _is_person(actor):
        return False
    if action in APPLICANT_ACTIONS and dossier.applicant_id == actor.pk:
        return True
    if action in APPLICANT_ONLY_ACTIONS:
        return False
    step = acting_step(dossier)
    if step is None:
        return identity.has_role(actor, identity.ONE_STOP_OFFICER, dossier.unit)
    return identity.has_role(actor, step.role_code, step_unit(step, dossier))


def can_receive_at(actor: Any, unit: OrgUnit) -> bool:
    """May `actor` register a counter or postal dossier for `unit`?"""
    return _is_person(actor) and identity.has_role(actor, identity.ONE_STOP_OFFICER, unit)


def _is_dossier_staff(actor: Any, dossier: Dossier) -> bool:
    return any(identity.has_role(actor, role, dossier.unit) for role in DOSSIER_ROLES)


def can_download_result(actor: Any, dossier: Dossier) -> bool:
    """The applicant after the result is returned (10); staff who see the dossier from processed (9)."""
    if not _is_person(actor):
        return False
    if dossier.applicant_id == actor.pk and dossier.state == DossierState.RETURNED:
        return True
    return dossier.state in {DossierState.PROCESSED, DossierState.RETURNED} and _is_dossier_staff(actor, dossier)


def can_rate(actor: Any, dossier: Dossier) -> bool:
    """Only the applicant rates (the state and the one-rating rule are the service's checks)."""
    return _is_person(actor) and dossier.applicant_id == actor.pk
