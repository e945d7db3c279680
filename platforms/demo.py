"""Demo platforms and service records for the demo zones, consistent with each zone's size.

A large zone (output tier 200亿 and above) has basic, professional, enterprise innovation and
industry-university-research platforms, some national-level, with professional services across
the leading industry's chain; a mid-sized zone has a few basic and professional platforms and
a provincial innovation platform; a small zone has a basic service platform, and an older small
zone perhaps one professional or innovation platform. Operating platforms served the zone's
enterprises over the last two years. Names start with 演示 so nobody mistakes them for facts.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from platforms.catalogue import (
    SUB_KINDS,
    OperatorType,
    PlatformKind,
    PlatformLevel,
    PlatformStatus,
    ServiceCategory,
    SubKind,
    sub_kinds_of,
    sub_kinds_of_segment,
)
from platforms.models import Platform, ServiceRecord
from zones.models import ChainPosition, Enterprise, Zone

BATCH = 2000
TIER_RANK = {"1000+": 6, "500-1000": 5, "300-500": 4, "200-300": 3, "100-200": 2, "50-100": 1}

CATEGORY = {
    "recruitment_training": ServiceCategory.TRAINING,
    "management_consulting": ServiceCategory.CONSULTING,
    "finance_tax": ServiceCategory.FINANCE_TAX,
    "financing": ServiceCategory.FINANCING,
    "legal": ServiceCategory.LEGAL,
    "information_consulting": ServiceCategory.CONSULTING,
    "industrial_design": ServiceCategory.DESIGN,
    "testing_inspection": ServiceCategory.TESTING,
    "pilot_verification": ServiceCategory.PILOT,
    "investment_financing": ServiceCategory.FINANCING,
    "quality_control": ServiceCategory.QUALITY,
    "marketing": ServiceCategory.MARKETING,
    "logistics": ServiceCategory.LOGISTICS,
    "operations_maintenance": ServiceCategory.MAINTENANCE,
    "incubator": ServiceCategory.INCUBATION,
    "talent_base": ServiceCategory.TRAINING,
}
SERVICE_TYPES = {
    ServiceCategory.TRAINING: ("岗前技能培训", "专场招聘会", "管理人员培训"),
    ServiceCategory.CONSULTING: ("企业管理诊断", "行业信息咨询", "政策申报辅导"),
    ServiceCategory.FINANCE_TAX: ("代理记账", "税务筹划辅导", "研发费用加计扣除辅导"),
    ServiceCategory.FINANCING: ("银企融资对接", "股权融资路演", "担保贷款申请辅导"),
    ServiceCategory.LEGAL: ("合同审查", "知识产权保护咨询", "劳动用工法律咨询"),
    ServiceCategory.DESIGN: ("产品外观设计", "工艺流程设计", "包装设计"),
    ServiceCategory.TESTING: ("出厂产品检测", "原材料成分检验", "第三方认证检测"),
    ServiceCategory.PILOT: ("新工艺中试", "小批量试产验证"),
    ServiceCategory.QUALITY: ("质量管理体系辅导", "工序质量诊断"),
    ServiceCategory.MARKETING: ("产品推介会", "电商渠道对接", "展会组织"),
    ServiceCategory.LOGISTICS: ("仓储配送", "多式联运方案"),
    ServiceCategory.MAINTENANCE: ("设备运维", "生产线巡检"),
    ServiceCategory.RESEARCH: ("联合技术攻关", "检测方法开发", "技术成果转化"),
    ServiceCategory.INCUBATION: ("入孵辅导", "创业导师对接"),
}
OUTCOMES = (
    "已完成，企业满意",
    "问题已解决",
    "形成改进方案",
    "促成合作意向",
    "获得融资支持",
    "取得检测报告",
    "",
)
SUFFIX = {PlatformKind.BASIC: "服务中心", PlatformKind.PROFESSIONAL: "公共服务平台"}
OPERATORS = {
    PlatformKind.BASIC: (OperatorType.GOVERNMENT, OperatorType.MARKET),
    PlatformKind.PROFESSIONAL: (OperatorType.MARKET, OperatorType.MARKET, OperatorType.UNIVERSITY),
    PlatformKind.INNOVATION: (
        OperatorType.ENTERPRISE,
        OperatorType.ENTERPRISE,
        OperatorType.UNIVERSITY,
    ),
    PlatformKind.IUR: (OperatorType.UNIVERSITY, OperatorType.GOVERNMENT, OperatorType.ENTERPRISE),
}
RECORDS_BASE = {
    PlatformKind.BASIC: 6,
    PlatformKind.PROFESSIONAL: 8,
    PlatformKind.INNOVATION: 3,
    PlatformKind.IUR: 4,
}


def _pick(rng: random.Random, entries: list[SubKind], n: int) -> list[SubKind]:
    return rng.sample(entries, min(max(n, 0), len(entries)))


def plan_zone(rank: int, young: bool, rng: random.Random) -> list[SubKind]:
    """The sub-kinds a zone of this size and age has (one platform each)."""
    basic = sub_kinds_of(PlatformKind.BASIC)
    innovation = sub_kinds_of(PlatformKind.INNOVATION)
    iur = sub_kinds_of(PlatformKind.IUR)
    up = sub_kinds_of_segment(ChainPosition.UPSTREAM)
    mid = sub_kinds_of_segment(ChainPosition.MIDSTREAM)
    down = sub_kinds_of_segment(ChainPosition.DOWNSTREAM)
    if rank >= 4:
        return (
            _pick(rng, basic, rng.randint(4, 5))
            + _pick(rng, up, rng.randint(1, 2))
            + _pick(rng, mid, rng.randint(3, 4))
            + _pick(rng, down, rng.randint(1, 2))
            + _pick(rng, innovation, rng.randint(4, 6))
            + _pick(rng, iur, rng.randint(3, 5))
        )
    if rank == 3:
        return (
            _pick(rng, basic, rng.randint(3, 5))
            + _pick(rng, up, rng.randint(0, 1))
            + _pick(rng, mid, rng.randint(2, 3))
            + _pick(rng, down, rng.randint(0, 1))
            + _pick(rng, innovation, rng.randint(2, 4))
            + _pick(rng, iur, rng.randint(1, 3))
        )
    if rank >= 1:
        return (
            _pick(rng, basic, rng.randint(2, 3))
            + _pick(rng, mid, rng.randint(1, 2))
            + _pick(rng, innovation, rng.randint(0, 2))
            + _pick(rng, iur, rng.randint(0, 1))
        )
    plan = [SUB_KINDS["recruitment_training"] if rng.random() < 0.6 else rng.choice(basic)]
    if not young:
        if rng.random() < 0.35:
            plan += _pick(rng, mid, 1)
        if rng.random() < 0.25:
            plan.append(SUB_KINDS["enterprise_tech_centre"])
    return plan


def _level(entry: SubKind, rank: int, rng: random.Random) -> str:
    if entry.kind in (PlatformKind.INNOVATION, PlatformKind.IUR) and rank >= 3:
        roll = rng.random()
        national_share = 0.35 if rank >= 4 else 0.15
        if roll < national_share:
            return PlatformLevel.NATIONAL
        return PlatformLevel.PROVINCIAL if roll < 0.75 else PlatformLevel.MUNICIPAL
    if rank >= 2:
        return rng.choice((PlatformLevel.PROVINCIAL, PlatformLevel.MUNICIPAL, PlatformLevel.ZONE))
    return rng.choice((PlatformLevel.MUNICIPAL, PlatformLevel.ZONE, PlatformLevel.ZONE))


def _date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return end
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def load_app_demo(*, seed: int, log) -> dict[str, int]:
    """Give every demo zone platforms and two years of service records (bulk inserts)."""
    rng = random.Random(f"platforms-{seed}")
    today = timezone.localdate()
    zones = list(
        Zone.objects.filter(is_demo=True)
        .order_by("pk")
        .values_list("pk", "name", "output_tier", "founded_year", "leading_industry_id")
    )
    enterprises: dict[int, list[int]] = defaultdict(list)
    for zone_id, enterprise_id in (
        Enterprise.objects.filter(zone__is_demo=True).order_by("pk").values_list("zone_id", "pk")
    ):
        enterprises[zone_id].append(enterprise_id)

    platforms: list[Platform] = []
    zone_rank: dict[int, int] = {}
    for zone_id, name, tier, founded_year, leading_industry_id in zones:
        rank = TIER_RANK.get(tier or "", 0)
        zone_rank[zone_id] = rank
        young = founded_year >= 2010
        earliest = datetime.date(max(founded_year, 2005), 1, 1)
        for entry in plan_zone(rank, young, rng):
            status = PlatformStatus.OPERATING
            roll = rng.random()
            if roll < 0.07:
                status = PlatformStatus.PLANNING
            elif roll < 0.11:
                status = PlatformStatus.SUSPENDED
            if status == PlatformStatus.PLANNING:
                established = _date_between(rng, today - datetime.timedelta(days=300), today)
            else:
                established = _date_between(rng, earliest, today - datetime.timedelta(days=180))
            operator = rng.choice(OPERATORS[entry.kind])
            host = None
            if operator == OperatorType.ENTERPRISE and enterprises[zone_id]:
                host = rng.choice(enterprises[zone_id])
            platforms.append(
                Platform(
                    zone_id=zone_id,
                    name=f"演示{name}{entry.label}{SUFFIX.get(entry.kind, '')}",
                    kind=entry.kind,
                    sub_kind=entry.code,
                    chain_segment=entry.segment,
                    operator_type=operator,
                    operator_name=f"演示{name}{OperatorType(operator).label}运营单位",
                    level=_level(entry, rank, rng),
                    established_on=established,
                    status=status,
                    serves_leading_industry=bool(
                        leading_industry_id
                        and (entry.kind == PlatformKind.PROFESSIONAL or rng.random() < 0.5)
                    ),
                    host_enterprise_id=host,
                )
            )
    created = Platform.objects.bulk_create(platforms, batch_size=BATCH)
    if any(p.pk is None for p in created):  # a backend that returns no ids
        created = list(Platform.objects.filter(zone__is_demo=True).order_by("pk"))

    window = today - datetime.timedelta(days=730)
    records: list[ServiceRecord] = []
    for platform in created:
        pool = enterprises[platform.zone_id]
        if platform.status == PlatformStatus.PLANNING or not pool:
            continue
        rank = zone_rank[platform.zone_id]
        n = round(RECORDS_BASE[platform.kind] * (1 + rank * 0.6) * rng.uniform(0.5, 1.5))
        n = min(n, len(pool) * 3)
        start = max(window, platform.established_on)
        end = today - datetime.timedelta(days=1)
        if platform.status == PlatformStatus.SUSPENDED:
            end = today - datetime.timedelta(days=400)  # stopped serving over a year ago
        if end <= start:
            continue
        category = CATEGORY.get(platform.sub_kind, ServiceCategory.RESEARCH)
        free_share = 0.6 if platform.kind in (PlatformKind.INNOVATION, PlatformKind.IUR) else 0.4
        for _ in range(n):
            free = rng.random() < free_share
            fee = Decimal(0) if free else Decimal(rng.randint(2, 200)) / 10
            records.append(
                ServiceRecord(
                    platform_id=platform.pk,
                    enterprise_id=rng.choice(pool),
                    category=category,
                    service_type=rng.choice(SERVICE_TYPES[category]),
                    served_on=_date_between(rng, start, end),
                    outcome=rng.choice(OUTCOMES),
                    fee_wan=fee,
                    free=free,
                )
            )
    ServiceRecord.objects.bulk_create(records, batch_size=BATCH)
    log(f"  platforms: {len(created)} platforms, {len(records)} service records")
    return {"platforms": len(created), "service_records": len(records)}
