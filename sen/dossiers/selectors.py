"""Reading dossiers, always scoped to what the actor may see (sen.dossiers.policies.scope)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from sen.core.exceptions import NotFound
from sen.dossiers import policies
from sen.dossiers.models import (
    Dossier,
    DossierDraft,
    DossierRating,
    DossierResult,
    DossierTransition,
    Handover,
)


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
        .select_related("receiver", "result", "rating")
        .prefetch_related(
            Prefetch("transitions", queryset=DossierTransition.objects.select_related("actor").order_by("at", "id")),
            Prefetch(
                "handovers", queryset=Handover.objects.select_related("step", "giver", "receiver").order_by("at", "id")
            ),
            "files",
            "supplement_requests",
            "financial_obligations",
        )
        .first()
    )
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ có mã %(code)s.") % {"code": code}, code="dossier_not_found")
    return dossier


def dossier_result_for_download(*, actor: Any, code: str) -> DossierResult:
    """The e-result `actor` may download (sen.dossiers.policies.can_download_result); NotFound
    otherwise — for a dossier they cannot see, one without a result, or before they may have it."""
    dossier = dossiers_for(actor=actor).filter(code=code).select_related("result__signer_unit").first()
    result = getattr(dossier, "result", None) if dossier is not None else None
    if dossier is None or result is None or not policies.can_download_result(actor, dossier):
        raise NotFound(
            _("Không tìm thấy kết quả điện tử của hồ sơ %(code)s.") % {"code": code}, code="result_not_found"
        )
    return result


def dossier_result(dossier: Dossier) -> DossierResult | None:
    return DossierResult.objects.filter(dossier=dossier).select_related("signer_unit").first()


def dossier_rating(dossier: Dossier) -> DossierRating | None:
    return DossierRating.objects.filter(dossier=dossier).first()


def signed_result_pdf(code: str) -> bytes | None:
    """The stored signed e-result of the dossier `code` (None if there is none): the public verify
    page's lookup (registered in DossiersConfig.ready). Only the signatures are shown there, never
    the document."""
    from sen.dossiers.results import result_bytes

    result = DossierResult.objects.filter(dossier__code=(code or "").strip()).first()
    if result is None:
        return None
    try:
        return result_bytes(result)
    except OSError:
        return None


# --- Drafts: only their owner ever reads them --------------------------------------------------------
def drafts_of(*, actor: Any) -> QuerySet[DossierDraft]:
    if not getattr(actor, "is_authenticated", False):
        return DossierDraft.objects.none()
    return (
        DossierDraft.objects.filter(owner_id=actor.pk)
        .select_related("procedure", "procedure_version")
        .prefetch_related("files")
        .order_by("-updated_at", "-id")
    )


def draft_for(*, actor: Any, procedure_code: str) -> DossierDraft | None:
    """`actor`'s draft for the procedure, with its files; None if they have none."""
    return drafts_of(actor=actor).filter(procedure__code=(procedure_code or "").strip()).first()


def draft_get(*, actor: Any, procedure_code: str) -> DossierDraft:
    draft = draft_for(actor=actor, procedure_code=procedure_code)
    if draft is None:
        raise NotFound(_("Không tìm thấy bản nháp hồ sơ của bạn cho thủ tục này."), code="draft_not_found")
    return draft
