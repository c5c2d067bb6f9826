"""The edXML codec: the real packages (one copied into the repo, the rest from ../shared when it is
there), round trips of any message with Vietnamese text, and clear errors for bad input."""

from __future__ import annotations

import base64
import datetime as dt
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from sen.core.calendar import VN_TZ
from sen.integrations import edxml
from sen.integrations.choices import BusinessDocType, Priority, StatusCode, SteeringType
from sen.integrations.exceptions import EdxmlError
from sen.integrations.tests.factories import document_message, status_message

DATA = Path(__file__).parent / "data"
SHARED = Path(settings.BASE_DIR).parent / "shared" / "data" / "edxml"
PLACEHOLDER = b"[REMOVED: base64 zip payload, see PROVENANCE.md]"
ZIP_BYTES = b"PK\x03\x04\x14\x00\x00\x00\x08\x00 n\xe1i dung t\xe1\xbb\x87p"


def with_payload(data: bytes, payload: bytes = ZIP_BYTES) -> bytes:
    """The redacted package with a real base64 attachment put back where the redaction removed it."""
    assert PLACEHOLDER in data
    return data.replace(PLACEHOLDER, base64.b64encode(payload))


def shared_sample(name: str) -> bytes:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"../shared is not checked out beside this repository ({path})")
    return path.read_bytes()


def error_of(data: bytes) -> EdxmlError:
    with pytest.raises(EdxmlError) as caught:
        edxml.parse(data)
    return caught.value


# --- The real packages ---------------------------------------------------------------------------
def test_the_real_new_document_package_reads_field_by_field():
    # given the real package (in the repository), with a base64 payload where the redaction left text
    data = with_payload((DATA / "edoc_new.redacted.edxml").read_bytes())

    # when it is parsed
    message = edxml.parse(data)

    # then every part of the envelope is there, Vietnamese intact
    assert isinstance(message, edxml.DocumentMessage)
    header = message.header
    assert (header.from_.organ_id, header.from_.organ_name, header.from_.email) == (
        "000.00.11.H53",
        "Sở Tính",
        "stc@tayninh.gov.vn",
    )
    assert [(to.organ_id, to.organ_name) for to in header.to] == [("000.00.01.A53", "Văn phòng tỉnh ủy")]
    assert str(header.code) == "2491/STC-BCTC"
    assert header.promulgation_info == edxml.PromulgationInfo(place="Tây Ninh", date=dt.date(2020, 10, 30))
    assert header.document_type == edxml.DocumentType(type=1, type_name="Công văn", type_detail=0)
    assert header.subject == header.content == "Báo cáo tài chính tỉnh"
    assert header.due_date is None  # <DueDate></DueDate>
    assert header.to_places == ["Cac bo va co quan ngang bo", "Uy ban nhan dan cac tinh, TP"]
    assert header.other_info.priority == Priority.NORMAL
    assert (header.other_info.promulgation_amount, header.other_info.page_amount) == (2, 22)
    assert header.other_info.direction is False and header.other_info.appendixes == []
    assert header.steering_type == SteeringType.NOT_STEERING
    assert header.document_id == "000.00.11.H53,2020/10/30,2491/STC-BCTC"
    assert message.trace_headers == [
        edxml.TraceHeader(organ_id="000.00.00.G22", timestamp=dt.datetime(2018, 9, 28, tzinfo=VN_TZ))
    ]
    assert message.business is not None and message.business.doc_type == BusinessDocType.NEW
    assert message.business.staff_info == edxml.StaffInfo(
        department="Văn thư văn phòng", staff="[REDACTED-STAFF-NAME]", mobile="[REDACTED]", email="[REDACTED]"
    )
    [attachment] = message.attachments
    assert (attachment.content_id, attachment.name, attachment.content_type) == (
        "cid:209",
        "1896_QD-TTg_m_294779.doc",
        "application/zip",
    )
    assert attachment.content == ZIP_BYTES


def test_the_redacted_package_as_it_is_is_refused_for_its_attachment_with_the_element_named():
    error = error_of((DATA / "edoc_new.redacted.edxml").read_bytes())

    assert error.code == "edxml_bad_base64"
    assert error.details == {"field": "edXML/AttachmentEncoded/Attachment/ContentTransferEncoded"}
    assert "base64" in error.message


def test_the_real_update_package_reads_its_recipients_and_receiver_changes():
    message = edxml.parse(with_payload(shared_sample("edoc-integrator/edoc_update.redacted.edxml")))

    assert isinstance(message, edxml.DocumentMessage)
    assert [to.organ_id for to in message.header.to] == ["000.00.00.H53", "000.00.12.H53", "000.00.00.G17"]
    assert message.header.signer_info.competence == "TL. BO TRUONG"
    assert message.header.due_date == dt.date(2018, 9, 28)  # written YYYY/MM/DD here, DD/MM/YYYY in the other
    assert message.header.other_info.appendixes == ["Công văn về việc kết nối, liên thông phần mềm quản lý văn bản"]
    business = message.business
    assert business is not None and business.doc_type == BusinessDocType.UPDATE
    assert business.doc_reason == "Cập nhật văn bản điện tử"
    assert business.document_info is not None
    assert business.document_info.receivers == [
        edxml.Receiver(organ_id="000.00.00.H41", receiver_type=0),
        edxml.Receiver(organ_id="000.00.00.H14", receiver_type=1),
    ]


def test_the_real_status_package_reads_as_a_status_message():
    message = edxml.parse(shared_sample("edoc-integrator/status_processing_05.redacted.edxml"))

    assert isinstance(message, edxml.StatusMessage)
    assert message.status_code == StatusCode.PROCESSING
    assert message.description == "Đang xử lý văn bản đến"
    assert message.timestamp == dt.datetime(2015, 9, 20, 11, 8, 36, tzinfo=VN_TZ)
    assert message.from_.organ_id == "000.00.00.H41" and message.from_.organ_name == "UBND Tỉnh Nghệ An"
    assert message.response_for == edxml.ResponseFor(
        organ_id="000.00.00.G22",
        code="7816/VPCP-TTĐT",
        promulgation_date=dt.date(2015, 9, 30),
        document_id="000.00.00.G22,2015/09/30,7816/VPCP-TTĐT",
    )
    assert message.staff_info is not None and message.staff_info.department == "Phong hanh chinh"


@pytest.mark.parametrize(
    "name",
    [
        "edoc-integrator/edoc_new.redacted.edxml",
        "edoc-integrator/edoc_update.redacted.edxml",
        "edoc-integrator/status_processing_05.redacted.edxml",
    ],
)
def test_every_real_package_survives_a_round_trip_through_build(name):
    data = shared_sample(name)
    message = edxml.parse(with_payload(data) if PLACEHOLDER in data else data)

    assert edxml.parse(edxml.build(message)) == message


def test_the_status_layout_of_edxml_convert_reads_too():
    # given the field layout of edxml-convert's reference (status/status.json): header → Status
    data = """<?xml version="1.0" encoding="UTF-8"?>
    <edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader><Status>
      <ResponseFor><OrganId>000.00.00.H20</OrganId><Code>05/QĐ-UBND</Code>
        <PromulgationDate>2026/03/14 17:19:16</PromulgationDate>
        <DocumentId>000.00.00.H20,2026/03/14,05/QĐ-UBND</DocumentId>
      </ResponseFor>
      <From><OrganId>000.00.14.H53</OrganId><OrganName>Sở Tư pháp</OrganName></From>
      <StatusCode>03</StatusCode><Description>Đã tiếp nhận</Description><Timestamp>2026-03-14T10:00:00+00:00</Timestamp>
    </Status></edXMLHeader></edXMLEnvelope></edXML>""".encode()

    message = edxml.parse(data)

    assert isinstance(message, edxml.StatusMessage)
    assert message.status_code == StatusCode.ACCEPTED
    assert message.response_for.promulgation_date == dt.date(2026, 3, 14)  # the time after the date is ignored
    assert message.timestamp == dt.datetime(2026, 3, 14, 17, 0, tzinfo=VN_TZ)  # ISO 8601 with its offset


# --- Round trips ---------------------------------------------------------------------------------
VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
ALPHABET = VIETNAMESE + VIETNAMESE.upper() + "0123456789 .,;:/-()&<>\"'%#\n\t" + "“”–…"
text = st.text(ALPHABET, max_size=40).map(str.strip)
required = text.filter(bool)
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))
moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)).map(
    lambda moment: moment.replace(microsecond=0, tzinfo=VN_TZ)
)
organ_ids = st.from_regex(r"\A[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[GH][0-9]{2}\Z")
small = st.integers(min_value=0, max_value=10_000)

organizations = st.builds(
    edxml.Organization,
    organ_id=organ_ids,
    organ_name=text,
    organization_in_charge=text,
    organ_add=text,
    email=text,
    telephone=text,
    fax=text,
    website=text,
)
staff_infos = st.builds(edxml.StaffInfo, department=text, staff=text, mobile=text, email=text)
response_fors = st.builds(
    edxml.ResponseFor, organ_id=organ_ids, code=text, promulgation_date=st.none() | dates, document_id=text
)
headers = st.builds(
    edxml.MessageHeader,
    from_=organizations,
    to=st.lists(organizations, min_size=1, max_size=3),
    code=st.builds(edxml.Code, number=required, notation=required),
    promulgation_info=st.builds(edxml.PromulgationInfo, place=text, date=dates),
    document_type=st.builds(edxml.DocumentType, type=small, type_name=text, type_detail=st.none() | small),
    subject=required,
    content=text,
    signer_info=st.builds(edxml.SignerInfo, competence=text, position=text, full_name=text),
    due_date=st.none() | dates,
    to_places=st.lists(required, max_size=3),
    other_info=st.builds(
        edxml.OtherInfo,
        priority=st.sampled_from(Priority),
        sphere_of_promulgation=text,
        typer_notation=text,
        promulgation_amount=st.none() | small,
        page_amount=st.none() | small,
        direction=st.none() | st.booleans(),
        appendixes=st.lists(required, max_size=3),
    ),
    steering_type=st.none() | st.sampled_from(SteeringType),
    response_for=st.lists(response_fors, max_size=2),
    document_id=text,
)
businesses = st.builds(
    edxml.Business,
    doc_type=st.sampled_from(BusinessDocType),
    doc_reason=text,
    document_id=text,
    paper=st.none() | small,
    staff_info=st.none() | staff_infos,
    document_info=st.none()
    | st.builds(
        edxml.BusinessDocumentInfo,
        document_info=text,
        document_receiver=text,
        receivers=st.lists(st.builds(edxml.Receiver, organ_id=organ_ids, receiver_type=st.sampled_from([0, 1]))),
    ),
    replacements=st.lists(
        st.builds(edxml.ReplacementInfo, document_id=required, organ_ids=st.lists(organ_ids, max_size=3)), max_size=2
    ),
)
attachments = st.lists(
    st.builds(
        edxml.Attachment,
        name=required,
        content_type=st.sampled_from(["application/pdf", "application/zip", "image/png"]),
        content=st.binary(max_size=300),
        description=text,
        content_id=st.integers(min_value=1, max_value=9999).map(lambda n: f"cid:{n}"),
    ),
    max_size=3,
    unique_by=lambda attachment: attachment.content_id,
)
documents = st.builds(
    edxml.DocumentMessage,
    header=headers,
    trace_headers=st.lists(st.builds(edxml.TraceHeader, organ_id=organ_ids, timestamp=moments), max_size=3),
    business=st.none() | businesses,
    attachments=attachments,
)
statuses = st.builds(
    edxml.StatusMessage,
    response_for=response_fors,
    from_=organizations,
    status_code=st.sampled_from(StatusCode),
    timestamp=moments,
    description=text,
    staff_info=st.none() | staff_infos,
)


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=documents)
def test_any_document_message_survives_build_then_parse(message):
    assert edxml.parse(edxml.build(message)) == message


@hypothesis_settings(max_examples=150, deadline=None)
@given(message=statuses)
def test_any_status_message_survives_build_then_parse(message):
    assert edxml.parse(edxml.build(message)) == message


def test_build_numbers_the_attachments_that_have_no_content_id():
    message = document_message(
        attachments=[
            edxml.Attachment(name="a.pdf", content_type="application/pdf", content=b"%PDF-a"),
            edxml.Attachment(name="b.pdf", content_type="application/pdf", content=b"%PDF-b"),
        ]
    )

    again = edxml.parse(edxml.build(message))

    assert isinstance(again, edxml.DocumentMessage)
    assert [(item.content_id, item.name, item.content) for item in again.attachments] == [
        ("cid:1", "a.pdf", b"%PDF-a"),
        ("cid:2", "b.pdf", b"%PDF-b"),
    ]


def test_build_drops_the_control_characters_xml_cannot_carry():
    message = document_message()
    message.header.subject = "Kế hoạch\x0b năm\x00 2026"

    again = edxml.parse(edxml.build(message))

    assert isinstance(again, edxml.DocumentMessage)
    assert again.header.subject == "Kế hoạch năm 2026"


def test_status_for_answers_the_document_it_is_given():
    document = document_message()

    status = status_message(document, status_code=StatusCode.REFUSED)

    assert status.response_for.document_id == document.header.document_id
    assert status.response_for.code == "123/STP-VP"
    assert status.response_for.organ_id == document.header.from_.organ_id
    assert status.description == "Từ chối tiếp nhận"


def test_a_status_built_under_english_names_its_code_in_vietnamese():
    with translation.override("en"):
        status = status_message(status_code=StatusCode.ACCEPTED)
        package = edxml.build(status).decode()

    assert status.description == "Đã tiếp nhận"
    assert "<edXML:Description>Đã tiếp nhận</edXML:Description>" in package


# --- Bad input -----------------------------------------------------------------------------------
def replace_in_document(old: str, new: str) -> bytes:
    data = edxml.build(document_message()).decode()
    assert old in data
    return data.replace(old, new, 1).encode()


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        (b"", "edxml_malformed", None),
        (b"this is not xml", "edxml_malformed", None),
        (b"<edXML><edXMLEnvelope>", "edxml_malformed", None),
        (b"<html><body>Trang web</body></html>", "edxml_not_edxml", "html"),
        (b"<edXML xmlns='http://www.mic.gov.vn/TBT/QCVN_102_2016'/>", "edxml_missing_field", "edXML/edXMLEnvelope"),
        (
            replace_in_document("<edXML:Subject>", "<edXML:Topic>").replace(b"</edXML:Subject>", b"</edXML:Topic>"),
            "edxml_missing_field",
            "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Subject",
        ),
        (
            replace_in_document("<edXML:OrganId>000.00.03.H20</edXML:OrganId>", "<edXML:OrganId> </edXML:OrganId>"),
            "edxml_missing_field",
            "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId",
        ),
        (
            replace_in_document("2026/03/16</edXML:PromulgationDate>", "16 tháng 3</edXML:PromulgationDate>"),
            "edxml_invalid_value",
            "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/PromulgationInfo/PromulgationDate",
        ),
        (
            replace_in_document("<edXML:Priority>1<", "<edXML:Priority>7<"),
            "edxml_invalid_value",
            "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/OtherInfo/Priority",
        ),
        (
            replace_in_document("<edXML:PageAmount>1<", "<edXML:PageAmount>một<"),
            "edxml_invalid_value",
            "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/OtherInfo/PageAmount",
        ),
        (
            replace_in_document("<edXML:Attachment>", "<edXML:Other>").replace(
                b"</edXML:Attachment>", b"</edXML:Other>"
            ),
            "edxml_missing_field",
            "edXML/edXMLEnvelope/edXMLBody/edXMLManifest/Reference",
        ),
    ],
    ids=[
        "empty",
        "not-xml",
        "truncated",
        "other-root",
        "no-envelope",
        "no-subject",
        "blank-sender",
        "bad-date",
        "priority-7",
        "page-amount-in-words",
        "attachment-listed-not-carried",
    ],
)
def test_bad_packages_are_refused_with_a_code_and_the_element(data, code, field):
    error = error_of(data)

    assert error.code == code
    assert error.status == 400
    if field is not None:
        assert error.details["field"] == field
        assert field in error.message


def test_an_unknown_status_code_is_refused():
    data = edxml.build(status_message()).replace(b">01</edXML:StatusCode>", b">99</edXML:StatusCode>")

    error = error_of(data)

    assert (error.code, error.details["value"]) == ("edxml_invalid_value", "99")


def test_an_external_entity_is_never_resolved():
    # given a package that tries to read a local file through an external entity (XXE)
    data = b"""<?xml version="1.0"?>
    <!DOCTYPE edXML [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
    <edXML><edXMLEnvelope><edXMLHeader><MessageHeader><Subject>&secret;</Subject></MessageHeader>
    </edXMLHeader></edXMLEnvelope></edXML>"""

    error = error_of(data)

    # then it is refused before anything is read, and nothing of the file shows
    assert error.code == "edxml_dtd_forbidden"
    assert "root:" not in error.message and "root:" not in str(error.details)


def test_an_entity_expansion_bomb_is_refused_quickly():
    entities = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    data = f'<?xml version="1.0"?><!DOCTYPE edXML [{entities}]><edXML>&l9;</edXML>'.encode()

    started = time.monotonic()
    error = error_of(data)

    # libxml2 stops it as malformed (amplification) before Sen's own DOCTYPE refusal would
    assert error.code in {"edxml_dtd_forbidden", "edxml_malformed"}
    assert time.monotonic() - started < 1


def test_a_status_without_its_timestamp_is_refused():
    data = edxml.build(status_message())
    start, end = data.index(b"<edXML:Timestamp>"), data.index(b"</edXML:Timestamp>") + len(b"</edXML:Timestamp>")

    error = error_of(data[:start] + data[end:])

    assert error.code == "edxml_missing_field"
    assert error.details["field"].endswith("MessageHeader/Timestamp")
