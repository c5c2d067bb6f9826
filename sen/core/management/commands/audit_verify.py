"""`manage.py audit_verify`: exit 0 when the audit trail is intact, 1 naming the first broken event."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from sen.core import audit


class Command(BaseCommand):
    help = "Kiểm tra toàn bộ nhật ký kiểm toán: chuỗi băm của từng đối tượng và các điểm neo đã ký."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--show",
            type=int,
            default=20,
            help="Số lỗi in ra nhiều nhất (mặc định 20); lỗi đầu tiên luôn được in.",
        )
        parser.add_argument(
            "--all-checkpoints",
            action="store_true",
            help="Tính lại đầu chuỗi của mọi điểm neo, không chỉ điểm neo mới nhất (chậm hơn).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        show = max(options["show"], 1)
        result = audit.verify(max_problems=show, all_checkpoints=options["all_checkpoints"])
        counts = _("{events} sự kiện, {chains} chuỗi, {checkpoints} điểm neo").format(
            events=number_format(result.events_checked, force_grouping=True),
            chains=number_format(result.chains_checked, force_grouping=True),
            checkpoints=number_format(result.checkpoints_checked, force_grouping=True),
        )
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(_("Lưu ý: {warning}").format(warning=warning)))
        if result.ok:
            self.stdout.write(self.style.SUCCESS(_("Nhật ký kiểm toán nguyên vẹn: {counts}.").format(counts=counts)))
            return
        self.stderr.write(_("Đã kiểm tra {counts}; phát hiện {n} lỗi:").format(counts=counts, n=result.problem_count))
        for problem in result.problems:
            self.stderr.write(f"  - [{problem.kind}] {problem.describe()}")
        if result.problem_count > len(result.problems):
            self.stderr.write(_("  … và {n} lỗi khác.").format(n=result.problem_count - len(result.problems)))
        first = result.first
        assert first is not None
        raise CommandError(
            _("Nhật ký kiểm toán đã bị can thiệp. Lỗi đầu tiên — {problem}").format(problem=first.describe()),
            returncode=1,
        )
