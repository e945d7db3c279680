"""The zone scorecard (发展阶段评价): why a zone is in its stage and what it lacks for the next.

Scores are stored the way the recompute stores them: ``stage_detail`` from
``compute_stage(...).as_dict()``, ``capacity_detail`` from ``compute_capacities(...)``, the land
summary from ``grade_enterprises`` and the quadrant from ``compute_quadrants``.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import trans_real

from tests.factories import ZoneFactory
from zones.methodology import active_methodology, derive_version
from zones.models import ScoreRun, ZoneScore
from zones.scorecard import POLICY_MSGIDS, RULE_TEXT, scorecard
from zones.scoring.capacities import ZoneValues, compute_capacities
from zones.scoring.capacity_indicators import DEFAULT_INDICATORS
from zones.scoring.land import EnterpriseFigures, grade_enterprises
from zones.scoring.quadrant import POLICY, compute_quadrants
from zones.scoring.stage import StageFacts, compute_stage

pytestmark = pytest.mark.django_db

PERIOD = datetime.date(2025, 6, 1)
ALL_LINKS = {"upstream": (4, 6), "midstream": (4, 5), "downstream": (3, 4)}  # 11 of 15

# agglomerated (聚集基本完成): lacks the core rules, a leading enterprise and 5 points of share.
AGGLOMERATED = StageFacts(
    above_size_enterprises=40,
    gross_output=Decimal("1000000"),
    leading_industry_output=Decimal("350000"),
    leading_enterprises=0,
)
# still agglomerating: 25 of 30 above-size enterprises, 40 of 50 亿元.
AGGLOMERATING = StageFacts(above_size_enterprises=25, gross_output=Decimal("400000"))
# core (聚核): chain coverage 40 % of 50 %, two of three segments, local supply not recorded.
CORE = StageFacts(
    above_size_enterprises=40,
    gross_output=Decimal("1000000"),
    leading_industry_output=Decimal("500000"),
    leading_enterprises=2,
    chain_links={"upstream": (3, 6), "midstream": (3, 5), "downstream": (0, 4)},
)
# chain (聚链): 3 of 5 innovation platforms, no national one, R&D not recorded, 1 of 3 segments.
CHAIN = StageFacts(
    above_size_enterprises=40,
    gross_output=Decimal("1000000"),
    leading_industry_output=Decimal("500000"),
    leading_enterprises=2,
    chain_links=ALL_LINKS,
    local_supply_share=Decimal("0.3"),
    innovation_platforms=3,
    national_platforms=0,
    service_segments=frozenset({"upstream"}),
)
NETWORK = StageFacts(
    above_size_enterprises=40,
    gross_output=Decimal("1000000"),
    leading_industry_output=Decimal("500000"),
    leading_enterprises=2,
    chain_links=ALL_LINKS,
    local_supply_share=Decimal("0.3"),
    innovation_platforms=6,
    national_platforms=1,
    rd_spending=Decimal("30000"),
    service_segments=frozenset({"upstream", "midstream", "downstream"}),
)

# indicator values of the zone and of a peer (the radiation capacity has none: missing)
VALUES = {"output_growth": 8, "tax_growth": 5, "leading_share": 35, "leading_enterprises": 0}
PEER_VALUES = {"output_growth": 12, "tax_growth": 2, "leading_share": 55, "leading_enterprises": 3}


def store_score(
    zone,
    facts: StageFacts = AGGLOMERATED,
    *,
    period: datetime.date = PERIOD,
    methodology=None,
    computed_at: datetime.datetime | None = None,
    run: ScoreRun | None = None,
) -> ZoneScore:
    """A ZoneScore as the recompute writes it, explanation JSON from the scoring functions."""
    methodology = methodology or active_methodology()
    stage = compute_stage(facts, methodology.section("stage"))
    capacities = compute_capacities(
        DEFAULT_INDICATORS,
        [ZoneValues(zone.pk, "gz", VALUES), ZoneValues("peer", "gz", PEER_VALUES)],
        methodology.section("capacities"),
    )[zone.pk]
    quadrant = compute_quadrants(
        [(zone.pk, "gz", facts.gross_output, capacities.quality), ("peer", "gz", 2_000_000, 90)]
    )[zone.pk]
    _results, land = grade_enterprises(
        [
            EnterpriseFigures(1, True, Decimal("50"), tax=Decimal("500")),
            EnterpriseFigures(2, True, Decimal("80"), tax=Decimal("100")),
            EnterpriseFigures(3, False, Decimal("20"), tax=Decimal("10"), category="exempt"),
        ],
        2024,
        methodology.section("land"),
    )
    return ZoneScore.objects.create(
        zone=zone,
        period=period,
        methodology=methodology,
        run=run,
        stage=stage.stage,
        stage_detail=stage.as_dict(),
        capacities={k: None if v is None else str(v) for k, v in capacities.capacities.items()},
        capacity_detail=capacities.as_dict(),
        quality=capacities.quality,
        scale=facts.gross_output,
        quadrant=quadrant.quadrant,
        land_grades={**land.as_dict(), "quadrant": quadrant.as_dict()},
        computed_at=computed_at or timezone.now(),
    )


def sentences(card) -> list[str]:
    return [step["sentence"] for step in card["to_next"]]


def rule(card, code: str) -> dict:
    return next(r for r in card["rules"] if r["code"] == code)


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# --- the path to the next stage ---------------------------------------------------------------


def test_a_count_and_an_output_gap_read_as_sentences(cast):
    store_score(cast.zone_a, AGGLOMERATING)
    card = scorecard(cast.zone_a)
    assert card["stage"]["code"] == "agglomerating"
    assert card["stage"]["label"] == "聚集中"
    assert card["next_stage"]["label"] == "聚集基本完成"
    assert sentences(card) == ["还差 5 家规上企业", "工业总产值还需增加 10.00 亿元"]


def test_a_share_gap_is_in_percentage_points_and_a_missing_leader_is_counted(cast):
    store_score(cast.zone_a, AGGLOMERATED)
    card = scorecard(cast.zone_a)
    assert card["stage"]["code"] == "agglomerated"
    assert card["next_stage"]["code"] == "core"
    assert sentences(card) == [
        "还差 1 家龙头企业（同时满足三项认定）",
        "首位产业产值占比还需提高 5.0 个百分点",
    ]


def test_segments_and_missing_data_read_as_sentences(cast):
    store_score(cast.zone_a, CORE)
    card = scorecard(cast.zone_a)
    assert card["stage"]["code"] == "core"
    assert sentences(card) == [
        "首位产业链环节覆盖率还需提高 10.0 个百分点",
        "覆盖上中下游环节数还差 1 个",
        "缺少数据：本地配套率",
    ]
    assert [step["missing"] for step in card["to_next"]] == [False, False, True]


def test_platform_counts_use_the_measure_word_of_platforms(cast):
    store_score(cast.zone_a, CHAIN)
    card = scorecard(cast.zone_a)
    assert card["stage"]["code"] == "chain"
    assert sentences(card) == [
        "还差 2 个创新及产学研平台",
        "还差 1 个国家级创新平台",
        "缺少数据：研发投入强度",
        "专业公共服务覆盖环节数还差 2 个",
    ]


def test_a_gap_is_rounded_up_so_closing_it_is_enough(cast):
    facts = StageFacts(
        above_size_enterprises=40,
        gross_output=Decimal("1000000"),
        leading_industry_output=Decimal("356790"),  # 35.679 %: 4.321 points short of 40 %
        leading_enterprises=1,
    )
    store_score(cast.zone_a, facts)
    assert sentences(scorecard(cast.zone_a)) == ["首位产业产值占比还需提高 4.4 个百分点"]


def test_a_zone_at_the_top_stage_has_no_next_stage_and_an_empty_path(cast):
    store_score(cast.zone_a, NETWORK)
    card = scorecard(cast.zone_a)
    assert card["stage"]["code"] == "network"
    assert card["next_stage"] is None
    assert card["to_next"] == []


def test_rule_values_and_thresholds_are_formatted_by_unit(cast):
    store_score(cast.zone_a, CORE)
    card = scorecard(cast.zone_a)
    assert len(card["rules"]) == len(RULE_TEXT)
    above = rule(card, "above_size_enterprises")
    assert (above["label"], above["value_text"], above["threshold_text"]) == (
        "规上企业数",
        "40 家",
        "30 家",
    )
    assert (above["status"], above["status_label"]) == ("passed", "达标")
    output = rule(card, "gross_output")
    assert (output["value_text"], output["threshold_text"]) == ("100.00 亿元", "50.00 亿元")
    share = rule(card, "leading_share")
    assert (share["value_text"], share["threshold_text"]) == ("50.0%", "40.0%")
    segments = rule(card, "chain_segments")
    assert (segments["value_text"], segments["threshold_text"]) == ("2/3", "3/3")
    assert (segments["status"], segments["status_label"]) == ("failed", "未达标")
    supply = rule(card, "local_supply_share")
    assert (supply["value_text"], supply["threshold_text"]) == ("—", "20.0%")
    assert (supply["missing"], supply["status"], supply["status_label"]) == (
        True,
        "missing",
        "缺少数据",
    )
    assert rule(card, "national_platforms")["threshold_text"] == "1 个"
    assert rule(card, "leading_enterprises")["label"] == "龙头企业数（同时满足三项认定）"


# --- capacities, quadrant, land, as of, history -----------------------------------------------


def test_capacities_carry_labels_and_each_indicators_contribution(cast):
    store_score(cast.zone_a)
    card = scorecard(cast.zone_a)
    labels = [c["label"] for c in card["capacities"]]
    assert labels == [
        "内生发展动力",
        "首位产业竞争力",
        "龙头企业带动力",
        "平台服务支撑力",
        "资源环境承载力",
        "社会辐射带动力",
    ]
    drive = card["capacities"][0]
    assert drive["score"] is not None
    growth = next(i for i in drive["indicators"] if i["code"] == "output_growth")
    assert growth["name"] == "工业总产值增速"  # from the methodology's indicator definitions
    assert growth["unit"] == "%"
    assert (growth["value"], growth["missing"]) == ("8", False)
    assert growth["normalised"] is not None and growth["points"] is not None
    radiation = card["capacities"][-1]
    assert radiation["score"] is None
    assert radiation["reason_label"] == "各项指标均无数据"
    assert all(i["missing"] for i in radiation["indicators"])


def test_the_quadrant_comes_with_its_problem_and_policy_focus(cast):
    score = store_score(cast.zone_a)
    card = scorecard(cast.zone_a)
    assert card["quadrant"]["code"] == score.quadrant == "small_low"
    assert card["quadrant"]["label"] == "规模小、质量低"
    assert card["quadrant"]["problem"] == POLICY["small_low"]["problem"]
    assert card["quadrant"]["focus"] == POLICY["small_low"]["focus"]


def test_a_zone_without_a_quadrant_says_why(cast):
    score = store_score(cast.zone_a)
    ZoneScore.objects.filter(pk=score.pk).update(
        quadrant=None,
        land_grades={**score.land_grades, "quadrant": {"reason": "missing_quality"}},
    )
    card = scorecard(cast.zone_a)
    assert card["quadrant"]["code"] is None
    assert card["quadrant"]["reason_label"] == "缺少质量综合得分，未判定象限"


def test_land_grade_counts_list_every_grade_and_category(cast):
    store_score(cast.zone_a)
    land = scorecard(cast.zone_a)["land_grades"]
    assert land["year"] == 2024
    assert [g["code"] for g in land["grades"]] == ["A", "B", "C", "D"]
    assert sum(g["count"] for g in land["grades"]) == 3
    assert land["grades"][0]["label"] == "A类（优先发展）"
    exempt = next(c for c in land["categories"] if c["code"] == "exempt")
    assert (exempt["label"], exempt["count"]) == ("免评", 1)


def test_data_as_of_and_the_runs_finish_time_are_reported(cast):
    finished = timezone.now() - datetime.timedelta(hours=2)
    run = ScoreRun.objects.create(
        kind=ScoreRun.Kind.FULL,
        methodology=active_methodology(),
        period=PERIOD,
        status=ScoreRun.Status.DONE,
        finished_at=finished,
    )
    computed = finished - datetime.timedelta(minutes=3)
    store_score(cast.zone_a, run=run, computed_at=computed)
    card = scorecard(cast.zone_a)
    assert card["computed_at"] == computed
    assert card["run_finished_at"] == finished
    assert card["stale"] is False


def test_a_score_older_than_the_setting_is_stale(cast, settings):
    store_score(cast.zone_a, computed_at=timezone.now() - datetime.timedelta(hours=37))
    assert settings.DEVZONE_SCORES_STALE_HOURS == 36
    card = scorecard(cast.zone_a)
    assert card["stale"] is True
    assert card["run_finished_at"] is None

    settings.DEVZONE_SCORES_STALE_HOURS = 48
    assert scorecard(cast.zone_a)["stale"] is False


def test_the_latest_period_is_read_and_history_keeps_the_last_12(cast):
    start = datetime.date(2024, 1, 1)
    periods = [datetime.date(2024 + (m // 12), m % 12 + 1, 1) for m in range(14)]
    for index, period in enumerate(periods):
        store_score(cast.zone_a, AGGLOMERATING if index < 10 else CORE, period=period)
    card = scorecard(cast.zone_a)
    assert card["period"] == periods[-1] == datetime.date(2025, 2, 1)
    assert card["stage"]["code"] == "core"
    history = card["history"]
    assert [h["period"] for h in history] == periods[2:]
    assert [h["code"] for h in history] == ["agglomerating"] * 8 + ["core"] * 4
    assert history[-1]["label"] == "聚核"
    assert start not in [h["period"] for h in history]

    earlier = scorecard(cast.zone_a, period=datetime.date(2024, 6, 15))
    assert earlier["period"] == datetime.date(2024, 6, 1)
    assert earlier["stage"]["code"] == "agglomerating"
    assert [h["period"] for h in earlier["history"]] == periods[:6]


def test_scores_of_another_methodology_version_are_not_read(cast):
    store_score(cast.zone_a, AGGLOMERATING)
    other = derive_version(cast.admin, active_methodology(), "2099.1")
    store_score(cast.zone_a, NETWORK, period=datetime.date(2025, 9, 1), methodology=other)
    assert scorecard(cast.zone_a)["stage"]["code"] == "agglomerating"
    card = scorecard(cast.zone_a, methodology=other)
    assert card["stage"]["code"] == "network"
    assert card["methodology"]["version"] == "2099.1"


def test_no_score_yet_is_none(cast):
    assert scorecard(cast.zone_a) is None


def test_every_quadrant_text_is_marked_for_translation():
    texts = {text for policy in POLICY.values() for text in policy.values()}
    assert texts == set(POLICY_MSGIDS)


# --- the zone page ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["province", "city", "staff_a"])
def test_the_zone_page_shows_the_rules_and_the_path_to_the_next_stage(who, cast, client_for):
    store_score(cast.zone_a, CORE)
    response = client_for(getattr(cast, who)).get(
        reverse("zones:zone-detail", args=[cast.zone_a.pk])
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "发展阶段评价" in text
    for label in ("规上企业数", "首位产业链环节覆盖率", "本地配套率", "研发投入强度"):
        assert label in text
    assert "达标" in text and "未达标" in text and "缺少数据" in text
    assert "迈向下一阶段还需" in text
    assert "首位产业链环节覆盖率还需提高 10.0 个百分点" in text
    assert "缺少数据：本地配套率" in text
    assert "内生发展动力" in text and "社会辐射带动力" in text
    assert "规模小、质量低" in text and POLICY["small_low"]["focus"] in text
    assert "A类（优先发展）" in text
    assert "数据截至" in text
    assert "尚未计算" not in text
    assert "评价结果已超过" not in text


def test_a_missing_capacity_shows_a_dash(cast, client_for):
    store_score(cast.zone_a)
    response = client_for(cast.province).get(reverse("zones:zone-detail", args=[cast.zone_a.pk]))
    html = response.content.decode()
    table = re.search(r'id="scorecard-capacities".*?</table>\s*</div>', html, re.S).group(0)
    row = re.search(r"社会辐射带动力</th>\s*<td[^>]*>(.*?)</td>", table, re.S).group(1)
    assert "—" in row


def test_the_zone_page_warns_when_the_scores_are_stale(cast, client_for):
    store_score(cast.zone_a, computed_at=timezone.now() - datetime.timedelta(days=3))
    response = client_for(cast.province).get(reverse("zones:zone-detail", args=[cast.zone_a.pk]))
    assert "评价结果已超过 36 小时未更新" in text_of(response)


def test_the_zone_page_explains_when_no_score_exists_yet(cast, client_for):
    response = client_for(cast.province).get(reverse("zones:zone-detail", args=[cast.zone_a.pk]))
    assert response.status_code == 200
    text = text_of(response)
    assert "发展阶段评价" in text
    assert "尚未计算" in text
    assert 'id="scorecard-rules"' not in response.content.decode()
    assert 'id="scorecard-path"' not in response.content.decode()


@pytest.mark.parametrize("who", ["staff_b", "outsider"])
def test_staff_of_another_zone_get_404_on_the_page_and_the_api(who, cast, client_for):
    score = store_score(cast.zone_a, CORE)
    before = list(ZoneScore.objects.values())
    client = client_for(getattr(cast, who))
    page = client.get(reverse("zones:zone-detail", args=[cast.zone_a.pk]))
    assert page.status_code == 404
    api = client.get(reverse("zones_api:zone-scorecard", args=[cast.zone_a.pk]))
    assert api.status_code == 404
    assert "首位产业链" not in api.content.decode()
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(
            reverse("zones_api:zone-scorecard", args=[cast.zone_a.pk])
        )
        assert response.status_code in (404, 405)
    assert list(ZoneScore.objects.values()) == before
    assert ZoneScore.objects.get(pk=score.pk).stage == "core"


def _page_queries(client, zone) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("zones:zone-detail", args=[zone.pk]))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _api_queries(client, zone) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("zones_api:zone-scorecard", args=[zone.pk]))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_scorecard_costs_the_same_queries_for_1_and_14_periods(cast, client_for):
    # the scorecard adds: active methodology, the score with its run and version, the stage
    # history, the indicator names
    one = ZoneFactory(prefecture=cast.zone_a.prefecture)
    many = ZoneFactory(prefecture=cast.zone_a.prefecture)
    store_score(one)
    for month in range(1, 15):
        period = datetime.date(2024 + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        store_score(many, CORE, period=period)
    client = client_for(cast.province)
    _page_queries(client, one)  # warm the session and caches
    assert _page_queries(client, one) == _page_queries(client, many)
    assert _api_queries(client, one) == _api_queries(client, many)


# --- the API ------------------------------------------------------------------------------------


def test_the_api_returns_the_scorecard_with_its_explanation(cast, api_for):
    store_score(cast.zone_a, CORE)
    response = api_for(cast.province).get(f"/api/v1/zones/{cast.zone_a.pk}/scorecard/")
    assert response.status_code == 200
    body = response.json()
    assert body["zone"] == {"id": cast.zone_a.pk, "code": "TZ-A", "name": "测试开发区A"}
    card = body["scorecard"]
    assert card["period"] == "2025-06-01"
    assert card["stage"] == {"code": "core", "label": "聚核", "level": 2}
    assert card["next_stage"]["code"] == "chain"
    assert [s["sentence"] for s in card["to_next"]][-1] == "缺少数据：本地配套率"
    segments = next(r for r in card["rules"] if r["code"] == "chain_segments")
    assert segments["value_text"] == "2/3" and segments["status"] == "failed"
    assert len(card["capacities"]) == 6
    assert card["capacities"][0]["indicators"][0]["code"] == "output_growth"
    assert card["quadrant"]["focus"] == POLICY["small_low"]["focus"]
    assert [g["code"] for g in card["land_grades"]["grades"]] == ["A", "B", "C", "D"]
    assert card["computed_at"] and card["stale"] is False
    assert card["history"] == [
        {"period": "2025-06-01", "code": "core", "label": "聚核", "level": 2}
    ]


@pytest.mark.parametrize("who", ["province", "city", "staff_a", "viewer_a"])
def test_the_api_says_null_when_no_score_exists_yet(who, cast, api_for):
    response = api_for(getattr(cast, who)).get(f"/api/v1/zones/{cast.zone_a.pk}/scorecard/")
    assert response.status_code == 200
    assert response.json() == {
        "zone": {"id": cast.zone_a.pk, "code": "TZ-A", "name": "测试开发区A"},
        "scorecard": None,
    }


# --- English ------------------------------------------------------------------------------------

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def marked_english(monkeypatch):
    """An English catalog that translates every Chinese message to ``EN<…>``.

    The real catalog is completed later by the lead; this one proves the labels pass through
    gettext when the page is rendered in English (a label frozen at import time, or never
    marked, would come out in plain Chinese).
    """
    catalog = trans_real.translation("en")

    def gettext(message):
        return f"EN<{message}>" if HAN.search(message) else message

    monkeypatch.setattr(catalog, "gettext", gettext)
    return catalog


def test_english_rendering_has_no_untranslated_rule_labels(cast, client, marked_english):
    from django.conf import settings

    store_score(cast.zone_a, CORE)
    client.force_login(cast.province)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("zones:zone-detail", args=[cast.zone_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    table = re.search(r'id="scorecard-rules".*?</table>', html, re.S).group(0)
    cells = re.findall(r'<th scope="row"[^>]*>(.*?)</th>', table, re.S)
    assert len(cells) == len(RULE_TEXT)
    for cell in cells:
        assert re.fullmatch(r"EN&lt;[^&]+&gt;", cell.strip()), cell
    # {% translate %} output is not escaped, variables are: strip both forms
    translated = re.compile(r"EN(?:<|&lt;).*?(?:>|&gt;)")
    assert not HAN.search(translated.sub("", table)), "a label escaped gettext"

    with translation.override("en"):
        card = scorecard(cast.zone_a)
    for row in card["rules"]:
        assert row["label"].startswith("EN<"), row["label"]
    assert all(step["sentence"].startswith("EN<") for step in card["to_next"])
