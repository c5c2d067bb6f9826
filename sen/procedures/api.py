"""Public catalogue API (no login): search and one procedure with everything it requires."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema
from pydantic import Field

from sen.procedures import selectors
from sen.procedures.models import Procedure, ProcedureVersion

router = Router(tags=["procedures"])
MAX_LIMIT = 100


class SearchIn(Schema):
    q: str = Field("", max_length=200, description="Tên (không phân biệt dấu) hoặc mã thủ tục")
    field: str = Field("", max_length=120, description="Mã lĩnh vực")
    level: str = Field("", max_length=16, description="ministry | province | commune | other")
    agency: str = Field("", max_length=200, description="Cơ quan thực hiện (không phân biệt dấu)")
    online_level: str = Field("", max_length=8, description="full | partial | none")
    page: int = Field(1, ge=1, le=100000)
    limit: int = Field(20, ge=1, le=MAX_LIMIT)


class FieldOut(Schema):
    code: str
    name: str


class ProcedureSummaryOut(Schema):
    code: str
    name: str
    version: int
    field: FieldOut
    levels: list[str]
    agency: str
    processing_amount: int | None
    processing_unit: str
    online_level: str


class ProcedurePageOut(Schema):
    count: int
    page: int
    limit: int
    results: list[ProcedureSummaryOut]


class ChannelOut(Schema):
    channel: str
    amount: int | None
    unit: str
    description: str


class FeeOut(Schema):
    amount_vnd: int
    per_item: bool
    item_label: str
    channel: str
    description: str


class FormOut(Schema):
    title: str
    filename: str
    url: str
    sha256: str
    size: int
    content_type: str


class ComponentOut(Schema):
    id: int = Field(description="Mã thành phần của phiên bản này: dùng trong file_components khi nộp hồ sơ")
    name: str
    group: str
    originals: int
    copies: int
    required: bool
    forms: list[FormOut]


class WorkflowStepOut(Schema):
    order: int
    name: str
    role_code: str
    unit_code: str | None = Field(description="null: đơn vị tiếp nhận hồ sơ")
    share_percent: Decimal


class ProcedureOut(ProcedureSummaryOut):
    published_at: dt.datetime
    decision_no: str
    steps: str
    applicants: str
    result: str
    processing_note: str
    legal_basis: str
    conditions: str
    source_url: str
    channels: list[ChannelOut]
    fees: list[FeeOut]
    components: list[ComponentOut]
    component_notes: str = Field(description="Lưu ý về thành phần hồ sơ (không phải giấy tờ phải nộp)")
    eform: list[dict[str, Any]]
    workflow: list[WorkflowStepOut]


def _summary(procedure: Procedure) -> dict[str, Any]:
    version = procedure.current_version
    assert version is not None
    return {
        "code": procedure.code,
        "name": version.name,
        "version": version.number,
        "field": {"code": version.field.code, "name": version.field.name},
        "levels": version.level_codes,
        "agency": version.agency,
        "processing_amount": version.processing_amount,
        "processing_unit": version.processing_unit,
        "online_level": version.online_level,
    }


def _detail(procedure: Procedure) -> dict[str, Any]:
    version: ProcedureVersion | None = procedure.current_version
    assert version is not None
    return {
        **_summary(procedure),
        "published_at": version.published_at,
        "decision_no": version.decision_no,
        "steps": version.steps,
        "applicants": version.applicants,
        "result": version.result,
        "processing_note": version.processing_note,
        "legal_basis": version.legal_basis,
        "conditions": version.conditions,
        "source_url": version.source_url,
        "channels": [
            {"channel": o.channel, "amount": o.amount, "unit": o.unit, "description": o.description}
            for o in version.channel_options.all()
        ],
        "fees": [
            {
                "amount_vnd": f.amount_vnd,
                "per_item": f.per_item,
                "item_label": f.item_label,
                "channel": f.channel,
                "description": f.description,
            }
            for f in version.fees.all()
        ],
        "components": [
            {
                "id": c.pk,
                "name": c.name,
                "group": c.group,
                "originals": c.originals,
                "copies": c.copies,
                "required": c.required,
                "forms": [
                    {
                        "title": f.title,
                        "filename": f.filename,
                        "url": reverse("procedures:form_download", args=[f.id, f.filename]),
                        "sha256": f.sha256,
                        "size": f.size,
                        "content_type": f.content_type,
                    }
                    for f in c.forms.all()
                ],
            }
            for c in version.components.all()
        ],
        "component_notes": version.component_notes,
        "eform": version.eform,
        "workflow": [
            {
                "order": s.order,
                "name": s.name,
                "role_code": s.role_code,
                "unit_code": s.unit.code if s.unit else None,
                "share_percent": s.share_percent,
            }
            for s in version.workflow_steps.all()
        ],
    }


@router.get("/procedures", auth=None, response=ProcedurePageOut, summary="Tìm thủ tục hành chính")
def procedure_search(request: HttpRequest, params: Query[SearchIn]) -> dict[str, Any]:
    qs = selectors.procedures_search(
        q=params.q, field=params.field, level=params.level, agency=params.agency, online_level=params.online_level
    )
    start = (params.page - 1) * params.limit
    return {
        "count": qs.count(),
        "page": params.page,
        "limit": params.limit,
        "results": [_summary(p) for p in qs[start : start + params.limit]],
    }


@router.get("/procedures/{code}", auth=None, response=ProcedureOut, summary="Một thủ tục hành chính")
def procedure_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _detail(selectors.procedure_get(code))
