"""Fixtures for the signing tests: a PKI under a temporary VAR_DIR, certificates for a leader and a unit,
and sample documents rendered once per session."""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import subprocess
from dataclasses import dataclass

import pytest

from sen.signing import samples, services


@functools.cache
def decision_pdf() -> bytes:
    return samples.decision_pdf()


@functools.cache
def appendix_pdf() -> bytes:
    return samples.appendix_pdf()


@pytest.fixture
def pki_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path / "pki"


@pytest.fixture
def leader_certificate(pki_dir, leader):
    return services.certificate_issue(actor=None, user=leader)


@pytest.fixture
def unit_certificate(pki_dir, unit):
    return services.certificate_issue(actor=None, unit=unit)


@pytest.fixture
def prepared() -> bytes:
    layout = samples.LAYOUT
    return services.document_prepare(
        decision_pdf(), signer_box=layout.signer_box, number_box=layout.number_box, date_box=layout.date_box
    )


NUMBER = "05/QĐ-UBND"
DATE = dt.date(2026, 2, 5)


@pytest.fixture
def signed_once(prepared, leader, leader_certificate) -> bytes:
    return services.sign_as_signer(prepared, user=leader, position_title="Giám đốc")


@pytest.fixture
def two_layer(signed_once, unit, unit_certificate, clerk) -> bytes:
    return services.sign_as_organisation(signed_once, unit=unit, number=NUMBER, date=DATE, actor=clerk)


@dataclass
class PdfsigSignature:
    field: str
    validation: str
    certificate: str


def pdfsig(tmp_path, data: bytes) -> list[PdfsigSignature]:
    """poppler's pdfsig on `data`: one entry per signature. Missing pdfsig → skip, but FAIL under CI=true."""
    if shutil.which("pdfsig") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdfsig (poppler-utils) is required under CI")
        pytest.skip("pdfsig (poppler-utils) not installed")
    path = tmp_path / "checked.pdf"
    path.write_bytes(data)
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    found = []
    for block in output.split("Signature #")[1:]:
        values = {}
        for line in block.splitlines():
            line = line.strip().lstrip("- ")
            if ":" in line:
                key, _sep, value = line.partition(":")
                values[key.strip()] = value.strip()
        found.append(
            PdfsigSignature(
                field=values.get("Signature Field Name", ""),
                validation=values.get("Signature Validation", ""),
                certificate=values.get("Certificate Validation", ""),
            )
        )
    return found


def flip_byte_in_first_stream(data: bytes) -> bytes:
    """One byte changed inside the first content stream of the original document (covered by every signature)."""
    start = data.index(b"stream", data.index(b"/Length"))
    position = start + 40
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]
