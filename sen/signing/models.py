"""Certificates of the province's test PKI. The keys themselves live outside the database, under
settings.VAR_DIR / "pki" (mode 0600); a row records where (`key_ref`), never the key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sen.core.models import OrgUnit


class Certificate(models.Model):
    class Kind(models.TextChoices):
        CA = "ca", _("Tổ chức cung cấp dịch vụ chứng thực (CA)")
        PERSON = "person", _("Cá nhân")
        ORGANISATION = "organisation", _("Cơ quan, tổ chức")

    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    subject = models.CharField("chủ thể", max_length=500)
    common_name = models.CharField("tên chung (CN)", max_length=255)
    serial = models.CharField("số hiệu (hex)", max_length=64, unique=True)
    certificate_pem = models.TextField("chứng thư số (PEM)")
    not_before = models.DateTimeField("hiệu lực từ")
    not_after = models.DateTimeField("hiệu lực đến")
    issuer = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="issued", verbose_name="CA cấp"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name="cá nhân",
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates", verbose_name="đơn vị"
    )
    # Where the signer finds the key: a path under VAR_DIR/pki for the local backend; a token label or a
    # remote key id for other backends (see sen/signing/signers.py).
    key_ref = models.CharField("tham chiếu khóa", max_length=500)
    revoked = models.BooleanField("đã thu hồi", default=False)
    revoked_at = models.DateTimeField("thời điểm thu hồi", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-not_before", "-id"]
        verbose_name = "chứng thư số"
        verbose_name_plural = "chứng thư số"
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="ca") & Q(user__isnull=True) & Q(unit__isnull=True))
                | (Q(kind="person") & Q(user__isnull=False) & Q(unit__isnull=True))
                | (Q(kind="organisation") & Q(user__isnull=True) & Q(unit__isnull=False)),
                name="certificate_owner_matches_kind",
            ),
            models.CheckConstraint(condition=Q(not_after__gt=models.F("not_before")), name="certificate_dates_ordered"),
        ]
        indexes = [models.Index(fields=["kind", "revoked"], name="certificate_kind_revoked")]

    def __str__(self) -> str:
        return f"{self.common_name} ({self.serial})"
