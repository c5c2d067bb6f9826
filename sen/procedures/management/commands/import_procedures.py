"""`manage.py import_procedures <path.jsonl[.gz]>`: import the national catalogue's records,
idempotently by code, and say what could not be read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sen.procedures.parsing import parse_file
from sen.procedures.services import procedure_import


class Command(BaseCommand):
    help = "Nhập thủ tục hành chính từ tệp JSONL của CSDL quốc gia (chạy lại không tạo bản trùng)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--code", action="append", dest="codes", help="Chỉ nhập mã này (lặp lại được)")
        parser.add_argument("--verbose-issues", action="store_true", help="Liệt kê từng bản ghi không đọc được")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}")
        report = parse_file(path)
        codes = set(options["codes"]) if options["codes"] else None
        result = procedure_import(actor=None, report=report, codes=codes)
        write = self.stdout.write
        write(f"Bản ghi: {result.records}")
        write(f"  tạo mới: {result.created}, cập nhật (phiên bản mới): {result.updated}, không đổi: {result.unchanged}")
        write(f"  bỏ qua (không có mã/tên hoặc không phải JSON): {len(result.skipped)}")
        write(f"  không đọc được một phần (đã nhập phần đọc được): {len(result.unreadable)}")
        write(f"  không có thời hạn giải quyết: {len(result.without_time)}")
        write(f"  bị từ chối: {len(result.rejected)}")
        write(f"  giữ nguyên vì tỉnh đã điều chỉnh: {len(result.kept_province)} {' '.join(result.kept_province)}")
        counts = report.issue_counts()
        if counts:
            write("Vấn đề theo loại: " + ", ".join(f"{kind}={n}" for kind, n in counts.most_common()))
        listed = result.unreadable if options["verbose_issues"] else result.unreadable[:20]
        for code, issues in listed:
            write(f"  {code}: {', '.join(issues)}")
        if len(listed) < len(result.unreadable):
            write(f"  … và {len(result.unreadable) - len(listed)} bản ghi khác (--verbose-issues để xem hết)")
        for line in result.skipped:
            write(f"  bỏ qua {line}")
        for code, reason in result.rejected:
            write(f"  từ chối {code}: {reason}")
