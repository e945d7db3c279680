"""The zones' results of a recompute: stage, six capacities, quadrant and per-mu grades.

Called by ``zones.recompute.recompute`` inside the run's transaction. The capacities and the
quadrant normalise within a peer group (the zone's province), so computing one zone gathers the
facts of its whole province; only the requested zones' rows are written. Writes are upserts on
(zone, period, version) and (enterprise, year, version): running the same recompute twice gives
the same rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Max
from django.utils import timezone

from devzone import imports_bulk
from zones import scoring_facts
from zones.models import EnterpriseGrade, Methodology, Zone, ZoneScore
from zones.scoring.capacities import IndicatorDef, ZoneValues, compute_capacities
from zones.scoring.capacity_indicators import indicator_values
from zones.scoring.land import grade_enterprises
from zones.scoring.quadrant import QuadrantPoint, compute_quadrants
from zones.scoring.stage import compute_stage

if TYPE_CHECKING:
    from zones.recompute import StepContext

ZONE_SCORE_FIELDS = [
    "run",
    "stage",
    "stage_detail",
    "capacities",
    "capacity_detail",
    "quality",
    "scale",
    "quadrant",
    "land_grades",
    "computed_at",
]
GRADE_FIELDS = ["run", "score", "grade", "category", "detail", "computed_at"]


def indicator_defs(methodology: Methodology) -> list[IndicatorDef]:
    return [
        IndicatorDef(
            code=row.code,
            capacity=row.capacity,
            direction=row.direction,
            weight=row.weight,
            normalisation=row.normalisation,
            benchmark=row.benchmark,
            cap=row.cap,
            name=row.name,
        )
        for row in methodology.indicators.all()
    ]


def _peer_zone_ids(zone_ids: list[int] | None) -> list[int] | None:
    """The zones whose facts the normalisation needs: every zone of the requested provinces."""
    if zone_ids is None:
        return None
    provinces = Zone.objects.filter(pk__in=zone_ids).values("prefecture__province_id")
    return list(
        Zone.objects.filter(prefecture__province_id__in=provinces).values_list("pk", flat=True)
    )


def write_zone_results(context: StepContext) -> tuple[int, int]:
    """Compute and upsert the zones' results; returns (zones written, rows written)."""
    methodology = context.methodology
    facts = scoring_facts.gather(_peer_zone_ids(context.zone_ids), context.period)
    targets = (
        sorted(facts) if context.zone_ids is None else sorted(set(context.zone_ids) & set(facts))
    )
    capacity_params = methodology.section("capacities")
    by_type = capacity_params.get("peer_group") == "province_type"
    peers = {
        pk: (f.province_id, f.zone_type) if by_type else f.province_id for pk, f in facts.items()
    }
    capacities = compute_capacities(
        indicator_defs(methodology),
        [ZoneValues(pk, peers[pk], indicator_values(f.capacity)) for pk, f in facts.items()],
        capacity_params,
    )
    quadrants = compute_quadrants(
        [QuadrantPoint(pk, peers[pk], f.scale, capacities[pk].quality) for pk, f in facts.items()],
        methodology.section("quadrant"),
    )
    now = timezone.now()
    scores: list[ZoneScore] = []
    grades: list[EnterpriseGrade] = []
    stage_params = methodology.section("stage")
    land_params = methodology.section("land")
    for pk in targets:
        zone_facts = facts[pk]
        stage = compute_stage(zone_facts.stage, stage_params)
        capacity = capacities[pk]
        results, summary = grade_enterprises(
            zone_facts.enterprises, zone_facts.land_year, land_params
        )
        for result in results.values():
            grades.append(
                EnterpriseGrade(
                    enterprise_id=result.id,
                    year=zone_facts.land_year,
                    methodology=methodology,
                    run=context.run,
                    score=result.score,
                    grade=result.grade,
                    category=result.category,
                    detail=result.as_dict(),
                    computed_at=now,
                )
            )
        scores.append(
            ZoneScore(
                zone_id=pk,
                period=context.period,
                methodology=methodology,
                run=context.run,
                stage=stage.stage,
                stage_detail=stage.as_dict(),
                capacities={k: _text(v) for k, v in capacity.capacities.items()},
                capacity_detail=capacity.as_dict(),
                quality=capacity.quality,
                scale=zone_facts.scale,
                quadrant=quadrants[pk].quadrant,
                land_grades={**summary.as_dict(), "quadrant": quadrants[pk].as_dict()},
                computed_at=now,
            )
        )
    ZoneScore.objects.bulk_create(
        scores,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["zone", "period", "methodology"],
        update_fields=ZONE_SCORE_FIELDS,
    )
    EnterpriseGrade.objects.bulk_create(
        grades,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["enterprise", "year", "methodology"],
        update_fields=GRADE_FIELDS,
    )
    _update_zone_stages(methodology, context.period, scores)
    return len(scores), len(scores) + len(grades)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _update_zone_stages(methodology: Methodology, period, scores: list[ZoneScore]) -> None:
    """``Zone.stage`` (lists, filters and the API read it) follows the active version's latest
    period; recomputing an older period or an inactive version leaves it alone."""
    if not methodology.is_active or not scores:
        return
    latest = ZoneScore.objects.filter(methodology=methodology).aggregate(p=Max("period"))["p"]
    if latest is not None and period < latest:
        return
    zones = Zone.objects.in_bulk([s.zone_id for s in scores])
    changed = []
    for score in scores:
        zone = zones[score.zone_id]
        if zone.stage != score.stage:
            zone.stage = score.stage
            changed.append((zone, {"stage"}))
    imports_bulk.update(Zone, changed)
