"""Display helpers of the zone pages."""

from __future__ import annotations

from decimal import Decimal

from zones.units import OUTPUT_TIER_LABELS


def yi(value: Decimal | None) -> Decimal | None:
    """万元 → 亿元, two decimals, for display."""
    return None if value is None else (Decimal(value) / 10000).quantize(Decimal("0.01"))


def tier_label(tier: str | None) -> str:
    return str(OUTPUT_TIER_LABELS.get(tier, "")) if tier else ""
