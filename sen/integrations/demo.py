"""Demo exchange: this installation as its own peer, so documents can travel over HTTP between its
units in the demo exactly as they would between two Sen servers. The shared secret is generated
here, at run time, and kept only in the database. Idempotent: an existing peer is left alone."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from sen.integrations import services
from sen.integrations.models import ExchangePeer


def demo_build(*, stdout: Any) -> dict[str, int]:
    organ_id = settings.SEN_EXCHANGE_ORGAN_ID
    created = 0
    if not ExchangePeer.objects.filter(organ_id=organ_id).exists():
        services.peer_save(
            actor=None,
            organ_id=organ_id,
            name=f"Sen {settings.SEN_PROVINCE_NAME} (chính máy chủ này)",
            base_url=settings.SEN_BASE_URL,
        )
        created = 1
    stdout.write(
        f"Liên thông văn bản: hệ thống {organ_id} tại {settings.SEN_BASE_URL} "
        f"{'mới đăng ký' if created else 'đã có'} (khóa bí mật tạo khi chạy, chỉ lưu trong cơ sở dữ liệu).\n"
    )
    return {"exchange_peers": created}
