"""Reading dossiers, always scoped to what the actor may see (sen.dossiers.policies.scope)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from sen.core.exceptions import NotFound
from sen.dossiers import policies
from sen.dossiers.models import Dossier, DossierTransition, Handover


def dossiers_for(*, actor: Any, state: str = "") -> QuerySet[Dossier]:
    qs = policies.scope(actor).select_related(
        "procedure_version__procedure", "unit", "applicant", "current_step", "assignee"
    )
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-submitted_at", "-id")


def dossier_get(*, actor: Any, code: str) -> Dossier:
    """One dossier with its history, hand-overs, files and supplement requests (fixed queries).
    Someone else's dossier is NotFound, like a missing one."""
    dossier = (
        dossiers_for(actor=actor)
        .filter(code=code)
        .select_related("receiver")
        .prefetch_related(
            Prefetch("transitions", queryset=DossierTransition.objects.select_related("actor").order_by("at", "id")),
            Prefetch(
                "handovers", queryset=Handover.objects.select_related("step", "giver", "receiver").order_by("at", "id")
            ),
            "files",
            "supplement_requests",
        )
        .first()
    )
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ có mã %(code)s.") % {"code": code}, code="dossier_not_found")
    return dossier
