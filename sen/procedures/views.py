"""Public catalogue pages: search (full page, or the results fragment for htmx), one procedure,
a form download. No login needed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from sen.core.exceptions import NotFound
from sen.procedures import selectors
from sen.procedures.choices import Level, OnlineLevel

PAGE_SIZE = 20


@login_not_required
def procedure_list(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip()[:200] for key in ("q", "field", "level", "agency", "online_level")}
    page = Paginator(selectors.procedures_search(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "procedures": list(page.object_list),
        "filters": filters,
        "query": query.urlencode(),
        "fields": list(selectors.fields_in_use()),
        "levels": Level.choices,
        "online_levels": OnlineLevel.choices,
    }
    if getattr(request, "htmx", False):
        return render(request, "procedures/_results.html", context)
    return render(request, "procedures/list.html", context)


@login_not_required
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        procedure = selectors.procedure_get(code)
    except NotFound:
        raise Http404 from None
    version = procedure.current_version
    assert version is not None
    return render(
        request,
        "procedures/detail.html",
        {
            "procedure": procedure,
            "version": version,
            "channels": list(version.channel_options.all()),
            "fees": list(version.fees.all()),
            "components": list(version.components.all()),
            "steps": list(version.workflow_steps.all()),
            "can_submit_online": version.online_level != OnlineLevel.NONE,
        },
    )


@login_not_required
def form_download(request: HttpRequest, form_id: int, filename: str) -> FileResponse:
    try:
        form = selectors.form_get(form_id)
    except NotFound:
        raise Http404 from None
    if filename != form.filename:
        raise Http404
    response = FileResponse(form.file.open("rb"), as_attachment=True, filename=form.filename)
    response["Content-Type"] = form.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response
