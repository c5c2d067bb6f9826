"""Factories for the organisation tree. Units are made through `sen.core.services.unit_create`, so
tests get the path, depth, history and audit event the application makes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from factory.django import DjangoModelFactory

from sen.core import services
from sen.core.models import OrgUnit, UnitKind


class UnitKindFactory(DjangoModelFactory):
    class Meta:
        model = UnitKind
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"kind-{n}")
    name = factory.Sequence(lambda n: f"Loại đơn vị {n}")
    name_en = ""
    rank = 10


class OrgUnitFactory(factory.Factory):
    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"000.{n // 100 % 100:02d}.{n % 100:02d}.T99")
    name = factory.Sequence(lambda n: f"Đơn vị thử nghiệm {n}")
    kind = factory.SubFactory(UnitKindFactory)
    parent = None
    active_from = dt.date(2025, 7, 1)
    statistics_code = ""
    short_name = ""

    @classmethod
    def _build(cls, model_class: type[OrgUnit], *args: Any, **kwargs: Any) -> OrgUnit:
        raise NotImplementedError("Units are made through services.unit_create: use create().")

    @classmethod
    def _create(cls, model_class: type[OrgUnit], *args: Any, **kwargs: Any) -> OrgUnit:
        kind = kwargs.pop("kind")
        return services.unit_create(actor=None, kind_code=kind.code, **kwargs)
