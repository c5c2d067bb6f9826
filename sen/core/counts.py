"""How many rows a tab of a list holds, as a page shows it: exact up to COUNT_CAP, then "999+".

An exact count reads every row it counts: the tabs of a one-stop unit holding 400,000 dossiers, or
the boxes of a body holding every document it ever issued, cost 0.35–1 s on every page at a million
rows (bench/dossiers, bench/documents). Nobody works differently for 400,000 than for 1,000, so past
the cap a tab says "999+", and its count is one COUNT over a LIMIT subquery: the database stops after
COUNT_CAP + 1 rows and sends one number back."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

COUNT_CAP = 999


def capped_count(queryset: QuerySet[Any]) -> int:
    """How many rows `queryset` holds, counted up to COUNT_CAP + 1 (then `is_capped` says so)."""
    return queryset.order_by().values("pk")[: COUNT_CAP + 1].count()


def is_capped(count: int) -> bool:
    """Whether a `capped_count` stopped at the cap: the real number is more than COUNT_CAP."""
    return count > COUNT_CAP


def count_label(count: int) -> str:
    """A `capped_count` as a tab shows it: "999+" past the cap, else the number."""
    return f"{COUNT_CAP}+" if is_capped(count) else str(count)
