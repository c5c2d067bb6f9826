"""Register a relying party (another provincial system) with Sen's OpenID Connect provider.

    manage.py oidc_client "Hệ thống quản lý văn bản" --redirect-uri https://vb.example.gov.vn/oidc/callback \\
        [--redirect-uri ...] [--trusted] [--client-id ID] [--client-secret SECRET] [--rotate-secret] [--public]

Creates the application (authorization code, RS256 ID tokens, confidential unless --public) or, when one
with that client id (or, without --client-id, that name) exists, updates it. Prints `client_id=...` and,
when a secret was set now, `client_secret=...` (secrets are stored hashed: they cannot be shown later).
--trusted skips the consent page: for the province's own systems only.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sen.core.exceptions import SenError
from sen.identity.oidc_provider import oidc_client_save


class Command(BaseCommand):
    help = "Tạo hoặc cập nhật ứng dụng đăng nhập một lần (OpenID Connect) dùng Sen làm nơi xác thực."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Tên ứng dụng")
        parser.add_argument(
            "--redirect-uri",
            action="append",
            required=True,
            dest="redirect_uris",
            help="Địa chỉ nhận mã (lặp lại được)",
        )
        parser.add_argument("--trusted", action="store_true", help="Hệ thống của tỉnh: bỏ qua trang xin đồng ý")
        parser.add_argument(
            "--public", action="store_true", help="Ứng dụng công khai (không có khóa bí mật, bắt buộc PKCE)"
        )
        parser.add_argument("--client-id", default="", help="Mã ứng dụng (mặc định: sinh ngẫu nhiên)")
        parser.add_argument("--client-secret", default="", help="Khóa bí mật (mặc định: sinh ngẫu nhiên)")
        parser.add_argument("--rotate-secret", action="store_true", help="Cấp khóa bí mật mới")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            application, secret = oidc_client_save(
                actor=None,
                name=options["name"],
                redirect_uris=options["redirect_uris"],
                trusted=options["trusted"],
                public=options["public"],
                client_id=options["client_id"],
                client_secret=options["client_secret"],
                rotate_secret=options["rotate_secret"],
            )
        except SenError as exc:
            raise CommandError(f"{exc.message} {exc.details or ''}".strip()) from exc
        self.stdout.write(f"client_id={application.client_id}")
        if secret:
            self.stdout.write(f"client_secret={secret}")
        else:
            self.stdout.write("client_secret=(không đổi: khóa được lưu dạng băm, không hiển thị lại được)")
