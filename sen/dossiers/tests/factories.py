"""Test data for dossiers: a fictitious procedure with a CCCD in its e-form, files by content, and
a helper to submit. All people and numbers are invented."""

from __future__ import annotations

import itertools
from typing import Any

from sen.dossiers import services
from sen.dossiers.models import Dossier
from sen.procedures.choices import OnlineLevel, TimeUnit
from sen.procedures.models import ProcedureVersion
from sen.procedures.services import procedure_publish
from sen.procedures.tests import factories as procedure_factories

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 20

EFORM = [
    {"name": "ho_ten", "label": "Họ và tên", "type": "text", "required": True, "validation": {"min_length": 2}},
    {"name": "cccd", "label": "Số CCCD", "type": "cccd", "required": True},
    {"name": "ghi_chu", "label": "Ghi chú", "type": "text", "required": False},
]
_keys = itertools.count(1)


def publish_version(**overrides: Any) -> ProcedureVersion:
    values: dict[str, Any] = {
        "eform": EFORM,
        "online_level": OnlineLevel.FULL,
        "processing_amount": 3,
        "processing_unit": TimeUnit.WORKING_DAYS,
    }
    values.update(overrides)
    version, _changed = procedure_publish(actor=None, spec=procedure_factories.spec(**values))
    return version


def form(**overrides: Any) -> dict[str, Any]:
    return {"ho_ten": "Trần Thị Thử Nghiệm", "cccd": "082012345678", **overrides}


def component_id(version: ProcedureVersion) -> int | None:
    """The first required component of `version` (the factory's "Tờ khai"), or None."""
    return version.components.filter(required=True).order_by("order").values_list("pk", flat=True).first()


def pdf_for(version: ProcedureVersion, name: str = "to-khai.pdf", content: bytes = PDF) -> services.IncomingFile:
    """An upload for the version's first required component."""
    return services.IncomingFile(name, content, component_id=component_id(version))


def submit(actor: Any, version: ProcedureVersion, unit: Any, **overrides: Any) -> Dossier:
    values: dict[str, Any] = {
        "actor": actor,
        "procedure_code": version.procedure.code,
        "form_data": form(),
        "files": [pdf_for(version)],
        "idempotency_key": f"key-{next(_keys)}",
        "unit_code": unit.code,
    }
    values.update(overrides)
    return services.dossier_submit_online(**values)
