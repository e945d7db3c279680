"""Score recomputation tasks (thin: they take ids, claim the run row, call ``recompute``).

- ``zones.recompute_all``: the nightly full recompute from the one beat schedule, and the one
  that follows the activation of a methodology version.
- ``zones.recompute_zone``: after a zone's facts change. Services call
  ``request_zone_recompute(zone_id)`` inside their transaction; at most one run per zone waits
  in the queue (a partial unique constraint), so a 500-row import enqueues one recompute.

- ``zones.score_run_sweeper`` (beat, every 10 minutes): a run still queued after
  ``LOST_AFTER`` lost its message (Redis crashed with it, or it expired) and is sent again; a
  run ``running`` for more than ``ABANDONED_AFTER`` lost its worker and is marked failed. Without
  it, a lost message would leave the zone's queued row in place, and every later change of the
  zone would coalesce into that row: the zone's scores would never be recomputed again.

A run row is claimed with a conditional UPDATE (queued → running), so a task delivered twice
computes once; the results are upserts, so a repeated run writes the same rows.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from devzone.jobs import enqueue_after_commit
from zones.models import Methodology, ScoreRun
from zones.recompute import month_start, previous_month, recompute

# A zone's recompute takes seconds and the full one minutes; the queue may wait behind the
# monthly reports. Past these, the message or the worker is gone.
LOST_AFTER = datetime.timedelta(minutes=30)
ABANDONED_AFTER = datetime.timedelta(hours=2)


def _claim(run_id: int) -> ScoreRun | None:
    claimed = ScoreRun.objects.filter(pk=run_id, status=ScoreRun.Status.QUEUED).update(
        status=ScoreRun.Status.RUNNING
    )
    return ScoreRun.objects.get(pk=run_id) if claimed else None


@shared_task(name="zones.recompute_zone", ignore_result=True)
def recompute_zone(run_id: int) -> None:
    run = _claim(run_id)
    if run is not None:
        recompute(run.period, methodology=run.methodology, zone_ids=[run.zone_id], run=run)


@shared_task(name="zones.recompute_all", ignore_result=True)
def recompute_all(run_id: int | None = None, period: str | None = None) -> None:
    """The full recompute of ``period`` (YYYY-MM-DD; default the last complete month)."""
    if run_id is None:
        run = queue_full_run(
            datetime.date.fromisoformat(period) if period else None, triggered_by="beat"
        )
        if run is None:  # another full run is already waiting
            return
        run_id = run.pk
    run = _claim(run_id)
    if run is not None:
        recompute(run.period, methodology=run.methodology, run=run)


def queue_full_run(
    period: datetime.date | None = None,
    *,
    kind: str = ScoreRun.Kind.FULL,
    triggered_by: str = "",
    methodology: Methodology | None = None,
) -> ScoreRun | None:
    """A queued full run row, or None when one is already waiting."""
    methodology = methodology or Methodology.objects.get(is_active=True)
    try:
        with transaction.atomic():
            return ScoreRun.objects.create(
                kind=kind,
                methodology=methodology,
                period=month_start(period) if period else previous_month(),
                triggered_by=triggered_by,
            )
    except IntegrityError:
        return None


def request_zone_recompute(zone_id: int, *, triggered_by: str = "") -> None:
    """Recompute ``zone_id`` once the current transaction commits, unless a recompute of it is
    already waiting (then that one will see this change too)."""
    request_zones_recompute([zone_id], triggered_by=triggered_by)


def request_zones_recompute(zone_ids, *, triggered_by: str = "") -> None:
    """``request_zone_recompute`` for many zones with a constant number of queries: the zones
    that already have a queued run are skipped, the others get one run row each (one insert)."""
    zone_ids = sorted(set(zone_ids))
    methodology = Methodology.objects.filter(is_active=True).first()
    if methodology is None or not zone_ids:
        return
    waiting = set(
        ScoreRun.objects.filter(
            kind=ScoreRun.Kind.ZONE, status=ScoreRun.Status.QUEUED, zone_id__in=zone_ids
        ).values_list("zone_id", flat=True)
    )
    period = previous_month()
    rows = [
        ScoreRun(
            kind=ScoreRun.Kind.ZONE,
            methodology=methodology,
            period=period,
            zone_id=zone_id,
            triggered_by=triggered_by,
        )
        for zone_id in zone_ids
        if zone_id not in waiting
    ]
    if not rows:
        return
    try:
        with transaction.atomic():
            created = ScoreRun.objects.bulk_create(rows)
    except IntegrityError:  # another transaction queued one meanwhile: go one by one
        created = []
        for row in rows:
            try:
                with transaction.atomic():
                    row.save()
                created.append(row)
            except IntegrityError:
                continue
    for run in created:
        enqueue_after_commit(recompute_zone, run.pk)


def request_full_recompute_after_activation(methodology: Methodology, *, by: str = "") -> None:
    run = queue_full_run(kind=ScoreRun.Kind.ACTIVATION, triggered_by=by, methodology=methodology)
    if run is not None:
        enqueue_after_commit(recompute_all, run.pk)


@shared_task(name="zones.score_run_sweeper", ignore_result=True)
def score_run_sweeper() -> None:
    sweep_score_runs()


def sweep_score_runs(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Send again the runs queued for longer than ``LOST_AFTER`` (their ``queued_at`` moves to
    now, so the next sweep waits again) and mark failed those running for longer than
    ``ABANDONED_AFTER``; return (sent again, marked failed)."""
    now = now or timezone.now()
    abandoned = ScoreRun.objects.filter(status=ScoreRun.Status.RUNNING).filter(
        Q(started_at__lt=now - ABANDONED_AFTER)
        | Q(started_at__isnull=True, queued_at__lt=now - ABANDONED_AFTER)
    )
    failed = 0
    for run in abandoned:
        error = _("计算中断：工作进程在 %(hours)s 小时内没有完成，已标记为失败。") % {
            "hours": int(ABANDONED_AFTER.total_seconds() // 3600)
        }
        failed += ScoreRun.objects.filter(pk=run.pk, status=ScoreRun.Status.RUNNING).update(
            status=ScoreRun.Status.FAILED,
            finished_at=now,
            errors=[*run.errors, {"error": error, "trace": ""}],
        )
    sent = 0
    lost = ScoreRun.objects.filter(status=ScoreRun.Status.QUEUED, queued_at__lt=now - LOST_AFTER)
    for run_id, kind in lost.values_list("pk", "kind"):
        with transaction.atomic():
            if ScoreRun.objects.filter(pk=run_id, status=ScoreRun.Status.QUEUED).update(
                queued_at=now
            ):
                task = recompute_zone if kind == ScoreRun.Kind.ZONE else recompute_all
                enqueue_after_commit(task, run_id)
                sent += 1
    return sent, failed


# The monthly report tasks live in their own module; importing them here registers them with
# the worker (Celery discovers ``<app>.tasks``).
from zones.report_tasks import (  # noqa: E402, F401
    generate_report,
    monthly_reports,
    report_sweeper,
    send_delivery,
)
