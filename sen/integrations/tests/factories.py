"""Factories for the exchange: peers through the service (so they get a real generated secret and
an audit event), and edXML messages with Vietnamese content. All fictitious."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sen.core.calendar import VN_TZ
from sen.integrations import edxml, services
from sen.integrations.choices import BusinessDocType, Priority, StatusCode, SteeringType
from sen.integrations.models import ExchangePeer

TAY_NINH = "000.00.00.H53"
TAY_NINH_JUSTICE = "000.00.14.H53"
DONG_THAP = "000.00.00.H20"
DONG_THAP_JUSTICE = "000.00.03.H20"


def peer(
    *, organ_id: str = TAY_NINH, name: str = "Sen tỉnh Tây Ninh", base_url: str = "http://127.0.0.1:9", **kwargs: Any
) -> ExchangePeer:
    created, _ = services.peer_save(actor=None, organ_id=organ_id, name=name, base_url=base_url, **kwargs)
    return created


def organization(organ_id: str, name: str) -> edxml.Organization:
    return edxml.Organization(
        organ_id=organ_id,
        organ_name=name,
        organization_in_charge="Ủy ban nhân dân tỉnh",
        organ_add="Số 12, đường 30/4, Phường Mỹ Tho, tỉnh Đồng Tháp",
        email="vanthu@example.gov.vn",
    )


def document_message(
    *,
    from_organ: str = DONG_THAP_JUSTICE,
    to_organ: str = TAY_NINH_JUSTICE,
    number: str = "123",
    notation: str = "STP-VP",
    attachments: list[edxml.Attachment] | None = None,
) -> edxml.DocumentMessage:
    code = edxml.Code(number=number, notation=notation)
    date = dt.date(2026, 3, 16)
    return edxml.DocumentMessage(
        header=edxml.MessageHeader(
            from_=organization(from_organ, "Sở Tư pháp tỉnh Đồng Tháp"),
            to=[organization(to_organ, "Sở Tư pháp tỉnh Tây Ninh")],
            code=code,
            promulgation_info=edxml.PromulgationInfo(place="Đồng Tháp", date=date),
            document_type=edxml.DocumentType(type=1, type_name="Công văn", type_detail=0),
            subject="V/v phối hợp xác minh hồ sơ đăng ký khai sinh của công dân Nguyễn Thị Hồng Nhung",
            content="Đề nghị Sở Tư pháp tỉnh Tây Ninh phối hợp xác minh thông tin hộ tịch.",
            signer_info=edxml.SignerInfo(competence="KT. GIÁM ĐỐC", position="Phó Giám đốc", full_name="Trần Văn Bình"),
            due_date=dt.date(2026, 3, 30),
            to_places=["Như trên", "Lưu: VT, HCTP"],
            other_info=edxml.OtherInfo(
                priority=Priority.URGENT,
                sphere_of_promulgation="Liên thông văn bản",
                typer_notation="HCTP",
                promulgation_amount=2,
                page_amount=1,
                direction=False,
                appendixes=["Danh sách hồ sơ cần xác minh"],
            ),
            steering_type=SteeringType.NOT_STEERING,
            document_id=edxml.document_id_for(from_organ, date, code),
        ),
        trace_headers=[edxml.TraceHeader(organ_id=from_organ, timestamp=dt.datetime(2026, 3, 16, 9, 30, tzinfo=VN_TZ))],
        business=edxml.Business(doc_type=BusinessDocType.NEW, doc_reason="Văn bản điện tử mới", paper=0),
        attachments=attachments
        if attachments is not None
        else [
            edxml.Attachment(
                name="123-STP-VP.pdf",
                content_type="application/pdf",
                content="%PDF-1.7\n% Sở Tư pháp\n".encode(),
                description="Công văn số 123/STP-VP",
            )
        ],
    )


def status_message(
    document: edxml.DocumentMessage | None = None,
    *,
    status_code: StatusCode = StatusCode.ARRIVED,
    from_organ: str = TAY_NINH_JUSTICE,
) -> edxml.StatusMessage:
    return edxml.status_for(
        document or document_message(),
        from_=organization(from_organ, "Sở Tư pháp tỉnh Tây Ninh"),
        status_code=status_code,
        staff_info=edxml.StaffInfo(department="Văn phòng Sở", staff="Lê Thị Văn Thư", email="vt@example.gov.vn"),
        timestamp=dt.datetime(2026, 3, 16, 10, 0, 5, tzinfo=VN_TZ),
    )
