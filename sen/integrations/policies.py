"""Who may run the exchange. Sending a document is the documents app's decision (its policies, in
its services, before it calls exchange_send); managing peers, re-sending and re-handling messages
is the province's IT department's."""

from __future__ import annotations

from typing import Any

from sen.identity import policies as identity


def can_manage_exchange(actor: Any) -> bool:
    """`actor=None` is the system (management commands, the demo, jobs)."""
    return actor is None or identity.is_province_admin(actor)
