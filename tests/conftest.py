"""The shared cast of test users and the rule that CI never skips a service test.

The cast (one per role, as Healthchecks' alice/bob/charlie): an administrator, a provincial
leader and supervisor, a city supervisor of 贵阳市, zone A's leader, staff and viewer (zone A is
in 贵阳市), zone B's staff (zone B is in 遵义市) and an outsider with no role at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

PASSWORD = "correct-horse-battery"

# When CI sets these, tests that need the service must run: a skip is a failure.
SERVICE_ENV = {"postgres": "DATABASE_URL", "redis": "REDIS_URL"}


def _services_required() -> bool:
    return os.environ.get("DEVZONE_REQUIRE_SERVICES", "") == "1"


def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker, env in SERVICE_ENV.items():
            if item.get_closest_marker(marker) and not os.environ.get(env, "").startswith(
                ("postgres", "redis")
            ):
                item.add_marker(pytest.mark.skip(reason=f"needs {env} pointing at a real {marker}"))


_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _services_required() and _skipped:
        print(f"\nDEVZONE_REQUIRE_SERVICES=1 but {len(_skipped)} test(s) were skipped:")
        for nodeid in _skipped:
            print(f"  {nodeid}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True, scope="session")
def _private_media_root(tmp_path_factory):
    """Uploaded files (evidence) go to a folder of this test run, never to var/media."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def _chinese_after_each_test():
    """A request with the English cookie leaves English active in this thread (the middleware
    activates a language per request and nothing resets it): start every test in Chinese."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2id costs ~20 ms a hash and the cast of nine is hashed for most tests: MD5 here (login
    still checks passwords; tests/devzone/test_security.py checks the project's hashers)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Cast:
    admin: object
    province: object
    supervisor: object
    city: object
    leader_a: object
    staff_a: object
    viewer_a: object
    staff_b: object
    outsider: object
    zone_a: object
    zone_a2: object
    zone_b: object

    def everyone(self) -> dict[str, object]:
        return {
            name: getattr(self, name)
            for name in (
                "admin",
                "province",
                "supervisor",
                "city",
                "leader_a",
                "staff_a",
                "viewer_a",
                "staff_b",
                "outsider",
            )
        }


@pytest.fixture
def cast(db) -> Cast:
    """Zone A and A2 in 贵阳市, zone B in 遵义市, and one user per role."""
    from tests.factories import MembershipFactory, UserFactory, ZoneFactory, guizhou, prefecture

    gy, zy = prefecture("贵阳市"), prefecture("遵义市")
    zone_a = ZoneFactory(code="TZ-A", name="测试开发区A", prefecture=gy)
    zone_a2 = ZoneFactory(code="TZ-A2", name="测试开发区A2", prefecture=gy)
    zone_b = ZoneFactory(code="TZ-B", name="测试开发区B", prefecture=zy)

    def user(username, role=None, **scope):
        u = UserFactory(username=username, password=PASSWORD)
        if role:
            MembershipFactory(user=u, role=role, **scope)
        return u

    admin = user("t_admin", "administrator")
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    return Cast(
        admin=admin,
        province=user("t_province", "provincial_leader", province=guizhou()),
        supervisor=user("t_supervisor", "provincial_supervisor", province=guizhou()),
        city=user("t_city", "city_supervisor", prefecture=gy),
        leader_a=user("t_leader_a", "zone_leader", zone=zone_a),
        staff_a=user("t_staff_a", "zone_staff", zone=zone_a),
        viewer_a=user("t_viewer_a", "zone_viewer", zone=zone_a),
        staff_b=user("t_staff_b", "zone_staff", zone=zone_b),
        outsider=user("t_outsider"),
        zone_a=zone_a,
        zone_a2=zone_a2,
        zone_b=zone_b,
    )


@pytest.fixture
def client_for(client):
    """Log the Django test client in as one member of the cast."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_for():
    """A DRF APIClient authenticated as a given user (session auth)."""
    from rest_framework.test import APIClient

    def make(user):
        api = APIClient()
        api.force_authenticate(user=user)
        return api

    return make


# --- real Celery processes ------------------------------------------------------------------


def wait_until(predicate, *, timeout: float, what: str, interval: float = 0.25):
    """Poll ``predicate`` until it returns something truthy; fail naming ``what`` after timeout."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def _database_url_of(settings_dict) -> str:
    """A DATABASE_URL for the database this test process is using (the test database)."""
    from pathlib import Path
    from urllib.parse import quote

    if settings_dict["ENGINE"].endswith("sqlite3"):
        return "sqlite:///" + str(Path(settings_dict["NAME"]).resolve())
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


def _use_broker(app, url: str, transport_options: dict) -> None:
    """Point this test process's Celery app at another broker (keys carry the namespace)."""
    app.conf["CELERY_BROKER_URL"] = url
    app.conf["CELERY_BROKER_TRANSPORT_OPTIONS"] = transport_options
    # Celery caches broker connections and producers: drop them so the next send uses the new
    # broker.
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """Start a real ``celery -A devzone worker`` (and optionally ``celery beat``) subprocess.

    Call it with ``broker="filesystem"`` (embedded mode: kombu's filesystem transport in a
    private folder) or ``broker="redis"`` (REDIS_URL, with a private key prefix). This test
    process is switched to the same private broker, so tasks it enqueues reach that worker and
    no other, and the worker writes to this test's database (passed as DATABASE_URL). Every
    process is terminated when the test ends.
    """
    import os
    import signal
    import subprocess
    import sys
    import uuid
    from pathlib import Path

    from django.conf import settings
    from django.db import connection

    from devzone.celery import app

    base_dir = Path(settings.BASE_DIR)
    saved = (app.conf.broker_url, dict(app.conf.broker_transport_options or {}))
    running: list[tuple[subprocess.Popen, Path]] = []
    token = uuid.uuid4().hex[:10]

    def start(*, broker: str = "filesystem", beat: bool = False, heartbeat_seconds: int = 5):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "devzone.settings",
            "PYTHONUNBUFFERED": "1",
            "DEVZONE_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": _database_url_of(connection.settings_dict),
            "DEVZONE_HEARTBEAT_SECONDS": str(heartbeat_seconds),
        }
        if broker == "filesystem":
            broker_dir = tmp_path / "broker"
            for sub in ("queue", "processed", "control"):
                (broker_dir / sub).mkdir(parents=True, exist_ok=True)
            env.pop("REDIS_URL", None)
            env["DEVZONE_BROKER_DIR"] = str(broker_dir)
            _use_broker(
                app,
                "filesystem://",
                {
                    "data_folder_in": str(broker_dir / "queue"),
                    "data_folder_out": str(broker_dir / "queue"),
                    "processed_folder": str(broker_dir / "processed"),
                    "store_processed": False,
                    "control_folder": str(broker_dir / "control"),
                },
            )
        elif broker == "redis":
            redis_url = os.environ["REDIS_URL"]
            prefix = f"devzone-test-{token}:"
            env["DEVZONE_BROKER_PREFIX"] = prefix
            _use_broker(app, redis_url, {"visibility_timeout": 3600, "global_keyprefix": prefix})
        else:
            raise ValueError(f"unknown broker {broker!r}")

        celery = [sys.executable, "-m", "celery", "-A", "devzone"]
        commands = {
            "worker": [
                *celery,
                "worker",
                "-l",
                "info",
                "--concurrency",
                "1",
                "--hostname",
                f"test-{token}@%h",
                "--without-gossip",
                "--without-mingle",
            ]
        }
        if beat:
            commands["beat"] = [
                *celery,
                "beat",
                "-l",
                "info",
                "--schedule",
                str(tmp_path / "celerybeat-schedule"),
            ]
        for name, command in commands.items():
            log = tmp_path / f"{name}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    command,
                    cwd=base_dir,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            running.append((process, log))
        return f"test-{token}@"

    yield start

    for process, _log in running:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process, log in running:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        # Show the tail of each log in the captured output of a failing test.
        print(f"--- {log.name} ---\n" + log.read_text(errors="replace")[-3000:])
    _use_broker(app, *saved)
