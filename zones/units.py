"""Units of the zone indicators: every figure is stored in one canonical unit.

Money is stored in 万元, land in 亩, people in 人, energy in 吨标准煤. Forms and imports may take
another unit of the same kind (亿元, 公顷, ...) and convert with ``to_canonical``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class UnitKind:
    canonical: str
    factors: dict[str, Decimal]  # unit -> multiplier into the canonical unit


MONEY = UnitKind("万元", {"元": Decimal("0.0001"), "万元": Decimal(1), "亿元": Decimal(10000)})
AREA = UnitKind("亩", {"亩": Decimal(1), "公顷": Decimal(15), "平方公里": Decimal(1500)})
PEOPLE = UnitKind("人", {"人": Decimal(1), "万人": Decimal(10000)})
ENERGY = UnitKind("吨标准煤", {"吨标准煤": Decimal(1), "万吨标准煤": Decimal(10000)})
COUNT = UnitKind("件", {"件": Decimal(1)})
RATIO = UnitKind("", {"": Decimal(1)})
PERCENT = UnitKind("%", {"%": Decimal(1)})


def to_canonical(value: Decimal | int | None, unit: str, kind: UnitKind) -> Decimal | None:
    if value is None:
        return None
    if unit not in kind.factors:
        raise ValueError(f"unit {unit!r} is not one of {', '.join(kind.factors)}")
    return Decimal(value) * kind.factors[unit]


@dataclass(frozen=True)
class IndicatorField:
    name: str
    label: str
    kind: UnitKind

    @property
    def unit(self) -> str:
        return self.kind.canonical


INDICATOR_FIELDS: tuple[IndicatorField, ...] = (
    IndicatorField("gross_industrial_output", _("工业总产值"), MONEY),
    IndicatorField("leading_industry_output", _("首位产业产值"), MONEY),
    IndicatorField("tax_revenue", _("税收收入"), MONEY),
    IndicatorField("fixed_asset_investment", _("固定资产投资"), MONEY),
    IndicatorField("land_supplied_mu", _("供地面积"), AREA),
    IndicatorField("land_approved_unsupplied_mu", _("批而未供土地"), AREA),
    IndicatorField("land_idle_mu", _("闲置土地"), AREA),
    IndicatorField("floor_area_ratio", _("容积率"), RATIO),
    IndicatorField("energy_use_tce", _("综合能源消费量"), ENERGY),
    IndicatorField("employment", _("从业人员"), PEOPLE),
    IndicatorField("rural_labour_transferred", _("转移农村劳动力"), PEOPLE),
    IndicatorField("rd_staff", _("研发人员"), PEOPLE),
    IndicatorField("rd_spending", _("研发经费支出"), MONEY),
    IndicatorField("patents", _("专利授权量"), COUNT),
    # share of the leading enterprises' purchases supplied by firms in the province (本地配套率)
    IndicatorField("local_supply_rate", _("本地配套率"), PERCENT),
)
INDICATOR_FIELD_NAMES = tuple(f.name for f in INDICATOR_FIELDS)

# Output tiers of the paper, in 亿元 of gross industrial output: (label, lower bound inclusive).
OUTPUT_TIERS: tuple[tuple[str, int], ...] = (
    ("1000+", 1000),
    ("500-1000", 500),
    ("300-500", 300),
    ("200-300", 200),
    ("100-200", 100),
    ("50-100", 50),
    ("<50", 0),
)
OUTPUT_TIER_LABELS = {
    "1000+": _("千亿级"),
    "500-1000": _("500亿级"),
    "300-500": _("300亿级"),
    "200-300": _("200亿级"),
    "100-200": _("100亿级"),
    "50-100": _("50—100亿"),
    "<50": _("50亿以下"),
}


def output_tier(gross_output_wanyuan: Decimal | None) -> str | None:
    """The paper's tier of a zone from its annual gross industrial output in 万元."""
    if gross_output_wanyuan is None:
        return None
    yi = Decimal(gross_output_wanyuan) / 10000
    for label, lower in OUTPUT_TIERS:
        if yi >= lower:
            return label
    return "<50"
