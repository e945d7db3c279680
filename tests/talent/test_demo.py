"""seed_demo gives every demo zone talent records in proportion to its size."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from talent.demo import zone_scale
from talent.models import TALENT_MODELS, TrainingSession
from talent.selectors import EMPTY_COUNTS, talent_counts_by_zone
from zones.models import Zone

pytestmark = pytest.mark.django_db


def test_large_zones_get_teams_and_training_and_small_young_ones_little():
    call_command(
        "seed_demo", "--enterprises-per-zone", "1", "--history-months", "1", stdout=StringIO()
    )
    zones = list(Zone.objects.filter(is_demo=True))
    counts = talent_counts_by_zone()
    year = timezone.localdate().year
    large = [z for z in zones if zone_scale(z.output_tier, z.founded_year, year) >= 2]
    assert large
    for zone in large:
        c = counts[zone.pk]
        assert c["teams"] >= 1, zone
        assert c["centres"] >= 1, zone
        assert c["awards"] >= 1, zone
        assert c["cadres"] >= 6
    small = [z for z in zones if zone_scale(z.output_tier, z.founded_year, year) == 0]
    assert small
    for zone in small:
        c = counts.get(zone.pk, EMPTY_COUNTS)
        assert c["teams"] == 0 and c["centres"] == 0, zone
        assert 2 <= c["cadres"] <= 6
    # every zone has cadres and at most one entrepreneur per enterprise (one each here)
    assert all(counts[z.pk]["cadres"] > 0 for z in zones)
    assert all(counts[z.pk]["entrepreneurs"] <= 1 for z in zones)
    for session in TrainingSession.objects.select_related("centre"):
        assert session.certificates <= session.trainees
        assert session.centre is None or session.centre.zone_id == session.zone_id


def test_the_demo_is_deterministic():
    call_command(
        "seed_demo", "--enterprises-per-zone", "1", "--history-months", "1", stdout=StringIO()
    )
    first = {m.__name__: m.objects.count() for m in TALENT_MODELS}
    names = sorted(TrainingSession.objects.values_list("trade", "trainees"))
    for model in reversed(TALENT_MODELS):
        model.objects.all().delete()
    from talent.demo import load_app_demo

    load_app_demo(seed=2026, log=lambda _msg: None)
    assert {m.__name__: m.objects.count() for m in TALENT_MODELS} == first
    assert sorted(TrainingSession.objects.values_list("trade", "trainees")) == names
