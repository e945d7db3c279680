"""The monthly report tasks: planning a month, building each zone's report, releasing a
prefecture's report after its last zone and the province's after its last prefecture, and the
sweeper that picks up what a lost message left behind.

Tasks run in this process through ``Task.apply`` (the real task function with a task id, as a
worker would call it); the tasks they send are recorded instead of going to a broker, so a test
sees exactly what would be enqueued. The PDF renderer is a stub: these tests are about rows and
messages (``test_reports`` builds real PDFs).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from tests.factories import guizhou, prefecture
from zones import report_tasks, reports
from zones.methodology import active_methodology
from zones.models import (
    DeliveryStatus,
    Report,
    ReportDelivery,
    ReportKind,
    ReportStatus,
)
from zones.recompute import previous_month

pytestmark = pytest.mark.django_db

STUB_PDF = b"%PDF-1.4\n% stub\n%%EOF\n"


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def stub_render(monkeypatch):
    monkeypatch.setattr(reports, "render", lambda report: (STUB_PDF, 2))


@pytest.fixture
def period() -> datetime.date:
    return previous_month(previous_month(timezone.localdate()))


@pytest.fixture
def enqueued(monkeypatch) -> list[tuple]:
    """What the tasks send: (task name, *args), in order, instead of a broker message."""
    sent: list[tuple] = []
    for task in (report_tasks.generate_report, report_tasks.send_delivery):
        monkeypatch.setattr(
            task, "delay", lambda *args, _name=task.name: sent.append((_name, *args))
        )
    return sent


def month_rows(period: datetime.date) -> dict[str, Report]:
    return {r.scope_key: r for r in Report.objects.filter(period=period)}


def key(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


def run(kind: str, pk: int, period: datetime.date, *, task_id: str, send: bool = False):
    """The ``zones.generate_report`` task, run here as a worker runs it."""
    return report_tasks.generate_report.apply(
        args=[kind, pk, period.isoformat(), send, "test"], task_id=task_id
    )


# --- planning -------------------------------------------------------------------------------


def test_plan_month_creates_a_queued_row_per_zone_and_a_waiting_row_per_region(cast, period):
    zone_ids = report_tasks.plan_month(period)

    assert sorted(zone_ids) == sorted([cast.zone_a.pk, cast.zone_a2.pk, cast.zone_b.pk])
    rows = month_rows(period)
    gy, zy, gz = prefecture("贵阳市"), prefecture("遵义市"), guizhou()
    assert {k: r.status for k, r in rows.items()} == {
        key("zone", cast.zone_a.pk): ReportStatus.QUEUED,
        key("zone", cast.zone_a2.pk): ReportStatus.QUEUED,
        key("zone", cast.zone_b.pk): ReportStatus.QUEUED,
        key("prefecture", gy.pk): ReportStatus.WAITING,  # prefectures without zones: none
        key("prefecture", zy.pk): ReportStatus.WAITING,
        key("province", gz.pk): ReportStatus.WAITING,
    }
    assert {r.methodology_id for r in rows.values()} == {active_methodology().pk}


def test_planning_a_month_twice_adds_no_row(cast, period):
    report_tasks.plan_month(period)
    first = {k: r.pk for k, r in month_rows(period).items()}

    report_tasks.plan_month(period)

    assert {k: r.pk for k, r in month_rows(period).items()} == first


def test_the_monthly_task_enqueues_one_build_per_zone(cast, period, enqueued):
    report_tasks.monthly_reports.apply(args=[period.isoformat()])

    assert sorted(enqueued) == sorted(
        ("zones.generate_report", "zone", z.pk, period.isoformat(), True, "beat")
        for z in (cast.zone_a, cast.zone_a2, cast.zone_b)
    )


# --- building and releasing -----------------------------------------------------------------


def builds(enqueued: list[tuple]) -> list[tuple]:
    return [m[1:3] for m in enqueued if m[0] == "zones.generate_report"]


def test_the_last_zone_of_a_prefecture_releases_the_prefecture_once(cast, period, enqueued):
    report_tasks.plan_month(period)
    gy = prefecture("贵阳市")

    run("zone", cast.zone_a.pk, period, task_id="task-a")
    assert builds(enqueued) == []  # zone A2 still queued
    run("zone", cast.zone_a2.pk, period, task_id="task-a2")

    assert builds(enqueued) == [("prefecture", gy.pk)]
    rows = month_rows(period)
    assert rows[key("zone", cast.zone_a.pk)].status == ReportStatus.DONE
    assert rows[key("prefecture", gy.pk)].status == ReportStatus.QUEUED
    assert rows[key("prefecture", prefecture("遵义市").pk)].status == ReportStatus.WAITING
    # a second release of the same zone (a task delivered twice) moves nothing
    assert report_tasks.release_parent(rows[key("zone", cast.zone_a2.pk)]) is None


def test_release_parent_returns_the_prefecture_for_the_last_zone_only(cast, period):
    report_tasks.plan_month(period)
    gy = prefecture("贵阳市")
    zone_a = reports.generate("zone", cast.zone_a.pk, period)
    assert report_tasks.release_parent(zone_a) is None

    zone_a2 = reports.generate("zone", cast.zone_a2.pk, period)
    parent = report_tasks.release_parent(zone_a2)

    assert parent is not None
    assert (parent.kind, parent.prefecture_id, parent.status) == (
        ReportKind.PREFECTURE,
        gy.pk,
        ReportStatus.QUEUED,
    )
    assert report_tasks.release_parent(zone_a2) is None
    assert report_tasks.release_parent(zone_a) is None


def test_the_last_prefecture_releases_the_province(cast, period, enqueued):
    report_tasks.plan_month(period)
    gy, zy, gz = prefecture("贵阳市"), prefecture("遵义市"), guizhou()
    for zone in (cast.zone_a, cast.zone_a2, cast.zone_b):
        run("zone", zone.pk, period, task_id=f"task-zone-{zone.pk}")
    assert sorted(builds(enqueued)) == sorted([("prefecture", gy.pk), ("prefecture", zy.pk)])

    run("prefecture", gy.pk, period, task_id="task-gy")
    assert ("province", gz.pk) not in builds(enqueued)
    run("prefecture", zy.pk, period, task_id="task-zy")

    assert builds(enqueued).count(("province", gz.pk)) == 1
    run("province", gz.pk, period, task_id="task-gz")
    assert {r.status for r in month_rows(period).values()} == {ReportStatus.DONE}
    assert len(builds(enqueued)) == 3  # two prefectures, one province: nothing built twice


def test_a_duplicate_message_builds_and_releases_nothing(cast, period, enqueued):
    report_tasks.plan_month(period)
    run("zone", cast.zone_a.pk, period, task_id="task-a")
    run("zone", cast.zone_a2.pk, period, task_id="task-a2")
    done = month_rows(period)[key("zone", cast.zone_a2.pk)]
    before = len(enqueued)

    run("zone", cast.zone_a2.pk, period, task_id="task-a2-duplicate")

    again = month_rows(period)[key("zone", cast.zone_a2.pk)]
    assert (again.attempts, again.claimed_by, again.file.name) == (
        done.attempts,
        "task-a2",
        done.file.name,
    )
    assert len(enqueued) == before


def test_a_failed_zone_report_still_releases_its_prefecture(cast, period, enqueued, monkeypatch):
    """A zone whose build failed is finished for the month (``UNFINISHED`` leaves failed out):
    its prefecture's report must not wait for it forever."""
    report_tasks.plan_month(period)
    gy = prefecture("贵阳市")
    run("zone", cast.zone_a.pk, period, task_id="task-a")

    def broken(report):
        raise RuntimeError("WeasyPrint crashed")

    monkeypatch.setattr(reports, "render", broken)
    run("zone", cast.zone_a2.pk, period, task_id="task-a2")

    rows = month_rows(period)
    assert rows[key("zone", cast.zone_a2.pk)].status == ReportStatus.FAILED
    assert rows[key("prefecture", gy.pk)].status == ReportStatus.QUEUED
    assert builds(enqueued) == [("prefecture", gy.pk)]


def test_a_zone_report_built_with_send_enqueues_one_mail_per_recipient(cast, period, enqueued):
    report_tasks.plan_month(period)

    run("zone", cast.zone_a.pk, period, task_id="task-a", send=True)

    report = month_rows(period)[key("zone", cast.zone_a.pk)]
    deliveries = dict(ReportDelivery.objects.filter(report=report).values_list("email", "pk"))
    assert set(deliveries) == {cast.leader_a.email, cast.staff_a.email}
    mails = [m for m in enqueued if m[0] == "zones.send_delivery"]
    assert sorted(mails) == sorted(("zones.send_delivery", pk) for pk in deliveries.values())


# --- the sweeper ----------------------------------------------------------------------------


def finished_month(cast, period) -> None:
    """Every report of the month done and every mail sent."""
    report_tasks.plan_month(period)
    now = timezone.now()
    for report in Report.objects.filter(period=period):
        report.file.save("report.pdf", ContentFile(STUB_PDF), save=False)
        report.status, report.size, report.pages = ReportStatus.DONE, len(STUB_PDF), 2
        report.started_at = report.finished_at = now - datetime.timedelta(hours=2)
        report.queued_at = now - datetime.timedelta(hours=3)
        report.save()
        ReportDelivery.objects.create(
            report=report,
            email=f"{report.scope_key.replace(':', '-')}@example.test",
            status=DeliveryStatus.SENT,
            attempts=1,
            claimed_at=now - datetime.timedelta(hours=2),
            sent_at=now - datetime.timedelta(hours=2),
        )


def test_the_sweeper_enqueues_nothing_when_the_month_is_done(cast, period, enqueued):
    finished_month(cast, period)

    report_tasks.report_sweeper.apply()

    assert enqueued == []
    assert set(ReportDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_the_sweeper_picks_up_a_lost_build_and_a_mail_due_for_retry(cast, period, enqueued):
    finished_month(cast, period)
    now = timezone.now()
    lost = Report.objects.get(zone=cast.zone_b, period=period)
    Report.objects.filter(pk=lost.pk).update(
        status=ReportStatus.QUEUED, queued_at=now - datetime.timedelta(hours=1)
    )
    fresh = Report.objects.get(zone=cast.zone_a, period=period)
    Report.objects.filter(pk=fresh.pk).update(status=ReportStatus.QUEUED, queued_at=now)
    due, stuck = ReportDelivery.objects.filter(report__zone__isnull=False).order_by("pk")[:2]
    ReportDelivery.objects.filter(pk=due.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now - datetime.timedelta(minutes=1)
    )
    ReportDelivery.objects.filter(pk=stuck.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=now - datetime.timedelta(minutes=20)
    )

    report_tasks.report_sweeper.apply()

    assert sorted(enqueued) == sorted(
        [
            ("zones.generate_report", "zone", cast.zone_b.pk, period.isoformat(), True, "sweeper"),
            ("zones.send_delivery", due.pk),
            ("zones.send_delivery", stuck.pk),
        ]
    )
    stuck.refresh_from_db()
    assert stuck.status == DeliveryStatus.PENDING


def test_a_later_beat_leaves_finished_reports_alone_and_retries_failed_ones(cast, period):
    report_tasks.plan_month(period)
    rows = month_rows(period)
    done = [r for r in rows.values() if r.kind == ReportKind.ZONE]
    Report.objects.filter(pk=done[0].pk).update(status=ReportStatus.DONE, attempts=1)
    Report.objects.filter(pk=done[1].pk).update(status=ReportStatus.FAILED, attempts=1)
    Report.objects.filter(pk__in=[r.pk for r in done[2:]]).update(status=ReportStatus.DONE)

    again = report_tasks.plan_month(period)

    assert again == [done[1].zone_id]  # only the failed one is built again
    assert Report.objects.get(pk=done[0].pk).status == ReportStatus.DONE


def test_a_rebuild_requeues_every_report_that_is_not_running(cast, period):
    report_tasks.plan_month(period)
    Report.objects.filter(period=period).update(status=ReportStatus.DONE)

    zone_ids = report_tasks.plan_month(period, rebuild=True)

    statuses = {r.kind: r.status for r in month_rows(period).values()}
    assert len(zone_ids) == Report.objects.filter(period=period, kind=ReportKind.ZONE).count()
    assert statuses[ReportKind.ZONE] == ReportStatus.QUEUED
    assert statuses[ReportKind.PREFECTURE] == ReportStatus.WAITING
