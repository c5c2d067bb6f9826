"""Reading documents: every list is scoped by the policies and costs a fixed number of queries."""

from __future__ import annotations

from django.db.models import QuerySet

from sen.documents.models import IncomingDocument, Notice


def notices_for_incoming(incoming: IncomingDocument) -> QuerySet[Notice]:
    """Recall, correction and replacement notices of the outgoing document this copy came from."""
    if incoming.outgoing_id is None:
        return Notice.objects.none()
    return Notice.objects.filter(document_id=incoming.outgoing_id).select_related("replacement").order_by("at", "id")
