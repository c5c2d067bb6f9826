"""Reading the exchange."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sen.integrations.choices import Direction, MessageKind
from sen.integrations.edxml import organ_level1
from sen.integrations.models import ExchangeMessage, ExchangePeer


def peer_for(organ_id: str) -> ExchangePeer | None:
    """The active peer that reaches the organisation `organ_id`: the peer with that very code, else
    the one speaking for its level-1 body (the rightmost part of the code, "H53")."""
    level1 = organ_level1(organ_id)
    candidates = ExchangePeer.objects.filter(is_active=True).filter(
        Q(organ_id=organ_id) | Q(organ_id__iendswith="." + level1) | Q(organ_id__iexact=level1)
    )
    peers = sorted(candidates, key=lambda peer: (peer.organ_id != organ_id, peer.organ_id))
    return peers[0] if peers else None


def statuses_for_document(document_id: str) -> QuerySet[ExchangeMessage]:
    """The status messages received for the document with this edXML DocumentId, oldest first."""
    return (
        ExchangeMessage.objects.filter(direction=Direction.IN, kind=MessageKind.STATUS, document_id=document_id)
        .select_related("peer")
        .order_by("created_at", "id")
    )


def messages_for_document(document_id: str) -> QuerySet[ExchangeMessage]:
    """Every package, sent or received, about the document with this DocumentId, oldest first."""
    return ExchangeMessage.objects.filter(document_id=document_id).select_related("peer").order_by("created_at", "id")
