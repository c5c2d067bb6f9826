"""The exchange in the Django admin, for province admins: peers and messages read-only (peers are
registered with `manage.py exchange_peer`, which hands the shared secret over once; the secret is
shown nowhere), with two actions that go through the services: send failed messages again, and
hand stored incoming messages to their handler again."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sen.core.admin import ReadOnlyAdmin
from sen.core.exceptions import SenError
from sen.integrations import services
from sen.integrations.models import ExchangeMessage, ExchangePeer


@admin.register(ExchangePeer)
class ExchangePeerAdmin(ReadOnlyAdmin):
    list_display = ("organ_id", "name", "base_url", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("organ_id", "name")
    fields = ("organ_id", "name", "base_url", "is_active", "created_at", "updated_at")
    readonly_fields = fields


@admin.register(ExchangeMessage)
class ExchangeMessageAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "direction",
        "kind",
        "peer",
        "document_code",
        "status_code",
        "state",
        "attempts",
        "error_code",
    )
    list_filter = ("direction", "kind", "state", "peer")
    search_fields = ("message_id", "document_id", "document_code")
    list_select_related = ("peer",)
    fields = (
        "direction",
        "kind",
        "peer",
        "message_id",
        "document_id",
        "document_code",
        "status_code",
        "state",
        "attempts",
        "response_status",
        "error_code",
        "last_error",
        "error_details",
        "file",
        "sha256",
        "size",
        "actor",
        "created_at",
        "sent_at",
        "handled_at",
    )
    readonly_fields = fields
    actions = ("send_again", "handle_again")

    def _each(self, request: HttpRequest, queryset: QuerySet[ExchangeMessage], service: Any) -> None:
        done = 0
        for exchange in queryset.order_by("id"):
            try:
                service(actor=request.user, exchange=exchange)
                done += 1
            except SenError as exc:
                self.message_user(request, f"{exchange.message_id}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, gettext("Đã thực hiện với %(n)s gói tin.") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Gửi lại các gói tin gửi đi bị lỗi"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[ExchangeMessage]) -> None:
        self._each(request, queryset, services.exchange_retry)

    @admin.action(description=_("Xử lý lại các gói tin nhận được"))
    def handle_again(self, request: HttpRequest, queryset: QuerySet[ExchangeMessage]) -> None:
        self._each(request, queryset, services.exchange_redispatch)
