"""Redis and PostgreSQL going away under a running app, with real services.

Redis: each test starts its own ``redis-server`` on a free port and points this process's Celery
app (broker) and Django cache at it, then kills it (SIGKILL), or freezes it (SIGSTOP), while
users work. Pages and forms must keep answering, the data must be saved, the work a change asks
for must wait in the outbox (``PendingTask``) and reach the broker once Redis is back, run by a
real worker; beat's periodic flush is checked on the embedded filesystem broker.

PostgreSQL: a private cluster (initdb/pg_ctl, as the ``postgres`` user when run as root) with
this test database's schema, served by a real gunicorn process under a loop of requests; the
cluster is stopped and started again while the same gunicorn worker keeps serving.

Every private service is stopped by its fixture's finaliser, whatever the test's outcome.
"""

from __future__ import annotations

import base64
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import redis
from django.db import connection
from django.urls import reverse

from devzone.jobs import flush_pending
from devzone.models import PendingTask
from tests.conftest import PASSWORD, _use_broker, wait_until
from tests.factories import ensure_scoring_reference_data
from zones.models import Enterprise, Methodology, ScoreRun
from zones.recompute import previous_month
from zones.validators import build_credit_code

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- a private Redis ------------------------------------------------------------------------


@dataclass
class RedisServer:
    """A ``redis-server`` of this test only, without persistence: a restart starts it empty,
    as a crashed Redis without AOF would."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2, socket_connect_timeout=2)

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdin=subprocess.DEVNULL,
            stdout=(self.folder / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self._answers, timeout=10, what="the private redis-server to answer")

    def _answers(self) -> bool:
        try:
            return self.client().ping()
        except redis.exceptions.ConnectionError:
            return False

    def kill(self) -> None:
        """SIGKILL: the port closes, every connection to it breaks."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections, nothing is ever answered."""
        os.kill(self.process.pid, signal.SIGSTOP)


@pytest.fixture
def private_redis(tmp_path) -> Iterator[RedisServer]:
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@dataclass
class Broker:
    server: RedisServer
    prefix: str

    def queued(self) -> list[tuple[str, list]]:
        """(task name, args) of each message waiting in the default queue, oldest first."""
        raw = self.server.client().lrange(f"{self.prefix}celery", 0, -1)
        messages = [json.loads(item) for item in reversed(raw)]  # LPUSH: newest first
        return [
            (m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in messages
        ]


@pytest.fixture
def on_private_redis(private_redis, settings) -> Iterator[Broker]:
    """This process's Celery broker and Django cache on the private Redis, with the broker
    options of settings.py (its timeouts) and a key prefix of this test."""
    from devzone.celery import app

    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.fail("the fault tests need REDIS_URL (the Redis broker settings)")
    saved = (app.conf.broker_url, dict(app.conf.broker_transport_options or {}))
    prefix = f"devzone-faults-{uuid.uuid4().hex[:8]}:"
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": prefix}
    _use_broker(app, private_redis.url, options)
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": private_redis.url}}
    try:
        yield Broker(private_redis, prefix)
    finally:
        _use_broker(app, *saved)


def enterprise_form(zone, number: int) -> dict[str, str]:
    return {
        "zone": str(zone.pk),
        "name": f"贵州故障演练企业{number}有限公司",
        "credit_code": build_credit_code("520100", 5000 + number),
        "industry_detail": "",
        "chain_position": "",
        "land_area_mu": "12.5",
        "established_on": "2018-03-01",
    }


def queued_run(zone) -> ScoreRun:
    return ScoreRun.objects.get(zone=zone, status=ScoreRun.Status.QUEUED)


# --- Redis stopped --------------------------------------------------------------------------


@pytest.mark.redis
def test_pages_and_forms_keep_working_while_redis_is_down_and_the_work_waits_for_it(
    on_private_redis, cast, client, transactional_db
):
    ensure_scoring_reference_data()
    broker = on_private_redis

    # Redis up: saving an enterprise queues its zone's recompute on the broker.
    client.force_login(cast.staff_a)
    response = client.post(reverse("zones:enterprise-create"), enterprise_form(cast.zone_a, 1))
    assert response.status_code == 302
    assert broker.queued() == [("zones.recompute_zone", [queued_run(cast.zone_a).pk])]

    broker.server.kill()
    client.logout()

    # Sign-in, a list and a form that saves and enqueues all answer as usual.
    assert client.get(reverse("login")).status_code == 200
    signed_in = client.post(reverse("login"), {"username": "t_staff_b", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.get(reverse("zones:enterprise-list")).status_code == 200
    started = time.monotonic()
    saved = client.post(reverse("zones:enterprise-create"), enterprise_form(cast.zone_b, 2))
    assert saved.status_code == 302
    assert time.monotonic() - started < 8
    enterprise = Enterprise.objects.get(name="贵州故障演练企业2有限公司")
    assert saved["Location"] == reverse("zones:enterprise-detail", args=[enterprise.pk])
    run = queued_run(cast.zone_b)
    kept = PendingTask.objects.get()
    assert (kept.task, kept.args, kept.kwargs) == ("zones.recompute_zone", [run.pk], {})
    assert "111" in kept.last_error or "refused" in kept.last_error.lower()

    health = client.get("/healthz")
    assert health.status_code == 200
    body = health.json()
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is False
    assert body["pending_tasks"]["count"] == 1
    assert body["pending_tasks"]["ok"] is False

    # A flush while Redis is still down keeps the call, counts the try and frees the row.
    assert flush_pending() == 0
    kept.refresh_from_db()
    assert kept.attempts == 2
    assert kept.claimed_until is None

    # Redis back (empty: it kept nothing): the flush hands the call over and forgets it.
    broker.server.start()
    assert flush_pending() == 1
    assert broker.queued() == [("zones.recompute_zone", [run.pk])]
    assert not PendingTask.objects.exists()
    assert client.get("/healthz").json()["pending_tasks"] == {"ok": True, "count": 0}


@pytest.mark.redis
def test_a_frozen_redis_costs_a_form_post_seconds_not_a_hang(
    on_private_redis, cast, client_for, transactional_db
):
    ensure_scoring_reference_data()
    client = client_for(cast.staff_a)
    on_private_redis.server.freeze()

    started = time.monotonic()
    response = client.post(reverse("zones:enterprise-create"), enterprise_form(cast.zone_a, 3))
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < 15, f"the form post took {elapsed:.1f}s with Redis frozen"
    assert Enterprise.objects.filter(name="贵州故障演练企业3有限公司").exists()
    assert PendingTask.objects.get().args == [queued_run(cast.zone_a).pk]

    started = time.monotonic()
    health = client.get("/healthz")
    elapsed = time.monotonic() - started
    assert health.status_code == 200
    assert health.json()["broker"]["ok"] is False
    assert elapsed < 15, f"/healthz took {elapsed:.1f}s with Redis frozen"


@pytest.mark.redis
def test_two_flushers_at_once_send_each_kept_call_exactly_once(on_private_redis, transactional_db):
    PendingTask.objects.bulk_create(
        PendingTask(task="zones.recompute_zone", args=[n], attempts=1) for n in range(30)
    )
    sent: list[int] = []

    def flush() -> None:
        try:
            sent.append(flush_pending())
        finally:
            connection.close()

    flushers = [threading.Thread(target=flush) for _ in range(2)]
    for thread in flushers:
        thread.start()
    for thread in flushers:
        thread.join(timeout=60)

    assert sum(sent) == 30
    assert sorted(args[0] for _, args in on_private_redis.queued()) == list(range(30))
    assert not PendingTask.objects.exists()


@pytest.mark.redis
def test_a_call_another_flusher_is_sending_is_left_to_it(on_private_redis, transactional_db):
    from django.utils import timezone

    claimed = PendingTask.objects.create(
        task="zones.recompute_zone",
        args=[1],
        claimed_until=timezone.now() + timezone.timedelta(minutes=1),
    )
    free = PendingTask.objects.create(task="zones.recompute_zone", args=[2])

    assert flush_pending() == 1
    assert on_private_redis.queued() == [("zones.recompute_zone", [2])]
    assert list(PendingTask.objects.values_list("pk", flat=True)) == [claimed.pk]
    assert not PendingTask.objects.filter(pk=free.pk).exists()


@pytest.mark.redis
def test_a_kept_call_that_can_never_be_sent_is_set_aside_and_the_rest_go(
    on_private_redis, transactional_db
):
    import devzone.tasks  # noqa: F401 - registered, as in the worker whose beat task flushes

    broken = PendingTask.objects.create(task="devzone.tasks.heartbeat", args=[1, 2, 3])
    good = PendingTask.objects.create(task="zones.recompute_zone", args=[7])

    assert flush_pending() == 1
    assert on_private_redis.queued() == [("zones.recompute_zone", [7])]
    assert not PendingTask.objects.filter(pk=good.pk).exists()
    from django.utils import timezone

    broken.refresh_from_db()
    assert "TypeError" in broken.last_error
    assert broken.claimed_until > timezone.now() + timezone.timedelta(hours=23)
    assert flush_pending() == 0  # set aside: not retried every minute


@pytest.mark.redis
@pytest.mark.celery
def test_work_kept_while_redis_was_down_runs_when_a_worker_starts_after_it_is_back(
    celery_worker_process, on_private_redis, cast, client_for, monkeypatch
):
    ensure_scoring_reference_data()
    client = client_for(cast.staff_a)
    on_private_redis.server.kill()

    response = client.post(reverse("zones:enterprise-create"), enterprise_form(cast.zone_a, 4))
    assert response.status_code == 302
    run = queued_run(cast.zone_a)
    assert PendingTask.objects.get().args == [run.pk]

    on_private_redis.server.start()
    monkeypatch.setenv("REDIS_URL", on_private_redis.server.url)
    celery_worker_process(broker="redis")  # no beat: the worker's start-up flush sends it

    wait_until(
        lambda: ScoreRun.objects.filter(pk=run.pk, status=ScoreRun.Status.DONE).exists(),
        timeout=90,
        what="the worker to run the recompute kept while Redis was down",
    )
    assert not PendingTask.objects.exists()
    assert client.get("/healthz").json()["pending_tasks"]["count"] == 0


@pytest.mark.celery
def test_beat_hands_kept_work_to_the_broker_while_the_worker_keeps_running(
    celery_worker_process, cast, tmp_path, monkeypatch
):
    ensure_scoring_reference_data()
    monkeypatch.setenv("DEVZONE_PENDING_FLUSH_SECONDS", "5")
    celery_worker_process(broker="filesystem", beat=True)
    worker_log = tmp_path / "worker.log"

    def start_up_flush_done() -> bool:
        log = worker_log.read_text(errors="replace") if worker_log.exists() else ""
        return any(
            "Task devzone.flush_pending[" in line and "succeeded" in line
            for line in log.splitlines()
        )

    wait_until(start_up_flush_done, timeout=60, what="the worker's start-up flush")
    # Kept after the start-up flush, as if the broker had refused it a moment ago: only beat's
    # periodic flush can send it now.
    run = ScoreRun.objects.create(
        kind=ScoreRun.Kind.ZONE,
        methodology=Methodology.objects.get(is_active=True),
        period=previous_month(),
        zone=cast.zone_a,
    )
    PendingTask.objects.create(task="zones.recompute_zone", args=[run.pk], attempts=1)

    wait_until(
        lambda: ScoreRun.objects.filter(pk=run.pk, status=ScoreRun.Status.DONE).exists(),
        timeout=60,
        what="beat's flush to send the kept recompute and the worker to run it",
    )
    assert not PendingTask.objects.exists()


# --- PostgreSQL restarted -------------------------------------------------------------------


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and the server refuse to run as root: run them as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(found[-1]) if found else name


@dataclass
class PostgresCluster:
    folder: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, name: str = "devzone") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres([_pg_bin("pg_ctl"), "-D", str(self.data), *args]),
            check=True,
            capture_output=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("-o", options, "-l", str(self.folder / "server.log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-m", mode, "-w", "stop")


@pytest.fixture
def private_postgres() -> Iterator[PostgresCluster]:
    """A fresh cluster in a folder the postgres user owns (pytest's tmp_path is root's 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="devzone-faults-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    cluster = PostgresCluster(folder)
    try:
        subprocess.run(
            _as_postgres(
                [_pg_bin("initdb"), "-D", str(cluster.data), "-U", "postgres", "--auth=trust"]
                + ["-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
            ),
            check=True,
            capture_output=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        cluster.start()
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():
            cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


def copy_schema_and_add_token_user(cluster: PostgresCluster) -> str:
    """The test database's schema (every migration applied) in a new database of the cluster,
    and an API user; returns the user's token."""
    source = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""}
    dump = subprocess.run(
        ["pg_dump", "--schema-only", "--no-owner", "--no-privileges"]
        + ["-h", source.get("HOST") or "127.0.0.1", "-p", str(source.get("PORT") or 5432)]
        + ["-U", source.get("USER") or "postgres", source["NAME"]],
        check=True,
        capture_output=True,
        env=env,
        timeout=60,
    ).stdout
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "devzone"],
        check=True,
        timeout=30,
    )
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", cluster.url()],
        input=dump,
        check=True,
        capture_output=True,
        timeout=60,
    )
    token = secrets.token_hex(20)
    with psycopg.connect(cluster.url(), autocommit=True) as db:
        user_id = db.execute(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,"
            " email, is_staff, is_active, date_joined)"
            " VALUES ('!', false, 'api-reader', '', '', '', false, true, now()) RETURNING id"
        ).fetchone()[0]
        db.execute(
            "INSERT INTO authtoken_token (key, user_id, created) VALUES (%s, %s, now())",
            (token, user_id),
        )
    return token


@dataclass
class Answer:
    at: float
    path: str
    status: int | None  # None: gunicorn itself did not answer
    seconds: float
    body: bytes


class Traffic:
    """Requests in a loop from a thread (bounded in count and time), every answer recorded."""

    def __init__(self, base: str, paths: dict[str, dict[str, str]]) -> None:
        self.base, self.paths = base, paths
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        deadline = time.monotonic() + 180
        for _ in range(3000):
            if self._stop.is_set() or time.monotonic() > deadline:
                return
            for path, headers in self.paths.items():
                self.answers.append(self._get(path, headers))
            time.sleep(0.1)

    def _get(self, path: str, headers: dict[str, str]) -> Answer:
        started = time.monotonic()
        request = urllib.request.Request(self.base + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        except OSError as error:
            status, body = None, str(error).encode()
        return Answer(started, path, status, time.monotonic() - started, body)

    def since(self, moment: float, path: str) -> list[Answer]:
        return [a for a in list(self.answers) if a.at >= moment and a.path == path]


@pytest.fixture
def gunicorn_on(tmp_path) -> Iterator:
    """Start ``gunicorn devzone.wsgi`` (one worker) on a database URL; stopped at the end."""
    started: list[subprocess.Popen] = []

    def start(database_url: str) -> tuple[str, subprocess.Popen]:
        port = free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DEVZONE_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="devzone.settings",
            DEVZONE_VAR_DIR=str(tmp_path / "var"),
            DATABASE_URL=database_url,
            DB_CONNECT_TIMEOUT="3",
            DEBUG="false",
        )
        command = [sys.executable, "-m", "gunicorn", "devzone.wsgi"]
        command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4"]
        command += ["--timeout", "60", "--access-logfile", "-"]
        with (tmp_path / "gunicorn.log").open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(process)
        return f"http://127.0.0.1:{port}", process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
    log = tmp_path / "gunicorn.log"
    if log.exists():
        print("--- gunicorn.log ---\n" + log.read_text(errors="replace")[-4000:])


def workers_of(master: subprocess.Popen) -> set[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text()
    return {int(pid) for pid in children.split()}


@pytest.mark.postgres
def test_a_postgresql_restart_fails_requests_cleanly_and_the_same_process_then_recovers(
    private_postgres, gunicorn_on, db
):
    token = copy_schema_and_add_token_user(private_postgres)
    base, master = gunicorn_on(private_postgres.url())
    paths = {"/healthz": {}, "/api/v1/zones/": {"Authorization": f"Token {token}"}}

    with Traffic(base, paths) as traffic:

        def all_answer(moment: float, status: int) -> bool:
            return all(any(a.status == status for a in traffic.since(moment, p)) for p in paths)

        wait_until(lambda: all_answer(0, 200), timeout=60, what="gunicorn to serve 200s")
        ready = time.monotonic()
        workers = workers_of(master)

        private_postgres.stop("fast")
        stopped = time.monotonic()
        wait_until(
            lambda: all(len(traffic.since(stopped, p)) >= 5 for p in paths),
            timeout=60,
            what="five requests per URL during the outage",
        )
        restarting = time.monotonic()
        private_postgres.start()
        wait_until(lambda: all_answer(restarting, 200), timeout=60, what="200s after the restart")

    during = [a for a in traffic.answers if stopped <= a.at and a.at + a.seconds < restarting]
    assert {a.status for a in during} == {503}, [(a.path, a.status) for a in during]
    api = [json.loads(a.body) for a in during if a.path == "/api/v1/zones/"]
    assert api and all("数据库暂时不可用" in body["detail"] for body in api)
    healthz = [json.loads(a.body) for a in during if a.path == "/healthz"]
    assert healthz and all(h["database"]["ok"] is False for h in healthz)
    assert all(h["database"]["error"] for h in healthz)
    served = [a for a in traffic.answers if a.at >= ready]
    assert all(a.status is not None for a in served), "gunicorn stopped answering"
    slowest = max(a.seconds for a in served)
    assert slowest < 3 + 4, f"a request took {slowest:.1f}s (the connect timeout is 3s)"
    assert workers_of(master) == workers, "the gunicorn worker was replaced"
