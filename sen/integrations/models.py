"""Document exchange between Sen servers (and any system speaking the same protocol).

An `ExchangePeer` is another system this installation exchanges edXML packages with: its agency
code, its address and the HMAC secret both sides share. The secret is made at run time (the demo,
`manage.py exchange_peer`) and kept only in the database; it is never committed or logged.

An `ExchangeMessage` is one package sent or received: the envelope's bytes on storage (named by
their SHA-256 plus a random suffix), its state, the delivery attempts and the last error. The
sender's message id is unique per (peer, direction), so a retried delivery never makes a second row.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from sen.integrations.choices import (
    INCOMING_STATES,
    OUTGOING_STATES,
    Direction,
    ExchangeState,
    MessageKind,
    StatusCode,
)


class ExchangePeer(models.Model):
    organ_id = models.CharField(
        "mã định danh", max_length=40, unique=True, help_text="Mã cơ quan cấp 1 mà hệ thống này đại diện (QĐ 20/2020)"
    )
    name = models.CharField("tên", max_length=255)
    base_url = models.URLField("địa chỉ máy chủ", max_length=255, help_text="Ví dụ https://edoc.tinh.gov.vn")
    # The shared HMAC-SHA256 key. Needed in clear to sign and to check signatures; shown nowhere.
    secret = models.CharField("khóa bí mật dùng chung", max_length=128, editable=False)
    is_active = models.BooleanField("đang kết nối", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organ_id"]
        verbose_name = "hệ thống liên thông"
        verbose_name_plural = "hệ thống liên thông"
        constraints = [
            models.CheckConstraint(condition=~Q(organ_id=""), name="exchange_peer_organ_id_set"),
            models.CheckConstraint(condition=~Q(secret=""), name="exchange_peer_secret_set"),
            models.CheckConstraint(
                condition=Q(base_url__startswith="http://") | Q(base_url__startswith="https://"),
                name="exchange_peer_base_url_http",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organ_id})"


def exchange_file_name(direction: str, sha256: str) -> str:
    """Named by content plus a random suffix: one stored file per message, never overwritten."""
    return f"integrations/exchange/{direction}/{sha256[:2]}/{sha256}-{uuid.uuid4().hex[:12]}.edxml"


class ExchangeMessage(models.Model):
    direction = models.CharField("chiều", max_length=3, choices=Direction.choices)
    kind = models.CharField("loại gói tin", max_length=10, choices=MessageKind.choices)
    peer = models.ForeignKey(ExchangePeer, on_delete=models.PROTECT, related_name="messages", verbose_name="hệ thống")
    # Chosen by the sender (a UUID unless the caller passes its own) and sent as X-Sen-Message-Id.
    message_id = models.CharField("mã gói tin", max_length=64)
    file = models.FileField("gói tin edXML", max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    # What the package is about, for look-ups without reading the file: the document's DocumentId
    # (a status: the DocumentId it answers), its số/ký hiệu, and a status message's code.
    document_id = models.CharField("mã văn bản", max_length=255, blank=True, db_index=True)
    document_code = models.CharField("số, ký hiệu", max_length=120, blank=True)
    status_code = models.CharField("mã trạng thái", max_length=2, choices=StatusCode.choices, blank=True)
    state = models.CharField("trạng thái", max_length=10, choices=ExchangeState.choices)
    attempts = models.PositiveIntegerField("số lần gửi", default=0)
    # Our answer to an incoming message, the peer's answer to an outgoing one.
    response_status = models.PositiveSmallIntegerField("mã trả lời HTTP", null=True, blank=True)
    error_code = models.CharField("mã lỗi", max_length=64, blank=True)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    error_details = models.JSONField("chi tiết lỗi", null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người gửi",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    handled_at = models.DateTimeField("xử lý lúc", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "gói tin liên thông"
        verbose_name_plural = "gói tin liên thông"
        constraints = [
            models.UniqueConstraint(
                fields=["peer", "direction", "message_id"], name="exchange_message_unique_per_peer_direction"
            ),
            models.CheckConstraint(
                condition=(Q(direction=Direction.OUT) & Q(state__in=OUTGOING_STATES))
                | (Q(direction=Direction.IN) & Q(state__in=INCOMING_STATES)),
                name="exchange_message_state_matches_direction",
            ),
            models.CheckConstraint(
                condition=Q(kind=MessageKind.STATUS) | Q(status_code=""), name="exchange_message_status_code_on_status"
            ),
            models.CheckConstraint(
                condition=~Q(direction=Direction.OUT) | ~Q(kind=MessageKind.UNKNOWN),
                name="exchange_message_outgoing_kind_known",
            ),
            models.CheckConstraint(condition=~Q(message_id=""), name="exchange_message_id_set"),
            models.CheckConstraint(
                condition=~Q(state=ExchangeState.SENT) | Q(sent_at__isnull=False), name="exchange_message_sent_at_set"
            ),
        ]
        indexes = [
            models.Index(fields=["direction", "state", "created_at"], name="exchange_message_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.message_id} ({self.get_state_display()})"
