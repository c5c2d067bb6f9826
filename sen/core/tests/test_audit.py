"""The audit trail: per-object hash chains, signed checkpoints, and `manage.py audit_verify` catching
rows altered, deleted or inserted directly in the database (raw SQL, as an intruder would)."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.utils import translation

from sen.core import audit, request_context
from sen.core.models import AuditChain, AuditCheckpoint, AuditEvent, OrgUnit, UnitKind
from sen.identity.models import User

EVENT = AuditEvent._meta.db_table
CHAIN = AuditChain._meta.db_table
CHECKPOINT = AuditCheckpoint._meta.db_table


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def sql(statement: str, params: list | tuple = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def json_param(value: object) -> str:
    return json.dumps(value)


def set_after(event_id: int, value: object) -> None:
    # jsonb on PostgreSQL needs the cast; SQLite keeps JSON as text.
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    sql(f'UPDATE {EVENT} SET "after" = {cast} WHERE id = %s', [json_param(value), event_id])


def chain(key: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(chain_key=key).order_by("seq"))


@pytest.fixture
def staff_member(db):
    return User.objects.create_user(
        username="an.nv@dongthap.gov.vn", password="x", kind=User.Kind.STAFF, full_name="Nguyễn Văn An"
    )


@pytest.fixture
def commune(db):
    kind = UnitKind.objects.create(code="xa", name="Xã")
    return OrgUnit.objects.create(code="H15.50.05.13", name="Xã Mỹ An", kind=kind)


@pytest.fixture
def trail(staff_member, commune):
    """Three objects written in interleaved order: a commune and two dossiers-to-be."""
    for step in range(1, 4):
        audit.record(actor=staff_member, action="core.unit.rename", obj=commune, after={"name": f"Xã Mỹ An {step}"})
        audit.record(
            actor=staff_member, action="test.thing.edit", object_type="test.thing", object_id="a", after={"n": step}
        )
        audit.record(actor=None, action="test.thing.edit", object_type="test.thing", object_id="b", after={"n": step})
    return {"unit": f"core.orgunit:{commune.pk}", "a": "test.thing:a", "b": "test.thing:b"}


# --- Recording --------------------------------------------------------------------------
def test_each_object_has_its_own_contiguous_chain(trail, staff_member, commune):
    for key in trail.values():
        events = chain(key)
        assert [e.seq for e in events] == [1, 2, 3]
        assert events[0].prev_hash == audit.GENESIS_HASH
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
        head = AuditChain.objects.get(key=key)
        assert (head.last_seq, head.last_hash) == (3, events[-1].hash)

    first = chain(trail["unit"])[0]
    assert (first.actor, first.actor_label, first.object_type, first.object_id) == (
        staff_member,
        "an.nv@dongthap.gov.vn",
        "core.orgunit",
        str(commune.pk),
    )
    assert chain(trail["b"])[0].actor_label == "system"


def test_record_captures_the_request_context(db, commune):
    context = request_context.RequestContext(request_id="req-42", ip="203.0.113.7", user_agent="Mozilla/5.0 (Sen)")
    token = request_context.set_current(context)
    try:
        event = audit.record(actor=None, action="core.unit.rename", obj=commune, acting_unit=commune, before={"a": 1})
    finally:
        request_context.reset(token)
    outside = audit.record(actor=None, action="core.unit.rename", obj=commune)

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.request_id, stored.ip, stored.user_agent) == ("req-42", "203.0.113.7", "Mozilla/5.0 (Sen)")
    assert stored.acting_unit == commune
    assert (outside.request_id, outside.ip, outside.user_agent) == ("", "", "")


def test_middleware_gives_every_response_a_request_id(db, client):
    given = client.get("/healthz")
    kept = client.get("/healthz", headers={"X-Request-ID": "proxy-7f3a"})

    assert given.status_code == kept.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", given["X-Request-ID"])
    assert kept["X-Request-ID"] == "proxy-7f3a"
    assert request_context.current() == request_context.RequestContext()  # reset after the request


def test_values_are_stored_as_they_are_hashed(db):
    """Dates, decimals, UUIDs, big and negative-zero floats come back from the database (jsonb on
    PostgreSQL) exactly as they were hashed."""
    after = {
        "when": dt.datetime(2026, 2, 16, 8, 30, tzinfo=dt.UTC),
        "day": dt.date(2026, 2, 16),
        "fee": decimal.Decimal("50000.50"),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "big": 1e20,
        "zero": -0.0,
        "ratio": 0.1,
        "tiny": 2.5e-10,
        "nested": [{"x": 1.5e17}, "Đồng Tháp"],
    }
    audit.record(actor=None, action="test.values", object_type="test.values", object_id="1", after=after)

    assert audit.verify().ok


def test_record_refuses_an_event_without_an_object(db):
    with pytest.raises(ValueError):
        audit.record(actor=None, action="test.nothing")


# --- Verifying an intact trail -------------------------------------------------------------
def test_an_intact_trail_verifies(trail):
    audit.checkpoint_create()
    audit.record(actor=None, action="test.thing.edit", object_type="test.thing", object_id="a", after={"n": 4})

    result = audit.verify(all_checkpoints=True)

    assert result.ok, [p.describe() for p in result.problems]
    assert (result.events_checked, result.chains_checked, result.checkpoints_checked) == (10, 3, 1)


def test_an_empty_trail_verifies_and_can_be_checkpointed(db):
    checkpoint = audit.checkpoint_create()

    result = audit.verify()

    assert result.ok
    assert (checkpoint.chain_count, checkpoint.last_event_id) == (0, 0)


# --- Tampering with events ------------------------------------------------------------------
def test_an_altered_after_is_named(trail):
    victim = chain(trail["a"])[1]
    set_after(victim.pk, {"n": 999})

    result = audit.verify()

    assert not result.ok
    assert result.problem_count == 1
    assert (result.first.kind, result.first.event_id, result.first.chain_key, result.first.seq) == (
        "hash",
        victim.pk,
        trail["a"],
        2,
    )


def test_an_altered_occurred_at_is_named(trail):
    victim = chain(trail["unit"])[0]
    sql(f"UPDATE {EVENT} SET occurred_at = %s WHERE id = %s", [victim.occurred_at - dt.timedelta(days=1), victim.pk])

    result = audit.verify()

    assert (result.first.kind, result.first.event_id) == ("hash", victim.pk)


def test_an_event_rehashed_after_editing_breaks_the_next_link(trail):
    """An intruder who recomputes the edited event's hash still breaks the next event's prev_hash."""
    victim, following = chain(trail["a"])[:2]
    victim.after = {"n": 999}
    sql(f'UPDATE {EVENT} SET "hash" = %s WHERE id = %s', [audit.event_digest(victim), victim.pk])
    set_after(victim.pk, {"n": 999})

    result = audit.verify()

    assert (result.first.kind, result.first.event_id, result.first.seq) == ("prev_hash", following.pk, 2)


def test_a_deleted_middle_event_is_named(trail):
    middle, following = chain(trail["b"])[1:]
    sql(f"DELETE FROM {EVENT} WHERE id = %s", [middle.pk])

    result = audit.verify()

    assert (result.first.kind, result.first.event_id, result.first.chain_key, result.first.seq) == (
        "seq",
        following.pk,
        trail["b"],
        3,
    )


def test_a_deleted_first_event_is_named(trail):
    first, second = chain(trail["b"])[:2]
    sql(f"DELETE FROM {EVENT} WHERE id = %s", [first.pk])

    result = audit.verify()

    assert (result.first.kind, result.first.event_id) == ("seq", second.pk)


def test_a_deleted_last_event_shows_against_the_chain_head(trail):
    last = chain(trail["a"])[-1]
    sql(f"DELETE FROM {EVENT} WHERE id = %s", [last.pk])

    result = audit.verify()

    assert (result.first.kind, result.first.chain_key, result.first.seq) == ("head", trail["a"], 3)


def test_a_deleted_last_event_with_its_head_put_back_shows_against_the_checkpoint(trail):
    """The chain alone cannot show it: the intruder deleted the newest event and rewound the head."""
    checkpoint = audit.checkpoint_create()
    *kept, last = chain(trail["a"])
    sql(f"DELETE FROM {EVENT} WHERE id = %s", [last.pk])
    sql(f"UPDATE {CHAIN} SET last_seq = %s, last_hash = %s WHERE key = %s", [2, kept[-1].hash, trail["a"]])

    result = audit.verify()

    # No event is left to name: the problem names the checkpoint that no longer matches.
    assert [(p.kind, p.checkpoint_id) for p in result.problems] == [("checkpoint_heads", checkpoint.pk)]


def test_a_whole_chain_deleted_shows_against_the_checkpoint(trail):
    audit.checkpoint_create()
    sql(f"DELETE FROM {EVENT} WHERE chain_key = %s", [trail["b"]])
    sql(f"DELETE FROM {CHAIN} WHERE key = %s", [trail["b"]])

    result = audit.verify()

    assert [p.kind for p in result.problems] == ["checkpoint_heads"]


def test_a_whole_chain_deleted_but_its_head_shows(trail):
    sql(f"DELETE FROM {EVENT} WHERE chain_key = %s", [trail["b"]])

    result = audit.verify()

    assert (result.first.kind, result.first.chain_key, result.first.seq) == ("chain_missing", trail["b"], 3)


def forge(key: str, seq: int, prev_hash: str, **fields) -> AuditEvent:
    """An event inserted straight into the table, hashed the way record() would."""
    object_type, object_id = key.rsplit(":", 1)
    event = AuditEvent(
        chain_key=key,
        seq=seq,
        prev_hash=prev_hash,
        occurred_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        actor_label="system",
        action="test.forged",
        object_type=object_type,
        object_id=object_id,
        **fields,
    )
    event.hash = audit.event_digest(event)
    event.save(force_insert=True)
    return event


def test_an_inserted_event_with_a_made_up_hash_is_named(trail):
    last = chain(trail["a"])[-1]
    forged = forge(trail["a"], 4, last.hash)
    sql(f'UPDATE {EVENT} SET "hash" = %s WHERE id = %s', ["f" * 64, forged.pk])

    result = audit.verify()

    assert (result.first.kind, result.first.event_id) == ("hash", forged.pk)


def test_an_inserted_well_hashed_event_shows_against_the_chain_head(trail):
    forged = forge(trail["a"], 4, chain(trail["a"])[-1].hash)

    result = audit.verify()

    assert (result.first.kind, result.first.event_id, result.first.seq) == ("head", forged.pk, 4)


def test_an_inserted_chain_without_a_head_is_named(trail):
    forged = forge("test.thing:z", 1, audit.GENESIS_HASH)

    result = audit.verify()

    assert (result.first.kind, result.first.event_id, result.first.chain_key) == (
        "head_missing",
        forged.pk,
        "test.thing:z",
    )


def test_an_inserted_chain_with_a_head_before_the_checkpoint_shows_against_it(trail):
    """A complete fake chain (events and head) slipped under the checkpoint's last event id."""
    audit.checkpoint_create()
    forged = forge("test.thing:z", 1, audit.GENESIS_HASH)
    AuditChain.objects.create(key="test.thing:z", last_seq=1, last_hash=forged.hash)
    first_id = AuditEvent.objects.order_by("id").first().pk
    sql(f"DELETE FROM {EVENT} WHERE id = %s", [first_id])  # free an id under the checkpoint
    sql(f"UPDATE {EVENT} SET id = %s WHERE id = %s", [first_id, forged.pk])

    result = audit.verify()

    assert "checkpoint_heads" in {p.kind for p in result.problems}


def test_the_first_broken_event_is_the_lowest_id(trail):
    """Chains are walked in key order; "first" still means the oldest broken event."""
    later_in_key_order = chain(trail["b"])[0]  # "test.thing:b" sorts after "core.orgunit:…"
    earlier_in_key_order = chain(trail["unit"])[2]
    assert later_in_key_order.pk < earlier_in_key_order.pk
    set_after(earlier_in_key_order.pk, {"tampered": True})
    set_after(later_in_key_order.pk, {"tampered": True})

    result = audit.verify()

    assert [p.event_id for p in result.problems] == [later_in_key_order.pk, earlier_in_key_order.pk]


def test_problems_kept_are_bounded_but_all_counted(trail):
    for event in AuditEvent.objects.all():
        set_after(event.pk, {"tampered": True})

    result = audit.verify(max_problems=2)

    assert result.problem_count == 9
    assert [p.event_id for p in result.problems] == list(
        AuditEvent.objects.order_by("id").values_list("id", flat=True)[:2]
    )


# --- Checkpoints ----------------------------------------------------------------------------
def test_a_forged_checkpoint_signature_is_detected(trail):
    checkpoint = audit.checkpoint_create()
    sql(f"UPDATE {CHECKPOINT} SET signature = %s WHERE id = %s", ["0" * 64, checkpoint.pk])

    result = audit.verify()

    assert (result.first.kind, result.first.checkpoint_id) == ("checkpoint_signature", checkpoint.pk)


def test_a_checkpoint_signed_with_another_key_is_detected(trail):
    """An intruder cannot re-anchor a rewritten trail without the server's secret key."""
    with override_settings(SECRET_KEY="an-intruders-guess-0123456789abcdef0123456789"):
        forged = audit.checkpoint_create()

    result = audit.verify()

    assert (result.first.kind, result.first.checkpoint_id) == ("checkpoint_signature", forged.pk)


def test_checkpoints_survive_a_secret_key_rotation(trail):
    audit.checkpoint_create()

    with override_settings(
        SECRET_KEY="the-next-key-0123456789abcdef0123456789abcdef", SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]
    ):
        audit.checkpoint_create()
        result = audit.verify()

    assert result.ok, [p.describe() for p in result.problems]


def test_a_deleted_older_checkpoint_is_detected(trail):
    first = audit.checkpoint_create()
    second = audit.checkpoint_create()
    third = audit.checkpoint_create()
    sql(f"DELETE FROM {CHECKPOINT} WHERE id = %s", [second.pk])

    result = audit.verify()

    assert [(p.kind, p.checkpoint_id) for p in result.problems] == [("checkpoint_signature", third.pk)]
    assert first.pk < third.pk


def test_an_altered_checkpoint_digest_is_detected(trail):
    checkpoint = audit.checkpoint_create()
    sql(f"UPDATE {CHECKPOINT} SET heads_digest = %s WHERE id = %s", ["a" * 64, checkpoint.pk])

    result = audit.verify()

    assert {p.kind for p in result.problems} == {"checkpoint_signature", "checkpoint_heads"}


def test_the_checkpoint_digest_is_reproducible_from_the_events(trail):
    """What verify recomputes (events with id <= last_event_id) is what the checkpoint signed
    (the AuditChain rows under the lock)."""
    checkpoint = audit.checkpoint_create()
    audit.record(actor=None, action="test.after", object_type="test.thing", object_id="c")

    digest = audit.HeadsDigest()
    for key, seq, head_hash in audit.heads_as_of(checkpoint.last_event_id):
        digest.add(key, seq, head_hash)

    assert (digest.count, digest.hexdigest()) == (checkpoint.chain_count, checkpoint.heads_digest)
    assert checkpoint.chain_count == 3


def test_verify_warns_when_nothing_is_anchored(trail):
    assert audit.verify().warnings
    audit.checkpoint_create()
    assert audit.verify().warnings == []


# --- The commands ---------------------------------------------------------------------------
def test_audit_verify_command_reports_an_intact_trail(trail, capsys):
    call_command("audit_checkpoint")
    call_command("audit_verify")

    out = capsys.readouterr().out
    assert "Đã tạo điểm neo #" in out
    assert "nguyên vẹn: 9 sự kiện, 3 chuỗi, 1 điểm neo" in out


def test_audit_verify_command_fails_naming_the_first_broken_event(trail, capsys):
    victim = chain(trail["a"])[1]
    set_after(victim.pk, {"n": 999})

    with pytest.raises(CommandError) as raised:
        call_command("audit_verify")

    assert raised.value.returncode == 1
    assert f"sự kiện #{victim.pk}, chuỗi {trail['a']}, số thứ tự 2" in str(raised.value)
    assert f"[hash] sự kiện #{victim.pk}" in capsys.readouterr().err


def run_manage(*argv: str) -> int:
    """manage.py as the shell runs it, in this process (the test database is only visible here):
    the exit status a shell would see."""
    try:
        ManagementUtility(["manage.py", *argv]).execute()
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


@pytest.mark.django_db(transaction=True)  # run_from_argv closes the connections when it ends
def test_audit_verify_exit_status(trail, capsys):
    assert run_manage("audit_verify") == 0

    sql(f"DELETE FROM {EVENT} WHERE id = %s", [chain(trail["unit"])[1].pk])

    assert run_manage("audit_verify") == 1
    assert "[seq]" in capsys.readouterr().err


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_audit_verify_exit_status_in_a_real_process(trail):
    """The real `python manage.py audit_verify` against the committed test database."""
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "audit_verify"]

    intact = subprocess.run(manage, env=env, capture_output=True, text=True, timeout=120)
    victim = chain(trail["a"])[2]
    set_after(victim.pk, {"n": 999})
    broken = subprocess.run(manage, env=env, capture_output=True, text=True, timeout=120)

    assert intact.returncode == 0, intact.stderr
    assert "9" in intact.stdout
    assert broken.returncode == 1
    assert f"#{victim.pk}" in broken.stderr and trail["a"] in broken.stderr
