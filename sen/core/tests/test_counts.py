"""Capped counts: exact up to the cap, one past it means "more", and the database stops there."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sen.core import counts
from sen.core.models import OrgUnit
from sen.core.tests.factories import OrgUnitFactory


@pytest.mark.django_db
def test_a_count_stops_one_past_the_cap_in_one_limited_query(monkeypatch):
    # given four units and a cap of 3
    OrgUnitFactory.create_batch(4)
    monkeypatch.setattr(counts, "COUNT_CAP", 3)
    # when they are counted
    with CaptureQueriesContext(connection) as queries:
        counted = counts.capped_count(OrgUnit.objects.order_by("name"))
    # then the count is 4, "more than 3", from one query that stops at 4 rows and sorts nothing
    assert counted == 4 and counts.is_capped(counted) and counts.count_label(counted) == "3+"
    (query,) = queries.captured_queries
    assert "LIMIT 4" in query["sql"] and "ORDER BY" not in query["sql"]
    # and up to the cap a count is exact
    assert counts.capped_count(OrgUnit.objects.filter(code="none")) == 0
    assert counts.capped_count(OrgUnit.objects.exclude(pk=OrgUnit.objects.first().pk)) == 3
    assert counts.count_label(3) == "3" and not counts.is_capped(3)
