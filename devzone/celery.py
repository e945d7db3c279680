"""The Celery app and the one beat schedule.

Embedded mode uses kombu's filesystem transport under ``var/broker`` (a real worker and a real
beat, not eager mode); ``REDIS_URL`` switches to Redis. Every schedule entry has ``expires`` so
that a backlog after an outage does not fire the same job many times over.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "devzone.settings")

app = Celery("devzone")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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
