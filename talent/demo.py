"""Demo talent records for the demo zones, in proportion to each zone's size.

A zone's output tier sets a scale from 0 (under 50亿, or no figures) to 6 (1000亿 and more); a
zone founded in the last five years drops one step. Large zones get several high-level teams,
one or two training centres with sessions in the last two years, special-skills placements and
awards; small young zones get a few cadres and little else. Deterministic per (seed, zone code);
written with bulk_create in the caller's transaction. Names are plainly demo (演示…).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from talent.models import (
    AwardLevel,
    Education,
    Entrepreneur,
    ManagementCadre,
    PlacementStatus,
    SkillAward,
    SpecialSkillsPlacement,
    TalentTeam,
    TrainingCentre,
    TrainingSession,
)
from zones.models import Enterprise, Zone

BATCH = 2000
TIER_SCALE = {
    "1000+": 6,
    "500-1000": 5,
    "300-500": 4,
    "200-300": 3,
    "100-200": 2,
    "50-100": 1,
    "<50": 0,
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林"
GIVEN = ("伟", "芳", "敏", "静", "磊", "洋", "勇", "军", "杰", "娟", "涛", "明", "超", "霞", "平")
POSTS = ("党工委书记", "管委会主任", "管委会副主任", "招商局局长", "经济发展局局长",
         "规划建设局局长", "综合办主任", "企业服务中心主任")  # fmt: skip
FIELDS = ("新材料", "电子信息", "生物医药", "先进装备制造", "新能源电池", "大数据", "现代化工")
TRADES = ("焊工", "电工", "数控车工", "钳工", "化工总控工", "电子装配工", "汽车维修工",
          "工业机器人操作调整工", "仪器仪表维修工", "茶艺师")  # fmt: skip
EDUCATION_WEIGHTS = ((Education.DOCTORATE, 1), (Education.MASTER, 4), (Education.BACHELOR, 8),
                     (Education.COLLEGE, 2), (Education.OTHER, 1))  # fmt: skip


def zone_scale(tier: str | None, founded_year: int, this_year: int) -> int:
    """0 (small or unknown) … 6 (1000亿+); a zone founded in the last five years drops a step."""
    scale = TIER_SCALE.get(tier or "", 0)
    if founded_year >= this_year - 5:
        scale = max(scale - 1, 0)
    return scale


def _person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(('', *GIVEN))}（演示）"


def _day_since(rng: random.Random, start: datetime.date, today: datetime.date) -> datetime.date:
    span = max((today - start).days, 0)
    return start + datetime.timedelta(days=rng.randint(0, span))


def _enterprises_by_zone(per_zone: int = 8) -> dict[int, list[int]]:
    """The first few enterprise ids of every demo zone (one query)."""
    out: dict[int, list[int]] = defaultdict(list)
    rows = (
        Enterprise.objects.filter(zone__is_demo=True)
        .order_by("zone_id", "pk")
        .values_list("zone_id", "pk")
    )
    for zone_id, pk in rows.iterator(chunk_size=5000):
        if len(out[zone_id]) < per_zone:
            out[zone_id].append(pk)
    return out


def load_app_demo(*, seed: int, log: Callable[[str], None]) -> dict[str, int]:
    today = timezone.localdate()
    zones = list(
        Zone.objects.filter(is_demo=True)
        .order_by("pk")
        .only("pk", "code", "name", "output_tier", "founded_year")
    )
    enterprises = _enterprises_by_zone()
    rows: dict[type, list] = defaultdict(list)
    centres_of: list[tuple[TrainingCentre, random.Random, int]] = []

    for zone in zones:
        rng = random.Random(f"{seed}:talent:{zone.code}")
        scale = zone_scale(zone.output_tier, zone.founded_year, today.year)
        founded = datetime.date(zone.founded_year, 1, 1)
        recent = max(founded, today - datetime.timedelta(days=365 * 8))

        for k in range(4 + 2 * scale + rng.randint(0, 2)):
            rows[ManagementCadre].append(
                ManagementCadre(
                    zone=zone,
                    name=_person(rng),
                    post=POSTS[k % len(POSTS)],
                    education=rng.choices(*zip(*EDUCATION_WEIGHTS, strict=True))[0],
                    appointed_on=_day_since(rng, recent, today),
                    training_hours=rng.randint(16, 40 + 8 * scale),
                    is_active=rng.random() > 0.08,
                )
            )
        ent_ids = enterprises.get(zone.pk, [])
        for ent_id in ent_ids[: 1 + 2 * scale]:
            rows[Entrepreneur].append(
                Entrepreneur(
                    zone=zone,
                    name=_person(rng),
                    enterprise_id=ent_id,
                    title=rng.choice(("董事长", "总经理", "创始人")),
                    activity_year=today.year - rng.randint(0, 1),
                    activities_attended=rng.randint(0, 3 + scale),
                )
            )
        n_teams = scale + rng.randint(0, 2) if scale >= 2 else rng.randint(0, scale)
        for k in range(n_teams):
            fund = Decimal(rng.randint(0, 60 * scale) * 50)
            rows[TalentTeam].append(
                TalentTeam(
                    zone=zone,
                    name=f"演示{rng.choice(FIELDS)}创新团队{k + 1:02d}",
                    leader=_person(rng),
                    field=rng.choice(FIELDS),
                    size=rng.randint(4, 12 + 3 * scale),
                    host_enterprise_id=rng.choice(ent_ids)
                    if ent_ids and rng.random() < 0.8
                    else None,
                    introduced_on=_day_since(rng, recent, today),
                    guidance_fund=fund,
                    venture_capital=Decimal(rng.randint(0, 80 * scale) * 50),
                    serves_leading_industry=rng.random() < 0.6,
                )
            )
        n_centres = (
            (2 if scale >= 5 else 1) if scale >= 2 else int(scale == 1 and rng.random() < 0.5)
        )
        for k in range(n_centres):
            trades = rng.sample(TRADES, rng.randint(2, 5))
            centre = TrainingCentre(
                zone=zone,
                name=f"{zone.name}演示高技能人才培训中心{k + 1:02d}",
                operator=rng.choice(("园区管委会", "职业技术学院", "龙头企业", "人力资源服务机构")),
                trades="、".join(trades),
                annual_capacity=rng.randint(3, 8 + scale) * 100,
            )
            rows[TrainingCentre].append(centre)
            centres_of.append((centre, rng, scale))
        if scale >= 1:
            for _ in range(rng.randint(0, 2)):  # sessions held elsewhere (no centre)
                trainees = rng.randint(15, 60)
                rows[TrainingSession].append(
                    TrainingSession(
                        zone=zone,
                        trade=rng.choice(TRADES),
                        held_on=_day_since(rng, today - datetime.timedelta(days=720), today),
                        trainees=trainees,
                        certificates=rng.randint(trainees // 2, trainees),
                    )
                )
            for _ in range(rng.randint(scale, 2 * scale)):
                rows[SpecialSkillsPlacement].append(
                    SpecialSkillsPlacement(
                        zone=zone,
                        name=_person(rng),
                        trade=rng.choice(TRADES),
                        year=today.year - rng.randint(0, 2),
                        status=rng.choice(PlacementStatus.values),
                    )
                )
        n_awards = rng.randint(1, scale + 1) if scale >= 2 else rng.randint(0, scale)
        for _ in range(n_awards):
            level = rng.choices(AwardLevel.values, weights=(1, 3, 5, 6))[0]
            rows[SkillAward].append(
                SkillAward(
                    zone=zone,
                    name=_person(rng),
                    award=f"演示{rng.choice(TRADES)}技能大赛奖",
                    level=level,
                    awarded_on=_day_since(rng, today - datetime.timedelta(days=1400), today),
                    amount=Decimal(rng.choice((0, 0.5, 1, 2, 3, 5))).quantize(Decimal("0.01")),
                )
            )

    counts: dict[str, int] = {}
    for model in (ManagementCadre, Entrepreneur, TalentTeam, TrainingCentre):
        model.objects.bulk_create(rows[model], batch_size=BATCH)
        counts[model._meta.model_name] = len(rows[model])
    for centre, rng, scale in centres_of:  # the centres have their primary keys now
        for _ in range(rng.randint(2, 3 + scale)):
            trainees = rng.randint(20, 40 + 10 * scale)
            rows[TrainingSession].append(
                TrainingSession(
                    zone_id=centre.zone_id,
                    centre=centre,
                    trade=rng.choice(centre.trades.split("、")),
                    held_on=_day_since(rng, today - datetime.timedelta(days=720), today),
                    trainees=trainees,
                    certificates=rng.randint(trainees // 2, trainees),
                )
            )
    for model in (TrainingSession, SpecialSkillsPlacement, SkillAward):
        model.objects.bulk_create(rows[model], batch_size=BATCH)
        counts[model._meta.model_name] = len(rows[model])
    log(
        "talent: "
        + ", ".join(f"{name} {n}" for name, n in counts.items())
        + f" in {len(zones)} zones"
    )
    return {f"talent_{name}": n for name, n in counts.items()}
