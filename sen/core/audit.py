"""The audit trail: every service that changes state calls `record()` inside its transaction.

Each object has its own hash chain (AuditChain row = its head). Writing locks only that head, so
concurrent writers of different objects never contend, and writers of one object serialise on a
row lock instead of forking the chain (a naive "chain onto the last row" forks under concurrency).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from sen.core import request_context
from sen.core.models import AuditChain, AuditEvent, OrgUnit

GENESIS_HASH = "0" * 64


def to_jsonable(value: Any) -> Any:
    """What is stored is exactly what is hashed: normalise dates, decimals, UUIDs to JSON types."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


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
    with transaction.atomic():
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
            request_id=context.request_id,
            ip=context.ip,
            user_agent=context.user_agent,
        )
        event.hash = event_digest(event)
        event.save(force_insert=True)
        chain.last_seq = event.seq
        chain.last_hash = event.hash
        chain.save(update_fields=["last_seq", "last_hash"])
    return event
