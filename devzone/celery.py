"""The Celery app and the one beat schedule.

Embedded mode uses kombu's filesystem transport under ``var/broker`` (a real worker and a real
beat, not eager mode); ``REDIS_URL`` switches to Redis. Every schedule entry has ``expires`` so
that a backlog after an outage does not fire the same job many times over. Task calls the broker
refused are kept in an outbox (devzone/jobs.py) that beat and each starting worker flush.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "devzone.settings")

app = Celery("devzone")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

FLUSH_PENDING_TASK = "devzone.flush_pending"


@app.task(name=FLUSH_PENDING_TASK, ignore_result=True)
def flush_pending_task() -> int:
    """Send the task calls kept while the broker was down (devzone/jobs.py's outbox)."""
    from devzone.jobs import flush_pending

    return flush_pending()


@worker_ready.connect
def _flush_pending_on_worker_start(sender: object = None, **kwargs: object) -> None:
    """A worker that starts has a broker: queue one outbox flush, so work kept while Redis was
    down runs now rather than at beat's next flush. It runs in a pool process like any task;
    two workers starting at once both queue one, and the rows' claims keep each call sent once."""
    flush_pending_task.apply_async(expires=300)


def _beat_schedule() -> dict[str, dict[str, object]]:
    from celery.schedules import crontab
    from django.conf import settings

    heartbeat = settings.DEVZONE_HEARTBEAT_SECONDS
    return {
        "worker-heartbeat": {
            "task": "devzone.tasks.heartbeat",
            "schedule": float(heartbeat),
            "options": {"expires": heartbeat},
        },
        "scores-nightly": {
            "task": "zones.recompute_all",
            "schedule": crontab(
                hour=settings.DEVZONE_SCORES_NIGHTLY_HOUR,
                minute=settings.DEVZONE_SCORES_NIGHTLY_MINUTE,
            ),
            "options": {"expires": 6 * 3600},
        },
        # the previous month's supervision reports, on the first morning of the month
        "reports-monthly": {
            "task": "zones.monthly_reports",
            "schedule": crontab(
                day_of_month=settings.DEVZONE_REPORTS_DAY,
                hour=settings.DEVZONE_REPORTS_HOUR,
                minute=settings.DEVZONE_REPORTS_MINUTE,
            ),
            "options": {"expires": 12 * 3600},
        },
        # hand the outbox (task calls the broker refused while it was down) to the broker
        "pending-tasks-flush": {
            "task": FLUSH_PENDING_TASK,
            "schedule": float(settings.DEVZONE_PENDING_FLUSH_SECONDS),
            "options": {"expires": settings.DEVZONE_PENDING_FLUSH_SECONDS},
        },
        # re-send score runs whose message was lost; fail those whose worker died
        "score-runs-sweeper": {
            "task": "zones.score_run_sweeper",
            "schedule": 600.0,
            "options": {"expires": 600},
        },
        # re-enqueue reports and mails a lost message or a dead worker left behind
        "reports-sweeper": {
            "task": "zones.report_sweeper",
            "schedule": 600.0,
            "options": {"expires": 600},
        },
    }


@app.on_after_configure.connect
def _install_beat_schedule(sender: Celery, **kwargs: object) -> None:
    """Read the schedule once the configuration is loaded, so importing this module (which
    ``devzone/__init__.py`` does) never loads the Django settings by itself."""
    sender.conf.beat_schedule = {**_beat_schedule(), **(sender.conf.beat_schedule or {})}
