"""Background jobs of documents. Thin: each parses its arguments and calls one function. Enqueue them
with sen.core.jobs.enqueue (after the commit)."""

from __future__ import annotations

from celery import shared_task


@shared_task
def deliver(document_id: int, recipient_ids: list[int]) -> int:
    from sen.documents import delivery

    return delivery.deliver(document_id, recipient_ids)


@shared_task
def status_send(incoming_id: int, code: str, description: str) -> bool:
    """Tell the sender over the exchange that one of its documents reached `code` here."""
    from sen.documents import exchange

    return exchange.status_send(incoming_id, code, description)


@shared_task
def notice_send(document_id: int, kind: str, text: str) -> int:
    """A recall or correction of an issued document, to the recipients outside Sen."""
    from sen.documents import exchange

    return exchange.notice_send(document_id, kind, text)
