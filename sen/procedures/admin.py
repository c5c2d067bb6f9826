"""Django admin for province admins: the catalogue, read-only. Published versions are immutable;
a change is a new version, made by the import (`import_procedures`), the demo, or
services.procedure_publish / procedure_workflow_set — never by editing a row here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sen.identity.admin import ProvinceAdminOnly
from sen.procedures.models import (
    ChannelOption,
    Component,
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    WorkflowStep,
)


class ReadOnlyAdmin(ProvinceAdminOnly, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _ReadOnlyInline(ProvinceAdminOnly, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ChannelInline(_ReadOnlyInline):
    model = ChannelOption
    fields = ("channel", "amount", "unit", "description")


class FeeInline(_ReadOnlyInline):
    model = Fee
    fields = ("channel", "amount_vnd", "per_item", "item_label", "description")


class ComponentInline(_ReadOnlyInline):
    model = Component
    fields = ("group", "name", "originals", "copies", "required")


class WorkflowInline(_ReadOnlyInline):
    model = WorkflowStep
    fields = ("order", "name", "role_code", "unit", "share_percent")


@admin.register(Field)
class FieldAdmin(ReadOnlyAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Procedure)
class ProcedureAdmin(ReadOnlyAdmin):
    list_display = ("code", "current_version")
    search_fields = ("code",)
    list_select_related = ("current_version",)


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(ReadOnlyAdmin):
    list_display = ("procedure", "number", "status", "name", "processing_amount", "processing_unit", "online_level")
    list_filter = ("status", "online_level", "source")
    search_fields = ("procedure__code", "name_folded")
    list_select_related = ("procedure",)
    inlines = [ChannelInline, FeeInline, ComponentInline, WorkflowInline]
