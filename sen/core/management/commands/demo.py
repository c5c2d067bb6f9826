"""`python manage.py demo`: build (or complete) the demo province and print its accounts.

Idempotent: a second run creates nothing. The password of every demo account is
$SEN_DEMO_PASSWORD (default "sen-demo-2026") — a demo, never for a real installation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from sen.core import audit
from sen.core.demo.build import DemoAccount, build_demo
from sen.core.demo.data import DemoDataMissing


class Command(BaseCommand):
    help = "Tạo tỉnh demo (Đồng Tháp sau sắp xếp 2025) và in danh sách tài khoản demo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Cho phép chạy với cấu hình production (tạo tài khoản có mật khẩu công khai).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if str(getattr(settings, "SETTINGS_MODULE", "")).endswith(".production") and not options["allow_production"]:
            raise CommandError(
                _("Không tạo dữ liệu demo trên cấu hình production (dùng --allow-production nếu thật sự cần).")
            )
        try:
            report = build_demo()
        except DemoDataMissing as exc:
            raise CommandError(str(exc)) from exc
        # Each app adds its part of the demo (procedures, certificates...); core names none of them.
        for dotted_path in settings.SEN_DEMO_BUILDERS:
            counts = import_string(dotted_path)(stdout=self.stdout)
            report.created.update({name: count for name, count in counts.items() if count})
        if report.changed:
            # Anchor what the demo wrote in a signed checkpoint, so audit_verify starts from a clean slate.
            audit.checkpoint_create()
            created = ", ".join(f"{name}: {count}" for name, count in sorted(report.created.items()) if count)
            self.stdout.write(self.style.SUCCESS(_("Đã tạo dữ liệu demo — %(created)s") % {"created": created}))
        else:
            self.stdout.write(_("Dữ liệu demo đã có sẵn, không thay đổi gì."))
        self.stdout.write(_format_accounts(report.accounts))
        self.stdout.write(_("Mật khẩu demo dùng chung cho mọi tài khoản; không dùng cho hệ thống thật."))


def _format_accounts(accounts: list[DemoAccount]) -> str:
    header = (_("Vai trò"), _("Đơn vị"), _("Tên đăng nhập"), _("Mật khẩu"))
    rows = [header] + [(a.role, a.unit, a.username, a.password) for a in accounts]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    rule = "+".join("-" * (width + 2) for width in widths)
    lines = [_("Tài khoản demo:"), rule]
    for index, row in enumerate(rows):
        lines.append("|".join(f" {cell.ljust(width)} " for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            lines.append(rule)
    lines.append(rule)
    return "\n".join(lines)
