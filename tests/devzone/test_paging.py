"""devzone.pages.CappedPaginator: a list's total counted up to a cap, in one cheap query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from devzone.pages import CappedPaginator, paginate
from tests.factories import ZoneFactory
from zones.models import Zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_zones():
    for i in range(5):
        ZoneFactory(code=f"PG-{i}", name=f"分页测试开发区{i}")
    return Zone.objects.filter(code__startswith="PG-").order_by("code")


def test_below_the_cap_the_count_is_exact_and_not_capped(five_zones):
    paginator = CappedPaginator(five_zones, 2, cap=5)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (5, False, 3)
    assert [z.code for z in paginator.page(3)] == ["PG-4"]


def test_above_the_cap_the_count_stops_at_the_cap_and_says_it_is_capped(five_zones):
    paginator = CappedPaginator(five_zones, 2, cap=3)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (3, True, 2)
    # the pages stop at the cap: the last reachable row is the third
    assert [z.code for z in paginator.page(2)] == ["PG-2"]


def test_the_capped_count_is_one_query_without_the_order_and_with_a_limit(five_zones):
    with CaptureQueriesContext(connection) as ctx:
        assert CappedPaginator(five_zones, 2, cap=3).count == 3
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"].upper()
    assert "COUNT(" in sql and "LIMIT 4" in sql and "ORDER BY" not in sql


def test_paginate_uses_the_capped_paginator_only_when_asked(five_zones):
    request = RequestFactory().get("/", {"page": "9"})
    exact = paginate(request, five_zones, per_page=2)
    capped = paginate(request, five_zones, per_page=2, count_cap=3)
    assert not isinstance(exact.paginator, CappedPaginator)
    assert (exact.paginator.count, exact.number) == (5, 3)  # out of range: the last page
    assert (capped.paginator.count, capped.paginator.capped, capped.number) == (3, True, 2)
