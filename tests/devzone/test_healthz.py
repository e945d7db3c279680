"""GET /healthz: 200 while the database answers, 503 when it does not; broker and worker state
are reported for monitoring."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from devzone.health import record_heartbeat
from devzone.models import PendingTask, WorkerHeartbeat

BASE_DIR = Path(__file__).resolve().parents[2]

CALL_HEALTHZ = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/healthz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def healthz_in_subprocess(tmp_path, **values):
    """Call /healthz through the test client of a fresh process with the given environment."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DEVZONE_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"))
    }
    env.update(DJANGO_SETTINGS_MODULE="devzone.settings", DEVZONE_VAR_DIR=str(tmp_path / "var"))
    env.update(values)
    result = subprocess.run(
        [sys.executable, "-c", CALL_HEALTHZ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_healthz_answers_200_json_with_the_database_ok_to_anyone(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_the_worker_not_ok_without_any_heartbeat(client, db):
    body = client.get("/healthz").json()
    assert body["worker"] == {"ok": False, "last_heartbeat": None, "worker": None}


def test_healthz_reports_a_stale_heartbeat_as_not_ok_but_still_answers_200(client, db, settings):
    WorkerHeartbeat.objects.create(
        worker="celery@old",
        last_seen=timezone.now() - timedelta(seconds=3 * settings.DEVZONE_HEARTBEAT_SECONDS + 5),
    )
    response = client.get("/healthz")
    assert response.status_code == 200
    worker = response.json()["worker"]
    assert worker["ok"] is False
    assert worker["worker"] == "celery@old"
    assert worker["age_seconds"] > 3 * settings.DEVZONE_HEARTBEAT_SECONDS


def test_healthz_reports_the_worker_ok_after_a_heartbeat(client, db):
    record_heartbeat("celery@fresh")
    worker = client.get("/healthz").json()["worker"]
    assert worker["ok"] is True
    assert worker["worker"] == "celery@fresh"
    assert worker["age_seconds"] <= 1


def test_healthz_reports_an_empty_outbox_as_ok(client, db):
    assert client.get("/healthz").json()["pending_tasks"] == {"ok": True, "count": 0}


def test_healthz_counts_the_task_calls_kept_for_the_broker_and_the_oldest_ones_age(client, db):
    PendingTask.objects.create(
        task="zones.recompute_zone", args=[1], created_at=timezone.now() - timedelta(minutes=5)
    )
    PendingTask.objects.create(task="zones.send_delivery", args=[2])
    response = client.get("/healthz")
    assert response.status_code == 200
    pending = response.json()["pending_tasks"]
    assert pending["ok"] is False
    assert pending["count"] == 2
    assert 300 <= pending["oldest_age_seconds"] < 360


def test_a_new_heartbeat_replaces_the_old_row_of_the_same_worker(db):
    record_heartbeat("celery@one")
    record_heartbeat("celery@one")
    assert WorkerHeartbeat.objects.filter(worker="celery@one").count() == 1


def test_healthz_only_answers_get(client, db):
    assert client.post("/healthz").status_code == 405


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    seen = healthz_in_subprocess(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:1/x")
    assert seen["status"] == 503
    body = seen["body"]
    assert body["status"] == "error"
    assert body["database"]["ok"] is False
    assert body["database"]["vendor"] == "postgresql"
    assert body["database"]["error"]
    assert body["worker"]["ok"] is False
    assert body["pending_tasks"] == {"ok": False, "count": None}


def test_healthz_reports_the_filesystem_broker_in_embedded_mode(tmp_path):
    seen = healthz_in_subprocess(tmp_path)
    # The fresh var dir has no tables yet: the database answers, the worker table does not.
    assert seen["status"] == 200
    assert seen["body"]["broker"] == {"ok": True, "transport": "filesystem"}
    assert seen["body"]["worker"]["ok"] is False


def test_a_broker_that_is_down_is_reported_without_failing_the_check(tmp_path):
    seen = healthz_in_subprocess(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    assert seen["status"] == 200
    assert seen["body"]["broker"]["ok"] is False
    assert seen["body"]["broker"]["transport"] == "redis"


@pytest.mark.redis
def test_healthz_reports_the_redis_broker_ok_when_redis_is_up(client, db):
    body = client.get("/healthz").json()
    assert body["broker"] == {"ok": True, "transport": "redis"}
