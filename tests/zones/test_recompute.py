"""The recompute: facts gathered with set-based queries, results upserted per zone, period and
version, the run recorded; coalesced per zone; idempotent; the command and the real worker."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import wait_until
from tests.factories import EnterpriseFactory, ZoneFactory, ensure_scoring_reference_data
from zones import recompute as recompute_module
from zones import tasks
from zones.models import (
    ChainLink,
    EnterpriseAnnual,
    EnterpriseGrade,
    Industry,
    Methodology,
    PeriodKind,
    ScoreRun,
    Zone,
    ZoneIndicator,
    ZoneScore,
)
from zones.recompute import recompute
from zones.scoring.stage import StageFacts, compute_stage

pytestmark = pytest.mark.django_db

PERIOD = datetime.date(2025, 10, 1)


def zone_with_facts(code: str, *, above_size: int, output: int, leading: int = 0) -> Zone:
    """A zone with ``above_size`` above-size enterprises (``leading`` of them leading ones),
    its 2025 annual output in 亿元 and a 2024 annual row of figures for its enterprises."""
    baijiu = Industry.objects.get(code="jiangxiang_baijiu")
    zone = ZoneFactory(code=code, leading_industry=baijiu)
    links = list(ChainLink.objects.filter(template__industry=baijiu).order_by("order"))
    for n in range(above_size):
        tests_pass = n < leading
        enterprise = EnterpriseFactory(
            zone=zone,
            above_designated_size=True,
            land_area_mu=Decimal("50"),
            chain_link=links[n % len(links)],
            test_national_competitiveness=tests_pass,
            test_headquarters_in_zone=tests_pass,
            test_local_division_of_labour=tests_pass,
        )
        EnterpriseAnnual.objects.create(
            enterprise=enterprise,
            year=2024,
            tax=Decimal(200 + n * 10),
            revenue=Decimal(8000 + n),
            value_added=Decimal(2500 + n),
            energy_tce=Decimal(1000),
            employees=100,
            rd_spending=Decimal(100),
        )
    ZoneIndicator.objects.create(
        zone=zone,
        period_kind=PeriodKind.YEAR,
        year=2025,
        gross_industrial_output=Decimal(output * 10000),
        leading_industry_output=Decimal(output * 10000) * Decimal("0.45"),
        rd_spending=Decimal(output * 10000) * Decimal("0.01"),
        local_supply_rate=Decimal("25"),
    )
    Zone.objects.filter(pk=zone.pk).update(latest_output=output * 10000, latest_output_year=2025)
    zone.refresh_from_db()
    return zone


@pytest.fixture
def zones():
    return [
        zone_with_facts("RC-1", above_size=40, output=80, leading=1),  # chain: every link
        zone_with_facts("RC-2", above_size=35, output=60),  # agglomerated
        zone_with_facts("RC-3", above_size=5, output=10),  # agglomerating
    ]


def test_a_full_recompute_writes_each_zones_stage_with_its_explanation(zones):
    run = recompute(PERIOD)

    assert run.status == ScoreRun.Status.DONE and run.zones_done == 3
    assert run.started_at and run.finished_at and run.errors == []
    stages = dict(ZoneScore.objects.values_list("zone__code", "stage"))
    assert stages == {"RC-1": "chain", "RC-2": "agglomerated", "RC-3": "agglomerating"}
    score = ZoneScore.objects.get(zone__code="RC-3")
    rules = {r["code"]: r for r in score.stage_detail["rules"]}
    assert (
        rules["above_size_enterprises"]["value"] == 5
        and not rules["above_size_enterprises"]["passed"]
    )
    assert rules["local_supply_share"]["value"] == "0.25"
    assert [r["code"] for r in score.stage_detail["to_next"]] == [
        "above_size_enterprises",
        "gross_output",
    ]
    for zone in zones:
        zone.refresh_from_db()
    assert [z.stage for z in zones] == ["chain", "agglomerated", "agglomerating"]


def test_the_stored_stage_is_the_pure_rules_on_the_gathered_facts(zones):
    recompute(PERIOD)
    facts = StageFacts(
        above_size_enterprises=40,
        gross_output=Decimal("800000"),
        leading_industry_output=Decimal("360000"),
        leading_enterprises=1,
        chain_links={"upstream": (6, 6), "midstream": (5, 5), "downstream": (4, 4)},
        local_supply_share=Decimal("0.25"),
        innovation_platforms=0,
        national_platforms=0,
        rd_spending=Decimal("8000"),
        service_segments=frozenset(),
    )
    expected = compute_stage(facts, Methodology.objects.get(is_active=True).section("stage"))
    assert ZoneScore.objects.get(zone__code="RC-1").stage_detail == expected.as_dict()


def test_capacities_quadrant_and_land_grades_are_stored(zones):
    recompute(PERIOD)
    score = ZoneScore.objects.get(zone__code="RC-1")
    assert set(score.capacities) == {
        "drive",
        "leading_industry",
        "leading_enterprise",
        "platform",
        "resource",
        "radiation",
    }
    assert score.quality is not None and score.quadrant in {
        "large_high",
        "large_low",
        "small_high",
        "small_low",
    }
    grades = EnterpriseGrade.objects.filter(enterprise__zone__code="RC-1", year=2024)
    assert grades.count() == 40
    assert score.land_grades["grade_counts"] == {g: grades.filter(grade=g).count() for g in "ABCD"}


def test_running_the_same_recompute_twice_gives_the_same_rows(zones):
    recompute(PERIOD)
    first = sorted(ZoneScore.objects.values_list("zone_id", "stage", "quality", "quadrant"))
    grades = EnterpriseGrade.objects.count()
    recompute(PERIOD)
    assert sorted(ZoneScore.objects.values_list("zone_id", "stage", "quality", "quadrant")) == first
    assert ZoneScore.objects.count() == 3 and EnterpriseGrade.objects.count() == grades


def test_the_query_count_does_not_grow_with_the_number_of_zones(zones):
    with CaptureQueriesContext(connection) as small:
        recompute(PERIOD)
    for n in range(4, 10):
        zone_with_facts(f"RC-{n}", above_size=3, output=20 + n)
    with CaptureQueriesContext(connection) as large:
        recompute(PERIOD)
    assert ZoneScore.objects.filter(period=PERIOD).count() == 9
    assert len(large.captured_queries) == len(small.captured_queries)


def test_one_zones_recompute_writes_only_that_zone(zones):
    recompute(PERIOD)
    ZoneScore.objects.filter(zone__code__in=["RC-1", "RC-3"]).delete()
    EnterpriseFactory.create_batch(30, zone=zones[2], above_designated_size=True)

    run = recompute(PERIOD, zone_ids=[zones[2].pk])

    assert run.kind == ScoreRun.Kind.ZONE and run.zones_done == 1
    assert sorted(ZoneScore.objects.values_list("zone__code", flat=True)) == ["RC-2", "RC-3"]
    assert ZoneScore.objects.get(zone__code="RC-3").stage_detail["rules"][0]["value"] == 35


def test_a_failing_step_records_the_error_and_keeps_the_previous_results(zones, monkeypatch):
    recompute(PERIOD)
    before = sorted(ZoneScore.objects.values_list("zone_id", "stage", "computed_at"))

    def broken(context):
        raise RuntimeError("step broke")

    monkeypatch.setitem(recompute_module.STEPS, "broken", broken)
    with pytest.raises(RuntimeError):
        recompute(PERIOD)

    run = ScoreRun.objects.order_by("-pk").first()
    assert run.status == ScoreRun.Status.FAILED and "step broke" in run.errors[0]["error"]
    assert sorted(ZoneScore.objects.values_list("zone_id", "stage", "computed_at")) == before


def test_many_changes_to_one_zone_queue_one_recompute(zones, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for _ in range(5):
            tasks.request_zone_recompute(zones[0].pk, triggered_by="import")
        tasks.request_zone_recompute(zones[1].pk, triggered_by="form")
    assert ScoreRun.objects.filter(status="queued", kind="zone").count() == 2
    assert len(callbacks) == 2


def test_a_recompute_task_delivered_twice_computes_once(zones):
    tasks.request_zone_recompute(zones[0].pk)
    run = ScoreRun.objects.get(status="queued")
    tasks.recompute_zone(run.pk)
    run.refresh_from_db()
    finished = run.finished_at
    tasks.recompute_zone(run.pk)  # already claimed: nothing happens
    run.refresh_from_db()
    assert run.status == ScoreRun.Status.DONE and run.finished_at == finished
    assert ZoneScore.objects.count() == 1


def test_the_nightly_task_computes_the_last_complete_month_once(zones):
    tasks.recompute_all()
    run = ScoreRun.objects.get(kind="full")
    assert run.status == "done" and run.period == recompute_module.previous_month()
    assert run.triggered_by == "beat"


def test_the_command_recomputes_a_period_and_a_zone(zones, capsys):
    call_command("recompute_scores", "--period", "2025-10")
    assert "2025-10 2026.1: 3 zones" in capsys.readouterr().out
    call_command("recompute_scores", "--period", "2025-11", "--zone", "RC-2")
    assert ZoneScore.objects.filter(period=datetime.date(2025, 11, 1)).count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2025/10"], "格式不正确"),
        (["--zone", "NOPE-1"], "找不到开发区编码：NOPE-1"),
    ],
)
def test_the_command_refuses_bad_arguments_clearly(zones, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("recompute_scores", *args)
    assert not ScoreRun.objects.exists()


def test_activating_a_version_queues_one_full_recompute(zones, django_capture_on_commit_callbacks):
    active = Methodology.objects.get(is_active=True)
    with django_capture_on_commit_callbacks() as callbacks:
        tasks.request_full_recompute_after_activation(active, by="admin")
        tasks.request_full_recompute_after_activation(active, by="admin")
    assert ScoreRun.objects.filter(kind="activation", status="queued").count() == 1
    assert len(callbacks) == 1


@pytest.mark.celery
def test_the_real_worker_recomputes_a_zone_after_a_change(celery_worker_process):
    ensure_scoring_reference_data()  # a transactional test: earlier ones flushed them
    zone = zone_with_facts("RC-W", above_size=31, output=55)
    celery_worker_process(broker="filesystem")

    with transaction.atomic():
        tasks.request_zone_recompute(zone.pk, triggered_by="form")

    score = wait_until(
        lambda: ZoneScore.objects.filter(zone=zone).first(),
        timeout=90,
        what="the worker to recompute the zone",
    )
    assert score.stage == "agglomerated"
    assert ScoreRun.objects.get(zone=zone).status == "done"


def test_a_direct_recompute_of_a_zone_with_a_queued_task_does_not_clash(zones):
    tasks.request_zone_recompute(zones[0].pk)
    run = recompute(PERIOD, zone_ids=[zones[0].pk])
    assert run.status == "done"
    assert ScoreRun.objects.filter(zone=zones[0], status="queued").count() == 1


def test_a_version_comparing_zones_of_the_same_type_normalises_within_type(zones):
    from zones.methodology import activate, derive_version

    Zone.objects.filter(pk=zones[2].pk).update(type="high_tech")
    Zone.objects.filter(pk__in=[zones[0].pk, zones[1].pk]).update(type="economic")

    def peer_counts(code: str) -> set[int]:
        detail = ZoneScore.objects.get(zone__code=code).capacity_detail
        return {c["peer_n"] for c in detail["contributions"] if c["peer_n"]}

    recompute(PERIOD)
    assert peer_counts("RC-3") == {3}  # the province's three zones

    by_type = derive_version(None, Methodology.objects.get(is_active=True), "2026.1-type")
    by_type.parameters["capacities"]["peer_group"] = "province_type"
    by_type.save()
    activate(by_type)
    recompute(PERIOD)

    score = ZoneScore.objects.get(zone__code="RC-3", methodology=by_type)
    assert peer_counts_of(score) == {1}  # the only high-tech zone is its own peer group
    assert peer_counts_of(ZoneScore.objects.get(zone__code="RC-1", methodology=by_type)) == {2}


def peer_counts_of(score: ZoneScore) -> set[int]:
    return {c["peer_n"] for c in score.capacity_detail["contributions"] if c["peer_n"]}


def test_an_unknown_peer_group_is_refused():
    from zones.scoring.capacities import validate_parameters

    assert validate_parameters({"peer_group": "nation"}) == [
        "peer_group must be one of province, province_type"
    ]


# --- runs whose message or worker was lost ----------------------------------------------------


def test_a_run_whose_message_was_lost_is_sent_again_and_the_zone_gets_recomputed(
    zones, django_capture_on_commit_callbacks
):
    tasks.request_zone_recompute(zones[0].pk, triggered_by="form")
    run = ScoreRun.objects.get(status="queued")
    long_ago = timezone.now() - tasks.LOST_AFTER - datetime.timedelta(minutes=1)
    ScoreRun.objects.filter(pk=run.pk).update(queued_at=long_ago)
    # meanwhile more changes of the zone coalesce into the lost row: without the sweeper the
    # zone would never be recomputed again
    tasks.request_zone_recompute(zones[0].pk, triggered_by="form")
    assert ScoreRun.objects.filter(zone=zones[0]).count() == 1

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert tasks.sweep_score_runs() == (1, 0)
    assert len(callbacks) == 1 and callbacks[0].func.__self__.name == "zones.recompute_zone"
    assert callbacks[0].args == (run.pk,)
    run.refresh_from_db()
    assert run.queued_at > long_ago  # the next sweep waits LOST_AFTER again

    tasks.recompute_zone(run.pk)  # the worker gets the message sent again
    run.refresh_from_db()
    assert run.status == "done" and ZoneScore.objects.filter(zone=zones[0]).exists()
    with django_capture_on_commit_callbacks() as callbacks:
        assert tasks.sweep_score_runs() == (0, 0)
    assert callbacks == []


def test_a_run_queued_recently_or_a_lost_full_run_is_handled_by_kind(
    zones, django_capture_on_commit_callbacks
):
    tasks.request_zone_recompute(zones[1].pk)  # recent: left alone
    full = tasks.queue_full_run(PERIOD, triggered_by="beat")
    ScoreRun.objects.filter(pk=full.pk).update(
        queued_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert tasks.sweep_score_runs() == (1, 0)
    sent = [(c.func.__self__.name, c.args) for c in callbacks]
    assert sent == [("zones.recompute_all", (full.pk,))]


def test_a_run_whose_worker_died_is_marked_failed_with_the_reason(zones):
    tasks.request_zone_recompute(zones[2].pk)
    run = ScoreRun.objects.get(status="queued")
    started = timezone.now() - tasks.ABANDONED_AFTER - datetime.timedelta(minutes=1)
    ScoreRun.objects.filter(pk=run.pk).update(status="running", started_at=started)
    busy = tasks.queue_full_run(PERIOD)
    ScoreRun.objects.filter(pk=busy.pk).update(
        status="running", started_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    assert tasks.sweep_score_runs() == (0, 1)

    run.refresh_from_db()
    busy.refresh_from_db()
    assert run.status == "failed" and run.finished_at is not None
    assert "工作进程" in run.errors[-1]["error"]
    assert busy.status == "running"
    # the zone is not blocked: its next change queues a new run
    tasks.request_zone_recompute(zones[2].pk)
    assert ScoreRun.objects.filter(zone=zones[2], status="queued").count() == 1


def test_the_beat_schedule_runs_the_score_run_sweeper():
    from devzone.celery import app

    entry = app.conf.beat_schedule["score-runs-sweeper"]
    assert entry["task"] == "zones.score_run_sweeper"
    assert entry["task"] in app.tasks
