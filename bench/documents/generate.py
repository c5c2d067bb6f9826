"""Fill a dedicated PostgreSQL database with the demo province and N documents for the search benchmark.

    .venv/bin/python bench/documents/generate.py [--outgoing 1000000] [--incoming 1000000]
    .venv/bin/python bench/documents/generate.py --url postgres://postgres@127.0.0.1/sen_bench_documents
    .venv/bin/python bench/documents/generate.py --drop        # drop the benchmark database and stop

In order, each step timed:
1. drops and re-creates the database named in --url (its name must start with sen_bench; never any other);
2. `manage.py migrate` + `manage.py demo` (the demo's bodies, registers, people);
3. three fictitious leaders and a specialist for the provincial People's Committee (the demo has none there);
4. the outgoing and incoming documents, streamed with COPY: subjects and bodies composed from the real
   procedure catalogue (data/procedures: names, fields, steps, conditions) and Đồng Tháp's 102 communes
   and wards (data/admin-units); numbers and ký hiệu from Sen's own numbering rules (`symbol_for`,
   `reference_text`), per register and year with no gaps; the folded search text from Sen's own
   functions (`search_text_of`, `incoming_search_text`), so the rows are what Sen would have written;
5. the trigram indexes of migration 0002 (dropped before the COPY, re-created after it by the
   migration's own code), then VACUUM ANALYZE.

Seeded (--seed): the same arguments give the same documents.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import importlib
import json
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.dossiers.generate import admin_url, drop, fresh_demo  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1/sen_bench_documents"
TZ = dt.timezone(dt.timedelta(hours=7))
# Issuing bodies of the generated documents and their shares: the provincial People's Committee issues
# the most; the six departments and wards/communes with demo staff share the rest.
BODY_SHARES = (
    ("Ủy ban nhân dân tỉnh Đồng Tháp", 0.30),
    ("Sở Tư pháp", 0.10),
    ("Sở Tài chính", 0.10),
    ("Sở Xây dựng", 0.10),
    ("Phường Mỹ Tho", 0.10),
    ("Phường Cao Lãnh", 0.10),
    ("Phường Sa Đéc", 0.10),
    ("Xã Tháp Mười", 0.10),
)
# Fictitious people (no real person's name is meant) for the provincial People's Committee.
PROVINCE_PEOPLE = (
    ("bench.chutich@dongthap.gov.vn", "Lê Minh Khang", "leader"),
    ("bench.pct1@dongthap.gov.vn", "Huỳnh Thị Kim Liên", "leader"),
    ("bench.pct2@dongthap.gov.vn", "Trịnh Quốc Bảo", "leader"),
    ("bench.cv@dongthap.gov.vn", "Mai Thị Diễm", "specialist"),
)
TYPE_SHARES = (
    ("CV", 0.36),
    ("QĐ", 0.24),
    ("TB", 0.09),
    ("BC", 0.09),
    ("KH", 0.07),
    ("TTr", 0.05),
    ("GM", 0.05),
    ("CT", 0.02),
    ("HD", 0.02),
    ("NQ", 0.01),
)
YEARS = (2022, 2023, 2024, 2025, 2026)
NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=TZ)
START = dt.datetime(2022, 1, 3, 7, 30, tzinfo=TZ)
RECENT = dt.timedelta(days=45)  # documents younger than this may still be in the drafting flow
OPEN_STATES = (
    ("draft", 0.30),
    ("head_review", 0.15),
    ("format_check", 0.10),
    ("pending_signature", 0.15),
    ("signed", 0.05),
    ("numbered", 0.05),
    ("sealed", 0.05),
    ("issued", 0.15),
)
UNSIGNED_STATES = {"draft", "head_review", "format_check", "pending_signature"}
NUMBERED_STATES = {"numbered", "sealed", "issued", "filed", "recalled"}
SENDERS = (
    ("000.00.00.G12", "Bộ Tư pháp", "BTP"),
    ("000.00.00.G09", "Bộ Tài chính", "BTC"),
    ("000.00.00.G10", "Bộ Xây dựng", "BXD"),
    ("000.00.00.G06", "Bộ Công an", "BCA"),
    ("000.00.00.H20", "Ủy ban nhân dân tỉnh Đồng Tháp", "UBND"),
    ("000.00.01.H20", "Văn phòng Ủy ban nhân dân tỉnh Đồng Tháp", "VPUBND"),
    ("000.00.02.H20", "Sở Nội vụ tỉnh Đồng Tháp", "SNV"),
    ("000.00.05.H20", "Sở Công Thương tỉnh Đồng Tháp", "SCT"),
    ("000.00.06.H20", "Sở Nông nghiệp và Môi trường tỉnh Đồng Tháp", "SNNMT"),
    ("000.00.09.H20", "Sở Y tế tỉnh Đồng Tháp", "SYT"),
)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Thanh", "Quốc", "Ngọc", "Hoàng", "Thị Kim", "Đức")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Khánh", "Lộc", "Mỹ", "Nhân", "Phong", "Quý", "Sơn", "Tuấn")
POSITIONS = ("Chủ tịch", "Phó Chủ tịch", "Giám đốc", "Phó Giám đốc", "Chánh Văn phòng", "Trưởng phòng")


def vocabulary() -> dict[str, list[str]]:
    """Real names, fields, steps and conditions of procedures, and Đồng Tháp's communes and wards."""
    names, fields, steps, conditions = [], set(), [], []
    with gzip.open(ROOT / "data/procedures/dvcqg_tthc_province_commune_2026-07.jsonl.gz", "rt") as lines:
        for line in lines:
            record = json.loads(line)
            names.append(record["ten_thu_tuc"].strip())
            if record.get("linh_vuc"):
                fields.add(record["linh_vuc"].strip())
            for step in (record.get("trinh_tu_thuc_hien") or "").split("\n"):
                if 40 <= len(step.strip()) <= 400:
                    steps.append(step.strip())
            condition = (record.get("yeu_cau_dieu_kien") or "").strip()
            if 40 <= len(condition) <= 400:
                conditions.append(condition)
    with open(ROOT / "data/admin-units/dong_thap_2025_communes_wards.csv", encoding="utf-8") as handle:
        communes = [row["ward_full_name"] for row in csv.DictReader(handle)]
    return {
        "names": names,
        "fields": sorted(fields),
        "steps": steps,
        "conditions": conditions,
        "communes": communes,
    }


class Composer:
    """Subjects and bodies in the register of provincial documents, from the real catalogue."""

    def __init__(self, words: dict[str, list[str]], rng: random.Random) -> None:
        self.words = words
        self.rng = rng

    def pick(self, kind: str) -> str:
        return self.rng.choice(self.words[kind])

    def person(self) -> str:
        rng = self.rng
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"

    def subject(self, doc_type: str, body_name: str, year: int) -> str:
        rng, name, commune, field = self.rng, self.pick("names"), self.pick("communes"), self.pick("fields")
        quarter = rng.randint(1, 4)
        templates = {
            "CV": (
                f"V/v hướng dẫn thực hiện thủ tục {name}",
                f"V/v đề nghị {commune} báo cáo tình hình giải quyết hồ sơ lĩnh vực {field}",
                f"V/v góp ý dự thảo quy trình nội bộ thủ tục {name}",
                f"V/v chấn chỉnh việc tiếp nhận hồ sơ trực tuyến tại {commune}",
            ),
            "QĐ": (
                f"Quyết định công bố danh mục thủ tục hành chính lĩnh vực {field} thuộc thẩm quyền của {body_name}",
                f"Quyết định phê duyệt quy trình nội bộ giải quyết thủ tục {name}",
                f"Quyết định thành lập Tổ công tác kiểm tra công vụ tại {commune} năm {year}",
            ),
            "TB": (
                f"Thông báo kết luận của lãnh đạo tại buổi làm việc với {commune}",
                f"Thông báo lịch tiếp công dân quý {quarter} năm {year}",
            ),
            "BC": (
                f"Báo cáo kết quả giải quyết thủ tục hành chính quý {quarter} năm {year}",
                f"Báo cáo tình hình thực hiện lĩnh vực {field} trên địa bàn {commune}",
            ),
            "KH": (
                f"Kế hoạch triển khai thực hiện thủ tục {name} trực tuyến toàn trình năm {year}",
                f"Kế hoạch kiểm tra việc giải quyết thủ tục hành chính tại {commune}",
            ),
            "TTr": (f"Tờ trình đề nghị phê duyệt phương án đơn giản hóa thủ tục {name}",),
            "GM": (f"Giấy mời dự hội nghị tập huấn lĩnh vực {field} tại {commune}",),
            "CT": (f"Chỉ thị về tăng cường kỷ luật, kỷ cương trong giải quyết thủ tục hành chính năm {year}",),
            "HD": (f"Hướng dẫn thực hiện thủ tục {name}",),
            "NQ": (f"Nghị quyết về nhiệm vụ phát triển kinh tế - xã hội của {commune} năm {year}",),
        }
        return rng.choice(templates[doc_type])[:500]

    def body(self, body_name: str) -> str:
        rng = self.rng
        sentences = [
            f"Căn cứ chức năng, nhiệm vụ của {body_name};",
            f"Xét đề nghị của Ủy ban nhân dân {self.pick('communes')} và các cơ quan liên quan;",
        ]
        for _ in range(rng.randint(1, 3)):
            sentences.append(self.pick("steps"))
        if rng.random() < 0.6:
            sentences.append(f"Điều kiện thực hiện: {self.pick('conditions')}")
        sentences.append(f"Giao {self.pick('communes')} chủ trì, phối hợp thực hiện và báo cáo kết quả.")
        return "\n".join(sentences)


def weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    point, total = rng.random(), 0.0
    for value, share in pairs:
        total += share
        if point < total:
            return value
    return pairs[-1][0]


def moments(rng: random.Random, count: int) -> list[dt.datetime]:
    """`count` office-hour moments between START and NOW, in order (ids grow with time, as in Sen)."""
    span = (NOW - START).total_seconds()
    return sorted(START + dt.timedelta(seconds=rng.random() * span) for _ in range(count))


def copy_rows(url: str, table: str, columns: list[str], rows: Iterator[tuple[Any, ...]], label: str) -> int:
    import psycopg

    written = 0
    started = time.monotonic()
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
                if written % 100_000 == 0:
                    print(f"  {label} {written:>9,}: {time.monotonic() - started:.1f} s", flush=True)
        conn.commit()
    return written


OUTGOING_COLUMNS = [
    "organisation_id", "drafting_unit_id", "drafter_id", "doc_type", "subject", "body", "urgency",
    "confidentiality", "signer_id", "signer_position", "signer_authority", "reviewer_id", "state", "copies",
    "register_id", "year", "number", "symbol", "reference", "issued_on", "signed_at", "numbered_at", "sealed_at",
    "issued_at", "filed_at", "recalled_at", "signed_in_software", "search_text", "created_at", "updated_at",
]  # fmt: skip
INCOMING_COLUMNS = [
    "source", "sender_organ_id", "sender_name", "reference", "issued_on", "doc_type", "doc_type_name", "subject",
    "content", "urgency", "confidentiality", "signer_name", "signer_position", "state", "arrived_at", "year",
    "incoming_number", "accepted_at", "refuse_reason", "verification", "problems", "directed_at",
    "directed_in_software", "deadline", "instruction", "done_at", "done_note", "search_text", "created_at",
    "updated_at", "accepted_by_id", "directed_by_id", "done_by_id", "handler_id", "lead_unit_id", "organisation_id",
    "register_id",
]  # fmt: skip


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.dossiers.settings")
    import django

    django.setup()


def staff_of_bodies() -> dict[int, dict[str, list[Any]]]:
    """Per issuing body, its leaders, specialists and clerks (demo people, plus the bench's own)."""
    from sen.core.models import OrgUnit
    from sen.identity.models import Role, RoleGrant, User

    province = OrgUnit.objects.get(name=BODY_SHARES[0][0])
    for username, full_name, role in PROVINCE_PEOPLE:
        user, _ = User.objects.get_or_create(
            username=username, defaults={"full_name": full_name, "kind": User.Kind.STAFF, "email": username}
        )
        user.set_unusable_password()
        user.save()
        RoleGrant.objects.get_or_create(
            user=user, unit=province, role=Role.objects.get(code=role), defaults={"valid_from": START.date()}
        )
    people: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for grant in RoleGrant.objects.select_related("user", "unit", "role").filter(
        role__code__in=["leader", "specialist", "clerk"]
    ):
        body = grant.unit if grant.unit.name in dict(BODY_SHARES) else grant.unit.parent
        if body is not None and body.name in dict(BODY_SHARES):
            people[body.pk][grant.role.code].append(grant.user)
    return people


def register_counters() -> defaultdict[tuple[int, int], int]:
    """The last number each register handed out per year (the demo's own documents come first)."""
    from sen.documents.models import RegisterCounter

    counters: defaultdict[tuple[int, int], int] = defaultdict(int)
    for counter in RegisterCounter.objects.all():
        counters[(counter.register_id, counter.year)] = counter.last
    return counters


# After the COPY, so that the next number Sen hands out follows the generated ones.
COUNTERS_SQL = """
INSERT INTO documents_registercounter (register_id, year, last)
SELECT register_id, year, max(number) FROM (
  SELECT register_id, year, number FROM documents_outgoingdocument WHERE number IS NOT NULL
  UNION ALL
  SELECT register_id, year, incoming_number FROM documents_incomingdocument WHERE incoming_number IS NOT NULL
) numbered GROUP BY register_id, year
ON CONFLICT (register_id, year) DO UPDATE SET last = EXCLUDED.last
"""


def outgoing_rows(count: int, rng: random.Random, composer: Composer) -> Iterator[tuple[Any, ...]]:
    from sen.core.models import OrgUnit
    from sen.documents.choices import DocumentType
    from sen.documents.models import OutgoingDocument, Register
    from sen.documents.numbering import reference_text, symbol_for
    from sen.documents.services import search_text_of

    assert set(DocumentType.values) >= {t for t, _ in TYPE_SHARES}, "a type Sen does not know"
    bodies = {unit.name: unit for unit in OrgUnit.objects.filter(name__in=dict(BODY_SHARES))}
    people = staff_of_bodies()
    registers = {(r.body_id, r.is_secret): r.pk for r in Register.objects.filter(direction="out", active=True)}
    children = defaultdict(list)
    for unit in OrgUnit.objects.filter(parent__in=bodies.values()):
        children[unit.parent_id].append(unit)
    body_pairs = tuple((name, share) for name, share in BODY_SHARES)
    symbols: dict[tuple[str, int, int], str] = {}
    counters = register_counters()
    for created in moments(rng, count):
        body = bodies[weighted(rng, body_pairs)]
        crew = people[body.pk]
        drafting = rng.choice(children[body.pk]) if children[body.pk] and rng.random() < 0.7 else body
        doc_type = weighted(rng, TYPE_SHARES)
        secret = rng.random() < 0.03
        recent = NOW - created < RECENT
        state = weighted(rng, OPEN_STATES) if recent else ("filed" if rng.random() < 0.6 else "issued")
        if not recent and rng.random() < 0.005:
            state = "recalled"
        signer = rng.choice(crew["leader"])
        drafter = rng.choice(crew["specialist"] or crew["leader"])
        register = number = year = None
        symbol = reference = ""
        if state in NUMBERED_STATES:
            key = (doc_type, body.pk, drafting.pk)
            if key not in symbols:
                symbols[key] = symbol_for(doc_type, body=body, drafting_unit=drafting)
            symbol = symbols[key]
            register = registers[(body.pk, secret)]
            year = created.year
            counters[(register, year)] += 1
            number = counters[(register, year)]
            reference = reference_text(number, symbol)
        signed = created + dt.timedelta(hours=rng.uniform(2, 60)) if state not in UNSIGNED_STATES else None
        numbered = signed + dt.timedelta(minutes=rng.uniform(5, 240)) if signed and number else None
        sealed = numbered + dt.timedelta(minutes=rng.uniform(1, 30)) if numbered and state != "numbered" else None
        issued = sealed + dt.timedelta(minutes=rng.uniform(1, 30)) if sealed and state != "sealed" else None
        filed = issued + dt.timedelta(days=rng.uniform(1, 30)) if issued and state == "filed" else None
        recalled = issued + dt.timedelta(days=rng.uniform(1, 10)) if issued and state == "recalled" else None
        position = rng.choice(POSITIONS)
        document = OutgoingDocument(
            reference=reference,
            doc_type=doc_type,
            subject=composer.subject(doc_type, body.name, created.year),
            body=composer.body(body.name),
            signer_position=position,
            signer=signer,
        )
        text = search_text_of(document)
        yield (
            body.pk, drafting.pk, drafter.pk, doc_type, document.subject, document.body,
            "T" if rng.random() < 0.9 else "K", "secret" if secret else "normal", signer.pk, position,
            "TM. " + body.name if rng.random() < 0.5 else "", signer.pk if rng.random() < 0.5 else None, state,
            rng.randint(1, 20), register, year, number, symbol, reference,
            issued.astimezone(TZ).date() if issued else None, signed, numbered, sealed, issued, filed, recalled,
            True, text, created, recalled or filed or issued or created,
        )  # fmt: skip


def incoming_rows(count: int, rng: random.Random, composer: Composer) -> Iterator[tuple[Any, ...]]:
    from sen.core.models import OrgUnit
    from sen.documents.choices import DocumentType
    from sen.documents.models import IncomingDocument, Register
    from sen.documents.services_incoming import incoming_search_text

    bodies = {unit.name: unit for unit in OrgUnit.objects.filter(name__in=dict(BODY_SHARES))}
    people = staff_of_bodies()
    registers = {(r.body_id, r.is_secret): r.pk for r in Register.objects.filter(direction="in", active=True)}
    body_pairs = tuple((name, share) for name, share in BODY_SHARES)
    counters = register_counters()
    sender_numbers: dict[tuple[str, str, int], int] = defaultdict(int)
    labels = dict(DocumentType.choices)
    for arrived in moments(rng, count):
        body = bodies[weighted(rng, body_pairs)]
        crew = people[body.pk]
        organ, sender, abbreviation = rng.choice(SENDERS)
        doc_type = weighted(rng, TYPE_SHARES)
        secret = rng.random() < 0.03
        recent = NOW - arrived < RECENT
        state = rng.choice(("01", "03", "04", "05", "06")) if recent else ("06" if rng.random() < 0.97 else "02")
        sender_numbers[(organ, doc_type, arrived.year)] += 1
        sent_number = sender_numbers[(organ, doc_type, arrived.year)]
        symbol = abbreviation if doc_type == "CV" else f"{doc_type}-{abbreviation}"
        register = number = year = None
        accepted = directed = done = None
        if state != "01" and state != "02":
            register, year = registers[(body.pk, secret)], arrived.year
            counters[(register, year)] += 1
            number = counters[(register, year)]
            accepted = arrived + dt.timedelta(minutes=rng.uniform(5, 600))
        if state in ("05", "06"):
            directed = (accepted or arrived) + dt.timedelta(hours=rng.uniform(1, 48))
        if state == "06":
            done = (directed or arrived) + dt.timedelta(days=rng.uniform(1, 15))
        leader, handler = rng.choice(crew["leader"]), rng.choice(crew["specialist"] or crew["leader"])
        clerk = rng.choice(crew["clerk"] or crew["leader"])
        document = IncomingDocument(
            reference=f"{sent_number:02d}/{symbol}",
            sender_name=sender,
            doc_type_name=labels[doc_type],
            subject=composer.subject(doc_type, sender, arrived.year),
            content=composer.body(sender),
            signer_name=composer.person(),
        )
        yield (
            "edxml" if rng.random() < 0.7 else "paper", organ, sender, document.reference,
            (arrived - dt.timedelta(days=rng.randint(0, 3))).date(), doc_type, document.doc_type_name,
            document.subject, document.content, "T", "secret" if secret else "normal", document.signer_name,
            rng.choice(POSITIONS), state, arrived, year, number, accepted, "", "{}", "[]", directed,
            directed is not None, (directed + dt.timedelta(days=10)).date() if directed else None,
            "Giao chủ trì xử lý." if directed else "", done, "Đã xử lý xong." if done else "",
            incoming_search_text(document), arrived, done or directed or accepted or arrived,
            clerk.pk if accepted else None, leader.pk if directed else None, handler.pk if done else None,
            handler.pk if directed else None, body.pk if directed else None, body.pk, register,
        )  # fmt: skip


def trigram_indexes(create: bool) -> None:
    """Drop the trigram indexes for the COPY, or re-create them with migration 0002's own code."""
    from django.db import connection

    migration = importlib.import_module("sen.documents.migrations.0002_search_trigram_indexes_postgresql")
    with connection.schema_editor() as editor:
        if create:
            editor.execute("SET maintenance_work_mem = '1GB'")
            migration.forwards(None, editor)
        else:
            migration.backwards(None, editor)


def generate(url: str, outgoing: int, incoming: int, seed: int) -> None:
    started = fresh_demo(url)
    setup_django(url)
    from django.db import connection

    rng = random.Random(seed)
    composer = Composer(vocabulary(), rng)
    trigram_indexes(create=False)
    connection.close()  # the COPY runs on its own connection
    step = time.monotonic()
    copy_rows(url, "documents_outgoingdocument", OUTGOING_COLUMNS, outgoing_rows(outgoing, rng, composer), "outgoing")
    print(f"outgoing documents: {time.monotonic() - step:.1f} s", flush=True)
    step = time.monotonic()
    copy_rows(url, "documents_incomingdocument", INCOMING_COLUMNS, incoming_rows(incoming, rng, composer), "incoming")
    print(f"incoming documents: {time.monotonic() - step:.1f} s", flush=True)
    step = time.monotonic()
    trigram_indexes(create=True)
    print(f"trigram indexes: {time.monotonic() - step:.1f} s", flush=True)
    step = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(COUNTERS_SQL)
        cursor.execute("VACUUM ANALYZE documents_outgoingdocument")
        cursor.execute("VACUUM ANALYZE documents_incomingdocument")
        print(f"VACUUM ANALYZE: {time.monotonic() - step:.1f} s", flush=True)
        cursor.execute("SELECT state, count(*) FROM documents_outgoingdocument GROUP BY state ORDER BY 2 DESC")
        print("outgoing by state: " + ", ".join(f"{state}: {n:,}" for state, n in cursor.fetchall()))
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('documents_outgoingdocument')),"
            " pg_size_pretty(pg_relation_size('documents_outgoing_search_trgm')),"
            " pg_size_pretty(pg_database_size(current_database()))"
        )
        table, index, database = cursor.fetchone()
        print(f"outgoing table with indexes {table} (trigram index {index}); database {database}")
    print(f"generation took {time.monotonic() - started:.1f} s in all", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=os.environ.get("SEN_BENCH_DOCUMENTS_URL", DEFAULT_URL))
    parser.add_argument("--outgoing", type=int, default=1_000_000)
    parser.add_argument("--incoming", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--drop", action="store_true", help="drop the benchmark database and stop")
    args = parser.parse_args()
    if args.drop:
        drop(args.url)
        return
    admin_url(args.url)  # refuses a name that does not start with sen_bench, before touching anything
    generate(args.url, args.outgoing, args.incoming, args.seed)


if __name__ == "__main__":
    main()
