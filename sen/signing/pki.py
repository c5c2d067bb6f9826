"""Key and certificate making for the province's TEST PKI — pure cryptography, no database.

A real installation gets its certificates from a licensed CA (Ban Cơ yếu Chính phủ for state bodies)
and keeps the keys on tokens/HSMs; this PKI exists so the demo and the tests sign for real.
Keys are RSA 2048 (what Vietnamese CAs issue), written as unencrypted PKCS#8 PEM with mode 0600 in a
0700 directory: protected by the file system only, which is why production uses another backend.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

KEY_SIZE = 2048
COUNTRY = "VN"
PROVINCE = "Đồng Tháp"
CA_COMMON_NAME = "Tỉnh Đồng Tháp — CA thử nghiệm"
CA_ORGANISATION = "Ủy ban nhân dân tỉnh Đồng Tháp"


@dataclass(frozen=True)
class Issued:
    certificate: x509.Certificate
    key_path: Path

    @property
    def pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    @property
    def serial_hex(self) -> str:
        return format(self.certificate.serial_number, "x")


def pki_dir(var_dir: Path) -> Path:
    path = Path(var_dir) / "pki"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _write_key(directory: Path, stem: str, key: rsa.RSAPrivateKey) -> Path:
    path = directory / f"{stem}.key.pem"
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Created with 0600 from the start: never a moment when the key is world-readable.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path


def load_key(path: str | Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("expected an RSA key")
    return key


def _name(common_name: str, organisation: str = "", unit: str = "") -> x509.Name:
    parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, COUNTRY),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, PROVINCE),
    ]
    if organisation:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]))
    if unit:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit[:64]))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    return x509.Name(parts)


def _serial() -> int:
    return secrets.randbits(120) | (1 << 120)  # positive, 16 bytes, never 0


def make_ca(directory: Path, *, now: dt.datetime, validity_days: int = 3650) -> Issued:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    name = _name(CA_COMMON_NAME, CA_ORGANISATION)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(_serial())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=validity_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    stem = f"ca-{format(cert.serial_number, 'x')}"
    return Issued(cert, _write_key(directory, stem, key))


def make_end_entity(
    directory: Path,
    *,
    ca_cert: x509.Certificate,
    ca_key: rsa.RSAPrivateKey,
    common_name: str,
    organisation: str,
    organisational_unit: str = "",
    email: str = "",
    now: dt.datetime,
    not_before: dt.datetime | None = None,
    validity_days: int = 730,
) -> Issued:
    """An end-entity signing certificate: digitalSignature + nonRepudiation (pyHanko refuses a
    signing certificate without nonRepudiation by default), extended key usage for documents."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    start = not_before or (now - dt.timedelta(minutes=5))
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation, organisational_unit))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(_serial())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=validity_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # = nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    if email:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    stem = f"ee-{format(cert.serial_number, 'x')}"
    return Issued(cert, _write_key(directory, stem, key))


def subject_text(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string()


def common_name_of(cert: x509.Certificate) -> str:
    values = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else cert.subject.rfc4514_string()
