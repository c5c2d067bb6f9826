"""Benchmark: two-layer signing and validation per second in ONE process, Sen's way beside stock pyHanko.

    .venv/bin/python bench/signing/run.py [--documents 40]

Runs against a throw-away SQLite database and PKI in a temporary directory (migrations applied first).

Sen's way (sen.signing.services): document_prepare → sign_as_signer → sign_as_organisation, which also
re-validates layer 1 (integrity, trust, modification analysis) before applying layer 2 and writes an
audit event per signature. Key parsed once per process, Vietnamese font pre-subset once, bytes_reserved
given (no dry-run signature).

Stock pyHanko: the same fields, stamps (same images) and number/date filling, but with pyHanko's
defaults: `SimpleSigner.load()` from the PEM files for every signature (and SimpleSigner re-parses the
key inside every signature), the full Noto Serif given to `GlyphAccumulatorFactory` (subset per
signature), and no `bytes_reserved` (pyHanko makes a dry-run signature to size the container). It does
NOT re-validate layer 1 nor write audit events — less work than Sen's path.

Validation: sen.signing.validation.pdf_validate on the two-layer document (both signatures, trust and
modification analysis) beside pyHanko's validate_pdf_signature per signature with a fresh
ValidationContext (what a stock caller writes).
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def setup_django(workdir: Path) -> None:
    import logging

    logging.disable(logging.INFO)  # fontTools and WeasyPrint log every step at INFO
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["SEN_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def summary(label: str, seconds: list[float]) -> dict[str, float]:
    median = statistics.median(seconds)
    return {
        "label": label,
        "n": len(seconds),
        "median_ms": median * 1000,
        "p90_ms": sorted(seconds)[int(len(seconds) * 0.9) - 1] * 1000,
        "per_s_median": 1 / median,
        "per_s_total": len(seconds) / sum(seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=40)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="sen-bench-signing-"))
    setup_django(workdir)

    import datetime as dt

    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.form_tools import populate_static_text_field
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.sign.validation import validate_pdf_signature

    from sen.identity.tests.factories import OrgUnitFactory, StaffFactory
    from sen.signing import pdfdoc, samples, services, stamps, validation

    unit = OrgUnitFactory(code="H15", name="Ủy ban nhân dân tỉnh Đồng Tháp")
    leader = StaffFactory(full_name="Nguyễn Văn Lãnh Đạo", unit=unit, position="Chủ tịch", roles=["leader"])
    leader_cert = services.certificate_issue(actor=None, user=leader)
    unit_cert = services.certificate_issue(actor=None, unit=unit)
    layout = samples.LAYOUT
    original = samples.decision_pdf()
    number, date = "05/QĐ-UBND", dt.date(2026, 2, 5)

    # --- Sen's way -------------------------------------------------------------------------------
    def sen_two_layer() -> bytes:
        prepared = services.document_prepare(
            original, signer_box=layout.signer_box, number_box=layout.number_box, date_box=layout.date_box
        )
        once = services.sign_as_signer(prepared, user=leader, position_title="Chủ tịch")
        return services.sign_as_organisation(once, unit=unit, number=number, date=date)

    # --- Stock pyHanko ---------------------------------------------------------------------------
    files = workdir / "stock"
    files.mkdir()
    (files / "ca.pem").write_text(leader_cert.issuer.certificate_pem)
    (files / "leader.pem").write_text(leader_cert.certificate_pem)
    (files / "unit.pem").write_text(unit_cert.certificate_pem)
    signature_image = stamps.signature_png(leader.full_name)
    seal_image = stamps.seal_png(unit.name)

    def stock_signer(cert_file: str, key_file: str) -> signers.Signer:
        return signers.SimpleSigner.load(key_file, cert_file, ca_chain_files=[str(files / "ca.pem")])

    def stock_sign(writer, field_name: str, signer, style) -> bytes:
        meta = signers.PdfSignatureMetadata(
            field_name=field_name, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
        )
        out = io.BytesIO()
        signers.PdfSigner(meta, signer, stamp_style=style).sign_pdf(writer, existing_fields_only=True, output=out)
        return out.getvalue()

    def image_style(png: bytes):
        from PIL import Image
        from pyhanko.pdf_utils.images import PdfImage
        from pyhanko.stamp import StaticStampStyle

        return StaticStampStyle(
            background=PdfImage(Image.open(io.BytesIO(png))), background_opacity=1.0, border_width=0
        )

    def stock_two_layer() -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(original))
        pdfdoc.add_signature_field(writer, pdfdoc.SIGNER_FIELD, page=-1, box=layout.signer_box)
        pdfdoc.add_signature_field(writer, pdfdoc.ORG_FIELD, page=-1, box=services.default_seal_box(layout.signer_box))
        pdfdoc.add_text_field(writer, pdfdoc.NUMBER_FIELD, page=0, box=layout.number_box)
        pdfdoc.add_text_field(writer, pdfdoc.DATE_FIELD, page=0, box=layout.date_box)
        buffer = io.BytesIO()
        writer.write(buffer)
        once = stock_sign(
            IncrementalPdfFileWriter(io.BytesIO(buffer.getvalue())),
            pdfdoc.SIGNER_FIELD,
            stock_signer(str(files / "leader.pem"), leader_cert.key_ref),
            image_style(signature_image),
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(once))
        populate_static_text_field(
            writer,
            pdfdoc.NUMBER_FIELD,
            TextBoxStyle(font=GlyphAccumulatorFactory(str(stamps.SERIF), font_size=13), font_size=13),
            number,
        )
        populate_static_text_field(
            writer,
            pdfdoc.DATE_FIELD,
            TextBoxStyle(font=GlyphAccumulatorFactory(str(stamps.SERIF_ITALIC), font_size=13), font_size=13),
            services.vietnamese_date_line(date, "Đồng Tháp"),
        )
        return stock_sign(
            writer,
            pdfdoc.ORG_FIELD,
            stock_signer(str(files / "unit.pem"), unit_cert.key_ref),
            image_style(seal_image),
        )

    def stock_validate(data: bytes) -> bool:
        context = validation.validation_context()
        reader = PdfFileReader(io.BytesIO(data))
        return all(
            validate_pdf_signature(sig, signer_validation_context=context).bottom_line
            for sig in reader.embedded_signatures
        )

    # Warm-up (first use loads keys, fonts, images; also imports) — not measured.
    sample_sen = sen_two_layer()
    sample_stock = stock_two_layer()
    assert validation.pdf_validate(sample_sen).ok
    assert validation.pdf_validate(sample_stock).ok, validation.pdf_validate(sample_stock).as_dict()

    n = args.documents
    results = []
    # Interleave the two so machine noise hits both alike.
    sen_times, stock_times = [], []
    for _ in range(n):
        sen_times.append(timed(sen_two_layer)[0])
        stock_times.append(timed(stock_two_layer)[0])
    results.append(summary("two-layer signing, Sen (prepare + layer 1 + layer-1 check + layer 2)", sen_times))
    results.append(summary("two-layer signing, stock pyHanko (prepare + layer 1 + layer 2)", stock_times))

    # Parts of Sen's path.
    prepared = services.document_prepare(
        original, signer_box=layout.signer_box, number_box=layout.number_box, date_box=layout.date_box
    )
    once = services.sign_as_signer(prepared, user=leader, position_title="Chủ tịch")
    parts = {
        "  Sen: document_prepare": lambda: services.document_prepare(
            original, signer_box=layout.signer_box, number_box=layout.number_box, date_box=layout.date_box
        ),
        "  Sen: sign_as_signer": lambda: services.sign_as_signer(prepared, user=leader, position_title="Chủ tịch"),
        "  Sen: sign_as_organisation (incl. layer-1 check)": lambda: services.sign_as_organisation(
            once, unit=unit, number=number, date=date
        ),
    }
    for label, function in parts.items():
        results.append(summary(label, [timed(function)[0] for _ in range(n)]))

    sen_validate, stock_validation = [], []
    for _ in range(n):
        sen_validate.append(timed(validation.pdf_validate, sample_sen)[0])
        stock_validation.append(timed(stock_validate, sample_stock)[0])
    results.append(summary("validation of a two-layer document, Sen pdf_validate", sen_validate))
    results.append(summary("validation of a two-layer document, stock validate_pdf_signature", stock_validation))

    print(f"# {platform.node()} — {os.cpu_count()} CPUs, Python {platform.python_version()}, {n} documents each")
    print(f"{'measure':72} {'median ms':>10} {'p90 ms':>8} {'/s (median)':>12} {'/s (total)':>11}")
    for row in results:
        print(
            f"{row['label']:72} {row['median_ms']:10.1f} {row['p90_ms']:8.1f} "
            f"{row['per_s_median']:12.1f} {row['per_s_total']:11.1f}"
        )
    sen_rate = results[0]["per_s_total"]
    stock_rate = results[1]["per_s_total"]
    ratio = sen_rate / stock_rate
    print(f"\nSigning: Sen {sen_rate:.1f} two-layer documents/s vs stock {stock_rate:.1f}/s — ×{ratio:.1f}")
    print(f"Validation: Sen {results[-2]['per_s_total']:.1f} documents/s vs stock {results[-1]['per_s_total']:.1f}/s")
    print(f"Document sizes: Sen {len(sample_sen)} bytes, stock {len(sample_stock)} bytes")


if __name__ == "__main__":
    main()
