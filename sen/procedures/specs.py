"""What a procedure version holds, as plain data: built by the importer, the demo or an admin, and
handed to `services.procedure_publish`, which stores it as an immutable version."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from sen.procedures.choices import OnlineLevel, Source


@dataclass(frozen=True)
class ChannelSpec:
    channel: str  # choices.Channel
    amount: int | None = None
    unit: str = ""  # choices.TimeUnit
    fee_text: str = ""
    description: str = ""


@dataclass(frozen=True)
class FeeSpec:
    amount_vnd: int
    description: str = ""
    per_item: bool = False
    item_label: str = ""
    channel: str = ""  # blank: every channel


@dataclass(frozen=True)
class FormSpec:
    title: str
    filename: str  # .docx or .xlsx
    content: bytes = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class ComponentSpec:
    name: str
    group: str = ""
    originals: int = 0
    copies: int = 0
    required: bool = True
    forms: tuple[FormSpec, ...] = ()


@dataclass(frozen=True)
class StepSpec:
    name: str
    role_code: str
    share_percent: Decimal
    unit_id: int | None = None  # None: the unit that received the dossier


@dataclass
class ProcedureSpec:
    code: str
    name: str
    field_name: str
    levels: list[str]
    decision_no: str = ""
    procedure_type: str = ""
    steps: str = ""
    channels_text: str = ""
    applicants: str = ""
    agency: str = ""
    processing_amount: int | None = None
    processing_unit: str = ""
    processing_note: str = ""
    result: str = ""
    online_level: str = OnlineLevel.NONE
    legal_basis: str = ""
    conditions: str = ""
    source: str = Source.NATIONAL
    source_url: str = ""
    channels: list[ChannelSpec] = field(default_factory=list)
    fees: list[FeeSpec] = field(default_factory=list)
    components: list[ComponentSpec] = field(default_factory=list)
    component_notes: str = ""  # notes of the components table that are no paper (sen.procedures.parsing)
    eform: list[dict[str, Any]] = field(default_factory=list)
    workflow: list[StepSpec] = field(default_factory=list)
    parse_issues: list[str] = field(default_factory=list)

    def content_hash(self) -> str:
        """Equal specs hash equal: re-importing an unchanged record makes no new version."""

        def default(value: Any) -> Any:
            if isinstance(value, bytes):
                return hashlib.sha256(value).hexdigest()
            if isinstance(value, Decimal):
                return str(value.normalize())
            raise TypeError(type(value))

        payload = asdict(self)
        payload.pop("parse_issues")
        payload.pop("code")
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=default)
        return hashlib.sha256(text.encode()).hexdigest()
