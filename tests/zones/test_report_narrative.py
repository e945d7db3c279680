"""The monthly reports' opening narrative: exact sentences for a typical month, zeros said in
words, missing figures dropped (never "None"), numbers formatted one way, and no crash in
another language."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.utils import translation

from zones.report_narrative import format_number, overview_narrative, zone_narrative

NAN = float("nan")


def clean(sentences: list[str]) -> list[str]:
    """Every sentence ends with a full stop and prints no missing value."""
    for sentence in sentences:
        assert sentence.endswith("。"), sentence
        assert "None" not in sentence and "nan" not in sentence.lower(), sentence
    return sentences


def zone_snapshot(**over: Any) -> dict[str, Any]:
    """A zone's month as the report builder passes it (JSON-safe ``zone_dashboard`` + extras);
    tests change one part at a time."""
    pipeline = {
        "as_of": "2026-10-31",
        "month": {"lead": 2, "signed": 3, "started": 1, "in_production": 0},
        "year": {"signed": 12, "started": 5, "in_production": 2},
        "plan_this_year": 120000.0,
        "completed_this_year": 54321.0,
        "completed_this_month": 6000.0,
        "signed_investment_year": 456000.0,
        "milestones_overdue": {"red": 2, "yellow": 1},
        "items_open": {"red": 1, "yellow": 0, "blue": 2, "none": 3},
        "items_opened": 4,
        "items_closed": 2,
    }
    snapshot = {
        "period": "2026-10-01",
        "pipeline": pipeline,
        "headline": {
            "signed_year": 12,
            "signed_month": 3,
            "signed_investment_yi": 45.6,
            "plan_yi": 12.0,
            "completed_yi": 5.43,
            "completed_rate": 45.3,
            "overdue": {"red": 2, "yellow": 1},
            "items_open": {"red": 1, "yellow": 0, "blue": 2, "none": 3},
            "items_open_total": 6,
        },
        "score": {"stage": "core", "quality": 61.2},
        "capacities": [
            {"code": "drive", "label": "内生发展动力", "value": 78.46, "median": 66.1},
            {"code": "leading_industry", "label": "首位产业竞争力", "value": 41.0, "median": 46.2},
            {"code": "platform", "label": "平台服务支撑力", "value": None, "median": 50.0},
            {"code": "resource", "label": "资源环境承载力", "value": 55.0, "median": None},
        ],
        "people": [
            {
                "name": "张三",
                "kind": "zone_leader",
                "score": 80.0,
                "colour": "green",
                "movement": -1.5,
                "rank": 2,
            },
            {"name": "李四", "kind": "lead", "score": 90.0, "colour": "green", "movement": None},
            {"name": "王五", "kind": "lead", "score": 65.0, "colour": "yellow", "movement": 1.0},
            {"name": "赵六", "kind": "lead", "score": 40.0, "colour": "red", "movement": -8.0},
        ],
        "trends": {},
        "zone": {"name": "甲开发区", "prefecture": "乙市"},
        "month": "2026-10",
        "stage_label": "聚核",
        "next_stage_label": "聚链",
        "to_next": [
            "首位产业链环节覆盖率还需提高 19.3 个百分点",
            "还差 1 家龙头企业",
        ],
        "previous_stage_label": "聚集基本完成",
        "accountability": {"score": 82.5, "colour": "green", "rank": 3, "of": 12, "movement": 2.5},
    }
    snapshot.update(over)
    return snapshot


def overview_snapshot(**over: Any) -> dict[str, Any]:
    """A prefecture's month as the report builder passes it (JSON-safe ``overview`` + extras)."""
    ranking = {
        "rows": [],
        "top": [
            {"pk": 1, "name": "甲区", "score": 92.0, "colour": "green", "movement": 6.04},
            {"pk": 2, "name": "乙区", "score": 80.0, "colour": "green", "movement": None},
        ],
        "bottom": [
            {"pk": 9, "name": "丁区", "score": 41.55, "colour": "red", "movement": -3.25},
        ],
        "risers": [{"pk": 1, "name": "甲区", "score": 92.0, "movement": 6.04}],
        "fallers": [{"pk": 9, "name": "丁区", "score": 41.55, "movement": -3.25}],
        "colours": {"green": 10, "yellow": 3, "red": 1},
    }
    snapshot = {
        "period": "2026-10-01",
        "headline": {
            "zones": 14,
            "national": 3,
            "signed_month": 5,
            "signed_year": 40,
            "started_year": 18,
            "produced_year": 1234,
            "signed_investment_yi": 1234.5,
            "plan_yi": 300.0,
            "completed_yi": 150.0,
            "completed_rate": 50.0,
            "overdue": {"red": 0, "yellow": 4},
            "items_open": {"red": 2, "yellow": 1, "blue": 0, "none": 0},
            "items_open_total": 3,
            "summarised_zones": 14,
        },
        "stages": [
            {"stage": "agglomerating", "label": "聚集中", "n": 3},
            {"stage": "agglomerated", "label": "聚集基本完成", "n": 5},
            {"stage": "core", "label": "聚核", "n": 4},
            {"stage": "chain", "label": "聚链", "n": 1},
            {"stage": "network", "label": "聚网", "n": 0},
            {"stage": "", "label": "未评价", "n": 1},
        ],
        "accountability": {"zone": ranking},
        "month": "2026-10",
        "stage_changes": [
            {"zone": "甲区", "from": "聚集中", "to": "聚集基本完成", "direction": "up"},
            {"zone": "丁区", "from": "聚核", "to": "聚集基本完成", "direction": "down"},
        ],
        "items_turned_red": 1,
    }
    snapshot.update(over)
    return snapshot


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (1234, "count", "1234"),
        (1234.0, "count", "1234"),
        (2.5, "count", "3"),
        (2.675, "yi", "2.68"),
        (12, "yi", "12.00"),
        (45.25, "percent", "45.3"),
        (-0.04, "score", "0.0"),
        (41.55, "score", "41.6"),
    ],
)
def test_numbers_are_rounded_half_up_without_separator_or_negative_zero(value, kind, text):
    assert format_number(value, kind) == text


# --- one zone --------------------------------------------------------------------------------


def test_zone_narrative_tells_a_typical_month_in_report_order():
    assert clean(zone_narrative(zone_snapshot())) == [
        "本月新签约项目 3 个，开工项目 1 个，无项目投产。",
        "本年签约项目 12 个（计划投资 45.60 亿元），开工项目 5 个，投产项目 2 个。",
        "本年完成投资 5.43 亿元，占年度计划 12.00 亿元的 45.3%。",
        "其中本月完成投资 0.60 亿元。",
        "本月发展阶段由聚集基本完成进入聚核。",
        "进入聚链阶段尚有 2 项条件未达到，首项为：首位产业链环节覆盖率还需提高 19.3 个百分点。",
        "六力中内生发展动力最强，得分 78.5，高于全省中位数 12.4 分。",
        "首位产业竞争力最弱，得分 41.0，低于全省中位数 5.2 分。",
        "逾期未完成的项目节点 3 个（红色 2 个、黄色 1 个）。",
        "未办结督办事项 6 件（红色 1 件、蓝色 2 件、正常 3 件）。",
        "本月新交办督办事项 4 件，办结 2 件。",
        "红色逾期节点 2 个、红色督办事项 1 件，需重点关注。",
        "本月问责评分 82.5 分，评级为绿色，排第 3 名（共 12 个开发区），较上月上升 2.5 分。",
        "开发区一把手张三问责评分 80.0 分，评级为绿色，较上月下降 1.5 分。",
        "参与问责评分的项目负责人 3 人（绿色 1 人、黄色 1 人、红色 1 人）。",
    ]


def test_zone_with_a_quiet_month_says_every_zero_in_words():
    snapshot = zone_snapshot()
    pipeline = snapshot["pipeline"]
    pipeline["month"] = {"signed": 0, "started": 0, "in_production": 0}
    pipeline["year"] = {"signed": 0, "started": 0, "in_production": 0}
    pipeline.update(completed_this_month=0.0, items_opened=0, items_closed=0)
    snapshot["headline"].update(
        plan_yi=0.0,
        completed_yi=0.0,
        completed_rate=None,
        overdue={"red": 0, "yellow": 0},
        items_open={"red": 0, "yellow": 0, "blue": 0, "none": 0},
    )
    sentences = clean(zone_narrative(snapshot))
    assert sentences[:3] == [
        "本月无新签约、开工或投产项目。",
        "本年尚无签约、开工或投产项目。",
        "本年尚无计划投资和完成投资。",
    ]
    assert sentences[7:10] == [
        "无逾期未完成的项目节点。",
        "无未办结的督办事项。",
        "本月无新交办或办结的督办事项。",
    ]
    assert not any("需重点关注" in s for s in sentences)


def test_zone_month_with_some_zero_counts_names_only_those_in_words():
    snapshot = zone_snapshot()
    snapshot["pipeline"]["month"] = {"signed": 0, "started": 2, "in_production": 0}
    snapshot["pipeline"]["year"] = {"signed": 4, "started": 0, "in_production": 0}
    snapshot["pipeline"].update(items_opened=0, items_closed=3)
    snapshot["headline"]["signed_investment_yi"] = 0.0
    sentences = clean(zone_narrative(snapshot))
    assert sentences[0] == "本月无新签约项目，开工项目 2 个，无项目投产。"
    assert sentences[1] == "本年签约项目 4 个，尚无项目开工，尚无项目投产。"
    assert "本月无新交办督办事项，办结 3 件。" in sentences


def test_zone_without_summary_rows_drops_pipeline_investment_and_supervision_sentences():
    snapshot = zone_snapshot(pipeline={}, headline={"overdue": {"red": 0, "yellow": 0}})
    sentences = clean(zone_narrative(snapshot))
    assert sentences[0] == "本月发展阶段由聚集基本完成进入聚核。"
    assert not any("投资" in s or "督办" in s or "逾期" in s for s in sentences)


def test_zone_with_no_data_at_all_has_no_sentences():
    snapshot = {
        "pipeline": {},
        "headline": {},
        "score": None,
        "capacities": [],
        "people": [],
        "stage_label": None,
        "next_stage_label": None,
        "to_next": [],
        "previous_stage_label": None,
        "accountability": {
            "score": None,
            "colour": None,
            "rank": None,
            "of": None,
            "movement": None,
        },
    }
    assert zone_narrative(snapshot) == []
    assert zone_narrative({}) == []


def test_zone_whose_stage_stayed_says_so():
    snapshot = zone_snapshot(previous_stage_label="聚核")
    assert "本月发展阶段为聚核，与上月相同。" in clean(zone_narrative(snapshot))


def test_zone_with_no_previous_stage_states_the_stage_only():
    snapshot = zone_snapshot(previous_stage_label=None)
    assert "本月发展阶段为聚核。" in clean(zone_narrative(snapshot))


def test_zone_that_fell_a_stage_says_it_fell():
    snapshot = zone_snapshot(stage_label="聚集基本完成", previous_stage_label="聚核")
    assert "本月发展阶段由聚核回落至聚集基本完成。" in clean(zone_narrative(snapshot))


def test_stage_labels_outside_the_stage_list_change_without_a_direction():
    snapshot = zone_snapshot(stage_label="甲阶段", previous_stage_label="乙阶段")
    assert "本月发展阶段由乙阶段变为甲阶段。" in clean(zone_narrative(snapshot))


def test_stage_label_falls_back_to_the_scored_stage_code():
    snapshot = zone_snapshot(stage_label=None, previous_stage_label=None)
    assert "本月发展阶段为聚核。" in clean(zone_narrative(snapshot))


def test_path_with_one_condition_names_it_and_drops_its_full_stop():
    snapshot = zone_snapshot(to_next=["还差 3 家规上企业。"])
    assert "进入聚链阶段尚有 1 项条件未达到：还差 3 家规上企业。" in clean(zone_narrative(snapshot))


def test_top_stage_or_empty_path_has_no_path_sentence():
    for over in ({"next_stage_label": None}, {"to_next": []}, {"to_next": None}):
        sentences = clean(zone_narrative(zone_snapshot(**over)))
        assert not any(s.startswith("进入") for s in sentences), over


def test_capacity_without_median_or_level_with_it_is_phrased_accordingly():
    capacities = [
        {"label": "内生发展动力", "value": 70.0, "median": None},
        {"label": "首位产业竞争力", "value": 50.04, "median": 50.0},
    ]
    sentences = clean(zone_narrative(zone_snapshot(capacities=capacities)))
    assert "六力中内生发展动力最强，得分 70.0。" in sentences
    assert "首位产业竞争力最弱，得分 50.0，与全省中位数持平。" in sentences


def test_one_scored_capacity_is_not_also_called_the_weakest():
    capacities = [
        {"label": "内生发展动力", "value": 70.0, "median": 75.0},
        {"label": "首位产业竞争力", "value": NAN, "median": 50.0},
    ]
    sentences = clean(zone_narrative(zone_snapshot(capacities=capacities)))
    assert [s for s in sentences if "六力" in s or "最弱" in s] == [
        "六力中内生发展动力最强，得分 70.0，低于全省中位数 5.0 分。"
    ]


def test_unscored_accountability_and_no_people_drop_their_sentences():
    snapshot = zone_snapshot(
        accountability={"score": None, "colour": None, "rank": None, "of": None, "movement": None},
        people=[],
    )
    sentences = clean(zone_narrative(snapshot))
    assert not any("问责" in s for s in sentences)
    empty = zone_snapshot(accountability={}, people=None)
    assert not any("问责" in s for s in clean(zone_narrative(empty)))


def test_accountability_without_colour_rank_or_last_month_is_the_score_alone():
    snapshot = zone_snapshot(
        accountability={"score": 70, "colour": None, "rank": None, "of": None, "movement": None},
        people=[],
    )
    assert clean(zone_narrative(snapshot))[-1] == "本月问责评分 70.0 分。"


def test_accountability_unchanged_and_rank_without_total():
    snapshot = zone_snapshot(
        accountability={"score": 61.25, "colour": "red", "rank": 7, "of": None, "movement": 0.02},
        people=[],
    )
    assert clean(zone_narrative(snapshot))[-1] == (
        "本月问责评分 61.3 分，评级为红色，排第 7 名，与上月持平。"
    )


def test_project_leads_without_colours_are_counted_and_unscored_people_left_out():
    people = [
        {"name": "张三", "kind": "zone_leader", "score": None, "colour": None, "movement": None},
        {"name": "李四", "kind": "lead", "score": 55.0, "colour": None, "movement": None},
        {"name": "王五", "kind": "lead", "score": None, "colour": None, "movement": None},
    ]
    sentences = clean(zone_narrative(zone_snapshot(people=people)))
    assert sentences[-1] == "参与问责评分的项目负责人 1 人。"
    assert not any("张三" in s for s in sentences)


def test_investment_without_a_plan_and_a_month_without_reports():
    snapshot = zone_snapshot()
    snapshot["headline"].update(plan_yi=0.0, completed_yi=1.5, completed_rate=None)
    snapshot["pipeline"]["completed_this_month"] = 0.0
    sentences = clean(zone_narrative(snapshot))
    assert sentences[2:4] == ["本年完成投资 1.50 亿元，尚无年度计划投资。", "本月未报告完成投资。"]


def test_nothing_completed_against_a_plan_is_said_without_a_zero_rate():
    snapshot = zone_snapshot()
    snapshot["headline"].update(plan_yi=1.0, completed_yi=0.0, completed_rate=0.0)
    snapshot["pipeline"]["completed_this_month"] = 0.0
    sentences = clean(zone_narrative(snapshot))
    assert sentences[2] == "本年尚无完成投资，年度计划投资 1.00 亿元。"
    assert not any("完成投资" in s for s in sentences[3:])


def test_missing_completion_rate_is_computed_from_plan_and_completed():
    snapshot = zone_snapshot()
    snapshot["headline"].update(plan_yi=8.0, completed_yi=3.0, completed_rate=NAN)
    assert "本年完成投资 3.00 亿元，占年度计划 8.00 亿元的 37.5%。" in clean(
        zone_narrative(snapshot)
    )


def test_raw_pipeline_amounts_stand_in_for_a_missing_headline():
    snapshot = zone_snapshot(headline={})
    sentences = clean(zone_narrative(snapshot))
    assert sentences[1] == (
        "本年签约项目 12 个（计划投资 45.60 亿元），开工项目 5 个，投产项目 2 个。"
    )
    assert sentences[2] == "本年完成投资 5.43 亿元，占年度计划 12.00 亿元的 45.3%。"
    assert "逾期未完成的项目节点 3 个（红色 2 个、黄色 1 个）。" in sentences


def test_red_items_alone_or_red_milestones_alone_call_for_attention():
    snapshot = zone_snapshot()
    snapshot["headline"]["overdue"] = {"red": 0, "yellow": 2}
    assert "红色督办事项 1 件，需重点关注。" in clean(zone_narrative(snapshot))
    snapshot = zone_snapshot()
    snapshot["headline"]["items_open"] = {"red": 0, "yellow": 1, "blue": 0, "none": 0}
    assert "红色逾期节点 2 个，需重点关注。" in clean(zone_narrative(snapshot))


def test_large_counts_have_no_thousands_separator():
    snapshot = zone_snapshot()
    snapshot["pipeline"]["year"] = {"signed": 1234, "started": 1000.0, "in_production": 0}
    snapshot["headline"]["signed_investment_yi"] = 12345.678
    sentences = clean(zone_narrative(snapshot))
    assert sentences[1] == (
        "本年签约项目 1234 个（计划投资 12345.68 亿元），开工项目 1000 个，尚无项目投产。"
    )


# --- a prefecture or the province ------------------------------------------------------------


def test_overview_narrative_tells_a_typical_month_in_report_order():
    assert clean(overview_narrative(overview_snapshot(), scope_name="乙市")) == [
        "乙市共有开发区 14 个，其中国家级 3 个。",
        "按发展阶段分：聚集中 3 个、聚集基本完成 5 个、聚核 4 个、聚链 1 个、未评价 1 个。",
        "本月新签约项目 5 个。",
        "本年签约项目 40 个（计划投资 1234.50 亿元），开工项目 18 个，投产项目 1234 个。",
        "本年完成投资 150.00 亿元，占年度计划 300.00 亿元的 50.0%。",
        "本月发展阶段提升的有：甲区由聚集中进入聚集基本完成。",
        "本月发展阶段回落的有：丁区由聚核回落至聚集基本完成。",
        "逾期未完成的项目节点 4 个（黄色 4 个）。",
        "未办结督办事项 3 件（红色 2 件、黄色 1 件）。",
        "本月新转为红色的督办事项 1 件。",
        "红色督办事项 2 件，需重点关注。",
        "问责评分最高的是甲区（92.0 分），最低的是丁区（41.6 分）。",
        "较上月上升最多的是甲区（上升 6.0 分），下降最多的是丁区（下降 3.3 分）。",
        "开发区问责评级：绿色 10 个、黄色 3 个、红色 1 个。",
    ]


def test_more_than_five_stage_changes_name_five_then_count_them_all():
    changes = [
        {"zone": f"{i}号区", "from": "聚集中", "to": "聚集基本完成", "direction": "up"}
        for i in range(1, 8)
    ]
    sentences = clean(
        overview_narrative(overview_snapshot(stage_changes=changes), scope_name="乙市")
    )
    named = "、".join(f"{i}号区由聚集中进入聚集基本完成" for i in range(1, 6))
    assert f"本月发展阶段提升的有：{named}等 7 个开发区。" in sentences
    assert not any("6号区" in s or "回落" in s for s in sentences)


def test_no_stage_change_is_said_and_an_unknown_change_list_says_nothing():
    said = clean(overview_narrative(overview_snapshot(stage_changes=[]), scope_name="乙市"))
    assert "本月各开发区发展阶段均无变化。" in said
    snapshot = overview_snapshot()
    del snapshot["stage_changes"]
    silent = clean(overview_narrative(snapshot, scope_name="乙市"))
    assert not any("发展阶段" in s and "本月" in s for s in silent)


def test_overview_of_no_zones_is_one_sentence():
    snapshot = overview_snapshot(headline={"zones": 0}, stages=[], accountability={})
    assert overview_narrative(snapshot, scope_name="丙市") == ["丙市暂无开发区。"]


def test_overview_without_summaries_or_accountability_keeps_zones_and_stages():
    snapshot = overview_snapshot(
        headline={"zones": 2, "national": 0, "summarised_zones": 0},
        stages=[{"stage": "", "label": "未评价", "n": 2}],
        stage_changes=[],
        accountability={},
    )
    assert clean(overview_narrative(snapshot, scope_name="丙市")) == [
        "丙市共有开发区 2 个。",
        "按发展阶段分：未评价 2 个。",
        "本月各开发区发展阶段均无变化。",
    ]


def test_overview_quiet_month_says_zeros_and_no_red():
    snapshot = overview_snapshot(items_turned_red=0, stage_changes=[])
    snapshot["headline"].update(
        signed_month=0,
        signed_year=0,
        started_year=0,
        produced_year=0,
        overdue={"red": 0, "yellow": 0},
        items_open={"red": 0, "yellow": 0, "blue": 0, "none": 0},
    )
    snapshot["accountability"]["zone"]["colours"] = {"green": 14}
    sentences = clean(overview_narrative(snapshot, scope_name="乙市"))
    assert "本月无新签约项目。" in sentences
    assert "本年尚无签约、开工或投产项目。" in sentences
    assert "本月无督办事项转为红色。" in sentences
    assert "开发区问责评级：绿色 14 个，无红色。" in sentences
    assert not any("需重点关注" in s for s in sentences)


def test_summed_pipeline_adds_the_months_starts_and_items_in_and_out():
    pipeline = {
        "month": {"signed": 5, "started": 0, "in_production": 2},
        "completed_this_month": 25000.0,
        "items_opened": 0,
        "items_closed": 0,
    }
    sentences = clean(overview_narrative(overview_snapshot(pipeline=pipeline), scope_name="乙市"))
    assert "本月新签约项目 5 个，无项目开工，投产项目 2 个。" in sentences
    assert "其中本月完成投资 2.50 亿元。" in sentences
    assert "本月无新交办或办结的督办事项。" in sentences


def test_one_scored_zone_is_named_once_and_movements_rounding_to_zero_are_not_risers():
    ranking = {
        "rows": [],
        "top": [{"pk": 1, "name": "甲区", "score": 70.0, "movement": 0.03}],
        "bottom": [{"pk": 1, "name": "甲区", "score": 70.0, "movement": 0.03}],
        "risers": [{"pk": 1, "name": "甲区", "score": 70.0, "movement": 0.03}],
        "fallers": [],
        "colours": {"yellow": 1},
    }
    snapshot = overview_snapshot(accountability={"zone": ranking})
    sentences = clean(overview_narrative(snapshot, scope_name="乙市"))
    assert sentences[-2:] == ["甲区问责评分 70.0 分。", "开发区问责评级：黄色 1 个，无红色。"]


def test_only_a_faller_is_reported_alone():
    snapshot = overview_snapshot()
    snapshot["accountability"]["zone"]["risers"] = []
    sentences = clean(overview_narrative(snapshot, scope_name="乙市"))
    assert "较上月下降最多的是丁区（下降 3.3 分）。" in sentences
    assert not any("上升最多" in s for s in sentences)


def test_unscored_zones_in_the_ranking_are_skipped():
    snapshot = overview_snapshot()
    zone = snapshot["accountability"]["zone"]
    zone["top"].insert(0, {"pk": 5, "name": "戊区", "score": None, "movement": None})
    zone["colours"] = {}
    sentences = clean(overview_narrative(snapshot, scope_name="乙市"))
    assert "问责评分最高的是甲区（92.0 分），最低的是丁区（41.6 分）。" in sentences
    assert not any("戊区" in s or "问责评级" in s for s in sentences)


# --- another language ------------------------------------------------------------------------


def test_narratives_run_in_english_without_crashing():
    with translation.override("en"):
        zone = zone_narrative(copy.deepcopy(zone_snapshot()))
        overview = overview_narrative(copy.deepcopy(overview_snapshot()), scope_name="Yi")
    assert len(zone) == len(zone_narrative(zone_snapshot()))
    assert len(overview) == len(overview_narrative(overview_snapshot(), scope_name="Yi"))
    assert all(s and "None" not in s for s in zone + overview)
