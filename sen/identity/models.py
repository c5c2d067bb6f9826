"""Accounts (staff, citizens, businesses), roles granted per unit, employment history."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sen.core.models import OrgUnit


class User(AbstractUser):
    """One account per person. `username` is the login: the official e-mail for staff, the
    12-digit CCCD for citizens, the tax code for businesses."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Cán bộ, công chức")
        CITIZEN = "citizen", _("Công dân")
        BUSINESS = "business", _("Doanh nghiệp, tổ chức")

    kind = models.CharField("loại tài khoản", max_length=10, choices=Kind.choices, default=Kind.CITIZEN)
    full_name = models.CharField("họ và tên", max_length=255, blank=True)
    phone = models.CharField("số điện thoại", max_length=20, blank=True)
    national_id = models.CharField("số định danh cá nhân (CCCD)", max_length=12, null=True, blank=True, unique=True)
    tax_code = models.CharField("mã số thuế", max_length=14, null=True, blank=True, unique=True)
    # The `sub` of an external OpenID Connect provider (VNeID) that this account is linked to.
    external_subject = models.CharField(max_length=255, null=True, blank=True, unique=True)
    failed_login_count = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"
        constraints = [
            models.CheckConstraint(
                condition=Q(national_id__isnull=True) | Q(national_id__regex=r"^[0-9]{12}$"),
                name="user_national_id_12_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_official(self) -> bool:
        return self.kind == self.Kind.STAFF


class Role(models.Model):
    """A role (one-stop officer, specialist, leader, clerk, unit admin, province admin) is data:
    whether a grant on a unit also covers the units below it is a property of the role."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên", max_length=120)
    name_en = models.CharField("tên tiếng Anh", max_length=120, blank=True)
    inherits_down = models.BooleanField("áp dụng cho đơn vị cấp dưới", default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = "vai trò"
        verbose_name_plural = "vai trò"

    def __str__(self) -> str:
        return self.name


class Employment(models.Model):
    """A person's post in a unit over a period [valid_from, valid_to). A transfer ends one and
    starts another on the same date; nothing is deleted."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="employments")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="employments")
    position = models.CharField("chức vụ", max_length=120, blank=True)
    valid_from = models.DateField("từ ngày")
    valid_to = models.DateField("đến ngày (không bao gồm)", null=True, blank=True)

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = "quá trình công tác"
        verbose_name_plural = "quá trình công tác"
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(valid_to__isnull=True), name="employment_one_open_per_user"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="employment_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.unit}"

    def is_current_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


class RoleGrant(models.Model):
    """A role held in a unit over a period [valid_from, valid_to)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_grants")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="grants")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="role_grants")
    valid_from = models.DateField("từ ngày")
    valid_to = models.DateField("đến ngày (không bao gồm)", null=True, blank=True)
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"], condition=Q(valid_to__isnull=True), name="rolegrant_one_open"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="rolegrant_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} @ {self.unit}"
