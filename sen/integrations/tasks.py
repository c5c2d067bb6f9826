"""Jobs of the exchange. Thin: each calls one service. Enqueue with sen.core.jobs.enqueue."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from sen.integrations.exceptions import DeliveryRetry


@shared_task(
    bind=True,
    autoretry_for=(DeliveryRetry,),
    retry_backoff=settings.SEN_EXCHANGE_RETRY_BACKOFF,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=settings.SEN_EXCHANGE_MAX_RETRIES,
)
def deliver_exchange_message(self: Any, exchange_id: int) -> str:
    """POST one outgoing exchange message to its peer. A network error, 5xx, 408 or 429 is retried
    with exponential backoff (about BACKOFF, 2×, 4×… seconds, capped at an hour) up to MAX_RETRIES
    times, then the message is marked failed. In eager mode (no worker) there is one attempt."""
    from sen.integrations import services

    final_attempt = bool(self.request.is_eager) or self.request.retries >= self.max_retries
    exchange = services.exchange_deliver(exchange_id, final_attempt=final_attempt)
    return exchange.state if exchange else "missing"


@shared_task
def exchange_resend_stranded() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): re-enqueue outgoing messages whose job never reached a worker."""
    from sen.integrations import services

    return services.exchange_resend_stranded()
