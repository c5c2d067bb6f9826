"""`manage.py audit_checkpoint`: sign the digest of every audit chain head now (beat does it hourly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from sen.core import audit


class Command(BaseCommand):
    help = "Tạo một điểm neo đã ký (HMAC) cho đầu mọi chuỗi của nhật ký kiểm toán."

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = audit.checkpoint_create()
        self.stdout.write(
            self.style.SUCCESS(
                _("Đã tạo điểm neo #{id}: {chains} chuỗi, đến sự kiện #{last}, digest {digest}.").format(
                    id=checkpoint.pk,
                    chains=checkpoint.chain_count,
                    last=checkpoint.last_event_id,
                    digest=checkpoint.heads_digest[:16],
                )
            )
        )
