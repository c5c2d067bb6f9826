"""The audit trail: every service that changes state calls `record()` inside its transaction.

Each object has its own hash chain (AuditChain row = its head). Writing locks only that head, so
concurrent writers of different objects never contend, and writers of one object serialise on a
row lock instead of forking the chain (a naive "chain onto the last row" forks under concurrency).

What a chain cannot show by itself — its newest events deleted together with the head row put back,
or a whole chain removed — shows against a checkpoint: an HMAC-signed digest of every chain head,
taken hourly (`sen.core.tasks.audit_checkpoint`) and by `manage.py audit_checkpoint`.
`verify()` (`manage.py audit_verify`) checks all of it and names the first broken event.

Checkpoint consistency on PostgreSQL. Event ids do not follow commit order: a transaction can take
id 100 and commit after another one committed id 101. A checkpoint therefore takes a SHARE ROW
EXCLUSIVE lock on the AuditChain table, which waits for every open transaction that has changed a
chain head and holds back new ones. `record()` updates the head row *before* it inserts the event,
so every event id handed out before the lock belongs to a finished transaction and every later one
is greater than the checkpoint's `last_event_id`. Hence "the heads at the checkpoint" are both the
AuditChain rows read under the lock and, for each chain, the last of its events with
id <= last_event_id — which is how `verify()` recomputes them without storing the head list.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, OperationalError, connection, models, transaction
from django.db.models import Exists, F, Max, Min, OuterRef
from django.db.models.expressions import Combinable
from django.db.models.functions import Collate
from django.utils import timezone
from django.utils.translation import gettext as _

from sen.core import request_context
from sen.core.models import AuditChain, AuditCheckpoint, AuditEvent, OrgUnit

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
CHECKPOINT_KEY_SALT = b"sen-audit-checkpoint"
CHECKPOINT_FORMAT = "sen-audit-checkpoint/v1"
STREAM_CHUNK = 2000
# The checkpoint waits at most this long for open audit writers, then lets them go and retries:
# while it waits, new writers queue behind it, so the wait must stay short.
CHECKPOINT_LOCK_TIMEOUT_MS = 2000
CHECKPOINT_LOCK_ATTEMPTS = 5


# --- Writing -----------------------------------------------------------------------------
def _canonical(value: Any) -> Any:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("audit values must be finite numbers")
        if value == 0:
            return 0.0  # PostgreSQL's jsonb has no negative zero
        if value.is_integer() and "e" in repr(value):
            return int(value)  # jsonb gives 1e+20 back as 100000000000000000000
        return value
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    return value


def to_jsonable(value: Any) -> Any:
    """What is stored is exactly what is hashed: normalise dates, decimals, UUIDs to JSON types,
    and numbers to the form both SQLite and PostgreSQL's jsonb give back."""
    if value is None:
        return None
    return _canonical(json.loads(json.dumps(value, cls=DjangoJSONEncoder)))


def event_digest(event: AuditEvent) -> str:
    """SHA-256 over the canonical form of everything an event says, including the previous hash."""
    canonical = {
        "chain_key": event.chain_key,
        "seq": event.seq,
        "prev_hash": event.prev_hash,
        "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "acting_unit_id": event.acting_unit_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
        "ip": event.ip,
        "user_agent": event.user_agent,
    }
    encoded = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def _locked_chain(key: str) -> AuditChain:
    try:
        return AuditChain.objects.select_for_update().get(key=key)
    except AuditChain.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            AuditChain.objects.create(key=key)
    except IntegrityError:
        pass  # another writer created it first; lock theirs
    return AuditChain.objects.select_for_update().get(key=key)


def object_label(obj: models.Model) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def _clean(text: str, limit: int) -> str:
    # A NUL cannot be stored in a PostgreSQL text column; it must not make a whole service fail.
    return text.replace("\x00", "")[:limit]


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: Any = None,
    after: Any = None,
    acting_unit: OrgUnit | None = None,
) -> AuditEvent:
    """Append one event for `obj` (or object_type/object_id) by `actor`, by the server's clock.

    Call it inside the service's transaction so the event commits or rolls back with the change.
    `actor` may be None for system jobs and anonymous registrations.
    """
    if obj is not None:
        object_type, object_id = object_label(obj)
    if not object_type or not object_id:
        raise ValueError("audit.record needs obj or object_type and object_id")
    context = request_context.current()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    # savepoint=False: inside a service's transaction a failure here must fail the service anyway,
    # and the savepoint would cost two more round trips per event.
    with transaction.atomic(savepoint=False):
        chain = _locked_chain(f"{object_type}:{object_id}")
        event = AuditEvent(
            chain_key=chain.key,
            seq=chain.last_seq + 1,
            prev_hash=chain.last_hash or GENESIS_HASH,
            occurred_at=timezone.now(),
            actor=actor if is_user else None,
            actor_label=(actor.get_username() if is_user else "system")[:255],
            acting_unit=acting_unit,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=to_jsonable(before),
            after=to_jsonable(after),
            request_id=_clean(context.request_id, 64),
            ip=_clean(context.ip, 64),
            user_agent=_clean(context.user_agent, 400),
        )
        event.hash = event_digest(event)
        # The head row first, the event second: an event id is only ever handed out to a
        # transaction that already holds the AuditChain table's write lock (see the module doc).
        AuditChain.objects.filter(pk=chain.pk).update(last_seq=event.seq, last_hash=event.hash)
        event.save(force_insert=True)
    return event


# --- Checkpoints -------------------------------------------------------------------------
def _by_code_point(name: str) -> Combinable:
    """Order by code point on every database (PostgreSQL's default collation may not)."""
    if connection.vendor == "postgresql":
        return Collate(F(name), "C")
    return F(name)  # SQLite's BINARY collation is code-point order for UTF-8


class HeadsDigest:
    """SHA-256 over one line "key:seq:hash\\n" per chain, chains in code-point order of their key."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.count = 0

    def add(self, key: str, seq: int, head_hash: str) -> None:
        self._sha.update(f"{key}:{seq}:{head_hash}\n".encode())
        self.count += 1

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def _checkpoint_keys() -> Iterator[bytes]:
    """The current key first, then those of SECRET_KEY_FALLBACKS (so a key rotation keeps old
    checkpoints verifiable)."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    for secret in secrets:
        raw = secret.encode() if isinstance(secret, str) else bytes(secret)
        yield hmac.new(raw, CHECKPOINT_KEY_SALT, hashlib.sha256).digest()


def checkpoint_message(
    *, created_at: dt.datetime, last_event_id: int, chain_count: int, heads_digest: str, previous_signature: str
) -> bytes:
    """What a checkpoint's HMAC covers. Each checkpoint also covers the previous one's signature,
    so removing or reordering older checkpoints is detected too."""
    lines = [
        CHECKPOINT_FORMAT,
        created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        str(last_event_id),
        str(chain_count),
        heads_digest,
        previous_signature or GENESIS_HASH,
    ]
    return "\n".join(lines).encode()


def _sign(message: bytes) -> str:
    key = next(_checkpoint_keys())
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _signature_valid(checkpoint: AuditCheckpoint, previous_signature: str) -> bool:
    message = checkpoint_message(
        created_at=checkpoint.created_at,
        last_event_id=checkpoint.last_event_id,
        chain_count=checkpoint.chain_count,
        heads_digest=checkpoint.heads_digest,
        previous_signature=previous_signature,
    )
    return any(
        hmac.compare_digest(hmac.new(key, message, hashlib.sha256).hexdigest(), checkpoint.signature)
        for key in _checkpoint_keys()
    )


def _hold_back_audit_writers() -> None:
    """Wait for every open transaction that changed a chain head; new ones wait for us."""
    if connection.vendor != "postgresql":
        return  # SQLite: the IMMEDIATE transaction already excludes every other writer
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = {CHECKPOINT_LOCK_TIMEOUT_MS}")
        table = connection.ops.quote_name(AuditChain._meta.db_table)
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SET LOCAL lock_timeout = DEFAULT")


def _is_lock_timeout(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == "55P03"  # lock_not_available


def _checkpoint_locked(now: dt.datetime) -> AuditCheckpoint:
    last_event_id = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
    digest = HeadsDigest()
    heads = (
        AuditChain.objects.filter(last_seq__gt=0)
        .order_by(_by_code_point("key"))
        .values_list("key", "last_seq", "last_hash")
    )
    for key, seq, head_hash in heads.iterator(chunk_size=STREAM_CHUNK):
        digest.add(key, seq, head_hash)
    previous = AuditCheckpoint.objects.order_by("-id").values_list("signature", flat=True).first()
    heads_digest = digest.hexdigest()
    signature = _sign(
        checkpoint_message(
            created_at=now,
            last_event_id=last_event_id,
            chain_count=digest.count,
            heads_digest=heads_digest,
            previous_signature=previous or "",
        )
    )
    return AuditCheckpoint.objects.create(
        created_at=now,
        last_event_id=last_event_id,
        chain_count=digest.count,
        heads_digest=heads_digest,
        signature=signature,
    )


def checkpoint_create() -> AuditCheckpoint:
    """Sign the digest of every chain head as it stands now (Celery beat runs it hourly).

    Holds audit writers back for as long as it reads the AuditChain rows (one per object)."""
    attempt = 1
    while True:
        try:
            with transaction.atomic():
                _hold_back_audit_writers()
                checkpoint = _checkpoint_locked(timezone.now())
            break
        except OperationalError as error:
            if not _is_lock_timeout(error) or attempt == CHECKPOINT_LOCK_ATTEMPTS:
                raise
            time.sleep(0.2 * attempt)
            attempt += 1
    # Also into the log, which usually lands on another machine: a copy of the signature that an
    # intruder in the database cannot reach.
    logger.info(
        "audit checkpoint #%s: last_event_id=%s chains=%s heads_digest=%s signature=%s",
        checkpoint.pk,
        checkpoint.last_event_id,
        checkpoint.chain_count,
        checkpoint.heads_digest,
        checkpoint.signature,
    )
    return checkpoint


# --- Verifying ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AuditProblem:
    """One thing found wrong. `event_id` names the broken event when there is one left to name."""

    kind: str  # seq | prev_hash | hash | head | head_missing | chain_missing | checkpoint_*
    message: str
    event_id: int | None = None
    chain_key: str = ""
    seq: int | None = None
    checkpoint_id: int | None = None

    @property
    def order(self) -> tuple[bool, int, int, str, int]:
        # "First broken" = lowest event id; problems that name no event (a vanished chain,
        # a checkpoint) come after, in a fixed order.
        return (
            self.event_id is None,
            self.event_id or 0,
            self.checkpoint_id or 0,
            self.chain_key,
            self.seq or 0,
        )

    def describe(self) -> str:
        where = []
        if self.event_id is not None:
            where.append(_("sự kiện #{id}").format(id=self.event_id))
        if self.chain_key:
            where.append(_("chuỗi {key}").format(key=self.chain_key))
        if self.seq is not None:
            where.append(_("số thứ tự {seq}").format(seq=self.seq))
        if self.checkpoint_id is not None:
            where.append(_("điểm neo #{id}").format(id=self.checkpoint_id))
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class VerifyResult:
    events_checked: int = 0
    chains_checked: int = 0
    checkpoints_checked: int = 0
    latest_checkpoint: AuditCheckpoint | None = None
    problem_count: int = 0
    problems: list[AuditProblem] = field(default_factory=list)  # first broken first; at most max_problems
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def first(self) -> AuditProblem | None:
        return self.problems[0] if self.problems else None


class _Problems:
    """Keeps the `limit` first problems (by AuditProblem.order) in bounded memory."""

    def __init__(self, limit: int) -> None:
        self.limit = max(limit, 1)
        self.count = 0
        self._kept: list[AuditProblem] = []

    def add(self, problem: AuditProblem) -> None:
        self.count += 1
        self._kept.append(problem)
        if len(self._kept) >= 4 * self.limit:
            self._kept = sorted(self._kept, key=lambda p: p.order)[: self.limit]

    def first(self) -> list[AuditProblem]:
        return sorted(self._kept, key=lambda p: p.order)[: self.limit]


def _check_chains(problems: _Problems, result: VerifyResult) -> None:
    """One streamed pass over every event, chain by chain: seq, prev_hash, recomputed hash."""
    events = AuditEvent.objects.order_by("chain_key", "seq").iterator(chunk_size=STREAM_CHUNK)
    chain_key: str | None = None
    previous: AuditEvent | None = None
    for event in events:
        result.events_checked += 1
        if event.chain_key != chain_key:
            chain_key, previous = event.chain_key, None
            result.chains_checked += 1
        expected_seq = previous.seq + 1 if previous else 1
        expected_prev = previous.hash if previous else GENESIS_HASH
        if event.seq != expected_seq:
            message = (
                _("chuỗi bắt đầu ở số thứ tự {seq} thay vì 1: thiếu sự kiện đầu chuỗi (đã bị xoá?)")
                if previous is None
                else _("số thứ tự {seq} đứng sau {prev}: thiếu sự kiện trước nó (đã bị xoá?)")
            )
            problems.add(
                AuditProblem(
                    "seq",
                    message.format(seq=event.seq, prev=previous.seq if previous else 0),
                    event.pk,
                    event.chain_key,
                    event.seq,
                )
            )
        elif event.prev_hash != expected_prev:
            problems.add(
                AuditProblem(
                    "prev_hash",
                    _("prev_hash không khớp mã băm của sự kiện liền trước: sự kiện trước đó đã bị sửa hoặc thay"),
                    event.pk,
                    event.chain_key,
                    event.seq,
                )
            )
        if event_digest(event) != event.hash:
            problems.add(
                AuditProblem(
                    "hash",
                    _("mã băm không khớp nội dung: sự kiện đã bị sửa trực tiếp trong cơ sở dữ liệu"),
                    event.pk,
                    event.chain_key,
                    event.seq,
                )
            )
        previous = event


def _check_heads(problems: _Problems) -> None:
    """Each AuditChain row must point at its chain's last event, and each chain must have one.
    Set queries (anti-joins): they return only what is wrong."""
    event_at_head = AuditEvent.objects.filter(
        chain_key=OuterRef("key"), seq=OuterRef("last_seq"), hash=OuterRef("last_hash")
    )
    event_after_head = AuditEvent.objects.filter(chain_key=OuterRef("key"), seq__gt=OuterRef("last_seq"))
    broken_heads = AuditChain.objects.annotate(
        has_head_event=Exists(event_at_head), has_later_event=Exists(event_after_head)
    ).filter(models.Q(last_seq__gt=0, has_head_event=False) | models.Q(has_later_event=True))
    for chain in broken_heads.order_by("key").iterator(chunk_size=STREAM_CHUNK):
        in_chain = AuditEvent.objects.filter(chain_key=chain.key)
        inserted = in_chain.filter(seq__gt=chain.last_seq).order_by("seq").first()
        last = in_chain.order_by("-seq").first()
        if inserted is not None:
            message = _("sự kiện nằm sau đầu chuỗi (đầu chuỗi ghi số thứ tự {head}): sự kiện đã bị chèn")
            problems.add(
                AuditProblem("head", message.format(head=chain.last_seq), inserted.pk, chain.key, inserted.seq)
            )
        elif last is None:
            message = _("đầu chuỗi ghi số thứ tự {seq} nhưng chuỗi không còn sự kiện nào: cả chuỗi đã bị xoá")
            problems.add(
                AuditProblem("chain_missing", message.format(seq=chain.last_seq), None, chain.key, chain.last_seq)
            )
        elif last.seq < chain.last_seq:
            message = _(
                "đầu chuỗi ghi số thứ tự {head} nhưng chuỗi dừng ở {seq} (sự kiện #{id}): sự kiện cuối đã bị xoá"
            )
            problems.add(
                AuditProblem(
                    "head",
                    message.format(head=chain.last_seq, seq=last.seq, id=last.pk),
                    None,
                    chain.key,
                    chain.last_seq,
                )
            )
        else:
            message = _("mã băm của sự kiện cuối khác mã băm ghi ở đầu chuỗi: sự kiện cuối đã bị thay")
            problems.add(AuditProblem("head", message, last.pk, chain.key, last.seq))
    headless = (
        AuditEvent.objects.filter(~Exists(AuditChain.objects.filter(key=OuterRef("chain_key"))))
        .values("chain_key")
        .annotate(first_id=Min("id"))
        .order_by("chain_key")
    )
    for row in headless.iterator(chunk_size=STREAM_CHUNK):
        problems.add(
            AuditProblem(
                "head_missing",
                _("chuỗi có sự kiện nhưng không có đầu chuỗi (AuditChain): sự kiện đã bị chèn"),
                row["first_id"],
                row["chain_key"],
            )
        )


def heads_as_of(last_event_id: int) -> Iterable[tuple[str, int, str]]:
    """Each chain's head as a checkpoint taken at `last_event_id` saw it, chains in code-point
    order of their key.

    The events a checkpoint covered are those with id <= last_event_id (see the module doc), and
    in each chain they are a prefix of its seqs; the head is the one whose successor (seq + 1) is
    not among them. An exact probe on the (chain_key, seq) index per event keeps this linear
    however long a chain is. On a tampered chain the prefix may be broken and more than one
    "head" come out: the digest then differs, as it should.
    """
    successor = AuditEvent.objects.filter(
        chain_key=OuterRef("chain_key"), seq=OuterRef("seq") + 1, id__lte=last_event_id
    )
    heads = (
        AuditEvent.objects.filter(id__lte=last_event_id)
        .exclude(Exists(successor))
        .order_by(_by_code_point("chain_key"))
        .values_list("chain_key", "seq", "hash")
    )
    return heads.iterator(chunk_size=STREAM_CHUNK)


def _check_checkpoints(problems: _Problems, result: VerifyResult, *, all_checkpoints: bool) -> None:
    previous: AuditCheckpoint | None = None
    for checkpoint in AuditCheckpoint.objects.order_by("id").iterator(chunk_size=STREAM_CHUNK):
        result.checkpoints_checked += 1
        if not _signature_valid(checkpoint, previous.signature if previous else ""):
            problems.add(
                AuditProblem(
                    "checkpoint_signature",
                    _("chữ ký HMAC không hợp lệ: điểm neo đã bị sửa, giả mạo, hoặc điểm neo trước nó đã bị xoá"),
                    checkpoint_id=checkpoint.pk,
                )
            )
        if previous is not None and checkpoint.last_event_id < previous.last_event_id:
            problems.add(
                AuditProblem(
                    "checkpoint_order",
                    _("điểm neo lùi về sự kiện #{id}, trước điểm neo liền trước").format(id=checkpoint.last_event_id),
                    checkpoint_id=checkpoint.pk,
                )
            )
        if all_checkpoints:
            _check_checkpoint_heads(problems, checkpoint)
        previous = checkpoint
    result.latest_checkpoint = previous
    if previous is not None and not all_checkpoints:
        _check_checkpoint_heads(problems, previous)


def _check_checkpoint_heads(problems: _Problems, checkpoint: AuditCheckpoint) -> None:
    digest = HeadsDigest()
    for key, seq, head_hash in heads_as_of(checkpoint.last_event_id):
        digest.add(key, seq, head_hash)
    if digest.count == checkpoint.chain_count and digest.hexdigest() == checkpoint.heads_digest:
        return
    message = _(
        "điểm neo ghi {expected} chuỗi đến sự kiện #{last}, nay tính lại được {found} chuỗi với digest khác: "
        "sự kiện trước điểm neo đã bị xoá, sửa hoặc chèn"
    )
    problems.add(
        AuditProblem(
            "checkpoint_heads",
            message.format(expected=checkpoint.chain_count, last=checkpoint.last_event_id, found=digest.count),
            checkpoint_id=checkpoint.pk,
        )
    )


def _stale_warning(result: VerifyResult) -> str | None:
    last_event = AuditEvent.objects.aggregate(last=Max("id"))["last"]
    latest = result.latest_checkpoint
    if last_event is None:
        return None
    if latest is None:
        return _("chưa có điểm neo nào: chạy `manage.py audit_checkpoint` (Celery beat chạy mỗi giờ)")
    schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", {}).get("audit-checkpoint", {}).get("schedule", 3600.0)
    interval = schedule.total_seconds() if isinstance(schedule, dt.timedelta) else float(schedule)
    if last_event > latest.last_event_id and timezone.now() - latest.created_at > dt.timedelta(seconds=2 * interval):
        return _("điểm neo mới nhất (#{id}) đã cũ: các sự kiện sau nó chưa được neo").format(id=latest.pk)
    return None


def verify(*, max_problems: int = 100, all_checkpoints: bool = False) -> VerifyResult:
    """Walk every chain and every checkpoint; the problems come first broken event first.

    Streams, so it runs beside live writers on a trail of millions of events without holding them
    up. Each check is one statement, consistent in itself; on PostgreSQL, when not already inside
    a transaction, all of them read one REPEATABLE READ snapshot (which also lets the server-side
    cursors stream instead of being materialised WITH HOLD). On SQLite no transaction is opened:
    Sen's IMMEDIATE transactions would lock every writer out for the whole walk.
    `all_checkpoints=True` also recomputes the heads of every checkpoint, not just the latest.
    """
    result = VerifyResult()
    problems = _Problems(max_problems)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            warning = _run_checks(problems, result, all_checkpoints=all_checkpoints)
    else:
        warning = _run_checks(problems, result, all_checkpoints=all_checkpoints)
    if warning:
        result.warnings.append(warning)
    result.problem_count = problems.count
    result.problems = problems.first()
    return result


def _run_checks(problems: _Problems, result: VerifyResult, *, all_checkpoints: bool) -> str | None:
    _check_chains(problems, result)
    _check_heads(problems)
    _check_checkpoints(problems, result, all_checkpoints=all_checkpoints)
    return _stale_warning(result)
