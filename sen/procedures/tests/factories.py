"""Specs of fictitious procedures for tests (real records come from data/procedures/)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sen.procedures.choices import Channel, OnlineLevel, TimeUnit
from sen.procedures.parsing import default_workflow
from sen.procedures.specs import ChannelSpec, ComponentSpec, FeeSpec, FormSpec, ProcedureSpec, StepSpec

_counter = {"n": 0}


def spec(**overrides: Any) -> ProcedureSpec:
    _counter["n"] += 1
    n = _counter["n"]
    values: dict[str, Any] = {
        "code": f"9.{n:06d}",
        "name": f"Thủ tục thử nghiệm số {n}",
        "field_name": "Hộ tịch",
        "levels": ["commune"],
        "agency": "Ủy ban nhân dân cấp xã",
        "processing_amount": 3,
        "processing_unit": TimeUnit.WORKING_DAYS,
        "online_level": OnlineLevel.PARTIAL,
        "channels": [
            ChannelSpec(Channel.ONLINE, 3, TimeUnit.WORKING_DAYS),
            ChannelSpec(Channel.COUNTER, 3, TimeUnit.WORKING_DAYS),
        ],
        "fees": [FeeSpec(50000, "Lệ phí")],
        "components": [ComponentSpec("Tờ khai", originals=1)],
        "eform": [{"name": "ho_ten", "label": "Họ và tên", "type": "text", "required": True}],
        "workflow": default_workflow(),
    }
    values.update(overrides)
    return ProcedureSpec(**values)


def steps(*shares: str, role: str = "specialist") -> list[StepSpec]:
    return [StepSpec(f"Bước {i}", role, Decimal(share)) for i, share in enumerate(shares, start=1)]


def docx_bytes(text: str = "Tờ khai") -> bytes:
    from sen.procedures.formfiles import docx_form

    return docx_form(text, ["Họ và tên"])


def form(filename: str = "to-khai.docx", content: bytes | None = None) -> FormSpec:
    return FormSpec("Tờ khai", filename, docx_bytes() if content is None else content)
