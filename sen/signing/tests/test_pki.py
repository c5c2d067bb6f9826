from __future__ import annotations

import datetime as dt
import io
import stat

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from sen.core.exceptions import Conflict, InvalidInput
from sen.core.models import AuditEvent
from sen.signing import demo, pki, services, signers
from sen.signing.models import Certificate


def test_first_certificate_creates_the_province_ca_and_keys_with_mode_0600(pki_dir, leader):
    # when
    certificate = services.certificate_issue(actor=None, user=leader)
    # then
    ca = services.province_ca()
    assert ca is not None and certificate.issuer == ca
    assert ca.common_name == "Tỉnh Đồng Tháp — CA thử nghiệm"
    for row in (ca, certificate):
        mode = stat.S_IMODE((pki_dir / row.key_ref.split("/")[-1]).stat().st_mode)
        assert row.key_ref.startswith(str(pki_dir)) and mode == 0o600
    assert stat.S_IMODE(pki_dir.stat().st_mode) == 0o700
    assert certificate.user == leader and certificate.kind == Certificate.Kind.PERSON


def test_end_entity_certificate_has_non_repudiation_and_chains_to_the_ca(leader_certificate):
    cert = x509.load_pem_x509_certificate(leader_certificate.certificate_pem.encode())
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Nguyễn Văn Lãnh Đạo"
    ca = x509.load_pem_x509_certificate(leader_certificate.issuer.certificate_pem.encode())
    cert.verify_directly_issued_by(ca)
    assert leader_certificate.serial == format(cert.serial_number, "x")
    assert leader_certificate.not_after - leader_certificate.not_before == dt.timedelta(days=730)


def test_issue_and_revoke_write_audit_events(pki_dir, unit, province_admin):
    certificate = services.certificate_issue(actor=province_admin, unit=unit, validity_days=30)
    services.certificate_revoke(actor=province_admin, certificate=certificate)
    actions = list(
        AuditEvent.objects.filter(object_id=str(certificate.pk), object_type__endswith="certificate")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["signing.certificate.issue", "signing.certificate.revoke"]
    with pytest.raises(Conflict):
        services.certificate_revoke(actor=province_admin, certificate=certificate)


def test_certificate_needs_exactly_one_owner(pki_dir, leader, unit):
    with pytest.raises(InvalidInput):
        services.certificate_issue(actor=None)
    with pytest.raises(InvalidInput):
        services.certificate_issue(actor=None, user=leader, unit=unit)


def test_signer_is_cached_and_refuses_revoked_or_expired_certificates(pki_dir, leader, unit):
    certificate = services.certificate_issue(actor=None, user=leader)
    first = signers.signer_for_user(leader)
    assert signers.signer_for_user(leader) is first  # key parsed once
    services.certificate_revoke(actor=None, certificate=certificate)
    with pytest.raises(Exception) as missing:
        signers.signer_for_user(leader)  # the only certificate is revoked: none current
    assert "chứng thư" in str(missing.value).lower()
    old = services.certificate_issue(
        actor=None, unit=unit, not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=400), validity_days=365
    )
    with pytest.raises(InvalidInput):
        signers.usable_certificate(old)


def test_cached_signer_signs_like_pyhanko(leader_certificate):
    signer = signers.backend().signer_for(leader_certificate)
    key = pki.load_key(leader_certificate.key_ref)
    data = b"Sen"
    signature = signer.sign_raw(data, "sha256")
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    key.public_key().verify(signature, data, padding.PKCS1v15(), hashes.SHA256())


def test_demo_build_issues_to_leaders_and_their_units_once(pki_dir, leader, unit, province):
    out = io.StringIO()
    first = demo.demo_build(stdout=out)
    second = demo.demo_build(stdout=out)
    assert first == {"ca": 1, "person_certificates": 1, "organisation_certificates": 2}
    assert second == {"ca": 0, "person_certificates": 0, "organisation_certificates": 0}
    assert set(Certificate.objects.filter(kind="organisation").values_list("unit_id", flat=True)) == {
        unit.pk,
        province.pk,
    }
    assert "Chữ ký số" in out.getvalue()


class RecordingBackend(signers.LocalKeyBackend):
    """A stand-in for a token or remote backend: records which certificates it was asked for."""

    asked: list[str] = []

    def signer_for(self, certificate):
        RecordingBackend.asked.append(certificate.serial)
        return super().signer_for(certificate)


def test_signer_backend_is_chosen_by_setting(settings, leader_certificate, leader, prepared):
    from sen.signing import validation

    # given
    settings.SEN_SIGNER_BACKEND = "sen.signing.tests.test_pki.RecordingBackend"
    RecordingBackend.asked.clear()
    # when
    signed = services.sign_as_signer(prepared, user=leader, position_title="Giám đốc")
    # then
    assert isinstance(signers.backend(), RecordingBackend)
    assert RecordingBackend.asked == [leader_certificate.serial]
    assert validation.pdf_validate(signed).signatures[0].intact
