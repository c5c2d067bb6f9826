"""Reading the catalogue: public, so no actor scoping; every list costs a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from sen.core.exceptions import NotFound
from sen.core.text import fold
from sen.procedures.choices import Level, VersionStatus
from sen.procedures.models import ComponentForm, Field, Procedure, WorkflowStep


def procedures_search(
    *, q: str = "", field: str = "", level: str = "", agency: str = "", online_level: str = ""
) -> QuerySet[Procedure]:
    """Current procedures matching every given filter. `q` matches the name accent-insensitively
    ("dang ky" finds "Đăng ký") or the code exactly; `field` is a field's code; `agency` matches the
    agency's name accent-insensitively."""
    qs = Procedure.objects.filter(current_version__isnull=False).select_related("current_version__field")
    if q.strip():
        folded = fold(q)
        if Procedure.objects.filter(code=q.strip()).exists():
            qs = qs.filter(code=q.strip())
        else:
            # A phrase, not separate words: "ho kinh doanh" must not match "thông … kinh doanh".
            qs = qs.filter(current_version__name_folded__contains=folded)
    if field:
        qs = qs.filter(current_version__field__code=field)
    if level in Level.values:
        qs = qs.filter(current_version__levels__contains=f",{level},")
    if agency.strip():
        qs = qs.filter(current_version__agency_folded__contains=fold(agency))
    if online_level:
        qs = qs.filter(current_version__online_level=online_level)
    return qs.order_by("code")


def procedure_get(code: str) -> Procedure:
    """One procedure with its current version and everything hanging from it (5 queries)."""
    procedure = (
        Procedure.objects.filter(code=code, current_version__isnull=False)
        .select_related("current_version__field")
        .prefetch_related(
            "current_version__channel_options",
            "current_version__fees",
            "current_version__components",
            Prefetch("current_version__components__forms", queryset=ComponentForm.objects.order_by("order")),
            Prefetch("current_version__workflow_steps", queryset=WorkflowStep.objects.select_related("unit")),
        )
        .first()
    )
    if procedure is None:
        raise NotFound(_("Không tìm thấy thủ tục có mã %(code)s.") % {"code": code}, code="not_found")
    return procedure


def fields_in_use() -> QuerySet[Field]:
    return Field.objects.filter(versions__status=VersionStatus.PUBLISHED).distinct().order_by("name")


def form_get(form_id: int) -> ComponentForm:
    form = ComponentForm.objects.filter(pk=form_id).first()
    if form is None:
        raise NotFound(_("Không tìm thấy mẫu đơn."))
    return form
