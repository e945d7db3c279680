"""Concurrent writes on a real PostgreSQL: two people saving the same zone's figures at once."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from zones.models import Zone, ZoneIndicator
from zones.services import DuplicatePeriod, save_indicator
from zones.units import output_tier

pytestmark = pytest.mark.postgres


def save_at_once(calls):
    """Run each call in its own thread (own database connection), released together."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:  # the outcome under test: success or a clean refusal
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_two_concurrent_saves_of_the_same_year_leave_one_row_and_a_matching_tier(transactional_db):
    from tests.factories import MembershipFactory, UserFactory, ZoneFactory

    zone = ZoneFactory(code="TZ-RACE")
    staff = UserFactory(username="t_race_staff")
    MembershipFactory(user=staff, role="zone_staff", zone=zone)
    outputs = [Decimal("12000000"), Decimal("2500000")]  # 1200亿 and 250亿, in 万元

    outcomes = save_at_once(
        [
            lambda value=value: save_indicator(
                staff, zone, "year", 2024, None, {"gross_industrial_output": value}
            )
            for value in outputs
        ]
    )

    saved = [o for o in outcomes if isinstance(o, ZoneIndicator)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert saved, outcomes
    assert all(isinstance(o, DuplicatePeriod) for o in refused), refused  # never a raw 500
    rows = ZoneIndicator.objects.filter(zone=zone, period_kind="year", year=2024)
    assert rows.count() == 1
    winner = rows.get().gross_industrial_output
    assert winner in outputs
    zone = Zone.objects.get(pk=zone.pk)
    assert zone.latest_output == winner
    assert zone.output_tier == output_tier(winner)


def test_concurrent_saves_of_different_months_all_land(transactional_db):
    from tests.factories import MembershipFactory, UserFactory, ZoneFactory

    zone = ZoneFactory(code="TZ-MONTHS")
    staff = UserFactory(username="t_months_staff")
    MembershipFactory(user=staff, role="zone_staff", zone=zone)

    outcomes = save_at_once(
        [
            lambda month=month: save_indicator(
                staff, zone, "month", 2024, month, {"tax_revenue": Decimal(month * 100)}
            )
            for month in (1, 2, 3, 4)
        ]
    )

    assert all(isinstance(o, ZoneIndicator) for o in outcomes), outcomes
    assert ZoneIndicator.objects.filter(zone=zone, period_kind="month").count() == 4
