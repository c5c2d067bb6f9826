"""The Django admin for province admins: units and their kinds, the calendar; the audit trail,
re-organisation history and notifications read-only. Access (province admins only, nobody deletes)
and turning a service's refusal into a message come from sen.identity.admin.

Units are written through the tree services (a new unit → unit_create, a new parent → unit_move, a
new name → unit_rename), so the admin keeps paths right and leaves history and audit events like
any other interface. Merges are not offered here. Nothing in this module is ever deleted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sen.core import audit, services
from sen.core.models import (
    AuditEvent,
    CalendarDay,
    CalendarSettings,
    Notification,
    OrgUnit,
    UnitChange,
    UnitKind,
)
from sen.identity import policies
from sen.identity.admin import ProvinceAdminOnly, ServiceModelAdmin


class ReadOnlyAdmin(ProvinceAdminOnly, admin.ModelAdmin):
    """Province admins may look, nobody may add, change or delete."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(ServiceModelAdmin):
    """Saving a plain data row (a kind, a calendar day, working hours) writes an audit event."""

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        before = None
        if change and obj.pk is not None:
            previous = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = model_to_dict(previous) if previous is not None else None
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            action=f"{obj._meta.label_lower}.{'update' if change else 'create'}",
            obj=obj,
            before=before,
            after=model_to_dict(obj),
        )


@admin.register(UnitKind)
class UnitKindAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en", "rank")
    search_fields = ("code", "name", "name_en")
    ordering = ("rank", "code")


class ActiveFilter(admin.SimpleListFilter):
    title = _("tình trạng")
    parameter_name = "active"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Đang hoạt động")), ("no", _("Đã ngừng hoạt động"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(active_to__isnull=True)
        if self.value() == "no":
            return queryset.filter(active_to__isnull=False)
        return queryset


class UnitChangeInline(admin.TabularInline):
    model = UnitChange
    fk_name = "unit"
    extra = 0
    can_delete = False
    fields = ("kind", "effective_on", "old_parent", "new_parent", "successor", "old_name", "new_name", "note")
    readonly_fields = fields
    ordering = ("effective_on", "id")
    verbose_name = _("thay đổi tổ chức")
    verbose_name_plural = _("lịch sử sắp xếp tổ chức")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.is_province_admin(request.user)


class OrgUnitAdminForm(forms.ModelForm):
    """Early, friendly errors for what the services would refuse (they check again)."""

    class Meta:
        model = OrgUnit
        fields = ("code", "name", "short_name", "kind", "parent", "statistics_code", "active_from")

    def clean_parent(self) -> OrgUnit | None:
        parent: OrgUnit | None = self.cleaned_data.get("parent")
        if parent is None:
            if self.instance.pk is not None and self.instance.parent_id is not None:
                raise forms.ValidationError(gettext("Không thể bỏ đơn vị cha của một đơn vị đã có."))
            return parent
        if parent.active_to is not None:
            raise forms.ValidationError(gettext("Đơn vị cha đã ngừng hoạt động."))
        if self.instance.pk is not None and parent.path.startswith(self.instance.path):
            raise forms.ValidationError(
                gettext("Không thể chuyển đơn vị “%(name)s” vào chính nó hoặc một đơn vị cấp dưới của nó.")
                % {"name": self.instance.name}
            )
        return parent

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        parent, start = cleaned.get("parent"), cleaned.get("active_from")
        if self.instance.pk is None and parent is not None and start is not None and parent.active_from > start:
            self.add_error(
                "active_from",
                gettext("Đơn vị cha chỉ hoạt động từ ngày %(day)s.") % {"day": parent.active_from.strftime("%d/%m/%Y")},
            )
        return cleaned


@admin.register(OrgUnit)
class OrgUnitAdmin(ServiceModelAdmin):
    form = OrgUnitAdminForm
    list_display = ("code", "name", "kind", "parent", "statistics_code", "active_from", "active_to")
    list_filter = ("kind", ActiveFilter)
    search_fields = ("code", "name", "short_name", "statistics_code")
    list_select_related = ("kind", "parent")
    ordering = ("path",)
    inlines = (UnitChangeInline,)
    autocomplete_fields = ("parent",)
    # On change only the name and the parent can be edited, each through its service.
    change_readonly = (
        "code",
        "short_name",
        "kind",
        "statistics_code",
        "active_from",
        "active_to",
        "successor",
        "path",
        "depth",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.change_readonly if obj is not None else ("path", "depth", "active_to", "successor")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        editable = ["code", "name", "short_name", "kind", "parent", "statistics_code", "active_from"]
        if obj is None:
            return editable
        return ["name", "parent", *self.change_readonly]

    def save_model(self, request: HttpRequest, obj: OrgUnit, form: Any, change: bool) -> None:
        actor = request.user
        if not change:
            created = services.unit_create(
                actor=actor,
                code=obj.code,
                name=obj.name,
                kind_code=obj.kind.code,
                parent=obj.parent,
                active_from=obj.active_from,
                statistics_code=obj.statistics_code,
                short_name=obj.short_name,
            )
            obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth
            return
        today = timezone.localdate()
        if "parent" in form.changed_data and obj.parent is not None:
            services.unit_move(actor=actor, unit=obj, new_parent=obj.parent, on_date=today)
        if "name" in form.changed_data:
            services.unit_rename(actor=actor, unit=obj, name=obj.name, on_date=today)
        obj.refresh_from_db()


@admin.register(UnitChange)
class UnitChangeAdmin(ReadOnlyAdmin):
    list_display = ("unit", "kind", "effective_on", "old_parent", "new_parent", "successor", "recorded_at")
    list_filter = ("kind",)
    search_fields = ("unit__code", "unit__name", "old_name", "new_name")
    list_select_related = ("unit", "old_parent", "new_parent", "successor")
    date_hierarchy = "effective_on"


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ("date", "kind", "reason")
    list_filter = ("kind",)
    search_fields = ("reason",)
    date_hierarchy = "date"


@admin.register(CalendarSettings)
class CalendarSettingsAdmin(AuditedAdmin):
    """One row (pk=1): it can be changed, never added twice or deleted."""

    list_display = ("__str__", "morning_start", "morning_end", "afternoon_start", "afternoon_end", "cutoff")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return not CalendarSettings.objects.exists() and super().has_add_permission(request, *args)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        obj.pk = 1
        super().save_model(request, obj, form, change)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "occurred_at", "actor_label", "action", "object_type", "object_id", "acting_unit")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "action", "object_type", "object_id", "request_id")
    list_select_related = ("acting_unit",)
    date_hierarchy = "occurred_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "channel", "address", "template", "status", "attempts", "sent_at")
    list_filter = ("channel", "status")
    search_fields = ("address", "template", "subject")
    date_hierarchy = "created_at"
