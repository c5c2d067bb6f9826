"""Notifications to people: e-mail (sent), SMS and Zalo (recorded, not sent, in the demo).

`notify()` is called by services inside their transaction: it writes one Notification row per channel
(status "pending") and hands `sen.core.tasks.send_notification` to the job queue, which runs it only
after the transaction commits (`sen.core.jobs.enqueue`). A rolled-back change therefore sends nothing
and leaves no row.

The job calls `deliver()`: it renders the template in Vietnamese, hands the notification to the
channel's adapter (settings.SEN_NOTIFICATION_ADAPTERS) and records the outcome: "sent", "recorded" or
"failed" with the number of attempts and the last error. A temporary failure (the mail server is down)
is retried by the worker with exponential backoff; in the embedded default (no worker) there is one
attempt and a failure is recorded, never raised into the request.

Templates live in templates/notifications/:
    <name>.subject.txt   the subject (one line; whitespace is collapsed)
    <name>.txt           the plain-text body
    <name>.html          optional: an HTML alternative for e-mail
    <name>.<channel>.txt optional: a shorter body for "sms" or "zalo" (else <name>.txt is used)
Every template receives the caller's context plus `recipient_name`, `username`, `province`,
`site_url` and `login_url`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import smtplib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.serializers.json import DjangoJSONEncoder
from django.template import Context, TemplateDoesNotExist, engines
from django.template.backends.django import DjangoTemplates
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from sen.core import jobs
from sen.core.models import Notification

if TYPE_CHECKING:
    from sen.identity.models import User

logger = logging.getLogger(__name__)

TEMPLATE_DIR = "notifications"


class NotificationAdapter(Protocol):
    """Delivers one rendered notification on its channel. Raises OSError (smtplib.SMTPException is
    one) for a failure worth retrying; any other exception marks the notification failed at once."""

    #: Status recorded after `send()` returns: "sent", or "recorded" for an adapter that only keeps it.
    delivered_status: str

    def send(self, notification: Notification) -> None: ...


class EmailAdapter:
    """Sends the notification by e-mail with Django's mail API (settings.EMAIL_BACKEND)."""

    delivered_status = Notification.Status.SENT

    def send(self, notification: Notification) -> None:
        message = EmailMultiAlternatives(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.address],
        )
        html = render_html(notification)
        if html:
            message.attach_alternative(html, "text/html")
        message.send(fail_silently=False)


class RecordingAdapter:
    """Keeps the rendered message on the Notification row without sending it: the demo's SMS and Zalo.
    A real provider's adapter has the same interface and replaces it in SEN_NOTIFICATION_ADAPTERS."""

    delivered_status = Notification.Status.RECORDED

    def send(self, notification: Notification) -> None:
        logger.info("Notification %s recorded, not sent (%s)", notification.pk, notification.channel)


def adapter_for(channel: str) -> NotificationAdapter:
    adapters: Mapping[str, str] = settings.SEN_NOTIFICATION_ADAPTERS
    try:
        dotted_path = adapters[channel]
    except KeyError:
        raise ValueError(f"No notification adapter for channel {channel!r} in SEN_NOTIFICATION_ADAPTERS") from None
    adapter: NotificationAdapter = import_string(dotted_path)()
    return adapter


# --- Writing: inside the caller's transaction ----------------------------------------------------
def _address(recipient: User, channel: str) -> str:
    return (recipient.email if channel == Notification.Channel.EMAIL else recipient.phone or "").strip()


def _jsonable(context: Mapping[str, Any]) -> dict[str, Any]:
    """What a worker receives is JSON: dates, decimals and UUIDs become strings now, not later."""
    result: dict[str, Any] = json.loads(json.dumps(dict(context), cls=DjangoJSONEncoder))
    return result


def notify(
    *,
    recipient: User,
    template: str,
    context: Mapping[str, Any],
    channels: Sequence[str] = ("email",),
) -> list[Notification]:
    """Write one pending Notification per channel and send each after the caller's transaction commits.

    A channel the recipient has no address for (no e-mail, no phone) gets a row marked failed with the
    reason, so the gap is visible, and nothing is sent on it. Raises ValueError for an unknown channel
    or a template that does not exist: those are programming errors, caught by the first test.
    """
    # Fail here, in the caller, not later in the job.
    for name in (f"{TEMPLATE_DIR}/{template}.subject.txt", f"{TEMPLATE_DIR}/{template}.txt"):
        try:
            get_template(name)
        except TemplateDoesNotExist as exc:
            raise ValueError(f"Notification template {name!r} does not exist") from exc
    for channel in channels:
        if channel not in Notification.Channel.values:
            raise ValueError(f"Unknown notification channel {channel!r}")
    full_context = {
        "recipient_name": recipient.full_name or recipient.get_username(),
        "username": recipient.get_username(),
        "province": settings.SEN_PROVINCE_NAME,
        "site_url": settings.SEN_BASE_URL.rstrip("/"),
        "login_url": settings.SEN_BASE_URL.rstrip("/") + reverse(settings.LOGIN_URL),
        **_jsonable(context),
    }
    notifications = []
    for channel in channels:
        address = _address(recipient, channel)
        notification = Notification.objects.create(
            recipient=recipient,
            channel=channel,
            address=address,
            template=template,
            context=full_context,
        )
        if not address:
            notification.status = Notification.Status.FAILED
            notification.error = (
                "Người nhận chưa có địa chỉ thư điện tử."
                if channel == Notification.Channel.EMAIL
                else "Người nhận chưa có số điện thoại."
            )
            notification.save(update_fields=["status", "error"])
        else:
            from sen.core.tasks import send_notification

            jobs.enqueue(send_notification, notification.pk)
        notifications.append(notification)
    return notifications


# --- Rendering -----------------------------------------------------------------------------------
def _render_text(name: str, context: Mapping[str, Any]) -> str:
    """Plain text is not HTML: render without autoescaping ("Q&A" stays "Q&A")."""
    backend = engines["django"]
    assert isinstance(backend, DjangoTemplates)
    return backend.engine.get_template(name).render(Context(dict(context), autoescape=False))


def render(notification: Notification) -> tuple[str, str]:
    """The subject (one line) and the plain-text body of a notification, in Vietnamese."""
    base = f"{TEMPLATE_DIR}/{notification.template}"
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(_render_text(f"{base}.subject.txt", notification.context).split())
        body_name = f"{base}.txt"
        if notification.channel != Notification.Channel.EMAIL:
            try:
                get_template(f"{base}.{notification.channel}.txt")
                body_name = f"{base}.{notification.channel}.txt"
            except TemplateDoesNotExist:
                pass
        body = _render_text(body_name, notification.context).strip() + "\n"
    return subject, body


def render_html(notification: Notification) -> str:
    """The optional HTML alternative of an e-mail ("" when the template has none)."""
    try:
        template = get_template(f"{TEMPLATE_DIR}/{notification.template}.html")
    except TemplateDoesNotExist:
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        return template.render(dict(notification.context))


# --- Delivering: in the job, after commit --------------------------------------------------------
def is_permanent(exc: BaseException) -> bool:
    """A mail server's 5xx answer (unknown mailbox, refused sender) will not change on retry."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _message in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return not isinstance(exc, OSError)


def deliver(notification_id: int, *, final_attempt: bool) -> Notification | None:
    """Render and send one pending notification, recording the outcome on its row.

    No transaction is held while talking to the mail server. A notification that is no longer
    pending (already delivered by an earlier, redelivered job) is left alone. On a temporary failure
    the row stays pending with the attempt and the error recorded, and the error (an OSError) is
    raised again for the job to retry; on the final attempt, or on a permanent failure, the row is marked failed.
    """
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        logger.warning("Notification %s does not exist (rolled back?); nothing to send", notification_id)
        return None
    if notification.status != Notification.Status.PENDING:
        return notification
    notification.attempts += 1
    try:
        notification.subject, notification.body = render(notification)
        adapter = adapter_for(notification.channel)
        adapter.send(notification)
    except Exception as exc:
        retry = isinstance(exc, OSError) and not is_permanent(exc) and not final_attempt
        notification.status = Notification.Status.PENDING if retry else Notification.Status.FAILED
        notification.error = f"{type(exc).__name__}: {exc}"[:2000]
        _save_outcome(notification)
        if retry:
            logger.warning(
                "Notification %s: attempt %s failed, to be retried: %s", notification_id, notification.attempts, exc
            )
            raise
        logger.error("Notification %s failed after %s attempt(s): %s", notification_id, notification.attempts, exc)
        return notification
    notification.status = adapter.delivered_status
    notification.error = ""
    notification.sent_at = timezone.now()
    _save_outcome(notification)
    return notification


def _save_outcome(notification: Notification) -> None:
    notification.save(update_fields=["subject", "body", "status", "attempts", "error", "sent_at"])


def resend_stranded(*, older_than_minutes: int = 15) -> int:
    """Enqueue again the pending notifications whose job never ran (the broker was unreachable when
    the transaction committed). Notifications already tried are the retry schedule's business."""
    cutoff = timezone.now() - dt.timedelta(minutes=older_than_minutes)
    stranded = list(
        Notification.objects.filter(status=Notification.Status.PENDING, attempts=0, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:1000]
    )
    from sen.core.tasks import send_notification

    for notification_id in stranded:
        jobs.enqueue(send_notification, notification_id)
    return len(stranded)
