"""Factories for units and people. People are made through the identity services, so tests get the
same accounts the application makes (employment, grants, audit events). All fictitious."""

from __future__ import annotations

from typing import Any

import factory
from django.conf import settings
from factory.django import DjangoModelFactory

from sen.core.models import OrgUnit, UnitKind
from sen.identity import services
from sen.identity.models import User

TEST_PASSWORD = "Sen-thu-nghiem-2026!"


class UnitKindFactory(DjangoModelFactory):
    class Meta:
        model = UnitKind
        django_get_or_create = ("code",)

    code = "department"
    name = "Sở, ban, ngành"
    name_en = "Department"
    rank = 1


class OrgUnitFactory(DjangoModelFactory):
    """A unit with its materialised path set as the tree code sets it: parent.path + "<id>/"."""

    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"T{n:02d}.{n % 100:02d}")
    name = factory.Sequence(lambda n: f"Đơn vị thử nghiệm {n}")
    kind = factory.SubFactory(UnitKindFactory)
    parent = None

    @classmethod
    def _create(cls, model_class: type[OrgUnit], *args: Any, **kwargs: Any) -> OrgUnit:
        unit = super()._create(model_class, *args, **kwargs)
        parent = unit.parent
        unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
        unit.depth = parent.depth + 1 if parent else 0
        unit.save(update_fields=["path", "depth"])
        return unit


def province_kind() -> UnitKind:
    return UnitKindFactory(code="province", name="Tỉnh", name_en="Province", rank=0)


def commune_kind() -> UnitKind:
    return UnitKindFactory(code="commune", name="Xã, phường", name_en="Commune", rank=2)


class _ServiceFactory(factory.Factory):
    """Base for factories whose `_create` calls a service instead of Model.objects.create."""

    class Meta:
        abstract = True

    @classmethod
    def _build(cls, model_class: type[Any], *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("People are made through services: use create().")


class StaffFactory(_ServiceFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"can.bo{n}@{settings.SEN_STAFF_EMAIL_DOMAIN}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    unit = factory.SubFactory(OrgUnitFactory)
    position = "Chuyên viên"
    roles: tuple[str, ...] = ()
    valid_from = None
    password = TEST_PASSWORD
    phone = factory.Sequence(lambda n: f"09{n % 10**8:08d}")

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return services.staff_create(actor=None, **kwargs)


class CitizenFactory(_ServiceFactory):
    class Meta:
        model = User

    national_id = factory.Sequence(lambda n: f"0820{n % 10**8:08d}")
    full_name = factory.Sequence(lambda n: f"Trần Thị Dân {n}")
    phone = factory.Sequence(lambda n: f"09{(n + 5000) % 10**8:08d}")
    email = factory.Sequence(lambda n: f"cong.dan{n}@example.vn")
    password = TEST_PASSWORD

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return services.citizen_register(**kwargs)


class BusinessFactory(_ServiceFactory):
    class Meta:
        model = User

    tax_code = factory.Sequence(lambda n: f"18{n % 10**8:08d}")
    full_name = factory.Sequence(lambda n: f"Công ty TNHH Thử Nghiệm {n}")
    phone = factory.Sequence(lambda n: f"03{(n + 7000) % 10**8:08d}")
    email = factory.Sequence(lambda n: f"doanh.nghiep{n}@example.vn")
    password = TEST_PASSWORD

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return services.business_register(**kwargs)
