"""Who holds the private key: the pluggable signer.

Sen never calls a key directly. It asks `signer_for_user(user)` / `signer_for_unit(unit)` for a pyHanko
`signers.Signer` and hands that to pyHanko. Which class answers is a setting:

    SEN_SIGNER_BACKEND = "sen.signing.signers.LocalKeyBackend"     # the default

A backend is any class with the `SignerBackend` protocol below (constructed once per process, no
arguments). Three kinds fit:

1. LocalKeyBackend (here): the key is a PEM file under VAR_DIR/pki (the demo/test PKI). The key is parsed
   ONCE per process and kept (re-parsing an RSA key costs ~45 ms, pyHanko's stock SimpleSigner does it on
   every signature); `signer` objects are cached per certificate. Revoked or expired certificates are
   refused before any key is touched.

2. A PKCS#11 token or HSM (USB tokens of Vietnamese CAs, a network HSM): pyHanko ships
   `pyhanko.sign.pkcs11.PKCS11Signer` (install `pyHanko[pkcs11]`, i.e. python-pkcs11). A backend would:

       from pyhanko.sign import pkcs11
       class Pkcs11Backend:
           def __init__(self):
               self.session = pkcs11.open_pkcs11_session(settings.SEN_PKCS11_MODULE,
                                                         token_label=settings.SEN_PKCS11_TOKEN,
                                                         user_pin=<from a secret store>)
           def signer_for(self, certificate):       # Certificate.key_ref holds the key label
               return pkcs11.PKCS11Signer(self.session, key_label=certificate.key_ref,
                                          cert_id=None, other_certs=[<CA certs>])

   Keep one session per process (logging in to a token is slow) and never put the PIN in the database.
   Not implemented here: without a token on this machine it could not be tested, and an untested
   token backend is worse than none.

3. A remote signing service (a CA's cloud signing, "ký số từ xa"): subclass `pyhanko.sign.signers.Signer`
   with the certificate (fetched from the service) as `signing_cert` and implement
   `async_sign_raw(data, digest_algorithm, dry_run=False)` by sending the digest to the service and
   returning the raw signature (for `dry_run` return a placeholder of the right length). pyHanko's
   `PdfSigner.async_digest_doc_for_signing` / `PdfTBSDocument.finish_signing` split the flow if the
   remote service answers slowly (a person confirming on a phone): keep the prepared document,
   answer the HTTP request, finish when the signature comes back.

Either way the rest of Sen (services.py: the two layers, appendices, e-results) does not change.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any, Protocol

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from sen.core.exceptions import Conflict, InvalidInput
from sen.signing.models import Certificate

DEFAULT_BACKEND = "sen.signing.signers.LocalKeyBackend"

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


class SignerBackend(Protocol):
    """What a key holder provides: a pyHanko signer for one certificate row."""

    def signer_for(self, certificate: Certificate) -> signers.Signer: ...


class CachedKeySigner(signers.SimpleSigner):
    """SimpleSigner that keeps the parsed private key: its stock `sign_raw` re-parses the DER key on
    every signature."""

    def __init__(self, *, private_key: rsa.RSAPrivateKey, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        hash_class = _HASHES.get(digest_algorithm)
        if mechanism.signature_algo == "rsassa_pkcs1v15" and hash_class is not None:
            return self._private_key.sign(data, asym_padding.PKCS1v15(), hash_class())
        return super().sign_raw(data, digest_algorithm)


def _asn1_cert(pem: str) -> asn1_x509.Certificate:
    (cert,) = list(load_certs_from_pemder_data(pem.encode("ascii")))
    return cert


class LocalKeyBackend:
    """Keys in PEM files under VAR_DIR/pki: the demo's and the tests' PKI."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._signers: dict[tuple[int, str], signers.Signer] = {}

    def signer_for(self, certificate: Certificate) -> signers.Signer:
        cache_key = (certificate.pk, certificate.key_ref)
        with self._lock:
            cached = self._signers.get(cache_key)
        if cached is not None:
            return cached
        from sen.signing import pki

        private_key = pki.load_key(certificate.key_ref)
        key_info = asn1_keys.PrivateKeyInfo.load(
            private_key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        chain = [_asn1_cert(certificate.certificate_pem)]
        issuer = certificate.issuer
        while issuer is not None:
            chain.append(_asn1_cert(issuer.certificate_pem))
            issuer = issuer.issuer if issuer.issuer_id != issuer.pk else None
        signer = CachedKeySigner(
            private_key=private_key,
            signing_cert=chain[0],
            signing_key=key_info,
            cert_registry=SimpleCertificateStore.from_certs(chain[1:]),
        )
        with self._lock:
            self._signers[cache_key] = signer
        return signer

    def forget(self) -> None:
        with self._lock:
            self._signers.clear()


_backend: SignerBackend | None = None
_backend_path: str | None = None
_backend_lock = threading.Lock()


def backend() -> SignerBackend:
    """The configured backend, one instance per process (and per value of the setting, so tests that
    override it get a fresh one)."""
    global _backend, _backend_path
    path = getattr(settings, "SEN_SIGNER_BACKEND", DEFAULT_BACKEND)
    with _backend_lock:
        if _backend is None or _backend_path != path:
            _backend = import_string(path)()
            _backend_path = path
        return _backend


def usable_certificate(certificate: Certificate | None, *, on: dt.datetime | None = None) -> Certificate:
    """Refuse to sign with a missing, revoked or expired certificate (a clear Vietnamese message)."""
    if certificate is None:
        raise Conflict(_("Chưa có chứng thư số để ký."), code="no_certificate")
    moment = on or timezone.now()
    if certificate.revoked:
        raise InvalidInput(_("Chứng thư số đã bị thu hồi, không thể dùng để ký."), code="certificate_revoked")
    if not certificate.not_before <= moment < certificate.not_after:
        raise InvalidInput(_("Chứng thư số đã hết hạn hoặc chưa có hiệu lực."), code="certificate_expired")
    return certificate


def _current(queryset: Any) -> Certificate | None:
    now = timezone.now()
    return (
        queryset.filter(revoked=False, not_before__lte=now, not_after__gt=now)
        .select_related("issuer")
        .order_by("-not_before", "-id")
        .first()
    )


def certificate_for_user(user: Any) -> Certificate | None:
    return _current(Certificate.objects.filter(kind=Certificate.Kind.PERSON, user_id=user.pk))


def certificate_for_unit(unit: Any) -> Certificate | None:
    return _current(Certificate.objects.filter(kind=Certificate.Kind.ORGANISATION, unit_id=unit.pk))


def signer_for_user(user: Any) -> signers.Signer:
    return backend().signer_for(usable_certificate(certificate_for_user(user)))


def signer_for_unit(unit: Any) -> signers.Signer:
    return backend().signer_for(usable_certificate(certificate_for_unit(unit)))
