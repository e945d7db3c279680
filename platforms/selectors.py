"""Reads of the platforms app: scoped lists, per-zone counts for scoring, and zone coverage.

``platform_counts_by_zone`` is what the scoring engine calls: two aggregate queries (plus one
for the zone ids when none are given) whatever the number of zones. ``coverage`` builds the
coverage view of one zone the caller has already found in the user's scope.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from platforms.catalogue import (
    CATALOGUE,
    SEGMENTS,
    PlatformKind,
    PlatformLevel,
    PlatformStatus,
    SubKind,
    sub_kinds_of,
    sub_kinds_of_segment,
)
from platforms.models import Platform, ServiceRecord
from zones.models import ChainPosition, Enterprise, Zone

INNOVATION_KINDS = (PlatformKind.INNOVATION, PlatformKind.IUR)


def window_start(today: datetime.date | None = None) -> datetime.date:
    """First day of the "last 12 months": the same calendar day one year ago (inclusive)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def platforms_for(user, action: str = "view") -> QuerySet:
    return (
        Platform.objects.for_user(user, action)
        .select_related("zone", "zone__prefecture", "host_enterprise")
        .order_by("zone__code", "kind", "name")
    )


def platforms_with_reach(user, action: str = "view", today: datetime.date | None = None):
    """Platforms with the distinct enterprises they served in the last 12 months and their
    service record count, annotated in the same query."""
    since = window_start(today)
    return platforms_for(user, action).annotate(
        enterprises_12m=Count(
            "service_records__enterprise",
            distinct=True,
            filter=Q(service_records__served_on__gte=since),
        ),
        record_count=Count("service_records", distinct=True),
    )


def service_records_for(user, action: str = "view") -> QuerySet:
    return (
        ServiceRecord.objects.for_user(user, action)
        .select_related("platform", "platform__zone", "platform__zone__prefecture", "enterprise")
        .order_by("-served_on", "-pk")
    )


# --- per-zone counts (the scoring issue's input) -------------------------------------------


def empty_counts() -> dict[str, Any]:
    """A zone without platforms. Counts by kind, sub-kind, level and segment are of platforms in
    operation (运营); ``planning`` and ``suspended`` count the others."""
    return {
        "platforms": 0,
        "operating": 0,
        "planning": 0,
        "suspended": 0,
        "by_kind": dict.fromkeys(PlatformKind.values, 0),
        "by_sub_kind": {entry.code: 0 for entry in CATALOGUE},
        "national": 0,
        "national_innovation": 0,  # national-level enterprise innovation + IUR platforms
        "serving_leading_industry": 0,
        "segments": dict.fromkeys(SEGMENTS, 0),  # professional, serving the leading industry
        "kinds_covered": 0,
        "sub_kinds_covered": 0,
        "segments_covered": 0,
        "service_records": 0,
        "service_records_12m": 0,
        "enterprises_served_12m": 0,
    }


def platform_counts_by_zone(
    zone_ids=None, *, today: datetime.date | None = None
) -> dict[int, dict[str, Any]]:
    """Per zone: platforms by kind and sub-kind, national-level innovation/IUR platforms, chain
    segments covered, service records and distinct enterprises served in the last 12 months.

    Every requested zone gets an entry (zeros when it has no platform). Queries: platforms
    grouped (1), service records grouped (1), and the zone ids when ``zone_ids`` is None (1).
    """
    if zone_ids is None:
        zone_ids = list(Zone.objects.order_by().values_list("pk", flat=True))
    zone_ids = list(zone_ids)
    result = {zone_id: empty_counts() for zone_id in zone_ids}
    if not zone_ids:
        return result

    rows = (
        Platform.objects.filter(zone_id__in=zone_ids)
        .order_by()
        .values("zone_id", "kind", "sub_kind", "level", "status", "serves_leading_industry")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts, n = result[row["zone_id"]], row["n"]
        counts["platforms"] += n
        counts[row["status"]] += n
        if row["status"] != PlatformStatus.OPERATING:
            continue
        entry = SUB_KIND_INDEX[row["sub_kind"]]
        counts["by_kind"][row["kind"]] += n
        counts["by_sub_kind"][row["sub_kind"]] += n
        if row["level"] == PlatformLevel.NATIONAL:
            counts["national"] += n
            if row["kind"] in INNOVATION_KINDS:
                counts["national_innovation"] += n
        if row["serves_leading_industry"]:
            counts["serving_leading_industry"] += n
            if entry.segment:
                counts["segments"][entry.segment] += n

    since = window_start(today)
    service_rows = (
        ServiceRecord.objects.filter(platform__zone_id__in=zone_ids)
        .order_by()
        .values(zone=F("platform__zone_id"))
        .annotate(
            records=Count("id"),
            records_12m=Count("id", filter=Q(served_on__gte=since)),
            enterprises_12m=Count("enterprise_id", distinct=True, filter=Q(served_on__gte=since)),
        )
    )
    for row in service_rows:
        counts = result[row["zone"]]
        counts["service_records"] = row["records"]
        counts["service_records_12m"] = row["records_12m"]
        counts["enterprises_served_12m"] = row["enterprises_12m"]

    for counts in result.values():
        counts["kinds_covered"] = sum(1 for n in counts["by_kind"].values() if n)
        counts["sub_kinds_covered"] = sum(1 for n in counts["by_sub_kind"].values() if n)
        counts["segments_covered"] = sum(1 for n in counts["segments"].values() if n)
    return result


SUB_KIND_INDEX: dict[str, SubKind] = {entry.code: entry for entry in CATALOGUE}


# --- coverage of one zone -------------------------------------------------------------------


@dataclass
class SubKindCoverage:
    """One sub-kind in a zone: ``present`` (an operating platform), ``planning`` (only platforms
    being built) or ``missing``."""

    code: str
    label: str
    segment: str
    platforms: list[Platform] = field(default_factory=list)

    @property
    def operating(self) -> int:
        return sum(1 for p in self.platforms if p.status == PlatformStatus.OPERATING)

    @property
    def state(self) -> str:
        if self.operating:
            return "present"
        if self.platforms:
            return "planning"
        return "missing"


@dataclass
class KindCoverage:
    code: str
    label: str
    sub_kinds: list[SubKindCoverage]

    @property
    def present(self) -> int:
        return sum(1 for s in self.sub_kinds if s.state == "present")

    @property
    def total(self) -> int:
        return len(self.sub_kinds)

    @property
    def platforms(self) -> int:
        return sum(s.operating for s in self.sub_kinds)

    @property
    def missing(self) -> list[SubKindCoverage]:
        return [s for s in self.sub_kinds if s.state != "present"]


@dataclass
class SegmentCoverage:
    """One segment of the leading industry's chain: professional services present or missing,
    counting only operating platforms that serve the leading industry."""

    code: str
    label: str
    sub_kinds: list[SubKindCoverage]

    @property
    def covered(self) -> bool:
        return any(s.state == "present" for s in self.sub_kinds)

    @property
    def present(self) -> int:
        return sum(1 for s in self.sub_kinds if s.state == "present")


@dataclass
class PlatformReach:
    platform: Platform
    enterprises_12m: int
    records_12m: int
    share: Decimal | None  # percent of the zone's enterprises


@dataclass
class ZoneCoverage:
    zone: Zone
    since: datetime.date
    kinds: list[KindCoverage]
    segments: list[SegmentCoverage]
    reach: list[PlatformReach]
    zone_enterprises: int
    enterprises_served_12m: int
    suspended: list[Platform]

    @property
    def share_served(self) -> Decimal | None:
        return percent(self.enterprises_served_12m, self.zone_enterprises)

    @property
    def kinds_present(self) -> int:
        return sum(1 for k in self.kinds if k.present)

    @property
    def sub_kinds_present(self) -> int:
        return sum(k.present for k in self.kinds)

    @property
    def sub_kinds_total(self) -> int:
        return sum(k.total for k in self.kinds)

    @property
    def segments_covered(self) -> int:
        return sum(1 for s in self.segments if s.covered)

    @property
    def missing_segments(self) -> list[SegmentCoverage]:
        return [s for s in self.segments if not s.covered]


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _sub_kind_rows(entries: list[SubKind], platforms: list[Platform]) -> list[SubKindCoverage]:
    rows = []
    for entry in entries:
        row = SubKindCoverage(entry.code, str(entry.label), entry.segment)
        row.platforms = [p for p in platforms if p.sub_kind == entry.code]
        rows.append(row)
    return rows


def coverage(zone: Zone, *, today: datetime.date | None = None) -> ZoneCoverage:
    """Which kinds and sub-kinds a zone has, which leading-industry chain segments its
    professional services cover, and how many of its enterprises each platform served in the
    last 12 months. Queries: platforms with reach (1), enterprises served (1), enterprises (1).
    """
    since = window_start(today)
    platforms = list(
        Platform.objects.filter(zone=zone)
        .select_related("host_enterprise")
        .annotate(
            enterprises_12m=Count(
                "service_records__enterprise",
                distinct=True,
                filter=Q(service_records__served_on__gte=since),
            ),
            records_12m=Count("service_records", filter=Q(service_records__served_on__gte=since)),
        )
        .order_by("kind", "sub_kind", "name")
    )
    active = [p for p in platforms if p.status != PlatformStatus.SUSPENDED]
    kinds = [
        KindCoverage(kind, str(label), _sub_kind_rows(sub_kinds_of(kind), active))
        for kind, label in PlatformKind.choices
    ]
    leading = [
        p for p in active if p.kind == PlatformKind.PROFESSIONAL and p.serves_leading_industry
    ]
    segment_labels = dict(ChainPosition.choices)
    segments = [
        SegmentCoverage(
            segment,
            str(segment_labels[segment]),
            _sub_kind_rows(sub_kinds_of_segment(segment), leading),
        )
        for segment in SEGMENTS
    ]
    zone_enterprises = Enterprise.objects.filter(zone=zone).count()
    served = (
        ServiceRecord.objects.filter(platform__zone=zone, served_on__gte=since)
        .values("enterprise_id")
        .distinct()
        .count()
    )
    reach = sorted(
        (
            PlatformReach(
                p, p.enterprises_12m, p.records_12m, percent(p.enterprises_12m, zone_enterprises)
            )
            for p in platforms
        ),
        key=lambda r: (-r.enterprises_12m, r.platform.name),
    )
    return ZoneCoverage(
        zone=zone,
        since=since,
        kinds=kinds,
        segments=segments,
        reach=reach,
        zone_enterprises=zone_enterprises,
        enterprises_served_12m=served,
        suspended=[p for p in platforms if p.status == PlatformStatus.SUSPENDED],
    )


def coverage_as_dict(cov: ZoneCoverage) -> dict[str, Any]:
    """The coverage structure as plain JSON-ready data (for the API)."""

    def sub(row: SubKindCoverage) -> dict[str, Any]:
        return {
            "code": row.code,
            "label": row.label,
            "state": row.state,
            "operating": row.operating,
            "platforms": [{"id": p.pk, "name": p.name, "status": p.status} for p in row.platforms],
        }

    return {
        "zone": {"id": cov.zone.pk, "code": cov.zone.code, "name": cov.zone.name},
        "leading_industry": cov.zone.leading_industry.name if cov.zone.leading_industry else None,
        "since": cov.since.isoformat(),
        "kinds": [
            {
                "code": k.code,
                "label": k.label,
                "present": k.present,
                "total": k.total,
                "sub_kinds": [sub(s) for s in k.sub_kinds],
            }
            for k in cov.kinds
        ],
        "segments": [
            {
                "code": s.code,
                "label": s.label,
                "covered": s.covered,
                "sub_kinds": [sub(x) for x in s.sub_kinds],
            }
            for s in cov.segments
        ],
        "zone_enterprises": cov.zone_enterprises,
        "enterprises_served_12m": cov.enterprises_served_12m,
        "share_served_percent": cov.share_served,
        "platforms": [
            {
                "id": r.platform.pk,
                "name": r.platform.name,
                "kind": r.platform.kind,
                "sub_kind": r.platform.sub_kind,
                "status": r.platform.status,
                "enterprises_served_12m": r.enterprises_12m,
                "service_records_12m": r.records_12m,
                "share_percent": r.share,
            }
            for r in cov.reach
        ],
    }
