from __future__ import annotations

import datetime as dt
import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from sen.core.exceptions import Conflict, InvalidInput
from sen.core.models import AuditEvent
from sen.signing import pdfdoc, pki, samples, services, signers, validation
from sen.signing.tests.conftest import DATE, NUMBER, decision_pdf, flip_byte_in_first_stream, pdfsig


def _field_value(data: bytes, name: str) -> str:
    reader = PdfFileReader(io.BytesIO(data))
    for ref in reader.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/T") == name:
            return str(field.get("/V", ""))
    raise AssertionError(name)


def test_prepare_creates_every_field_before_the_first_signature(prepared):
    names = pdfdoc.field_names(PdfFileReader(io.BytesIO(prepared)))
    assert names == {
        pdfdoc.SIGNER_FIELD: "/Sig",
        pdfdoc.ORG_FIELD: "/Sig",
        pdfdoc.NUMBER_FIELD: "/Tx",
        pdfdoc.DATE_FIELD: "/Tx",
    }
    with pytest.raises(Conflict):
        services.document_prepare(prepared, signer_box=samples.LAYOUT.signer_box, number_field=False)


def test_two_layer_document_validates_in_pyhanko(two_layer, leader, unit):
    report = validation.pdf_validate(two_layer)
    assert report.ok, report.as_dict()
    first, second = report.signatures
    assert (first.field_name, first.signer) == (pdfdoc.SIGNER_FIELD, leader.full_name)
    assert (second.field_name, second.signer) == (pdfdoc.ORG_FIELD, unit.name)
    assert first.signing_time.endswith("+07:00") and second.signing_time.endswith("+07:00")
    # The clerk's number and date came after signature 1 as form filling, which keeps it valid.
    assert first.intact and first.valid and first.changes == "form_filling" and first.changes_allowed
    assert second.changes == "none" and second.coverage == "entire_file"
    assert first.reason == "Giám đốc" and second.reason == NUMBER


def test_two_layer_document_validates_in_pdfsig(two_layer, tmp_path):
    found = pdfsig(tmp_path, two_layer)
    assert [sig.field for sig in found] == [pdfdoc.SIGNER_FIELD, pdfdoc.ORG_FIELD]
    for sig in found:
        assert sig.validation == "Signature is Valid."
        # pdfsig's NSS store does not know the province's test CA: that, and only that, is accepted.
        assert sig.certificate in {"Certificate issuer isn't Trusted.", "Certificate is Trusted."} or (
            "unknown issuer" in sig.certificate.lower()
        )


def test_number_and_date_fields_hold_the_clerks_values(two_layer):
    assert _field_value(two_layer, pdfdoc.NUMBER_FIELD) == NUMBER
    assert _field_value(two_layer, pdfdoc.DATE_FIELD) == "Đồng Tháp, ngày 05 tháng 02 năm 2026"


@pytest.mark.parametrize(
    ("day", "line"),
    [
        (dt.date(2026, 2, 5), "Đồng Tháp, ngày 05 tháng 02 năm 2026"),
        (dt.date(2026, 11, 22), "Đồng Tháp, ngày 22 tháng 11 năm 2026"),
        (dt.date(2026, 3, 9), "Đồng Tháp, ngày 09 tháng 3 năm 2026"),
    ],
)
def test_date_line_follows_decree_30(day, line):
    assert services.vietnamese_date_line(day, "Đồng Tháp") == line


def test_one_altered_byte_fails_pyhanko_and_pdfsig(two_layer, tmp_path):
    tampered = flip_byte_in_first_stream(two_layer)
    report = validation.pdf_validate(tampered)
    assert not report.ok
    assert report.signatures and all(not (sig.intact and sig.valid) for sig in report.signatures)
    found = pdfsig(tmp_path, tampered)
    assert len(found) == 2 and all(sig.validation != "Signature is Valid." for sig in found)


def test_organisation_signature_refused_without_the_signers(prepared, unit, unit_certificate):
    with pytest.raises(InvalidInput) as refused:
        services.sign_as_organisation(prepared, unit=unit, number=NUMBER, date=DATE)
    assert refused.value.code == "signer_signature_missing"
    assert "chưa có chữ ký số của người có thẩm quyền" in refused.value.message


def test_organisation_signature_refused_when_the_signers_is_broken(signed_once, unit, unit_certificate):
    with pytest.raises(InvalidInput) as refused:
        services.sign_as_organisation(flip_byte_in_first_stream(signed_once), unit=unit, number=NUMBER, date=DATE)
    assert refused.value.code == "signer_signature_broken"


def test_drawing_on_the_page_after_signing_is_reported_and_refused(signed_once, unit, unit_certificate):
    # given: someone adds page content after the leader signed (what must never be done to add a number)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_once))
    stream = writer.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 100 100 50 50 re f"))
    writer.add_stream_to_page(0, stream)
    out = io.BytesIO()
    writer.write(out)
    # then
    report = validation.pdf_validate(out.getvalue())
    (sig,) = report.signatures
    assert sig.intact and sig.changes == "other" and not sig.changes_allowed and not report.ok
    with pytest.raises(InvalidInput):
        services.sign_as_organisation(out.getvalue(), unit=unit, number=NUMBER, date=DATE)


def test_signing_twice_is_refused(two_layer, leader, unit):
    with pytest.raises((InvalidInput, Conflict)):
        services.sign_as_signer(two_layer, user=leader, position_title="Giám đốc")
    with pytest.raises((InvalidInput, Conflict)):
        services.sign_as_organisation(two_layer, unit=unit, number=NUMBER, date=DATE)


def test_unprepared_document_cannot_be_signed(leader, leader_certificate):
    with pytest.raises(InvalidInput) as refused:
        services.sign_as_signer(decision_pdf(), user=leader, position_title="Giám đốc")
    assert refused.value.code == "not_prepared"


def test_signing_writes_audit_events(two_layer, leader, clerk):
    events = AuditEvent.objects.filter(object_type="signing.document").order_by("id")
    assert [(event.action, event.actor_id) for event in events] == [
        ("signing.document.sign_signer", leader.pk),
        ("signing.document.sign_organisation", clerk.pk),
    ]
    assert events.last().after["output_sha256"] == events.last().object_id


def test_appendix_gets_the_organisation_signature_top_right_without_image(pki_dir, unit, unit_certificate, tmp_path):
    from sen.signing.tests.conftest import appendix_pdf

    signed = services.sign_appendix(appendix_pdf(), unit=unit, number=NUMBER)
    report = validation.pdf_validate(signed)
    assert report.ok, report.as_dict()
    (sig,) = report.signatures
    assert sig.field_name == pdfdoc.APPENDIX_FIELD and sig.signer == unit.name
    # Position: top right of page 1; appearance: text only (a font, no image XObject).
    reader = PdfFileReader(io.BytesIO(signed))
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    (annot,) = [a.get_object() for a in page["/Annots"] if a.get_object().get("/T") == pdfdoc.APPENDIX_FIELD]
    x1, _y1, x2, y2 = (float(v) for v in annot["/Rect"])
    width, height = float(page["/MediaBox"][2]), float(page["/MediaBox"][3])
    assert x2 > width * 0.85 and y2 > height * 0.9 and x1 > width / 2
    appearance = annot["/AP"]["/N"].get_object()
    resources = appearance.get("/Resources", generic.DictionaryObject())
    assert "/Font" in resources and not _has_image(appearance)
    text = _text_of(tmp_path, signed)
    assert NUMBER in text and sig.signing_time in text  # 2026-…T…+07:00
    assert found_ok(tmp_path, signed)


def _has_image(xobject) -> bool:
    resources = xobject.get("/Resources", {})
    for item in resources.get("/XObject", {}).values():
        obj = item.get_object()
        if obj.get("/Subtype") == "/Image" or _has_image(obj):
            return True
    return False


def _text_of(tmp_path, data: bytes) -> str:
    import subprocess

    path = tmp_path / "text.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, text=True).stdout


def found_ok(tmp_path, data: bytes) -> bool:
    return all(sig.validation == "Signature is Valid." for sig in pdfsig(tmp_path, data))


def test_dossier_result_signed_by_the_organisation_alone(pki_dir, unit, unit_certificate):
    signed = services.sign_result(samples.result_pdf(), unit=unit)
    report = validation.pdf_validate(signed)
    assert report.ok and [sig.signer for sig in report.signatures] == [unit.name]


def test_expired_certificate_is_flagged(pki_dir, unit, prepared):
    # given: a signature made with a certificate that has since expired
    old = services.certificate_issue(
        actor=None, unit=unit, not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=400), validity_days=365
    )
    writer = pdfdoc.open_writer(prepared)
    signed = services._sign(
        writer,
        field_name=pdfdoc.SIGNER_FIELD,
        signer=signers.backend().signer_for(old),
        style=None,
        signing_time=services.now_vietnam(),
    )
    # then
    (sig, *_rest) = validation.pdf_validate(signed).signatures
    assert sig.intact and sig.valid and not sig.trusted and sig.expired
    assert "hết hạn" in sig.trust_problems[0]


def test_untrusted_and_revoked_certificates_are_flagged(pki_dir, leader, prepared, tmp_path):
    from asn1crypto import keys as asn1_keys
    from cryptography.hazmat.primitives import serialization
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    # given: a certificate from a CA the province does not know
    foreign_dir = tmp_path / "foreign"
    foreign_dir.mkdir()
    now = dt.datetime.now(dt.UTC)
    ca = pki.make_ca(foreign_dir, now=now)
    ee = pki.make_end_entity(
        foreign_dir,
        ca_cert=ca.certificate,
        ca_key=pki.load_key(ca.key_path),
        common_name="Người lạ",
        organisation="CA khác",
        now=now,
    )
    key = pki.load_key(ee.key_path)
    foreign_signer = signers.CachedKeySigner(
        private_key=key,
        signing_cert=next(iter(load_certs_from_pemder_data(ee.pem.encode()))),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs(list(load_certs_from_pemder_data(ca.pem.encode()))),
    )
    untrusted = services._sign(
        pdfdoc.open_writer(prepared),
        field_name=pdfdoc.SIGNER_FIELD,
        signer=foreign_signer,
        style=None,
        signing_time=services.now_vietnam(),
    )
    (sig,) = validation.pdf_validate(untrusted).signatures
    assert sig.intact and sig.valid and not sig.trusted and "không do CA tin cậy" in sig.trust_problems[0]

    # given: the leader's certificate is revoked after signing
    certificate = services.certificate_issue(actor=None, user=leader)
    signed = services.sign_as_signer(prepared, user=leader, position_title="Giám đốc")
    services.certificate_revoke(actor=None, certificate=certificate)
    (sig,) = validation.pdf_validate(signed).signatures
    assert sig.revoked and not sig.trusted and "thu hồi" in sig.trust_summary


def test_malformed_encrypted_and_unsigned_pdfs_give_clear_reports(db):
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    encrypted_writer = copy_into_new_writer(PdfFileReader(io.BytesIO(decision_pdf())))
    encrypted_writer.encrypt("chu-so-huu", "nguoi-doc")
    encrypted = io.BytesIO()
    encrypted_writer.write(encrypted)
    cases = {
        b"": "Tệp trống.",
        b"GIF89a not a pdf": "Tệp không phải là tài liệu PDF.",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF garbage": "Tệp PDF bị hỏng, không đọc được.",
        decision_pdf()[: len(decision_pdf()) // 2]: "Tệp PDF bị hỏng, không đọc được.",
        encrypted.getvalue(): "Tệp PDF được mã hóa (đặt mật khẩu): không kiểm tra được chữ ký số.",
        decision_pdf(): "Tệp PDF không có chữ ký số.",
    }
    for data, message in cases.items():
        report = validation.pdf_validate(data)
        assert not report.ok and report.errors == [message], (data[:20], report.errors)
    with pytest.raises(InvalidInput) as refused:
        services.document_prepare(encrypted.getvalue(), signer_box=samples.LAYOUT.signer_box, number_field=False)
    assert refused.value.code == "encrypted_pdf"
