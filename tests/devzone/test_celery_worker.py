"""A real Celery worker and a real beat, on the filesystem broker (embedded mode) and on Redis.

Nothing here runs eagerly: the worker and beat are ``celery -A devzone ...`` subprocesses
started by the ``celery_worker_process`` fixture, writing to this test's database.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from devzone.jobs import enqueue_after_commit
from devzone.models import WorkerHeartbeat
from devzone.tasks import heartbeat
from tests.conftest import wait_until

pytestmark = pytest.mark.celery

BROKERS = ["filesystem", pytest.param("redis", marks=pytest.mark.redis)]


def heartbeat_of(worker_prefix: str) -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.filter(worker__startswith=worker_prefix).first()


@pytest.mark.parametrize("broker", BROKERS)
def test_a_task_enqueued_after_commit_runs_in_the_real_worker(celery_worker_process, broker):
    worker = celery_worker_process(broker=broker)

    with transaction.atomic():
        enqueue_after_commit(heartbeat)
        assert WorkerHeartbeat.objects.count() == 0

    row = wait_until(lambda: heartbeat_of(worker), timeout=60, what="the worker to run the task")
    assert row.worker.startswith(worker)


@pytest.mark.parametrize("broker", BROKERS)
def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs(celery_worker_process, broker):
    worker = celery_worker_process(broker=broker)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        enqueue_after_commit(heartbeat)
        raise Abort

    # A task sent afterwards runs; by then the rolled-back one would have run too (FIFO queue,
    # one worker process), yet only one heartbeat was ever written.
    enqueue_after_commit(heartbeat)
    wait_until(lambda: heartbeat_of(worker), timeout=60, what="the worker to run the task")
    assert WorkerHeartbeat.objects.count() == 1


@pytest.mark.parametrize("broker", BROKERS)
def test_beat_fires_the_heartbeat_on_its_own_and_healthz_then_reports_the_worker_ok(
    celery_worker_process, client, broker
):
    before = client.get("/healthz").json()
    assert before["worker"]["ok"] is False

    worker = celery_worker_process(broker=broker, beat=True, heartbeat_seconds=5)

    wait_until(lambda: heartbeat_of(worker), timeout=25, what="beat to fire the heartbeat")
    after = client.get("/healthz")
    assert after.status_code == 200
    body = after.json()
    assert body["worker"]["ok"] is True
    assert body["worker"]["worker"].startswith(worker)
    assert body["broker"]["ok"] is True
