"""Send an edXML file to a peer (interoperability checks, re-sending a package by hand).

    manage.py exchange_send 000.00.00.H53 package.edxml [--message-id ID]

The file is read with the same codec as everything else (a package Sen cannot read is refused
here, not sent), then sent through exchange_send: in the embedded default the delivery happens
before the command returns, and its outcome is printed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sen.core.exceptions import SenError
from sen.integrations import edxml, services
from sen.integrations.models import ExchangePeer


class Command(BaseCommand):
    help = "Gửi một tệp edXML tới một hệ thống liên thông."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organ_id", help="Mã định danh của hệ thống nhận")
        parser.add_argument("file", type=Path)
        parser.add_argument("--message-id", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        peer = ExchangePeer.objects.filter(organ_id=options["organ_id"]).first()
        if peer is None:
            raise CommandError(f"Chưa đăng ký hệ thống liên thông {options['organ_id']}.")
        try:
            message = edxml.parse(options["file"].read_bytes())
            exchange = services.exchange_send(actor=None, peer=peer, message=message, message_id=options["message_id"])
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except SenError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        exchange.refresh_from_db()
        self.stdout.write(f"{exchange.message_id} {exchange.state} {exchange.response_status or ''}".rstrip())
        if exchange.error_code:
            self.stdout.write(f"{exchange.error_code}: {exchange.last_error}")
