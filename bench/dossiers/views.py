"""The two bare endpoints the dossier benchmark compares against (bench-only, never in config/)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from bench.dossiers.models import BenchRow


@login_not_required
@require_GET
def bare_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


@login_not_required
@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> JsonResponse:
    row = BenchRow.objects.create(created_at=timezone.now(), note="bench")
    return JsonResponse({"ok": True, "id": row.pk}, status=201)
