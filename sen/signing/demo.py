"""Demo PKI: the province CA and a certificate for every leader and for every unit a leader leads.
Idempotent: a person or unit that already holds a current certificate gets no second one."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from sen.core.models import OrgUnit
from sen.identity import policies
from sen.identity.models import RoleGrant
from sen.signing import services
from sen.signing.models import Certificate
from sen.signing.signers import certificate_for_unit, certificate_for_user


def demo_build(*, stdout: Any) -> dict[str, int]:
    counts = {"ca": 0, "person_certificates": 0, "organisation_certificates": 0}
    with transaction.atomic():
        if services.province_ca() is None:
            services.ca_ensure(actor=None)
            counts["ca"] = 1
        grants = (
            RoleGrant.objects.filter(policies.valid_on(), role__code=policies.LEADER)
            .select_related("user", "unit")
            .order_by("unit__path", "user_id")
        )
        units: dict[int, OrgUnit] = {}
        seen_users: set[int] = set()
        for grant in grants:
            units.setdefault(grant.unit_id, grant.unit)
            if grant.user_id in seen_users or not grant.user.is_active:
                continue
            seen_users.add(grant.user_id)
            if certificate_for_user(grant.user) is None:
                services.certificate_issue(actor=None, user=grant.user)
                counts["person_certificates"] += 1
        # The province's root unit signs too (the People's Committee issues the province's decisions).
        root = OrgUnit.objects.filter(parent__isnull=True, active_to__isnull=True).order_by("id").first()
        if root is not None:
            units.setdefault(root.pk, root)
        for unit in units.values():
            if certificate_for_unit(unit) is None:
                services.certificate_issue(actor=None, unit=unit)
                counts["organisation_certificates"] += 1
    total = Certificate.objects.exclude(kind=Certificate.Kind.CA).count()
    stdout.write(
        f"Chữ ký số: CA {'mới tạo' if counts['ca'] else 'đã có'}, cấp mới {counts['person_certificates']} chứng thư "
        f"cá nhân và {counts['organisation_certificates']} chứng thư cơ quan (tổng {total}).\n"
    )
    return counts
