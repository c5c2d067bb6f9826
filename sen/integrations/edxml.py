"""edXML, the envelope of QCVN 102:2016 (Vietnam's standard for exchanging electronic documents):
dataclasses for its two messages, `parse(bytes)` and `build(message)`.

    message = edxml.parse(body)            # DocumentMessage | StatusMessage, or EdxmlError
    body = edxml.build(message)            # bytes (UTF-8); parse(build(m)) == m

A **document message** is an envelope (`edXMLEnvelope`) whose header holds the MessageHeader (From,
To…, Code, PromulgationInfo, DocumentType, Subject, Content, SignerInfo, DueDate, ToPlaces,
OtherInfo, SteeringType, ResponseFor…, DocumentId) and the TraceHeaderList (the organisations it
passed and the "Bussiness" block: new, recall, update or replace); its body holds a manifest of the
attachments, whose bytes travel base64-encoded in `AttachmentEncoded` beside the envelope.

A **status message** answers a document: ResponseFor (which document), From (who answers),
StatusCode (01 arrived … 16 refuse), Description, Timestamp, StaffInfo. Two layouts exist in the wild
and both are read: the fields directly in `MessageHeader` (the real message from edoc-integrator,
which is also what `build` writes) and inside a `Status` element (edxml-convert's reference).

Reading is tolerant where real senders differ and strict where a mistake would lose meaning:
- elements are matched by local name, in any order, with or without the QCVN namespace;
- dates are read as YYYY/MM/DD, DD/MM/YYYY or YYYY-MM-DD (a time after the date is ignored);
  timestamps as "YYYY/MM/DD HH:MM:SS" in Vietnam time or ISO 8601 with an offset;
  `build` writes YYYY/MM/DD and "YYYY/MM/DD HH:MM:SS" (Vietnam time);
- text is stripped of surrounding white space; empty optional elements read as "" / None / [];
- a missing required field, a number that is not one, an unknown status code or priority, base64
  that does not decode, or an attachment listed in the manifest but not carried: `EdxmlError` with
  a code and `details["field"]`;
- XML-DSig blocks (`Signature`) are ignored: between Sen servers the HTTP request is signed
  (sen.integrations.transport), and the documents themselves carry PAdES signatures.

Safety: lxml with entities unresolved, no network, no DTD loading, no huge trees; any DOCTYPE is
refused (edxml_dtd_forbidden), so neither external entities nor entity expansion can happen.
`build` drops the characters XML cannot carry (C0 controls other than tab and newlines).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from django.utils.translation import gettext as _
from lxml import etree

from sen.core.calendar import VN_TZ
from sen.core.i18n import vietnamese_label
from sen.integrations.choices import BusinessDocType, Priority, StatusCode, SteeringType
from sen.integrations.exceptions import EdxmlError

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
PREFIX = "edXML"
CONTENT_TYPE = "application/xml; charset=utf-8"


# --- The message ---------------------------------------------------------------------------------
@dataclass
class Organization:
    """From / To: an organisation by its electronic agency code (QĐ 20/2020/QĐ-TTg) and name."""

    organ_id: str
    organ_name: str = ""
    organization_in_charge: str = ""
    organ_add: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass
class Code:
    """Số và ký hiệu: `number` "05", `notation` "QĐ-UBND" → "05/QĐ-UBND"."""

    number: str
    notation: str

    def __str__(self) -> str:
        return f"{self.number}/{self.notation}"


@dataclass
class PromulgationInfo:
    place: str
    date: dt.date


@dataclass
class DocumentType:
    type: int
    type_name: str = ""
    type_detail: int | None = None


@dataclass
class SignerInfo:
    competence: str = ""  # quyền hạn ký: TM., KT., TL., TUQ.
    position: str = ""
    full_name: str = ""


@dataclass
class OtherInfo:
    priority: Priority = Priority.NORMAL
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int | None = None
    page_amount: int | None = None
    direction: bool | None = None
    appendixes: list[str] = field(default_factory=list)


@dataclass
class ResponseFor:
    """The document a reply or a status answers: its sender, số/ký hiệu, date and DocumentId."""

    organ_id: str
    code: str = ""
    promulgation_date: dt.date | None = None
    document_id: str = ""


@dataclass
class MessageHeader:
    from_: Organization
    to: list[Organization]
    code: Code
    promulgation_info: PromulgationInfo
    document_type: DocumentType
    subject: str
    content: str = ""
    signer_info: SignerInfo = field(default_factory=SignerInfo)
    due_date: dt.date | None = None
    to_places: list[str] = field(default_factory=list)
    other_info: OtherInfo = field(default_factory=OtherInfo)
    steering_type: SteeringType | None = None
    response_for: list[ResponseFor] = field(default_factory=list)
    document_id: str = ""


@dataclass
class TraceHeader:
    organ_id: str
    timestamp: dt.datetime


@dataclass
class StaffInfo:
    department: str = ""
    staff: str = ""
    mobile: str = ""
    email: str = ""


@dataclass
class Receiver:
    organ_id: str
    receiver_type: int  # 0: removed from the recipients, 1: added


@dataclass
class BusinessDocumentInfo:
    document_info: str = ""
    document_receiver: str = ""
    receivers: list[Receiver] = field(default_factory=list)


@dataclass
class ReplacementInfo:
    document_id: str
    organ_ids: list[str] = field(default_factory=list)


@dataclass
class Business:
    """What the package does to the document: new (0), recall (1), update (2), replace (3)."""

    doc_type: BusinessDocType = BusinessDocType.NEW
    doc_reason: str = ""
    document_id: str = ""
    paper: int | None = None
    staff_info: StaffInfo | None = None
    document_info: BusinessDocumentInfo | None = None
    replacements: list[ReplacementInfo] = field(default_factory=list)


@dataclass
class Attachment:
    name: str
    content_type: str
    content: bytes
    description: str = ""
    content_id: str = ""  # "cid:1"; build() numbers the attachments that have none


@dataclass
class DocumentMessage:
    kind: ClassVar[str] = "document"
    header: MessageHeader
    trace_headers: list[TraceHeader] = field(default_factory=list)
    business: Business | None = None
    attachments: list[Attachment] = field(default_factory=list)


@dataclass
class StatusMessage:
    kind: ClassVar[str] = "status"
    response_for: ResponseFor
    from_: Organization
    status_code: StatusCode
    timestamp: dt.datetime
    description: str = ""
    staff_info: StaffInfo | None = None


Message = DocumentMessage | StatusMessage


def document_id_for(organ_id: str, date: dt.date, code: Code) -> str:
    """The DocumentId QCVN 102 composes: "<sender's code>,<YYYY/MM/DD>,<number>/<notation>"."""
    return f"{organ_id},{date:%Y/%m/%d},{code}"


def status_for(
    document: DocumentMessage,
    *,
    from_: Organization,
    status_code: StatusCode,
    description: str = "",
    staff_info: StaffInfo | None = None,
    timestamp: dt.datetime | None = None,
) -> StatusMessage:
    """The status message that answers `document` (the sender is the document's From). Without a
    description the code's name goes, in Vietnamese: the package is read by other systems."""
    header = document.header
    return StatusMessage(
        response_for=ResponseFor(
            organ_id=header.from_.organ_id,
            code=str(header.code),
            promulgation_date=header.promulgation_info.date,
            document_id=header.document_id
            or document_id_for(header.from_.organ_id, header.promulgation_info.date, header.code),
        ),
        from_=from_,
        status_code=status_code,
        description=description or vietnamese_label(StatusCode(status_code)),
        staff_info=staff_info,
        timestamp=(timestamp or dt.datetime.now(VN_TZ)).replace(microsecond=0),
    )


# --- Reading -------------------------------------------------------------------------------------
def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


class _Node:
    """An element with the path it was found at, for error messages."""

    def __init__(self, element: etree._Element, path: str) -> None:
        self.element = element
        self.path = path

    def children(self, name: str) -> Iterator[_Node]:
        for child in self.element:
            if _local(child.tag) == name:
                yield _Node(child, f"{self.path}/{name}")

    def child(self, name: str) -> _Node | None:
        return next(self.children(name), None)

    def require(self, name: str) -> _Node:
        found = self.child(name)
        if found is None:
            raise _missing(f"{self.path}/{name}")
        return found

    @property
    def value(self) -> str:
        return (self.element.text or "").strip()

    def text(self, name: str) -> str:
        found = self.child(name)
        return found.value if found is not None else ""

    def required_text(self, name: str) -> str:
        found = self.require(name)
        if not found.value:
            raise _missing(found.path)
        return found.value


def _missing(path: str) -> EdxmlError:
    return EdxmlError(
        _("Gói tin edXML thiếu trường bắt buộc %(field)s.") % {"field": path},
        code="edxml_missing_field",
        details={"field": path},
    )


def _invalid(path: str, value: str, expected: str) -> EdxmlError:
    return EdxmlError(
        _("Trường %(field)s của gói tin edXML có giá trị không hợp lệ “%(value)s” (cần %(expected)s).")
        % {"field": path, "value": value[:100], "expected": expected},
        code="edxml_invalid_value",
        details={"field": path, "value": value[:100]},
    )


_DATE_FORMATS = ("%Y/%m/%d", "%d/%m/%Y", "%Y-%m-%d")
_DATETIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S")


def _date(node: _Node | None) -> dt.date | None:
    if node is None or not node.value:
        return None
    day = re.split(r"[ T]", node.value, maxsplit=1)[0]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(day, fmt).date()
        except ValueError:
            continue
    raise _invalid(node.path, node.value, _("một ngày dạng YYYY/MM/DD"))


def _required_date(parent: _Node, name: str) -> dt.date:
    value = _date(parent.require(name))
    if value is None:
        raise _missing(f"{parent.path}/{name}")
    return value


def _datetime(node: _Node) -> dt.datetime:
    text = node.value
    if not text:
        raise _missing(node.path)
    for fmt in _DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=VN_TZ)
        except ValueError:
            continue
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _invalid(node.path, text, _("thời điểm dạng YYYY/MM/DD HH:MM:SS")) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VN_TZ)


def _int(node: _Node | None) -> int | None:
    if node is None or not node.value:
        return None
    if not re.fullmatch(r"[+-]?\d{1,18}", node.value):
        raise _invalid(node.path, node.value, _("một số nguyên"))
    return int(node.value)


def _required_int(parent: _Node, name: str) -> int:
    value = _int(parent.require(name))
    if value is None:
        raise _missing(f"{parent.path}/{name}")
    return value


def _bool(node: _Node | None) -> bool | None:
    if node is None or not node.value:
        return None
    lowered = node.value.lower()
    if lowered in {"true", "1"}:
        return True
    if lowered in {"false", "0"}:
        return False
    raise _invalid(node.path, node.value, "true/false")


def _choice(node: _Node | None, choices: type[Priority] | type[SteeringType] | type[BusinessDocType]) -> int | None:
    value = _int(node)
    if value is None:
        return None
    assert node is not None
    if value not in choices.values:
        raise _invalid(node.path, node.value, ", ".join(str(v) for v in choices.values))
    return value


def _organization(node: _Node) -> Organization:
    return Organization(
        organ_id=node.required_text("OrganId"),
        organ_name=node.text("OrganName"),
        organization_in_charge=node.text("OrganizationInCharge"),
        organ_add=node.text("OrganAdd"),
        email=node.text("Email"),
        telephone=node.text("Telephone"),
        fax=node.text("Fax"),
        website=node.text("Website"),
    )


def _staff_info(node: _Node | None) -> StaffInfo | None:
    if node is None:
        return None
    return StaffInfo(
        department=node.text("Department"),
        staff=node.text("Staff"),
        mobile=node.text("Mobile"),
        email=node.text("Email"),
    )


def _response_for(node: _Node) -> ResponseFor:
    return ResponseFor(
        organ_id=node.required_text("OrganId"),
        code=node.text("Code"),
        promulgation_date=_date(node.child("PromulgationDate")),
        document_id=node.text("DocumentId"),
    )


def _texts(node: _Node | None, name: str) -> list[str]:
    if node is None:
        return []
    return [child.value for child in node.children(name) if child.value]


def _message_header(node: _Node) -> MessageHeader:
    recipients = [_organization(to) for to in node.children("To")]
    if not recipients:
        raise _missing(f"{node.path}/To")
    code = node.require("Code")
    promulgation = node.require("PromulgationInfo")
    document_type = node.require("DocumentType")
    signer = node.child("SignerInfo")
    other = node.child("OtherInfo")
    priority = _choice(other.child("Priority") if other else None, Priority)
    steering = _choice(node.child("SteeringType"), SteeringType)
    return MessageHeader(
        from_=_organization(node.require("From")),
        to=recipients,
        code=Code(number=code.required_text("CodeNumber"), notation=code.required_text("CodeNotation")),
        promulgation_info=PromulgationInfo(
            place=promulgation.text("Place"), date=_required_date(promulgation, "PromulgationDate")
        ),
        document_type=DocumentType(
            type=_required_int(document_type, "Type"),
            type_name=document_type.text("TypeName"),
            type_detail=_int(document_type.child("TypeDetail")),
        ),
        subject=node.required_text("Subject"),
        content=node.text("Content"),
        signer_info=SignerInfo(
            competence=signer.text("Competence"), position=signer.text("Position"), full_name=signer.text("FullName")
        )
        if signer
        else SignerInfo(),
        due_date=_date(node.child("DueDate")),
        to_places=_texts(node.child("ToPlaces"), "Place"),
        other_info=OtherInfo(
            priority=Priority(priority if priority is not None else Priority.NORMAL),
            sphere_of_promulgation=other.text("SphereOfPromulgation"),
            typer_notation=other.text("TyperNotation"),
            promulgation_amount=_int(other.child("PromulgationAmount")),
            page_amount=_int(other.child("PageAmount")),
            direction=_bool(other.child("Direction")),
            appendixes=_texts(other.child("Appendixes"), "Appendix"),
        )
        if other
        else OtherInfo(),
        steering_type=SteeringType(steering) if steering is not None else None,
        response_for=[_response_for(item) for item in node.children("ResponseFor")],
        document_id=node.text("DocumentId"),
    )


def _business(node: _Node | None) -> Business | None:
    if node is None:
        return None
    doc_type = _choice(node.child("BussinessDocType"), BusinessDocType)
    info = node.child("BussinessDocumentInfo")
    receivers = info.child("ReceiverList") if info else None
    replacements = node.child("ReplacementInfoList")
    return Business(
        doc_type=BusinessDocType(doc_type if doc_type is not None else BusinessDocType.NEW),
        doc_reason=node.text("BussinessDocReason"),
        document_id=node.text("DocumentId"),
        paper=_int(node.child("Paper")),
        staff_info=_staff_info(node.child("StaffInfo")),
        document_info=BusinessDocumentInfo(
            document_info=info.text("DocumentInfo"),
            document_receiver=info.text("DocumentReceiver"),
            receivers=[
                Receiver(organ_id=item.required_text("OrganId"), receiver_type=_required_int(item, "ReceiverType"))
                for item in receivers.children("Receiver")
            ]
            if receivers
            else [],
        )
        if info
        else None,
        replacements=[
            ReplacementInfo(
                document_id=item.required_text("DocumentId"), organ_ids=_texts(item.child("OrganIdList"), "OrganId")
            )
            for item in replacements.children("ReplacementInfo")
        ]
        if replacements
        else [],
    )


def _content(node: _Node) -> bytes:
    encoded = re.sub(r"\s+", "", node.value)
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise EdxmlError(
            _("Tệp đính kèm %(field)s không phải dữ liệu base64 hợp lệ.") % {"field": node.path},
            code="edxml_bad_base64",
            details={"field": node.path},
        ) from None


def _attachment(item: _Node, reference: _Node | None) -> Attachment:
    """One carried attachment; what it leaves out is taken from its manifest entry."""

    def described(name: str) -> str:
        return item.text(name) or (reference.text(name) if reference is not None else "")

    name = described("AttachmentName")
    if not name:
        raise _missing(f"{item.path}/AttachmentName")
    return Attachment(
        name=name,
        content_type=described("ContentType") or "application/octet-stream",
        description=described("Description"),
        content_id=item.text("ContentId"),
        content=_content(item.require("ContentTransferEncoded")),
    )


def _attachments(root: _Node, envelope: _Node) -> list[Attachment]:
    manifest: dict[str, _Node] = {}
    body = envelope.child("edXMLBody")
    listed = body.child("edXMLManifest") if body else None
    if listed is not None:
        for reference in listed.children("Reference"):
            manifest.setdefault(reference.text("ContentId"), reference)
    attachments: list[Attachment] = []
    carried: set[str] = set()
    # Beside the envelope (the real packages), or inside it when the envelope is the root.
    holders = [root] if root is envelope else [root, envelope]
    for holder in holders:
        for encoded in holder.children("AttachmentEncoded"):
            for item in encoded.children("Attachment"):
                attachments.append(_attachment(item, manifest.get(item.text("ContentId"))))
                carried.add(attachments[-1].content_id)
    for content_id, reference in manifest.items():
        if content_id not in carried:
            raise EdxmlError(
                _("Tệp đính kèm %(cid)s có trong danh mục (%(field)s) nhưng không có trong gói tin.")
                % {"cid": content_id, "field": reference.path},
                code="edxml_missing_field",
                details={"field": reference.path, "content_id": content_id},
            )
    return attachments


def _status(header: _Node) -> StatusMessage | None:
    """The status fields, in `Status` (edxml-convert) or directly in `MessageHeader` (edoc-integrator)."""
    node = header.child("Status")
    if node is None:
        message_header = header.child("MessageHeader")
        if message_header is None or message_header.child("StatusCode") is None:
            return None
        node = message_header
    code_node = node.require("StatusCode")
    if code_node.value not in StatusCode.values:
        raise _invalid(code_node.path, code_node.value, ", ".join(StatusCode.values))
    return StatusMessage(
        response_for=_response_for(node.require("ResponseFor")),
        from_=_organization(node.require("From")),
        status_code=StatusCode(code_node.value),
        description=node.text("Description"),
        timestamp=_datetime(node.require("Timestamp")),
        staff_info=_staff_info(node.child("StaffInfo")),
    )


def _parse_xml(data: bytes) -> etree._Element:
    if not data or not data.strip():
        raise EdxmlError(_("Gói tin rỗng."), code="edxml_malformed")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        tree = etree.fromstring(data, parser=parser).getroottree()
    except etree.XMLSyntaxError as exc:
        raise EdxmlError(
            _("Gói tin không phải XML hợp lệ (dòng %(line)s).") % {"line": exc.lineno},
            code="edxml_malformed",
            details={"line": exc.lineno, "reason": str(exc)[:300]},
        ) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise EdxmlError(_("Gói tin edXML không được chứa khai báo DOCTYPE."), code="edxml_dtd_forbidden")
    return tree.getroot()


def parse(data: bytes) -> Message:
    """Read an edXML package: a DocumentMessage or a StatusMessage, or EdxmlError saying why not."""
    element = _parse_xml(data)
    root_name = _local(element.tag)
    root = _Node(element, root_name)
    if root_name == "edXMLEnvelope":
        envelope = root
    elif root_name == "edXML":
        found = root.child("edXMLEnvelope")
        if found is None:
            raise _missing("edXML/edXMLEnvelope")
        envelope = found
    else:
        raise EdxmlError(
            _("Đây không phải gói tin edXML (phần tử gốc là “%(name)s”).") % {"name": root_name[:60]},
            code="edxml_not_edxml",
            details={"field": root_name[:60]},
        )
    header = envelope.require("edXMLHeader")
    status = _status(header)
    if status is not None:
        return status
    trace = header.child("TraceHeaderList")
    return DocumentMessage(
        header=_message_header(header.require("MessageHeader")),
        trace_headers=[
            TraceHeader(organ_id=item.required_text("OrganId"), timestamp=_datetime(item.require("Timestamp")))
            for item in trace.children("TraceHeader")
        ]
        if trace
        else [],
        business=_business(trace.child("Bussiness") if trace else None),
        attachments=_attachments(root, envelope),
    )


# --- Writing -------------------------------------------------------------------------------------
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _qn(name: str) -> str:
    return f"{{{NS}}}{name}"


def _add(parent: etree._Element, name: str, value: object = None) -> etree._Element:
    element = etree.SubElement(parent, _qn(name))
    if value is not None and value != "":
        element.text = _NOT_XML.sub("", str(value))
    return element


def _format_date(value: dt.date | None) -> str:
    return f"{value:%Y/%m/%d}" if value else ""


def _format_datetime(value: dt.datetime) -> str:
    local = value.astimezone(VN_TZ) if value.tzinfo else value
    return f"{local:%Y/%m/%d %H:%M:%S}"


def _format_bool(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _add_organization(parent: etree._Element, name: str, organization: Organization) -> None:
    node = _add(parent, name)
    _add(node, "OrganId", organization.organ_id)
    _add(node, "OrganizationInCharge", organization.organization_in_charge)
    _add(node, "OrganName", organization.organ_name)
    _add(node, "OrganAdd", organization.organ_add)
    _add(node, "Email", organization.email)
    _add(node, "Telephone", organization.telephone)
    _add(node, "Fax", organization.fax)
    _add(node, "Website", organization.website)


def _add_response_for(parent: etree._Element, response_for: ResponseFor) -> None:
    node = _add(parent, "ResponseFor")
    _add(node, "OrganId", response_for.organ_id)
    _add(node, "Code", response_for.code)
    _add(node, "PromulgationDate", _format_date(response_for.promulgation_date))
    _add(node, "DocumentId", response_for.document_id)


def _add_staff_info(parent: etree._Element, staff: StaffInfo | None) -> None:
    if staff is None:
        return
    node = _add(parent, "StaffInfo")
    _add(node, "Department", staff.department)
    _add(node, "Staff", staff.staff)
    _add(node, "Mobile", staff.mobile)
    _add(node, "Email", staff.email)


def _add_message_header(parent: etree._Element, header: MessageHeader) -> None:
    node = _add(parent, "MessageHeader")
    _add_organization(node, "From", header.from_)
    for recipient in header.to:
        _add_organization(node, "To", recipient)
    for response_for in header.response_for:
        _add_response_for(node, response_for)
    _add(node, "DocumentId", header.document_id)
    code = _add(node, "Code")
    _add(code, "CodeNumber", header.code.number)
    _add(code, "CodeNotation", header.code.notation)
    promulgation = _add(node, "PromulgationInfo")
    _add(promulgation, "Place", header.promulgation_info.place)
    _add(promulgation, "PromulgationDate", _format_date(header.promulgation_info.date))
    document_type = _add(node, "DocumentType")
    _add(document_type, "Type", header.document_type.type)
    _add(document_type, "TypeDetail", header.document_type.type_detail)
    _add(document_type, "TypeName", header.document_type.type_name)
    _add(node, "Subject", header.subject)
    _add(node, "Content", header.content)
    signer = _add(node, "SignerInfo")
    _add(signer, "Competence", header.signer_info.competence)
    _add(signer, "Position", header.signer_info.position)
    _add(signer, "FullName", header.signer_info.full_name)
    _add(node, "DueDate", _format_date(header.due_date))
    other = _add(node, "OtherInfo")
    info = header.other_info
    _add(other, "Priority", int(info.priority))
    _add(other, "SphereOfPromulgation", info.sphere_of_promulgation)
    _add(other, "TyperNotation", info.typer_notation)
    _add(other, "PromulgationAmount", info.promulgation_amount)
    _add(other, "PageAmount", info.page_amount)
    _add(other, "Direction", _format_bool(info.direction))
    appendixes = _add(other, "Appendixes")
    for appendix in info.appendixes:
        _add(appendixes, "Appendix", appendix)
    _add(node, "SteeringType", int(header.steering_type) if header.steering_type is not None else None)
    places = _add(node, "ToPlaces")
    for place in header.to_places:
        _add(places, "Place", place)


def _add_business(parent: etree._Element, business: Business) -> None:
    node = _add(parent, "Bussiness")
    _add(node, "DocumentId", business.document_id)
    _add(node, "BussinessDocType", int(business.doc_type))
    _add(node, "BussinessDocReason", business.doc_reason)
    _add(node, "Paper", business.paper)
    if business.document_info is not None:
        info = _add(node, "BussinessDocumentInfo")
        _add(info, "DocumentInfo", business.document_info.document_info)
        _add(info, "DocumentReceiver", business.document_info.document_receiver)
        receivers = _add(info, "ReceiverList")
        for receiver in business.document_info.receivers:
            item = _add(receivers, "Receiver")
            _add(item, "OrganId", receiver.organ_id)
            _add(item, "ReceiverType", receiver.receiver_type)
    _add_staff_info(node, business.staff_info)
    if business.replacements:
        replacements = _add(node, "ReplacementInfoList")
        for replacement in business.replacements:
            item = _add(replacements, "ReplacementInfo")
            _add(item, "DocumentId", replacement.document_id)
            organs = _add(item, "OrganIdList")
            for organ_id in replacement.organ_ids:
                _add(organs, "OrganId", organ_id)


def _build_document(root: etree._Element, envelope: etree._Element, message: DocumentMessage) -> None:
    header = _add(envelope, "edXMLHeader")
    _add_message_header(header, message.header)
    trace = _add(header, "TraceHeaderList")
    for trace_header in message.trace_headers:
        item = _add(trace, "TraceHeader")
        _add(item, "OrganId", trace_header.organ_id)
        _add(item, "Timestamp", _format_datetime(trace_header.timestamp))
    if message.business is not None:
        _add_business(trace, message.business)
    body = _add(envelope, "edXMLBody")
    manifest = _add(body, "edXMLManifest")
    manifest.set("version", "1.0")
    if not message.attachments:
        return
    encoded = _add(root, "AttachmentEncoded")
    for number, attachment in enumerate(message.attachments, start=1):
        content_id = attachment.content_id or f"cid:{number}"
        reference = _add(manifest, "Reference")
        carried = _add(encoded, "Attachment")
        for item in (reference, carried):
            _add(item, "ContentId", content_id)
            _add(item, "AttachmentName", attachment.name)
            _add(item, "Description", attachment.description)
            _add(item, "ContentType", attachment.content_type)
        _add(carried, "ContentTransferEncoded", base64.b64encode(attachment.content).decode("ascii"))


def _build_status(envelope: etree._Element, message: StatusMessage) -> None:
    header = _add(_add(envelope, "edXMLHeader"), "MessageHeader")
    _add_organization(header, "From", message.from_)
    _add_response_for(header, message.response_for)
    _add_staff_info(header, message.staff_info)
    _add(header, "StatusCode", StatusCode(message.status_code).value)
    _add(header, "Description", message.description)
    _add(header, "Timestamp", _format_datetime(message.timestamp))


def build(message: Message) -> bytes:
    """Write `message` as an edXML package (UTF-8, with the XML declaration)."""
    root = etree.Element(_qn("edXML"), nsmap={PREFIX: NS})
    envelope = _add(root, "edXMLEnvelope")
    if isinstance(message, DocumentMessage):
        _build_document(root, envelope, message)
    elif isinstance(message, StatusMessage):
        _build_status(envelope, message)
    else:
        raise TypeError(f"Not an edXML message: {type(message).__name__}")
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


def organ_level1(organ_id: str) -> str:
    """The level-1 part of an agency code (QĐ 20/2020: the rightmost part, the ministry "G14" or the
    province "H20") — the body a peer Sen installation speaks for."""
    return organ_id.rsplit(".", 1)[-1].strip().upper()
