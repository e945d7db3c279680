"""Recompute: gather facts with set-based queries, score them with the pure scoring modules and
upsert the results (zone, period, methodology version), recording the run.

``recompute(period, ...)`` is what the nightly task, the after-edit task, the activation of a
version and ``manage.py recompute_scores`` all call. Other apps add their own results through
``register_step`` (investment registers the accountability scores), so zones imports no other
app's models while one run still computes everything for a period.

Queries do not grow with the number of zones or projects: each kind of fact is one grouped query
over the zones being computed (and their peer groups, which the normalisation needs), each kind
of result one bulk upsert per batch.
"""

from __future__ import annotations

import datetime
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from zones.models import Methodology, ScoreRun


@dataclass(frozen=True)
class StepContext:
    """What a registered step gets: the period (first day of the month) and its last day, the
    methodology version, the zones to compute (None: every zone) and the run being recorded."""

    period: datetime.date
    period_end: datetime.date
    methodology: Methodology
    zone_ids: list[int] | None
    run: ScoreRun | None


Step = Callable[[StepContext], int]
STEPS: dict[str, Step] = {}


def register_step(name: str, step: Step) -> None:
    """Add ``step`` to every recompute; it returns the number of result rows it wrote."""
    STEPS[name] = step


def month_start(value: datetime.date) -> datetime.date:
    return value.replace(day=1)


def month_end(period: datetime.date) -> datetime.date:
    following = (period.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def previous_month(today: datetime.date | None = None) -> datetime.date:
    """The last complete month: the default period of the nightly recompute."""
    today = today or timezone.localdate()
    return month_start(month_start(today) - datetime.timedelta(days=1))


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def recompute(
    period: datetime.date,
    *,
    methodology: Methodology | None = None,
    zone_ids: Iterable[int] | None = None,
    run: ScoreRun | None = None,
    steps: Iterable[str] | None = None,
    triggered_by: str = "direct",
) -> ScoreRun:
    """Compute and store every result of ``period`` for ``zone_ids`` (None: all zones).

    The run row says what happened: status, timings, zones, rows written, queries and errors.
    Results are written in one transaction per run: a failure leaves the previous results.
    """
    from zones import scoring_results

    period = month_start(period)
    methodology = methodology or Methodology.objects.get(is_active=True)
    zone_list = sorted(set(zone_ids)) if zone_ids is not None else None
    if run is None:
        run = ScoreRun.objects.create(
            kind=ScoreRun.Kind.FULL if zone_list is None else ScoreRun.Kind.ZONE,
            methodology=methodology,
            period=period,
            zone_id=zone_list[0] if zone_list and len(zone_list) == 1 else None,
            status=ScoreRun.Status.RUNNING,  # never "queued": that slot is the tasks' coalescing
            triggered_by=triggered_by,
        )
    ScoreRun.objects.filter(pk=run.pk).update(
        status=ScoreRun.Status.RUNNING, started_at=timezone.now(), methodology=methodology
    )
    run.refresh_from_db()
    context = StepContext(period, month_end(period), methodology, zone_list, run)
    counter = _QueryCounter()
    selected = list(STEPS) if steps is None else [s for s in STEPS if s in set(steps)]
    try:
        with connection.execute_wrapper(counter), transaction.atomic():
            done, rows = scoring_results.write_zone_results(context)
            for name in selected:
                rows += STEPS[name](context)
    except Exception as error:  # recorded on the run, then re-raised for the task's retry
        ScoreRun.objects.filter(pk=run.pk).update(
            status=ScoreRun.Status.FAILED,
            finished_at=timezone.now(),
            queries=counter.count,
            errors=[{"error": repr(error), "trace": traceback.format_exc(limit=8)}],
        )
        run.refresh_from_db()
        raise
    ScoreRun.objects.filter(pk=run.pk).update(
        status=ScoreRun.Status.DONE,
        finished_at=timezone.now(),
        zones_total=done,
        zones_done=done,
        rows_written=rows,
        queries=counter.count,
    )
    run.refresh_from_db()
    return run


def result_summary(run: ScoreRun) -> dict[str, Any]:
    return {
        "run": run.pk,
        "status": run.status,
        "period": run.period.isoformat(),
        "methodology": run.methodology.version,
        "zones": run.zones_done,
        "rows": run.rows_written,
        "queries": run.queries,
        "seconds": run.seconds,
    }
