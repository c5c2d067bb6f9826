"""Who handles an incoming message: one handler per kind ("document", "status"), registered by the
app that owns the meaning (sen.documents) in its AppConfig.ready():

    from sen.integrations.handlers import register_handler

    def ready(self):
        register_handler("document", documents_services.incoming_from_exchange)
        register_handler("status", documents_services.status_from_exchange)

A handler is called as `handler(message=<edxml.DocumentMessage | edxml.StatusMessage>,
exchange=<ExchangeMessage>)`, **inside the receiving transaction** (in a savepoint), before the
peer gets its answer:
- it returns → the message is `handled`; the peer gets 200;
- it raises a SenError → its changes are rolled back, the message stays stored as `failed` with the
  error's code and message, and the peer gets that status and `{"code", "message", "details"}`
  (every retry of the same message id gets the same answer);
- any other exception → the same, with code `handler_error` and 500 (logged).
It must do no network I/O itself (enqueue with sen.core.jobs.enqueue; it runs after the commit).
With no handler for a kind, the message is stored as `received` and the peer gets 202.
A status the handler sends back (exchange_send inside the handler) leaves after the commit; with no
worker it is delivered before the peer has its answer, so a status handler must not assume that the
outgoing ExchangeMessage it answers is already marked `sent`.

Why in the transaction rather than a job: the peer learns at once whether the package was taken
(a refusal is an answer, not a silent drop), and the incoming document and the exchange row
commit together — there is no moment where one exists without the other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sen.integrations.choices import MessageKind

Handler = Callable[..., Any]
_handlers: dict[str, Handler] = {}
KINDS = (MessageKind.DOCUMENT.value, MessageKind.STATUS.value)


def register_handler(kind: str, handler: Handler) -> None:
    """Register `handler` for incoming messages of `kind`. Registering the same callable again is
    harmless (ready() may run twice); a second, different handler for a kind is a mistake."""
    if kind not in KINDS:
        raise ValueError(f"Unknown exchange message kind {kind!r}; expected one of {KINDS}")
    current = _handlers.get(kind)
    if current is not None and current is not handler:
        raise ValueError(f"A handler for {kind!r} is registered already: {current!r}")
    _handlers[kind] = handler


def handler_for(kind: str) -> Handler | None:
    return _handlers.get(kind)
