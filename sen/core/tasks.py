"""Background jobs of the core app. Thin: each parses its arguments and calls one function.

Enqueue them with `sen.core.jobs.enqueue`, never with `.delay()` inside a transaction.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from sen.core import notifications


@shared_task
def ping() -> str:
    """Touches nothing: proves that the broker and a worker are there (`ping.delay().get()`)."""
    return "pong"


@shared_task(
    bind=True,
    # deliver() re-raises only the failures worth retrying (the mail server down or busy).
    autoretry_for=(OSError,),
    retry_backoff=settings.SEN_NOTIFICATION_RETRY_BACKOFF,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=settings.SEN_NOTIFICATION_MAX_RETRIES,
)
def send_notification(self: Any, notification_id: int) -> str:
    """Send one Notification. In eager mode (no worker) there is a single attempt: a failure is
    recorded on the row and never raised into the request that caused it."""
    final_attempt = bool(self.request.is_eager) or self.request.retries >= self.max_retries
    notification = notifications.deliver(notification_id, final_attempt=final_attempt)
    return notification.status if notification else "missing"


@shared_task
def notifications_resend_stranded() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): re-enqueue notifications whose job never reached a worker."""
    return notifications.resend_stranded()


@shared_task
def audit_checkpoint() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): sign a checkpoint of every audit chain head."""
    from sen.core.audit import checkpoint_create

    return checkpoint_create().pk
