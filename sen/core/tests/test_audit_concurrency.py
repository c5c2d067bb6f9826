"""Concurrent writers keep every audit chain linear: no fork, no gap, nothing lost — while
checkpoints are taken in the middle of the writing. Each writer is a thread with its own database
connection and its own transactions.

PostgreSQL only: SQLite serialises writers itself (IMMEDIATE transactions), and pytest-django's
SQLite test database is a shared-cache in-memory one whose concurrent writers fail at once with
"database table is locked" instead of waiting — a property of the test database, not of Sen."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from sen.core import audit
from sen.core.models import AuditChain, AuditCheckpoint, AuditEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def in_threads(count: int, target: Callable[[int], None]) -> list[BaseException]:
    """Run target(0..count-1) in parallel threads; return what they raised."""
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            target(index)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    return errors


def write_concurrently(writers: int, events: int) -> int:
    """Each writer alternates between one object all writers share and one of its own; a checkpoint
    thread keeps signing heads meanwhile. Returns the number of checkpoints taken."""
    done = threading.Event()

    def writer(index: int) -> None:
        for n in range(events):
            object_id = "shared" if n % 2 == 0 else f"own-{index}"
            with transaction.atomic():
                audit.record(
                    actor=None,
                    action="test.write",
                    object_type="test.thing",
                    object_id=object_id,
                    after={"writer": index, "n": n},
                )

    def checkpointer(_: int) -> None:
        while not done.wait(0.02):
            audit.checkpoint_create()
        audit.checkpoint_create()

    checkpoints: list[BaseException] = []
    checkpoint_thread = threading.Thread(target=lambda: checkpoints.extend(in_threads(1, checkpointer)))
    checkpoint_thread.start()
    try:
        errors = in_threads(writers, writer)
    finally:
        done.set()
        checkpoint_thread.join(timeout=120)
    assert errors == [] and checkpoints == [], errors + checkpoints
    return AuditCheckpoint.objects.count()


def assert_linear(key: str, expected: int) -> None:
    events = list(AuditEvent.objects.filter(chain_key=key).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, expected + 1))
    assert [e.prev_hash for e in events] == [audit.GENESIS_HASH] + [e.hash for e in events[:-1]]
    assert len({e.prev_hash for e in events}) == expected  # no two events chained onto the same one
    head = AuditChain.objects.get(key=key)
    assert (head.last_seq, head.last_hash) == (expected, events[-1].hash)


def test_parallel_writers_fork_no_chain():
    writers, events = 8, 50

    checkpoints = write_concurrently(writers, events)

    shared_per_writer = (events + 1) // 2
    assert AuditEvent.objects.count() == writers * events
    assert_linear("test.thing:shared", writers * shared_per_writer)
    for index in range(writers):
        assert_linear(f"test.thing:own-{index}", events - shared_per_writer)
    # every checkpoint taken in the middle of the writing matches the events it covers
    assert checkpoints >= 2
    result = audit.verify(all_checkpoints=True)
    assert result.ok, [p.describe() for p in result.problems]
    assert (result.events_checked, result.chains_checked) == (writers * events, writers + 1)


def test_writers_that_chain_onto_the_last_row_without_a_lock_fork():
    """The naive way, and record() under exactly the same race: every writer has read the head
    before any of them writes. The naive writers all chain onto the same event — a fork, which the
    (chain_key, seq) constraint turns into failed transactions; record() serialises on the head row."""
    writers = 8
    read_the_head = threading.Barrier(writers, timeout=30)
    chained_onto: list[str] = []
    failures: list[BaseException] = []

    def naive(index: int) -> None:
        with transaction.atomic():
            last = AuditEvent.objects.filter(chain_key="test.thing:naive").order_by("-seq").first()
            read_the_head.wait()
            prev_hash = last.hash if last else audit.GENESIS_HASH
            chained_onto.append(prev_hash)
            event = AuditEvent(
                chain_key="test.thing:naive",
                seq=(last.seq if last else 0) + 1,
                prev_hash=prev_hash,
                occurred_at=timezone.now(),
                actor_label="system",
                action="test.naive",
                object_type="test.thing",
                object_id="naive",
                after={"writer": index},
            )
            event.hash = audit.event_digest(event)
            try:
                event.save(force_insert=True)
            except IntegrityError as error:
                failures.append(error)
                raise

    errors = in_threads(writers, naive)

    assert Counter(chained_onto) == {audit.GENESIS_HASH: writers}  # all eight chained onto "nothing yet"
    assert len(failures) == len(errors) == writers - 1
    assert AuditEvent.objects.filter(chain_key="test.thing:naive").count() == 1

    start_together = threading.Barrier(writers, timeout=30)

    def locked(index: int) -> None:
        start_together.wait()
        with transaction.atomic():
            audit.record(actor=None, action="test.locked", object_type="test.thing", object_id="locked")

    assert in_threads(writers, locked) == []
    assert_linear("test.thing:locked", writers)


def test_a_checkpoint_waits_for_open_writers_then_gives_up(monkeypatch):
    """A checkpoint never signs half of a writer's work: it waits for open audit transactions,
    retrying on a short lock timeout so that queued writers are not held up for long."""
    monkeypatch.setattr(audit, "CHECKPOINT_LOCK_TIMEOUT_MS", 300)
    monkeypatch.setattr(audit, "CHECKPOINT_LOCK_ATTEMPTS", 3)
    recorded, release = threading.Event(), threading.Event()
    written: list[AuditEvent] = []

    def slow_writer(_: int) -> None:
        with transaction.atomic():
            written.append(audit.record(actor=None, action="test.slow", object_type="test.thing", object_id="slow"))
            recorded.set()
            release.wait(timeout=30)

    def run_checkpoint() -> list[BaseException]:
        outcome: list[BaseException] = []
        thread = threading.Thread(target=lambda: outcome.extend(in_threads(1, lambda _: audit.checkpoint_create())))
        thread.start()
        thread.join(timeout=60)
        return outcome

    writer = threading.Thread(target=lambda: in_threads(1, slow_writer))
    writer.start()
    assert recorded.wait(timeout=30)
    gave_up = run_checkpoint()  # the writer stays open through every attempt
    assert len(gave_up) == 1
    assert getattr(gave_up[0].__cause__, "sqlstate", None) == "55P03"  # lock_not_available

    threading.Timer(0.4, release.set).start()  # the writer commits during the first attempt
    assert run_checkpoint() == []
    writer.join(timeout=30)

    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.last_event_id, checkpoint.chain_count) == (written[0].pk, 1)
    assert audit.verify(all_checkpoints=True).ok
