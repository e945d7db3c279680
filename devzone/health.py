"""Health of the database, the broker and the worker, for ``GET /healthz``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def record_heartbeat(worker: str) -> None:
    from devzone.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"last_seen": timezone.now()})


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; the message says why
        return {"ok": False, "vendor": connection.vendor, "error": str(exc)[:200]}
    return {"ok": True, "vendor": connection.vendor}


def check_broker() -> dict[str, Any]:
    from devzone.celery import app

    transport = app.conf.broker_url.split("://", 1)[0]
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return {"ok": False, "transport": transport, "error": str(exc)[:200]}
    return {"ok": True, "transport": transport}


def check_worker() -> dict[str, Any]:
    from devzone.models import WorkerHeartbeat

    try:
        latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
    except Exception as exc:
        return {"ok": False, "last_heartbeat": None, "error": str(exc)[:200]}
    if latest is None:
        return {"ok": False, "last_heartbeat": None, "worker": None}
    stale_after = timedelta(seconds=3 * settings.DEVZONE_HEARTBEAT_SECONDS)
    age = timezone.now() - latest.last_seen
    return {
        "ok": age <= stale_after,
        "last_heartbeat": latest.last_seen.isoformat(),
        "age_seconds": int(age.total_seconds()),
        "worker": latest.worker,
    }


def check_pending() -> dict[str, Any]:
    """Task calls the broker refused and the outbox keeps (devzone/jobs.py): ``ok`` while none
    wait; the oldest one's age says how long the work has been held back."""
    from devzone.models import PendingTask

    try:
        seen = PendingTask.objects.aggregate(count=Count("pk"), oldest=Min("created_at"))
    except Exception as exc:
        return {"ok": False, "count": None, "error": str(exc)[:200]}
    body: dict[str, Any] = {"ok": seen["count"] == 0, "count": seen["count"]}
    if seen["oldest"] is not None:
        body["oldest_age_seconds"] = int((timezone.now() - seen["oldest"]).total_seconds())
    return body


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers (the app can serve), 503 otherwise; broker, worker and
    outbox state are reported for monitoring but do not fail the check, since pages work without
    them (work enqueued while the broker is down waits in the outbox)."""
    database = check_database()
    body = {
        "status": "ok" if database["ok"] else "error",
        "database": database,
        "broker": check_broker(),
        "worker": check_worker() if database["ok"] else {"ok": False, "last_heartbeat": None},
        "pending_tasks": check_pending() if database["ok"] else {"ok": False, "count": None},
    }
    return JsonResponse(body, status=200 if database["ok"] else 503)
