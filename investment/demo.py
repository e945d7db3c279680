"""Demo pipeline: investment projects for every demo zone, sized by the zone's output tier.

Called by ``manage.py seed_demo`` after the zones, enterprises and demo accounts exist, inside
its transaction. Deterministic for a seed (one ``random.Random`` per zone), inserted with
``bulk_create`` in batches. Every project walks the pipeline from 线索 with dated transitions
over the last ~3 years; signed projects carry promises and milestones (some overdue, a few
rescheduled); projects in 签约..投产 have up to 12 monthly reports (a few late, a few missing).
Only the demo zone's own accounts are named as leaders and leads; no user is created.
Supervision items of every colour and exemptions go to the zones that have zone accounts.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from devzone.access import Role
from investment.demo_supervision import load_supervision_demo
from investment.models import (
    ACTIVE_STAGES,
    PIPELINE,
    STAGE_INDEX,
    Milestone,
    MilestoneReschedule,
    MilestoneStatus,
    OriginType,
    ProgressReport,
    Project,
    ProjectCodeCounter,
    ProjectStage,
    PromotionMode,
    SigningPromise,
    StageTransition,
    report_due_date,
)
from zones.models import ChainPosition, Enterprise, Industry, Membership, Province, Zone

BATCH = 2000
# Projects per zone by output tier (before a random addition of up to a quarter).
PER_TIER = {
    "1000+": 100,
    "500-1000": 80,
    "300-500": 60,
    "200-300": 45,
    "100-200": 32,
    "50-100": 22,
    "<50": 12,
}
# Planned investment per project by tier (万元): a typical size.
SIZE_BY_TIER = {
    "1000+": 80000,
    "500-1000": 60000,
    "300-500": 45000,
    "200-300": 35000,
    "100-200": 25000,
    "50-100": 15000,
    "<50": 8000,
}
STAGE_WEIGHTS = {
    ProjectStage.LEAD: 18,
    ProjectStage.NEGOTIATING: 18,
    ProjectStage.SIGNED: 12,
    ProjectStage.REGISTERED: 10,
    ProjectStage.STARTED: 15,
    ProjectStage.IN_PRODUCTION: 13,
    ProjectStage.FULL_CAPACITY: 7,
    ProjectStage.TERMINATED: 7,
}
MODE_WEIGHTS = {
    PromotionMode.SPECIALISED: 20,
    PromotionMode.RESIDENT: 12,
    PromotionMode.RETURNEE: 8,
    PromotionMode.INVESTMENT_LED: 10,
    PromotionMode.PLATFORM: 10,
    PromotionMode.PROMOTION: 14,
    PromotionMode.BUSINESS_REFERRAL: 14,
    PromotionMode.INTERMEDIARY: 8,
    PromotionMode.OTHER: 4,
}
DOMESTIC_CITIES = {
    "440000": "深圳市",
    "310000": "上海市",
    "330000": "杭州市",
    "320000": "苏州市",
    "110000": "北京市",
    "520000": "贵阳市",
    "500000": "重庆市",
    "510000": "成都市",
    "370000": "青岛市",
    "350000": "厦门市",
    "430000": "长沙市",
    "420000": "武汉市",
}
HMT = ("香港", "澳门", "台湾")
FOREIGN = ("新加坡", "德国", "日本", "韩国", "美国", "泰国")
MILESTONES = (
    "完成项目备案",
    "取得用地批复",
    "取得施工许可",
    "主体工程开工",
    "设备安装调试",
    "竣工投产",
    "达产达标",
)
TERMINATION_REASONS = (
    "演示：投资方资金链紧张，项目终止",
    "演示：用地指标无法落实",
    "演示：投资方调整战略布局",
    "演示：环评未通过",
)


def _weighted(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _dates_between(
    rng: random.Random, start: datetime.date, end: datetime.date, n: int
) -> list[datetime.date]:
    span = max((end - start).days, 0)
    return sorted(start + datetime.timedelta(days=rng.randint(0, span)) for _ in range(n))


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def _month_back(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) - n
    return index // 12, index % 12 + 1


class _Loader:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.provinces = dict(Province.objects.values_list("code", "pk"))
        self.industries = {i.pk: i for i in Industry.objects.all()}
        through = Zone.main_industries.through
        self.main: dict[int, list[int]] = defaultdict(list)
        for zone_id, industry_id in through.objects.filter(zone__is_demo=True).values_list(
            "zone_id", "industry_id"
        ):
            self.main[zone_id].append(industry_id)
        self.people: dict[int, dict[str, int]] = defaultdict(dict)
        for zone_id, role, user_id in (
            Membership.objects.filter(
                zone__is_demo=True, role__in=[Role.ZONE_LEADER, Role.ZONE_STAFF]
            )
            .order_by("pk")
            .values_list("zone_id", "role", "user_id")
        ):
            self.people[zone_id].setdefault(role, user_id)
        self.enterprises: dict[int, list[int]] = defaultdict(list)
        for zone_id, pk in Enterprise.objects.filter(zone__is_demo=True).values_list(
            "zone_id", "pk"
        ):
            self.enterprises[zone_id].append(pk)
        self.counts = defaultdict(int)

    # --- one project ------------------------------------------------------------------------
    def project(self, rng: random.Random, zone: Zone, seq: dict[int, int]) -> dict:
        final = _weighted(rng, STAGE_WEIGHTS)
        if final == ProjectStage.TERMINATED:
            path = list(PIPELINE[: rng.randint(1, 5)]) + [ProjectStage.TERMINATED]
        else:
            path = list(PIPELINE[: STAGE_INDEX[final] + 1])
        # later stages started longer ago: a project at 达产 began two or three years back
        depth = len(path)
        earliest = 120 + depth * 100
        start = self.today - datetime.timedelta(days=rng.randint(min(earliest, 1000), 1095))
        if depth == 1:
            start = self.today - datetime.timedelta(days=rng.randint(5, 300))
        dates = [
            start,
            *_dates_between(rng, start + datetime.timedelta(days=20), self.today, depth - 1),
        ]
        skip_registered = (
            ProjectStage.REGISTERED in path
            and rng.random() < 0.05
            and path[-1] != ProjectStage.REGISTERED
        )
        if skip_registered:
            i = path.index(ProjectStage.REGISTERED)
            del path[i], dates[i]
        year = start.year
        seq[year] = seq.get(year, 0) + 1
        industry_ids = self.main.get(zone.pk) or (
            [zone.leading_industry_id] if zone.leading_industry_id else []
        )
        leading = zone.leading_industry_id
        industry_id = (
            leading
            if (leading and rng.random() < 0.55)
            else (rng.choice(industry_ids) if industry_ids else rng.choice(list(self.industries)))
        )
        industry = self.industries[industry_id]
        size = SIZE_BY_TIER.get(zone.output_tier or "<50", 8000)
        planned = _money(size * rng.lognormvariate(0, 0.7))
        this_year = _money(float(planned) * rng.uniform(0.1, 0.6))
        land = _money(float(planned) / rng.uniform(250, 600))
        origin_roll = rng.random()
        origin = {"origin_type": OriginType.DOMESTIC, "origin_city": "", "origin_country": ""}
        if origin_roll < 0.05:
            origin.update(origin_type=OriginType.HMT, origin_country=rng.choice(HMT))
        elif origin_roll < 0.10:
            origin.update(origin_type=OriginType.FOREIGN, origin_country=rng.choice(FOREIGN))
        else:
            code = rng.choice(list(DOMESTIC_CITIES))
            origin.update(
                origin_province_id=self.provinces.get(code), origin_city=DOMESTIC_CITIES[code]
            )
        people = self.people.get(zone.pk, {})
        number = seq[year]
        project = Project(
            code=f"XM-{zone.code}-{year}-{number:04d}",
            name=f"演示{industry.name}项目{number:03d}（{zone.name[:6]}）",
            zone_id=zone.pk,
            investor_name=f"演示{industry.name}投资有限公司{rng.randint(1, 99):02d}",
            industry_id=industry_id,
            serves_leading_industry=industry_id == leading,
            chain_position=rng.choice(ChainPosition.values),
            promotion_mode=_weighted(rng, MODE_WEIGHTS),
            planned_investment=planned,
            planned_investment_this_year=this_year,
            land_mu=land,
            expected_annual_output=_money(float(planned) * rng.uniform(0.8, 2.5)),
            expected_annual_tax=_money(float(planned) * rng.uniform(0.03, 0.1)),
            expected_jobs=rng.randint(20, 1500),
            responsible_leader_id=people.get(Role.ZONE_LEADER),
            lead_id=people.get(Role.ZONE_STAFF),
            blocking_problems="演示：用地报批进度偏慢" if rng.random() < 0.15 else "",
            coordination_requests="演示：请协调供电接入" if rng.random() < 0.1 else "",
            stage=path[-1],
            stage_since=dates[-1],
            terminated_reason=rng.choice(TERMINATION_REASONS)
            if path[-1] == ProjectStage.TERMINATED
            else "",
            **origin,
        )
        if STAGE_INDEX.get(path[-1], -1) >= STAGE_INDEX[ProjectStage.REGISTERED]:
            spare = self.enterprises.get(zone.pk)
            if spare and rng.random() < 0.5:
                project.enterprise_id = spare.pop()
        return {"project": project, "path": path, "dates": dates, "skip": skip_registered}

    # --- its dependent rows -----------------------------------------------------------------
    def dependents(self, rng: random.Random, plan: dict) -> dict[str, list]:
        project: Project = plan["project"]
        path, dates = plan["path"], plan["dates"]
        user_id = project.lead_id
        out: dict[str, list] = {"transitions": [], "promises": [], "milestones": [], "reports": []}
        sign_date = None
        for i, (stage, date) in enumerate(zip(path, dates, strict=True)):
            reason = ""
            if stage == ProjectStage.TERMINATED:
                reason = project.terminated_reason
            elif plan["skip"] and stage == ProjectStage.STARTED:
                reason = "演示：注册与开工同步办理"
            row = StageTransition(
                project=project,
                from_stage=path[i - 1] if i else "",
                to_stage=stage,
                date=date,
                user_id=user_id,
                note="" if i else "演示：项目录入",
                reason=reason,
                created_at=timezone.make_aware(datetime.datetime.combine(date, datetime.time(10))),
            )
            out["transitions"].append(row)
            if stage == ProjectStage.SIGNED:
                sign_date = date
                start = date + datetime.timedelta(days=rng.randint(60, 180))
                out["promises"].append(
                    SigningPromise(
                        project=project,
                        transition=row,
                        investment=_money(
                            float(project.planned_investment) * rng.uniform(0.85, 1.0)
                        ),
                        output_per_mu=_money(rng.uniform(150, 600)),
                        tax_per_mu=_money(rng.uniform(8, 40)),
                        planned_start_date=start,
                        planned_production_date=start
                        + datetime.timedelta(days=rng.randint(180, 540)),
                        created_at=row.created_at,
                    )
                )
        if sign_date is None:
            return out
        reached = STAGE_INDEX.get(path[-1] if path[-1] != ProjectStage.TERMINATED else path[-2], 0)
        end = dates[-1] if project.stage == ProjectStage.TERMINATED else None
        n = rng.randint(3, 5)
        titles = MILESTONES[:n] if reached < 5 else MILESTONES[: max(n, 6)]
        step = rng.randint(60, 150)
        for position, title in enumerate(titles, start=1):
            planned = sign_date + datetime.timedelta(days=step * position)
            if end is not None and planned > end:
                break  # nothing planned after the project was terminated
            # a past milestone is usually done; the rest are overdue (逾期)
            done = planned < self.today and (end is not None or rng.random() < 0.88)
            actual = None
            if done:
                actual = min(planned + datetime.timedelta(days=rng.randint(-20, 30)), self.today)
            status = (
                MilestoneStatus.DONE
                if done
                else (
                    MilestoneStatus.IN_PROGRESS
                    if planned <= self.today + datetime.timedelta(days=60)
                    else MilestoneStatus.NOT_STARTED
                )
            )
            milestone = Milestone(
                project=project,
                title=title,
                planned_date=planned,
                actual_date=actual,
                owner_id=user_id,
                status=status,
                position=position,
            )
            out["milestones"].append(milestone)
            if rng.random() < 0.06:
                old = planned - datetime.timedelta(days=rng.randint(15, 60))
                out.setdefault("reschedules", []).append(
                    MilestoneReschedule(
                        milestone=milestone,
                        old_date=old,
                        new_date=planned,
                        reason="演示：受雨季施工影响顺延",
                        user_id=user_id,
                        at=self.now - datetime.timedelta(days=rng.randint(1, 200)),
                    )
                )
        if project.stage in ACTIVE_STAGES:
            out["reports"] = self.reports(rng, project, sign_date)
        elif project.stage == ProjectStage.FULL_CAPACITY:
            project.completed_investment = _money(
                float(project.planned_investment) * rng.uniform(0.9, 1.05)
            )
        return out

    def reports(self, rng: random.Random, project: Project, sign_date) -> list[ProgressReport]:
        last_year, last_month = (
            (self.today.year - 1, 12)
            if self.today.month == 1
            else (self.today.year, self.today.month - 1)
        )
        months = [_month_back(last_year, last_month, k) for k in range(11, -1, -1)]
        months = [(y, m) for y, m in months if (y, m) >= (sign_date.year, sign_date.month)]
        if months and rng.random() < 0.08:
            months = months[:-1]  # this month's report missing
        rows = []
        monthly = float(project.planned_investment) / rng.uniform(18, 36)
        # spending before the 12 reported months (signed earlier) is already in the cumulative
        earlier = 0
        if months:
            earlier = max(
                months[0][0] * 12 + months[0][1] - (sign_date.year * 12 + sign_date.month), 0
            )
        cumulative = _money(monthly * earlier * rng.uniform(0.4, 0.9))
        for y, m in months:
            this = _money(monthly * rng.uniform(0.3, 1.6))
            cumulative += this
            due = report_due_date(y, m)
            late = rng.random() < 0.1
            day = (
                due + datetime.timedelta(days=rng.randint(1, 12))
                if late
                else due - datetime.timedelta(days=rng.randint(0, 4))
            )
            at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(16, 30)))
            if at > self.now:
                at = self.now - datetime.timedelta(hours=1)
            rows.append(
                ProgressReport(
                    project=project,
                    year=y,
                    month=m,
                    investment_this_month=this,
                    investment_cumulative=cumulative,
                    progress="演示：按计划推进，本月完成主体工程部分施工。",
                    problems="演示：部分设备到货延迟" if rng.random() < 0.15 else "",
                    coordination="",
                    submitted_at=at,
                    submitted_by_id=project.lead_id,
                )
            )
        project.completed_investment = cumulative
        return rows


def load_app_demo(*, seed: int, log) -> dict[str, int]:
    """Add the investment pipeline to every demo zone; returns counts by record kind."""
    loader = _Loader(seed)
    zones = list(Zone.objects.filter(is_demo=True).order_by("pk"))
    plans: list[dict] = []
    counters: list[ProjectCodeCounter] = []
    for zone in zones:
        rng = random.Random(f"{seed}:investment:{zone.code}")
        base = PER_TIER.get(zone.output_tier or "<50", 12)
        seq: dict[int, int] = {}
        for _ in range(base + rng.randint(0, base // 4)):
            plan = loader.project(rng, zone, seq)
            plan["rng"] = random.Random(f"{seed}:{plan['project'].code}")
            plans.append(plan)
        counters += [ProjectCodeCounter(zone_id=zone.pk, year=y, last=n) for y, n in seq.items()]

    rows: dict[str, list] = defaultdict(list)
    for plan in plans:
        for kind, items in loader.dependents(plan["rng"], plan).items():
            rows[kind].extend(items)
    Project.objects.bulk_create([p["project"] for p in plans], batch_size=BATCH)
    ProjectCodeCounter.objects.bulk_create(counters, batch_size=BATCH)
    # bulk_create copies each parent's new pk onto its children's foreign keys
    StageTransition.objects.bulk_create(rows["transitions"], batch_size=BATCH)
    SigningPromise.objects.bulk_create(rows["promises"], batch_size=BATCH)
    Milestone.objects.bulk_create(rows["milestones"], batch_size=BATCH)
    MilestoneReschedule.objects.bulk_create(rows["reschedules"], batch_size=BATCH)
    ProgressReport.objects.bulk_create(rows["reports"], batch_size=BATCH)
    counts = {
        "investment.projects": len(plans),
        "investment.transitions": len(rows["transitions"]),
        "investment.promises": len(rows["promises"]),
        "investment.milestones": len(rows["milestones"]),
        "investment.reschedules": len(rows["reschedules"]),
        "investment.progress_reports": len(rows["reports"]),
    }
    log(f"investment: {counts['investment.projects']} projects in {len(zones)} zones")
    counts.update(load_supervision_demo(seed=seed, log=log))
    return counts
