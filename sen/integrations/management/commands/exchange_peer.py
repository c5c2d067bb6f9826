"""Register or change a peer system for document exchange.

    manage.py exchange_peer 000.00.00.H53 --name "Sen tỉnh Tây Ninh" --url https://sen.tayninh.gov.vn
    echo "$SECRET" | manage.py exchange_peer 000.00.00.H53 --name ... --url ... --secret-stdin

Both sides must hold the same secret. Without --secret-stdin a new peer gets a random one, printed
once here for the other side's operators (an existing peer keeps its own)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sen.core.exceptions import SenError
from sen.integrations import services
from sen.integrations.models import ExchangePeer


class Command(BaseCommand):
    help = "Đăng ký hoặc cập nhật một hệ thống liên thông văn bản (mã định danh, tên, địa chỉ, khóa bí mật)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organ_id", help="Mã định danh cơ quan cấp 1 của hệ thống, ví dụ 000.00.00.H53")
        parser.add_argument("--name", required=True)
        parser.add_argument("--url", required=True, help="Địa chỉ gốc của máy chủ, ví dụ https://sen.tayninh.gov.vn")
        parser.add_argument("--secret-stdin", action="store_true", help="Đọc khóa bí mật dùng chung từ stdin")
        parser.add_argument("--inactive", action="store_true", help="Tạm ngừng kết nối với hệ thống này")

    def handle(self, *args: Any, **options: Any) -> None:
        secret = sys.stdin.readline().strip() if options["secret_stdin"] else None
        existed = ExchangePeer.objects.filter(organ_id=options["organ_id"].strip()).exists()
        try:
            peer, current_secret = services.peer_save(
                actor=None,
                organ_id=options["organ_id"],
                name=options["name"],
                base_url=options["url"],
                secret=secret,
                is_active=not options["inactive"],
            )
        except SenError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{'Đã cập nhật' if existed else 'Đã đăng ký'} hệ thống liên thông {peer}.")
        if secret is None and not existed:
            self.stdout.write("Khóa bí mật dùng chung (chỉ hiện một lần, trao cho bên kia qua kênh an toàn):")
            self.stdout.write(current_secret)
