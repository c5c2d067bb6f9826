"""Document exchange between Sen servers: edXML packages (QCVN 102:2016) over signed HTTP.

What the documents app calls — the whole interface:

    from sen.integrations import edxml, selectors as exchange_selectors, services as exchange
    from sen.integrations.choices import StatusCode
    from sen.integrations.handlers import register_handler

    # Sending (inside your service's transaction; the POST happens after it commits):
    peer = exchange_selectors.peer_for(recipient_organ_id)           # None: no system reaches it
    sent = exchange.exchange_send(actor=clerk, peer=peer, message=edxml.DocumentMessage(...),
                                  message_id=f"document-{document.pk}-{peer.pk}")
    # → ExchangeMessage, state "queued", then "sent" or "failed" (error_code, last_error).
    #   The same message_id with the same bytes returns the same row (safe to call again).

    # Answering a received document with a status (from your handler, or later):
    status = edxml.status_for(incoming, from_=edxml.Organization(organ_id=..., organ_name=...),
                              status_code=StatusCode.ACCEPTED)
    exchange.exchange_send(actor=clerk, peer=exchange_row.peer, message=status)

    # Receiving: register handlers in AppConfig.ready() (see sen.integrations.handlers):
    register_handler("document", incoming_document_handler)   # handler(*, message, exchange)
    register_handler("status", incoming_status_handler)

Sending. `exchange_send` builds the package, stores it, records the ExchangeMessage (queued) and an
audit event in one transaction, and enqueues the delivery job for after the commit. The job
(`exchange_deliver`) POSTs it signed (sen.integrations.transport) with no transaction open: 2xx →
sent; 5xx, 408, 429 or a network error → retried with exponential backoff by the worker (one attempt
in the embedded default with no worker), then failed; any other answer → failed at once, with the
peer's error code. `exchange_retry` queues a failed message again.

Receiving. `exchange_receive` authenticates the request (known peer, signature, clock), then
answers idempotently: a message id this peer used before gets the answer it got the first time
(the same bytes) or 409 (other bytes); nothing is stored twice. A new message is stored — even one
that cannot be read or is refused, so nothing is silently dropped — and handed to the handler of
its kind inside the same transaction (sen.integrations.handlers).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sen.core import audit
from sen.core.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied, SenError
from sen.core.i18n import in_vietnamese
from sen.core.jobs import enqueue
from sen.integrations import edxml, policies, tasks, transport
from sen.integrations.choices import Direction, ExchangeState, MessageKind
from sen.integrations.exceptions import (
    DeliveryRetry,
    EdxmlError,
    ExchangeRefused,
    ExchangeUnauthenticated,
    MessageIdReused,
    PeerInactive,
    SenderNotPeer,
)
from sen.integrations.handlers import handler_for
from sen.integrations.models import ExchangeMessage, ExchangePeer, exchange_file_name

logger = logging.getLogger(__name__)

SECRET_MIN_LENGTH = 32
RETRYABLE_STATUSES = {408, 429}


# --- Files on storage ----------------------------------------------------------------------------
@contextmanager
def _stored(name: str, data: bytes) -> Iterator[str]:
    """Write `data` under a name of its own and delete it again if the block fails. Use as
    `with _stored(...) as name, transaction.atomic():` so the transaction rolls back first."""
    stored = default_storage.save(name, ContentFile(data))
    try:
        yield stored
    except BaseException:
        try:
            default_storage.delete(stored)
        except OSError:
            logger.exception("Could not delete orphan exchange file %s", stored)
        raise


def envelope_bytes(exchange: ExchangeMessage) -> bytes:
    with default_storage.open(str(exchange.file.name), "rb") as handle:
        data: bytes = handle.read()
    return data


def _summary(message: edxml.Message) -> dict[str, str]:
    """What the row keeps of the package for look-ups (cut to the columns' lengths)."""
    if isinstance(message, edxml.StatusMessage):
        summary = {
            "document_id": message.response_for.document_id,
            "document_code": message.response_for.code,
            "status_code": message.status_code.value,
        }
    else:
        header = message.header
        summary = {
            "document_id": header.document_id
            or edxml.document_id_for(header.from_.organ_id, header.promulgation_info.date, header.code),
            "document_code": str(header.code),
            "status_code": "",
        }
    summary["document_id"] = summary["document_id"][:255]
    summary["document_code"] = summary["document_code"][:120]
    return summary


def _sender_of(message: edxml.Message) -> str:
    return message.from_.organ_id if isinstance(message, edxml.StatusMessage) else message.header.from_.organ_id


# --- Peers ---------------------------------------------------------------------------------------
def peer_save(
    *,
    actor: Any,
    organ_id: str,
    name: str,
    base_url: str,
    secret: str | None = None,
    is_active: bool = True,
) -> tuple[ExchangePeer, str]:
    """Create or update the peer with `organ_id`; return it and its secret. Without `secret` a new
    peer gets a fresh random one (an existing peer keeps its own): give it to the peer's operators
    out of band, once."""
    if not policies.can_manage_exchange(actor):
        raise PermissionDenied()
    organ_id, name, base_url = organ_id.strip(), name.strip(), base_url.strip()
    if not organ_id or not name:
        raise InvalidInput(_("Cần mã định danh và tên của hệ thống liên thông."), code="peer_incomplete")
    try:
        URLValidator(schemes=["http", "https"])(base_url)
    except ValidationError:
        raise InvalidInput(_("Địa chỉ máy chủ phải là một URL http(s)."), code="peer_bad_url") from None
    if secret is not None and len(secret) < SECRET_MIN_LENGTH:
        raise InvalidInput(
            _("Khóa bí mật dùng chung phải dài ít nhất %(n)s ký tự.") % {"n": SECRET_MIN_LENGTH},
            code="peer_weak_secret",
        )
    with transaction.atomic():
        peer = ExchangePeer.objects.select_for_update().filter(organ_id=organ_id).first()
        created = peer is None
        if peer is None:
            peer = ExchangePeer(organ_id=organ_id, secret=secret or secrets.token_urlsafe(48))
        elif secret is not None:
            peer.secret = secret
        before = None if created else {"name": peer.name, "base_url": peer.base_url, "is_active": peer.is_active}
        peer.name, peer.base_url, peer.is_active = name, base_url, is_active
        peer.save()
        audit.record(
            actor=actor,
            action="exchange.peer_create" if created else "exchange.peer_update",
            obj=peer,
            before=before,
            # Never the secret itself: only whether it changed.
            after={"name": name, "base_url": base_url, "is_active": is_active, "secret_set": secret is not None},
        )
    return peer, peer.secret


# --- Sending -------------------------------------------------------------------------------------
class _Duplicate(Exception):
    pass


def exchange_send(
    *, actor: Any, peer: ExchangePeer, message: edxml.Message, message_id: str | None = None
) -> ExchangeMessage:
    """Record `message` for `peer` and deliver it after the current transaction commits.

    `message_id` (letters, digits and . _ : -, at most 64) lets a caller make the call idempotent:
    the same id with the same package returns the row already made; with another package → 409.
    Without it a fresh UUID is used. Who may send is the caller's policy (e.g. the documents app's).
    """
    if not peer.is_active:
        raise PeerInactive()
    message_id = message_id or uuid.uuid4().hex
    if not transport.MESSAGE_ID.fullmatch(message_id):
        raise InvalidInput(_("Mã gói tin chỉ gồm chữ, số và . _ : - (tối đa 64 ký tự)."), code="invalid_message_id")
    body = edxml.build(message)
    sha256 = hashlib.sha256(body).hexdigest()
    existing = ExchangeMessage.objects.filter(peer=peer, direction=Direction.OUT, message_id=message_id).first()
    if existing is not None:
        return _same_package(existing, sha256)
    try:
        with _stored(exchange_file_name(Direction.OUT, sha256), body) as name, transaction.atomic():
            try:
                with transaction.atomic():
                    exchange = ExchangeMessage.objects.create(
                        direction=Direction.OUT,
                        kind=message.kind,
                        peer=peer,
                        message_id=message_id,
                        file=name,
                        sha256=sha256,
                        size=len(body),
                        state=ExchangeState.QUEUED,
                        actor=actor if getattr(actor, "is_authenticated", False) else None,
                        **_summary(message),
                    )
            except IntegrityError:
                raise _Duplicate() from None
            audit.record(
                actor=actor,
                action="exchange.send",
                obj=exchange,
                after={"peer": peer.organ_id, "message_id": message_id, "kind": message.kind, "sha256": sha256},
            )
            enqueue(tasks.deliver_exchange_message, exchange.pk)
    except _Duplicate:
        # The same id recorded concurrently by another request.
        return _same_package(
            ExchangeMessage.objects.get(peer=peer, direction=Direction.OUT, message_id=message_id), sha256
        )
    return exchange


def _same_package(exchange: ExchangeMessage, sha256: str) -> ExchangeMessage:
    if exchange.sha256 != sha256:
        raise MessageIdReused(details={"message_id": exchange.message_id})
    return exchange


@dataclass(frozen=True)
class _Outcome:
    status: int | None
    retry: bool
    error_code: str = ""
    error: str = ""


def _outcome(response: requests.Response) -> _Outcome:
    if 200 <= response.status_code < 300:
        return _Outcome(status=response.status_code, retry=False)
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        payload = {}
    code = str(payload.get("code") or f"http_{response.status_code}")[:64]
    text = str(payload.get("message") or response.text[:500] or response.reason)
    error = f"HTTP {response.status_code}: {text}"
    retry = response.status_code >= 500 or response.status_code in RETRYABLE_STATUSES
    return _Outcome(status=response.status_code, retry=retry, error_code=code, error=error)


def exchange_deliver(exchange_pk: int, *, final_attempt: bool) -> ExchangeMessage | None:
    """One delivery attempt of a queued outgoing message (called by the job, never in a transaction).

    Raises DeliveryRetry when the attempt failed in a way worth retrying and this is not the final
    attempt; the row then stays queued with the error noted."""
    with transaction.atomic():
        exchange = (
            ExchangeMessage.objects.select_for_update()
            .select_related("peer")
            .filter(pk=exchange_pk, direction=Direction.OUT)
            .first()
        )
        if exchange is None or exchange.state != ExchangeState.QUEUED:
            return exchange
        exchange.attempts += 1
        exchange.save(update_fields=["attempts", "updated_at"])
    peer = exchange.peer
    body = envelope_bytes(exchange)
    headers = transport.signed_headers(
        secret=peer.secret, sender=settings.SEN_EXCHANGE_ORGAN_ID, message_id=exchange.message_id, body=body
    )
    try:
        outcome = _outcome(transport.post(url=transport.endpoint(peer.base_url), body=body, headers=headers))
    except requests.RequestException as exc:
        outcome = _Outcome(status=None, retry=True, error_code="network_error", error=f"{type(exc).__name__}: {exc}")
    retry = outcome.retry and not final_attempt
    with transaction.atomic():
        exchange = ExchangeMessage.objects.select_for_update().get(pk=exchange_pk)
        if exchange.state != ExchangeState.QUEUED:
            return exchange  # settled meanwhile (a concurrent attempt)
        exchange.response_status = outcome.status
        exchange.error_code = outcome.error_code
        exchange.last_error = outcome.error[:2000]
        if outcome.error_code:
            exchange.state = ExchangeState.QUEUED if retry else ExchangeState.FAILED
        else:
            exchange.state = ExchangeState.SENT
            exchange.sent_at = timezone.now()
        exchange.save()
        if exchange.state != ExchangeState.QUEUED:
            audit.record(
                actor=None,
                action="exchange.sent" if exchange.state == ExchangeState.SENT else "exchange.failed",
                obj=exchange,
                after={
                    "attempts": exchange.attempts,
                    "response_status": outcome.status,
                    "error_code": outcome.error_code,
                },
            )
    if retry:
        raise DeliveryRetry(outcome.error)
    return exchange


def exchange_retry(*, actor: Any, exchange: ExchangeMessage) -> ExchangeMessage:
    """Queue a failed outgoing message again (its sender or the province's IT department)."""
    own = actor is not None and exchange.actor_id is not None and exchange.actor_id == getattr(actor, "pk", None)
    if not (own or policies.can_manage_exchange(actor)):
        raise NotFound()
    with transaction.atomic():
        locked = ExchangeMessage.objects.select_for_update().select_related("peer").get(pk=exchange.pk)
        if locked.direction != Direction.OUT or locked.state != ExchangeState.FAILED:
            raise Conflict(_("Chỉ gửi lại được gói tin gửi đi bị lỗi."), code="exchange_not_failed")
        if not locked.peer.is_active:
            raise PeerInactive()
        before = {"state": locked.state, "error_code": locked.error_code}
        locked.state = ExchangeState.QUEUED
        locked.save(update_fields=["state", "updated_at"])
        audit.record(actor=actor, action="exchange.retry", obj=locked, before=before, after={"state": locked.state})
        enqueue(tasks.deliver_exchange_message, locked.pk)
    return locked


def exchange_resend_stranded(*, older_than_minutes: int = 15) -> int:
    """Re-enqueue outgoing messages whose job never reached a worker (never attempted, though
    committed long ago). Messages already attempted are the retry schedule's business."""
    cutoff = timezone.now() - dt.timedelta(minutes=older_than_minutes)
    stranded = list(
        ExchangeMessage.objects.filter(
            direction=Direction.OUT, state=ExchangeState.QUEUED, attempts=0, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in stranded:
        enqueue(tasks.deliver_exchange_message, pk)
    return len(stranded)


# --- Receiving -----------------------------------------------------------------------------------
def authenticated_peer(request: transport.SignedRequest, body: bytes) -> ExchangePeer:
    """The peer that signed this request, or ExchangeUnauthenticated / PeerInactive."""
    peer = ExchangePeer.objects.filter(organ_id=request.peer).first()
    if peer is None:
        raise ExchangeUnauthenticated(
            _("Hệ thống “%(peer)s” chưa được đăng ký liên thông với máy chủ này.") % {"peer": request.peer[:40]},
            code="unknown_peer",
        )
    request.verify(secret=peer.secret, body=body)
    if not peer.is_active:
        raise PeerInactive()
    return peer


def exchange_receive(*, request: transport.SignedRequest, body: bytes) -> ExchangeMessage:
    """Take one signed package from a peer. Returns the stored row (state received or handled);
    raises the stored refusal (ExchangeRefused / EdxmlError's code and status) after committing it."""
    peer = authenticated_peer(request, body)
    sha256 = hashlib.sha256(body).hexdigest()
    existing = ExchangeMessage.objects.filter(peer=peer, direction=Direction.IN, message_id=request.message_id).first()
    if existing is not None:
        return answer(_same_package(existing, sha256))
    # What is kept (the documents the handler makes, the refusal answered again on every retry) is
    # Vietnamese, whatever language the peer's request asked for.
    with in_vietnamese():
        return _receive(request=request, body=body, peer=peer, sha256=sha256)


def _receive(*, request: transport.SignedRequest, body: bytes, peer: ExchangePeer, sha256: str) -> ExchangeMessage:
    message: edxml.Message | None = None
    problem: SenError | None = None
    try:
        message = edxml.parse(body)
    except EdxmlError as exc:
        problem = exc
    if message is not None and edxml.organ_level1(_sender_of(message)) != edxml.organ_level1(peer.organ_id):
        problem = SenderNotPeer(details={"from": _sender_of(message)[:40], "peer": peer.organ_id})
    try:
        with _stored(exchange_file_name(Direction.IN, sha256), body) as name, transaction.atomic():
            try:
                with transaction.atomic():
                    exchange = ExchangeMessage.objects.create(
                        direction=Direction.IN,
                        kind=message.kind if message is not None else MessageKind.UNKNOWN,
                        peer=peer,
                        message_id=request.message_id,
                        file=name,
                        sha256=sha256,
                        size=len(body),
                        state=ExchangeState.RECEIVED,
                        **(_summary(message) if message is not None else {}),
                    )
            except IntegrityError:
                raise _Duplicate() from None
            if problem is None and message is not None:
                problem = _handle(message, exchange)
            _settle(exchange, problem)
            audit.record(
                actor=None,
                action="exchange.receive",
                obj=exchange,
                after={
                    "peer": peer.organ_id,
                    "message_id": request.message_id,
                    "kind": exchange.kind,
                    "sha256": sha256,
                    "state": exchange.state,
                    "error_code": exchange.error_code,
                },
            )
    except _Duplicate:
        # The same delivery arriving twice at once: the first one's answer.
        existing = ExchangeMessage.objects.get(peer=peer, direction=Direction.IN, message_id=request.message_id)
        return answer(_same_package(existing, sha256))
    return answer(exchange)


def _handle(message: edxml.Message, exchange: ExchangeMessage) -> SenError | None:
    """Run the handler of the message's kind in a savepoint; return the refusal, if any."""
    handler = handler_for(message.kind)
    if handler is None:
        return None
    try:
        with transaction.atomic():
            handler(message=message, exchange=exchange)
    except SenError as exc:
        return exc
    except Exception:
        logger.exception("Exchange handler for %s failed on message %s", message.kind, exchange.pk)
        failure = ExchangeRefused(
            _("Lỗi khi xử lý gói tin ở máy chủ nhận; gói tin đã được lưu để xử lý lại."), code="handler_error"
        )
        failure.status = 500
        return failure
    exchange.state = ExchangeState.HANDLED
    exchange.handled_at = timezone.now()
    return None


def _settle(exchange: ExchangeMessage, problem: SenError | None) -> None:
    if problem is not None:
        exchange.state = ExchangeState.FAILED
        exchange.error_code = problem.code[:64]
        exchange.last_error = problem.message[:2000]
        exchange.error_details = audit.to_jsonable(problem.details)
        exchange.response_status = problem.status
        exchange.handled_at = None
    else:
        exchange.error_code = exchange.last_error = ""
        exchange.error_details = None
        exchange.response_status = 200 if exchange.state == ExchangeState.HANDLED else 202
    exchange.save()


def answer(exchange: ExchangeMessage) -> ExchangeMessage:
    """The answer a stored incoming message gets, the first time and on every retry: the row, or
    its refusal raised again with the same status, code and message."""
    if exchange.state != ExchangeState.FAILED:
        return exchange
    refusal = ExchangeRefused(
        exchange.last_error,
        code=exchange.error_code,
        details={"message_id": exchange.message_id, "state": exchange.state, **(exchange.error_details or {})},
    )
    refusal.status = exchange.response_status or ExchangeRefused.status
    raise refusal


def exchange_redispatch(*, actor: Any, exchange: ExchangeMessage) -> ExchangeMessage:
    """Hand a stored incoming message to its handler again: one received before a handler was
    registered, or one whose handler failed. The peer was answered already; it is not told again
    (the handler sends statuses as usual)."""
    if not policies.can_manage_exchange(actor):
        raise NotFound()
    with transaction.atomic():
        locked = ExchangeMessage.objects.select_for_update().get(pk=exchange.pk)
        if locked.direction != Direction.IN or locked.state == ExchangeState.HANDLED:
            raise Conflict(_("Gói tin này không cần xử lý lại."), code="exchange_not_pending")
        if locked.kind == MessageKind.UNKNOWN or locked.error_code == SenderNotPeer.code:
            raise Conflict(_("Gói tin này đã bị từ chối, không xử lý lại được."), code="exchange_refused_for_good")
        message = edxml.parse(envelope_bytes(locked))  # a package that cannot be read raises its error again
        if handler_for(message.kind) is None:
            raise Conflict(_("Chưa có bộ xử lý cho loại gói tin này."), code="exchange_no_handler")
        before = {"state": locked.state, "error_code": locked.error_code}
        locked.state = ExchangeState.RECEIVED
        with in_vietnamese():  # kept, like a first delivery's outcome
            problem = _handle(message, locked)
            _settle(locked, problem)
        audit.record(
            actor=actor,
            action="exchange.redispatch",
            obj=locked,
            before=before,
            after={"state": locked.state, "error_code": locked.error_code},
        )
    return locked
