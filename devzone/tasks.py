"""Project-level tasks (thin: they call a function and record the outcome)."""

from __future__ import annotations

from celery import shared_task

from devzone.health import record_heartbeat


@shared_task(name="devzone.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Beat fires this every DEVZONE_HEARTBEAT_SECONDS; /healthz reads the row it writes."""
    record_heartbeat(heartbeat.request.hostname or "worker")
