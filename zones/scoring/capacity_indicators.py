"""The default indicators of the six capacities (六力) and how each is computed from the facts.

Pure data and arithmetic: no Django. ``DEFAULT_INDICATORS`` seeds a methodology version's
indicator definitions (name, formula, unit, direction, weight, normalisation, benchmark and data
source as the platform publishes them); ``indicator_values`` turns one zone's facts for a period
(``CapacityFacts``) into the values ``capacities.compute_capacities`` normalises. A value whose
inputs are missing, or whose denominator is zero, is None (missing), never zero. Shares are in
per cent. Growth compares the period's year-to-date figure with the same months of last year.

Weights sum to 1 within each capacity. Counts favour large zones, so they are ranked
(``rank``) rather than scaled; ratios use ``minmax_floor``; where a published yardstick exists
the ratio to it is scored (``benchmark``).

drive 内生发展动力 — output_growth 工业总产值增速 %; tax_growth 税收收入增速 %; rd_intensity
研发投入强度 % (benchmark 2.5 %, the 聚网 stage threshold); new_enterprises 新增企业数 (rank);
projects_signed 新签约项目数 (rank).

leading_industry 首位产业竞争力 — leading_share 首位产业产值占比 % (benchmark 50 %);
leading_growth 首位产业产值增速 %; chain_coverage 首位产业链环节覆盖率 %.

leading_enterprise 龙头企业带动力 — leading_enterprises 龙头企业数 (rank); local_supply_share
本地配套率 %; leading_local_suppliers 首位产业链本地配套企业数 (rank).

platform 平台服务支撑力 — platforms_per_100_enterprises 每百家企业服务平台数;
national_platforms 国家级平台数 (rank); services_per_enterprise 企均服务次数.

resource 资源环境承载力 — tax_per_mu 亩均税收; investment_per_mu 亩均固定资产投资;
floor_area_ratio 容积率 (benchmark 1.0); unsupplied_land_share 批而未供土地占比 % (lower);
idle_land_share 闲置土地占比 % (lower); energy_per_output 单位工业产值能耗 (lower).

radiation 社会辐射带动力 — employment 从业人员 (rank); rural_labour_transferred 转移农村劳动力
(rank); jobs_per_mu 地均就业; trainees 技能培训人次 (rank).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zones.scoring.capacities import IndicatorDef

HUNDRED = Decimal(100)

_INDICATORS = "开发区指标填报"


def _d(
    code: str,
    capacity: str,
    name: str,
    formula: str,
    unit: str,
    weight: str,
    normalisation: str,
    data_source: str,
    direction: str = "higher",
    benchmark: str | None = None,
) -> IndicatorDef:
    return IndicatorDef(
        code=code,
        capacity=capacity,
        direction=direction,
        weight=Decimal(weight),
        normalisation=normalisation,
        benchmark=None if benchmark is None else Decimal(benchmark),
        name=name,
        formula=formula,
        unit=unit,
        data_source=data_source,
    )


DEFAULT_INDICATORS: tuple[IndicatorDef, ...] = (
    # drive 内生发展动力
    _d("output_growth", "drive", "工业总产值增速",
       "（本年累计工业总产值 − 上年同期工业总产值）÷ 上年同期工业总产值 × 100%", "%", "0.25",
       "minmax_floor", f"{_INDICATORS}：工业总产值（本期与上年同期）"),
    _d("tax_growth", "drive", "税收收入增速",
       "（本年累计税收收入 − 上年同期税收收入）÷ 上年同期税收收入 × 100%", "%", "0.2",
       "minmax_floor", f"{_INDICATORS}：税收收入（本期与上年同期）"),
    _d("rd_intensity", "drive", "研发投入强度",
       "研发经费支出 ÷ 工业总产值 × 100%", "%", "0.2", "benchmark",
       f"{_INDICATORS}：研发经费支出、工业总产值", benchmark="2.5"),
    _d("new_enterprises", "drive", "新增企业数",
       "本年成立的入驻企业数", "家", "0.15", "rank", "企业名录：成立日期在本年的企业"),
    _d("projects_signed", "drive", "新签约项目数",
       "本年签约的招商引资项目数", "个", "0.2", "rank", "招商项目库：本年签约的项目"),
    # leading_industry 首位产业竞争力
    _d("leading_share", "leading_industry", "首位产业产值占比",
       "首位产业产值 ÷ 工业总产值 × 100%", "%", "0.4", "benchmark",
       f"{_INDICATORS}：首位产业产值、工业总产值", benchmark="50"),
    _d("leading_growth", "leading_industry", "首位产业产值增速",
       "（本年累计首位产业产值 − 上年同期首位产业产值）÷ 上年同期首位产业产值 × 100%", "%",
       "0.3", "minmax_floor", f"{_INDICATORS}：首位产业产值（本期与上年同期）"),
    _d("chain_coverage", "leading_industry", "首位产业链环节覆盖率",
       "有本区企业的首位产业链环节数 ÷ 产业链图谱环节总数 × 100%", "%", "0.3",
       "minmax_floor", "产业链图谱与企业名录：企业所在首位产业链环节"),
    # leading_enterprise 龙头企业带动力
    _d("leading_enterprises", "leading_enterprise", "龙头企业数",
       "同时满足三项认定标准（全国竞争力、总部在区、本地专业化分工）的企业数", "家", "0.4",
       "rank", "企业名录：龙头企业三项认定"),
    _d("local_supply_share", "leading_enterprise", "本地配套率",
       "龙头企业本地配套采购额 ÷ 龙头企业采购总额 × 100%", "%", "0.3", "minmax_floor",
       "龙头企业配套情况（与聚链阶段判定所用本地配套率相同）"),
    _d("leading_local_suppliers", "leading_enterprise", "首位产业链本地配套企业数",
       "处于首位产业链环节、非龙头的本区企业数", "家", "0.3", "rank",
       "企业名录：企业所在首位产业链环节"),
    # platform 平台服务支撑力
    _d("platforms_per_100_enterprises", "platform", "每百家企业服务平台数",
       "在运营的基础服务、专业公共服务、企业创新、产学研合作平台数 ÷ 企业数 × 100",
       "个/百家", "0.3", "minmax_floor", "平台库：在运营的四类服务平台；企业名录"),
    _d("national_platforms", "platform", "国家级平台数",
       "认定级别为国家级的在运营平台数", "个", "0.3", "rank", "平台库：平台级别"),
    _d("services_per_enterprise", "platform", "企均服务次数",
       "本年平台服务记录数 ÷ 企业数", "次/家", "0.4", "minmax_floor",
       "平台服务记录；企业名录"),
    # resource 资源环境承载力
    _d("tax_per_mu", "resource", "亩均税收",
       "税收收入 ÷ 供地面积", "万元/亩", "0.2", "minmax_floor",
       f"{_INDICATORS}：税收收入、供地面积"),
    _d("investment_per_mu", "resource", "亩均固定资产投资",
       "固定资产投资 ÷ 供地面积", "万元/亩", "0.15", "minmax_floor",
       f"{_INDICATORS}：固定资产投资、供地面积"),
    _d("floor_area_ratio", "resource", "容积率",
       "总建筑面积 ÷ 用地面积（填报值）", "", "0.15", "benchmark",
       f"{_INDICATORS}：容积率", benchmark="1.0"),
    _d("unsupplied_land_share", "resource", "批而未供土地占比",
       "批而未供土地 ÷（供地面积 + 批而未供土地）× 100%", "%", "0.15", "minmax_floor",
       f"{_INDICATORS}：批而未供土地、供地面积", direction="lower"),
    _d("idle_land_share", "resource", "闲置土地占比",
       "闲置土地 ÷ 供地面积 × 100%", "%", "0.15", "minmax_floor",
       f"{_INDICATORS}：闲置土地、供地面积", direction="lower"),
    _d("energy_per_output", "resource", "单位工业产值能耗",
       "综合能源消费量 ÷ 工业总产值", "吨标准煤/万元", "0.2", "minmax_floor",
       f"{_INDICATORS}：综合能源消费量、工业总产值", direction="lower"),
    # radiation 社会辐射带动力
    _d("employment", "radiation", "从业人员",
       "开发区从业人员数", "人", "0.3", "rank", f"{_INDICATORS}：从业人员"),
    _d("rural_labour_transferred", "radiation", "转移农村劳动力",
       "本年转移就业的农村劳动力人数", "人", "0.3", "rank", f"{_INDICATORS}：转移农村劳动力"),
    _d("jobs_per_mu", "radiation", "地均就业",
       "从业人员 ÷ 供地面积", "人/亩", "0.2", "minmax_floor",
       f"{_INDICATORS}：从业人员、供地面积"),
    _d("trainees", "radiation", "技能培训人次",
       "本年技能培训的培训人数合计", "人次", "0.2", "rank", "人才：技能培训记录"),
)  # fmt: skip


@dataclass(frozen=True)
class CapacityFacts:
    """One zone's facts for a period; None means not recorded. Money in 万元, land in 亩."""

    gross_output: Decimal | None = None  # 工业总产值, year to date
    gross_output_prev: Decimal | None = None  # the same months of last year
    leading_output: Decimal | None = None  # 首位产业产值
    leading_output_prev: Decimal | None = None
    tax_revenue: Decimal | None = None  # 税收收入
    tax_revenue_prev: Decimal | None = None
    fixed_asset_investment: Decimal | None = None
    land_supplied_mu: Decimal | None = None
    land_approved_unsupplied_mu: Decimal | None = None
    land_idle_mu: Decimal | None = None
    floor_area_ratio: Decimal | None = None
    energy_use_tce: Decimal | None = None  # 吨标准煤
    employment: Decimal | None = None
    rural_labour_transferred: Decimal | None = None
    rd_spending: Decimal | None = None
    enterprises: int | None = None  # enterprises in the zone
    new_enterprises: int | None = None  # founded this year
    projects_signed: int | None = None  # signed this year
    leading_enterprises: int | None = None  # passing all three tests
    leading_local_suppliers: int | None = None  # non-leading enterprises on a chain link
    local_supply_share: Decimal | None = None  # 0–1, as in StageFacts
    chain_coverage: Decimal | None = None  # 0–1, covered links / template links
    platforms: int | None = None  # in operation, all four kinds
    national_platforms: int | None = None
    services_delivered: int | None = None  # service records this year
    trainees: int | None = None  # skills-training trainees this year


def _dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _ratio(numerator: Any, denominator: Any, scale: Decimal = Decimal(1)) -> Decimal | None:
    """numerator / denominator × scale; None when either is missing or the denominator is 0."""
    num, den = _dec(numerator), _dec(denominator)
    if num is None or den is None or den == 0:
        return None
    return num / den * scale


def _percent(share: Any) -> Decimal | None:
    value = _dec(share)
    return None if value is None else value * HUNDRED


def _growth(current: Any, previous: Any) -> Decimal | None:
    now, before = _dec(current), _dec(previous)
    if now is None or before is None or before == 0:
        return None
    return (now - before) / before * HUNDRED


def _unsupplied_share(f: CapacityFacts) -> Decimal | None:
    if f.land_approved_unsupplied_mu is None or f.land_supplied_mu is None:
        return None
    approved = _dec(f.land_supplied_mu) + _dec(f.land_approved_unsupplied_mu)
    return _ratio(f.land_approved_unsupplied_mu, approved, HUNDRED)


FORMULAS: dict[str, Callable[[CapacityFacts], Decimal | None]] = {
    "output_growth": lambda f: _growth(f.gross_output, f.gross_output_prev),
    "tax_growth": lambda f: _growth(f.tax_revenue, f.tax_revenue_prev),
    "rd_intensity": lambda f: _ratio(f.rd_spending, f.gross_output, HUNDRED),
    "new_enterprises": lambda f: _dec(f.new_enterprises),
    "projects_signed": lambda f: _dec(f.projects_signed),
    "leading_share": lambda f: _ratio(f.leading_output, f.gross_output, HUNDRED),
    "leading_growth": lambda f: _growth(f.leading_output, f.leading_output_prev),
    "chain_coverage": lambda f: _percent(f.chain_coverage),
    "leading_enterprises": lambda f: _dec(f.leading_enterprises),
    "local_supply_share": lambda f: _percent(f.local_supply_share),
    "leading_local_suppliers": lambda f: _dec(f.leading_local_suppliers),
    "platforms_per_100_enterprises": lambda f: _ratio(f.platforms, f.enterprises, HUNDRED),
    "national_platforms": lambda f: _dec(f.national_platforms),
    "services_per_enterprise": lambda f: _ratio(f.services_delivered, f.enterprises),
    "tax_per_mu": lambda f: _ratio(f.tax_revenue, f.land_supplied_mu),
    "investment_per_mu": lambda f: _ratio(f.fixed_asset_investment, f.land_supplied_mu),
    "floor_area_ratio": lambda f: _dec(f.floor_area_ratio),
    "unsupplied_land_share": _unsupplied_share,
    "idle_land_share": lambda f: _ratio(f.land_idle_mu, f.land_supplied_mu, HUNDRED),
    "energy_per_output": lambda f: _ratio(f.energy_use_tce, f.gross_output),
    "employment": lambda f: _dec(f.employment),
    "rural_labour_transferred": lambda f: _dec(f.rural_labour_transferred),
    "jobs_per_mu": lambda f: _ratio(f.employment, f.land_supplied_mu),
    "trainees": lambda f: _dec(f.trainees),
}


def indicator_values(facts: CapacityFacts) -> dict[str, Decimal | None]:
    """The value of every default indicator (by code) for one zone's facts."""
    return {code: formula(facts) for code, formula in FORMULAS.items()}
