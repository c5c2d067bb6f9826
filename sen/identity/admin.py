"""Django admin for province admins: people, their posts and roles, the roles themselves.

Who may use it: a province admin (policies.is_province_admin) — a Django staff user, made so when
the role is granted. Every change goes through a service, so it is checked and audited like any
other: adding a person = staff_create, adding a post = staff_transfer, adding a grant = role_grant,
ending a grant = role_revoke. Nothing is deleted.

The admin has no login page of its own: /admin/login/ sends people to Sen's login (lockout, 2FA).
Other apps' admins reuse `ProvinceAdminOnly` (e.g. sen/core/admin.py for units and the calendar).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sen.core.exceptions import SenError
from sen.core.models import OrgUnit
from sen.identity import policies, services
from sen.identity.models import Employment, Role, RoleGrant, User


@login_not_required
def _admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    if request.user.is_authenticated:
        # Logged in but not allowed in the admin: say so rather than loop through the login page.
        raise DjangoPermissionDenied
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("identity:login"))


# AdminSite.login is looked up when the admin's URLs are built; this replaces it for the default site.
_LOGIN = "login"
setattr(admin.site, _LOGIN, _admin_login)
admin.site.site_header = gettext_lazy("Quản trị Sen")
admin.site.site_title = gettext_lazy("Quản trị Sen")
admin.site.index_title = gettext_lazy("Quản trị cấp tỉnh")


class ProvinceAdminOnly:
    """ModelAdmin mixin: province admins may view, add and change; nobody deletes."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policies.is_province_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.is_province_admin(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return policies.is_province_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.is_province_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceModelAdmin(ProvinceAdminOnly, admin.ModelAdmin):
    """For province admins; a service refusing a change (e.g. a race the form could not foresee)
    becomes a message on the same page, not an error page."""

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)
        except SenError as exc:
            messages.error(request, exc.message)
            return HttpResponse(status=303, headers={"Location": request.get_full_path()})


class _ReadOnlyInline(ProvinceAdminOnly, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EmploymentInline(_ReadOnlyInline):
    model = Employment
    fields = ("unit", "position", "valid_from", "valid_to")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Quá trình công tác (thêm bằng “Điều động”)")


class RoleGrantInline(_ReadOnlyInline):
    model = RoleGrant
    fk_name = "user"
    fields = ("role", "unit", "valid_from", "valid_to", "granted_by")
    readonly_fields = fields


def _become(obj: Any, saved: Any) -> None:
    """Make the admin's unsaved instance the row the service saved (for the log and the redirect)."""
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class StaffCreateForm(ModelForm):
    """Adding a person in the admin adds a civil servant: official e-mail, unit, post, roles."""

    email = forms.EmailField(label=gettext_lazy("Thư điện tử công vụ"))
    unit = forms.ModelChoiceField(queryset=OrgUnit.objects.filter(active_to__isnull=True), label=gettext_lazy("Đơn vị"))
    position = forms.CharField(label=gettext_lazy("Chức vụ"), required=False)
    roles = forms.ModelMultipleChoiceField(queryset=Role.objects.all(), required=False, label=gettext_lazy("Vai trò"))
    password = forms.CharField(
        label=gettext_lazy("Mật khẩu ban đầu"),
        required=False,
        strip=False,
        widget=forms.PasswordInput,
        help_text=gettext_lazy("Để trống nếu người này chỉ đăng nhập một lần (SSO)."),
    )

    class Meta:
        model = User
        fields = ("full_name", "phone")

    def clean_email(self) -> str:
        try:
            email = services.normalize_email(self.cleaned_data["email"])
        except SenError as exc:
            raise forms.ValidationError(exc.message) from exc
        if not email.endswith("@" + settings.SEN_STAFF_EMAIL_DOMAIN.lower()):
            raise forms.ValidationError(
                _("Thư điện tử công vụ phải có đuôi @%(domain)s.") % {"domain": settings.SEN_STAFF_EMAIL_DOMAIN}
            )
        if User.objects.filter(username=email).exists():
            raise forms.ValidationError(_("Đã có tài khoản với thư điện tử công vụ này."))
        return email

    def _post_clean(self) -> None:
        # The model instance is made by the service, not validated here.
        pass


class UserChangeForm(ModelForm):
    class Meta:
        model = User
        fields = ("full_name", "phone", "email", "is_active")


@admin.register(User)
class UserAdmin(ServiceModelAdmin):
    list_display = ("username", "full_name", "kind", "is_active", "is_staff", "locked_until")
    list_filter = ("kind", "is_active", "is_staff")
    search_fields = ("username", "full_name", "email", "national_id", "tax_code", "phone")
    ordering = ("username",)
    inlines = (EmploymentInline, RoleGrantInline)
    readonly_fields = (
        "username",
        "kind",
        "national_id",
        "tax_code",
        "is_staff",
        "last_login",
        "date_joined",
        "failed_login_count",
        "locked_until",
    )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = UserChangeForm if obj is not None else StaffCreateForm
        kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [(None, {"fields": ("email", "full_name", "phone", "unit", "position", "roles", "password")})]
        return [
            (None, {"fields": ("username", "kind", "full_name", "phone", "email", "is_active")}),
            (_("Định danh"), {"fields": ("national_id", "tax_code")}),
            (
                _("Đăng nhập"),
                {"fields": ("is_staff", "last_login", "date_joined", "failed_login_count", "locked_until")},
            ),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return self.inlines if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.user_update(
                actor=request.user,
                user=obj,
                full_name=data["full_name"],
                phone=data["phone"],
                email=data["email"],
                is_active=data["is_active"],
            )
            return
        created = services.staff_create(
            actor=request.user,
            email=data["email"],
            full_name=data["full_name"],
            unit=data["unit"],
            position=data.get("position", ""),
            roles=[role.code for role in data.get("roles") or []],
            password=data.get("password") or None,
            phone=data.get("phone", ""),
        )
        _become(obj, created)


class RoleGrantAddForm(ModelForm):
    class Meta:
        model = RoleGrant
        fields = ("user", "role", "unit", "valid_from")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = User.objects.filter(kind=User.Kind.STAFF)
        self.fields["valid_from"].initial = policies.today

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("user") and cleaned.get("role") and cleaned.get("unit"):
            open_grant = RoleGrant.objects.filter(
                user=cleaned["user"], role=cleaned["role"], unit=cleaned["unit"], valid_to__isnull=True
            )
            if open_grant.exists():
                raise forms.ValidationError(_("Người này đang có vai trò này ở đơn vị này."))
        return cleaned

    def _post_clean(self) -> None:
        # The service makes the row; the open-grant check is in clean().
        pass


@admin.register(RoleGrant)
class RoleGrantAdmin(ServiceModelAdmin):
    list_display = ("user", "role", "unit", "valid_from", "valid_to", "granted_by")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name", "unit__code", "unit__name")
    list_select_related = ("user", "role", "unit", "granted_by")
    autocomplete_fields = ("user",)
    actions = ("end_today",)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = RoleGrantAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return ("user", "role", "unit", "valid_from", "valid_to", "granted_by")
        return ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("user", "role", "unit", "valid_from")
        return ("user", "role", "unit", "valid_from", "valid_to", "granted_by")

    def save_model(self, request: HttpRequest, obj: RoleGrant, form: Any, change: bool) -> None:
        if change:
            return
        data = form.cleaned_data
        grant = services.role_grant(
            actor=request.user,
            user=data["user"],
            role_code=data["role"].code,
            unit=data["unit"],
            valid_from=data["valid_from"],
        )
        _become(obj, grant)

    @admin.action(description=gettext_lazy("Kết thúc các quyền đã chọn từ hôm nay"))
    def end_today(self, request: HttpRequest, queryset: QuerySet[RoleGrant]) -> None:
        ended = 0
        for grant in queryset.filter(valid_to__isnull=True).select_related("user", "role", "unit"):
            try:
                services.role_revoke(actor=request.user, grant=grant)
            except SenError as exc:
                messages.error(request, f"{grant}: {exc.message}")
            else:
                ended += 1
        messages.success(request, _("Đã kết thúc %(count)d quyền.") % {"count": ended})


class TransferForm(ModelForm):
    """Adding a post = a transfer: the open post and all open grants end on the date."""

    roles = forms.ModelMultipleChoiceField(
        queryset=Role.objects.all(), required=False, label=gettext_lazy("Vai trò tại đơn vị mới")
    )

    class Meta:
        model = Employment
        fields = ("user", "unit", "position", "valid_from")
        labels = {"unit": gettext_lazy("Đơn vị mới"), "valid_from": gettext_lazy("Ngày điều động")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = User.objects.filter(kind=User.Kind.STAFF)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = OrgUnit.objects.filter(active_to__isnull=True)
        self.fields["valid_from"].initial = policies.today

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        user, day = cleaned.get("user"), cleaned.get("valid_from")
        if user and day:
            current = Employment.objects.filter(user=user, valid_to__isnull=True).first()
            if current is not None and day < current.valid_from:
                self.add_error(
                    "valid_from",
                    _("Ngày điều động không được trước ngày bắt đầu công tác hiện tại (%(day)s).")
                    % {"day": current.valid_from.strftime("%d/%m/%Y")},
                )
        return cleaned

    def _post_clean(self) -> None:
        # The service makes and checks the rows (one open post per person is its job).
        pass


@admin.register(Employment)
class EmploymentAdmin(ServiceModelAdmin):
    list_display = ("user", "unit", "position", "valid_from", "valid_to")
    search_fields = ("user__username", "user__full_name", "unit__code", "unit__name")
    list_select_related = ("user", "unit")
    autocomplete_fields = ("user",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = TransferForm
            kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("user", "unit", "position", "valid_from", "roles")
        return ("user", "unit", "position", "valid_from", "valid_to")

    def save_model(self, request: HttpRequest, obj: Employment, form: Any, change: bool) -> None:
        data = form.cleaned_data
        employment = services.staff_transfer(
            actor=request.user,
            user=data["user"],
            new_unit=data["unit"],
            on_date=data["valid_from"],
            position=data.get("position", ""),
            roles=[role.code for role in data.get("roles") or []],
        )
        _become(obj, employment)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass


@admin.register(Role)
class RoleAdmin(ServiceModelAdmin):
    list_display = ("code", "name", "name_en", "inherits_down")
    fields = ("code", "name", "name_en", "inherits_down")
    readonly_fields = ("code",)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # roles are seeded by migration; code depends on their codes

    def save_model(self, request: HttpRequest, obj: Role, form: Any, change: bool) -> None:
        data = form.cleaned_data
        services.role_update(
            actor=request.user,
            role=obj,
            name=data["name"],
            name_en=data["name_en"],
            inherits_down=data["inherits_down"],
        )
