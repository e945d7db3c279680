"""The demo loader gives every demo zone platforms consistent with its size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from platforms.demo import load_app_demo
from platforms.models import Platform, ServiceRecord
from platforms.selectors import platform_counts_by_zone, window_start
from zones.demo import load_demo
from zones.models import Zone

pytestmark = pytest.mark.django_db

LARGE = {"1000+", "500-1000", "300-500", "200-300"}


@pytest.fixture
def demo():
    load_demo(
        password="demo-pass-1", zones=95, enterprises_per_zone=None, seed=7, log=lambda m: None
    )
    return load_app_demo(seed=7, log=lambda m: None)


def test_demo_platforms_are_consistent_with_zone_size(demo):
    assert demo["platforms"] == Platform.objects.count() > 95
    assert demo["service_records"] == ServiceRecord.objects.count() > 1000
    zones = list(Zone.objects.filter(is_demo=True))
    counts = platform_counts_by_zone([z.pk for z in zones])
    for zone in zones:
        c = counts[zone.pk]
        assert c["platforms"] >= 1, zone.name
        if zone.output_tier in LARGE:
            assert c["by_kind"]["innovation"] + c["by_kind"]["iur"] >= 2, zone.name
            assert c["segments_covered"] >= 1, zone.name
        if zone.output_tier == "<50" and zone.founded_year >= 2010:
            assert c["platforms"] <= 3, zone.name
            assert c["national_innovation"] == 0, zone.name
    large = [counts[z.pk] for z in zones if z.output_tier in LARGE]
    assert sum(c["national_innovation"] for c in large) >= 3
    assert sum(c["segments_covered"] == 3 for c in large) >= 2
    small = [counts[z.pk] for z in zones if z.output_tier == "<50"]
    assert sum(c["platforms"] for c in small) / len(small) < sum(
        c["platforms"] for c in large
    ) / len(large)


def test_demo_service_records_obey_the_rules(demo):
    today = timezone.localdate()
    assert not ServiceRecord.objects.exclude(enterprise__zone=F("platform__zone")).exists()
    assert not ServiceRecord.objects.filter(served_on__gt=today).exists()
    assert not ServiceRecord.objects.filter(served_on__lt=today - timedelta(days=731)).exists()
    assert not ServiceRecord.objects.filter(platform__status="planning").exists()
    assert ServiceRecord.objects.filter(served_on__gte=window_start()).exists()
    assert ServiceRecord.objects.filter(free=True).exists()
    assert ServiceRecord.objects.filter(free=False, fee_wan__gt=0).exists()
    assert not Platform.objects.exclude(name__startswith="演示").exists()
    for platform in Platform.objects.filter(host_enterprise__isnull=False)[:200]:
        assert platform.host_enterprise.zone_id == platform.zone_id


def test_demo_is_deterministic(demo):
    first = list(Platform.objects.order_by("pk").values_list("zone_id", "sub_kind", "level"))
    ServiceRecord.objects.all().delete()
    Platform.objects.all().delete()
    load_app_demo(seed=7, log=lambda m: None)
    again = list(Platform.objects.order_by("pk").values_list("zone_id", "sub_kind", "level"))
    assert again == first
