"""Load test: the app under gunicorn with PostgreSQL and Redis on loopback, driven by locust.

    .venv/bin/python bench/load.py                           # 50 users, 60 s
    .venv/bin/python bench/load.py --users 10 --seconds 15   # a quick check
    .venv/bin/python bench/load.py --keep                    # keep devzone_bench_load
    .venv/bin/python bench/load.py --reuse --think 0 0       # the kept database, no think time

The database (devzone_bench_load on the server in DATABASE_URL, default
postgres://postgres@127.0.0.1:5432) gets ``migrate``, the Guizhou demo (``seed_demo``) and
``collectstatic`` into its own DEVZONE_VAR_DIR. gunicorn serves ``devzone.wsgi`` on a free
loopback port with development settings and DEBUG off, 2 × cores workers, Redis as cache and
broker (``--redis-url``, a broker key prefix of its own; no Celery worker runs, so queued tasks
wait in Redis and are deleted at the end). locust runs headless in a child process of this
script (gevent must patch the standard library before anything else is imported):

- provincial leaders (province, supervisor): cockpit, zone list, accountability board, a zone's
  detail page and dashboard;
- zone staff (staff, leader, staff2): project list, project detail, the create form (GET, then a
  POST of a new project with the form's CSRF token) and the edit form (GET, then a POST);
- API clients: a token from ``POST /api/v1/auth/token/``, then the projects, zones and cockpit
  lists, a project, ``POST /api/v1/projects/`` and ``PATCH`` of a project they created.

Every simulated user signs in once (a session or a token), redirects are never followed, and
every response is checked: a page must answer 200, a form post 302 to the project page, the API
200 or 201. Anything else is a failure, grouped by endpoint and reason. The report gives the
requests, failures, requests/s and per core, median/p95/p99 per endpoint and overall, the CPU
time gunicorn used, and the hardware. locust shares the machine's cores with gunicorn and
PostgreSQL. The warnings and error tracebacks of gunicorn's log are printed after the run.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import socket
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402

BENCH_DB = "devzone_bench_load"
DEFAULT_DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
PASSWORD = "devzone-demo-2026"
PROVINCIAL = ("province", "supervisor")
ZONE_WRITERS = ("staff", "leader", "staff2")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
GOAL_P95_MS = 500
# Requests of signing in (the login page, its post, the API token): a password hash each.
SIGNING_IN = ("/accounts/login/", "sign in", "API token")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="users started per second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--warmup",
        type=int,
        default=0,
        help="seconds to run before measuring (users started and signed in); 0: measure all",
    )
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(0.5, 1.5),
        metavar=("MIN", "MAX"),
        help="seconds a user waits between two tasks (uniform); 0 0 for none",
    )
    cores = os.cpu_count() or 1
    parser.add_argument("--workers", type=int, default=2 * cores)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--var-dir", default=str(_common.ROOT / "var" / "bench-load"))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--broker-prefix", default="bench-load:")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--reuse", action="store_true", help="run on a kept database (no seed)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the user mix")
    # The child process that runs locust (internal).
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--host", help=argparse.SUPPRESS)
    parser.add_argument("--fixtures", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- the parent: database, gunicorn, report ----------------------------------------------------


def prepare_environment(args: argparse.Namespace) -> Path:
    """The settings gunicorn and this process share: development settings, DEBUG off."""
    var = Path(args.var_dir).resolve()
    var.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not _common.is_postgres_url():
        raise SystemExit("bench/load.py needs PostgreSQL: DATABASE_URL=postgres://...")
    os.environ.pop("DEVZONE_ENV", None)
    os.environ["DEBUG"] = "false"
    os.environ["DEVZONE_VAR_DIR"] = str(var)
    os.environ["REDIS_URL"] = args.redis_url
    os.environ["DEVZONE_BROKER_PREFIX"] = args.broker_prefix
    return var


def build(reuse: bool) -> None:
    from django.core.management import call_command

    if not reuse:
        _common.fresh_database("postgresql", BENCH_DB)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s", flush=True)
    if not reuse:
        started = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", stdout=quiet)
        print(f"seed_demo: {time.perf_counter() - started:.1f} s", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)


def gather_fixtures() -> dict:
    """Ids the simulated users pick from: every zone, and each zone user's zone and projects."""
    from django.contrib.auth import get_user_model

    from investment.models import Project
    from zones.models import Membership, Province, Zone

    people = {}
    for username in ZONE_WRITERS:
        user = get_user_model().objects.get(username=username)
        zone = Membership.objects.filter(user=user).values_list("zone_id", flat=True).first()
        projects = Project.objects.filter(zone_id=zone).order_by("pk")
        people[username] = {"zone": zone, "projects": list(projects.values_list("pk", flat=True))}
    zones = list(Zone.objects.order_by("pk").values_list("pk", flat=True))
    guangdong = Province.objects.get(code="440000").pk  # the form's select submits the pk
    return {"zones": zones, "people": people, "industry": "aluminium", "guangdong": guangdong}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn serving devzone.wsgi on a free loopback port, its output in ``log``."""

    def __init__(self, workers: int, threads: int, log: Path):
        self.workers, self.threads, self.log = workers, threads, log
        self.proc: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{free_port()}"

    def start(self) -> None:
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "devzone.wsgi",
            f"--bind={urlsplit(self.url).netloc}",
            f"--workers={self.workers}",
            f"--threads={self.threads}",
            "--timeout=120",
            "--graceful-timeout=10",
        ]
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                command, cwd=_common.ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        self.wait_until_up()

    def wait_until_up(self, timeout: float = 60) -> None:
        """Until /healthz answers with the database up (the worker check fails: none runs)."""
        import urllib.error
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:
                    body = json.load(response)
            except urllib.error.HTTPError as error:
                body = json.load(error)
            except (OSError, ValueError):
                time.sleep(0.3)
                continue
            if body.get("database", {}).get("ok"):
                return
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer /healthz in {timeout:.0f} s; see {self.log}")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the master and its workers so far."""
        import psutil

        master = psutil.Process(self.proc.pid)
        total = 0.0
        for process in [master, *master.children(recursive=True)]:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_locust(args: argparse.Namespace, host: str, fixtures: Path, out: Path) -> dict:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        f"--host={host}",
        f"--fixtures={fixtures}",
        f"--out={out}",
        f"--users={args.users}",
        f"--spawn-rate={args.spawn_rate}",
        f"--seconds={args.seconds}",
        f"--warmup={args.warmup}",
        f"--seed={args.seed}",
        "--think",
        str(args.think[0]),
        str(args.think[1]),
    ]
    subprocess.run(command, check=True, cwd=_common.ROOT)
    return json.loads(out.read_text())


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or "unknown"


def log_errors(log: Path, limit: int = 5) -> list[str]:
    """The first ``limit`` ERROR records (with their tracebacks) and warnings of gunicorn's log."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in log.read_text(errors="replace").splitlines():
        starts_record = line[:4].isdigit() or line.startswith("[")
        if starts_record:
            current = None
            if " ERROR " in line or " CRITICAL " in line or "[ERROR]" in line:
                current = [line]
                blocks.append(current)
        elif current is not None:
            current.append(line)
    return ["\n".join(block) for block in blocks[:limit]]


def log_warnings(log: Path) -> dict[str, int]:
    """Django's WARNING lines of the log (403s, 404s, bad requests), counted by message."""
    counts: dict[str, int] = {}
    for line in log.read_text(errors="replace").splitlines():
        if " WARNING " in line:
            message = line.split(" WARNING ", 1)[1]
            counts[message] = counts.get(message, 0) + 1
    return counts


def report(args: argparse.Namespace, result: dict, cpu_app: float, server: Gunicorn) -> bool:
    cores = os.cpu_count() or 1
    total = result["total"]
    print()
    print(f"CPU: {cpu_model()}, {cores} cores (os.cpu_count())")
    print(f"load average before the run: {result['loadavg_before']}")
    print(
        f"gunicorn: {server.workers} workers × {server.threads} threads; locust: "
        f"{args.users} users, spawn {args.spawn_rate:g}/s, "
        f"{f'{args.warmup} s warm-up (not measured), ' if args.warmup else ''}"
        f"{args.seconds} s measured, think "
        f"{args.think[0]:g}–{args.think[1]:g} s; users per class {result['user_count']}"
    )
    print()
    print("| endpoint | requests | failures | median ms | p95 ms | p99 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in [*result["endpoints"], result["without_sign_in"], total]:
        print(
            f"| {row['label']} | {row['requests']} | {row['failures']} | {row['median']} | "
            f"{row['p95']} | {row['p99']} | {row['max']:.0f} |"
        )
    rps = total["requests"] / result["elapsed"]
    print()
    print(
        f"requests {total['requests']:,}, failures {total['failures']:,}, "
        f"exceptions in the load script {len(result['exceptions'])}"
    )
    print(
        f"{rps:.1f} requests/s over {result['elapsed']:.1f} s, {rps / cores:.1f} requests/s per "
        f"core; gunicorn CPU {cpu_app:.1f} s = {total['requests'] / max(cpu_app, 0.001):.1f} "
        "requests per gunicorn CPU-second"
    )
    for failure in result["failures"]:
        print(f"  FAIL {failure['occurrences']}× {failure['name']}: {failure['error']}")
    for exception in result["exceptions"]:
        print(f"  EXCEPTION {exception['count']}× {exception['msg']}\n{exception['traceback']}")
    ok = not total["failures"] and not result["exceptions"]
    print()
    print(f"goal zero errors: {'met' if ok else 'NOT MET'}")
    p95_ok = total["p95"] <= GOAL_P95_MS
    print(f"goal p95 ≤ {GOAL_P95_MS} ms: {'met' if p95_ok else 'NOT MET'} ({total['p95']} ms)")
    return ok


def print_log_findings(log: Path) -> None:
    warnings = log_warnings(log)
    if warnings:
        print(f"\nwarnings in {log}:")
        for message, count in sorted(warnings.items(), key=lambda kv: -kv[1])[:15]:
            print(f"  {count}× {message}")
    errors = log_errors(log)
    if errors:
        print(f"\nerrors in {log} (first {len(errors)}):")
        for block in errors:
            print(block)
            print()


def clear_broker(redis_url: str, prefix: str) -> None:
    """Delete the task messages queued under this run's broker prefix (no worker consumed them)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


def parent_main(args: argparse.Namespace) -> int:
    var = prepare_environment(args)
    _common.configure(BENCH_DB, var)
    from django.db import connections

    print(f"database {BENCH_DB}, var dir {var}, redis {args.redis_url} ({args.broker_prefix}*)")
    server = Gunicorn(args.workers, args.threads, var / "gunicorn.log")
    ok = False
    try:
        build(args.reuse)
        fixtures = gather_fixtures()
        staff = fixtures["people"]["staff"]
        print(f"zones {len(fixtures['zones'])}, projects in staff's zone {len(staff['projects'])}")
        (var / "fixtures.json").write_text(json.dumps(fixtures))
        connections.close_all()
        server.start()
        print(f"gunicorn up at {server.url} (log {server.log})", flush=True)
        cpu_before = server.cpu_seconds()
        result = run_locust(args, server.url, var / "fixtures.json", var / "locust.json")
        cpu_app = server.cpu_seconds() - cpu_before
        ok = report(args, result, cpu_app, server)
    finally:
        server.stop()
        if server.log.exists():
            print_log_findings(server.log)
        clear_broker(args.redis_url, args.broker_prefix)
        if not (args.keep or args.reuse):
            _common.drop_database("postgresql", BENCH_DB)
            print(f"dropped {BENCH_DB}")
    return 0 if ok else 1


# --- the child: locust ---------------------------------------------------------------------------


class FormParser(HTMLParser):
    """The forms of a page: for each, the values a browser would submit and each select's options.

    Unchecked checkboxes and radios are left out; a select with no selected option submits its
    first option; submit buttons are left out.
    """

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    @property
    def _form(self) -> dict | None:
        return self.forms[-1] if self.forms and self.forms[-1]["open"] else None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"open": True, "method": attrs.get("method", "get"), "values": {}})
            self.forms[-1]["options"] = {}
            return
        form, name = self._form, attrs.get("name")
        if form is None:
            return
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            form["values"][name] = attrs.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select" and name:
            self._select = name
            form["options"][name] = []
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            form["options"][self._select].append(value)
            if "selected" in attrs or self._select not in form["values"]:
                form["values"][self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            form["values"][name] = ""

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self._form["open"] = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["values"][self._textarea] += data


def find_form(html: str, field: str) -> dict | None:
    """The first form of ``html`` with a field named ``field``."""
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if field in form["values"] or field in form["options"]:
            return form
    return None


def form_errors(html: str) -> str:
    """The names of the fields a re-shown form marks invalid, for a failure message."""
    import re

    names = sorted(set(re.findall(r'name="([\w-]+)"[^>]*class="[^"]*is-invalid', html)))
    alerts = re.findall(r"alert-danger[^>]*>\s*([^<]{1,80})", html)
    return f"invalid: {', '.join(names) or '?'}" + (f"; {alerts[0].strip()}" if alerts else "")


def problem_of(response, status: int, location: str | None) -> str | None:
    """Why ``response`` is not the expected one, or None. Messages carry no ids, so that the
    failures group by endpoint and reason."""
    import re

    code = response.status_code
    if not code:
        return f"connection error: {type(response.error).__name__}"
    if code != status:
        if code in (301, 302):
            return f"HTTP {code} to {response.headers.get('Location', '?').split('?')[0]}"
        if code == 200 and "is-invalid" in (response.text or ""):
            return f"HTTP 200 (form shown again; {form_errors(response.text)})"
        return f"HTTP {code}"
    if location is not None:
        target = re.sub(r"\d+", "<id>", response.headers.get("Location", ""))
        if target != location:
            return f"HTTP {code} to {target}, expected {location}"
    return None


def child_main(args: argparse.Namespace) -> int:
    import gevent
    from locust.env import Environment
    from locust.log import setup_logging

    setup_logging("WARNING")
    fixtures = json.loads(Path(args.fixtures).read_text())
    random.seed(args.seed)
    classes = user_classes(fixtures, tuple(args.think))
    env = Environment(user_classes=classes, host=args.host, catch_exceptions=True)
    runner = env.create_local_runner()
    loadavg = " ".join(f"{x:.2f}" for x in os.getloadavg())
    runner.start(args.users, spawn_rate=args.spawn_rate)
    warm_up = []
    if args.warmup:
        # Steady state: every user has started and signed in before the measured window opens.
        gevent.sleep(args.warmup)
        warm_up = [
            row(e, f"{e.method} {e.name} (warm-up)")
            for e in env.stats.entries.values()
            if e.name in SIGNING_IN
        ]
        env.stats.reset_all()
    started = time.monotonic()
    gevent.sleep(args.seconds)
    user_count = dict(runner.user_classes_count)
    runner.stop()
    elapsed = time.monotonic() - started
    runner.quit()
    result = summarise(env, elapsed)
    result["endpoints"] += warm_up
    result["loadavg_before"] = loadavg
    result["user_count"] = user_count
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False))
    return 0


def row(entry, label: str) -> dict:
    percentile = entry.get_response_time_percentile
    return {
        "label": label,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "median": percentile(0.5) if entry.num_requests else 0,
        "p95": percentile(0.95) if entry.num_requests else 0,
        "p99": percentile(0.99) if entry.num_requests else 0,
        "max": entry.max_response_time or 0,
    }


def summarise(env, elapsed: float) -> dict:
    from locust.stats import StatsEntry

    entries = sorted(env.stats.entries.values(), key=lambda e: (e.name, e.method))
    without = StatsEntry(env.stats, "signed in", "", use_response_times_cache=False)
    for entry in entries:
        if entry.name not in SIGNING_IN:
            without.extend(entry)
    failures = [
        {"name": f"{e.method} {e.name}", "error": str(e.error), "occurrences": e.occurrences}
        for e in env.stats.errors.values()
    ]
    return {
        "elapsed": elapsed,
        "endpoints": [row(e, f"{e.method} {e.name}") for e in entries],
        "without_sign_in": row(without, "**all but signing in**"),
        "total": row(env.stats.total, "**all**"),
        "failures": sorted(failures, key=lambda f: -f["occurrences"]),
        "exceptions": [
            {"count": e["count"], "msg": e["msg"], "traceback": e["traceback"]}
            for e in env.runner.exceptions.values()
        ],
    }


def user_classes(fixtures: dict, think: tuple[float, float]) -> list[type]:
    """The simulated users; classes are built here so that only the child imports locust."""
    from locust import FastHttpUser, between, task
    from locust.exception import StopUser

    people, zones = fixtures["people"], fixtures["zones"]
    created_names = itertools.count(1)

    class Visitor(FastHttpUser):
        abstract = True
        wait_time = between(*think)
        usernames: tuple[str, ...] = ()
        counter: itertools.count
        token: str | None = None

        def on_start(self) -> None:
            self.username = self.usernames[next(self.counter) % len(self.usernames)]
            self.created: list[int] = []
            if not self.sign_in():
                raise StopUser()

        def sign_in(self) -> bool:
            form = self.form_page("/accounts/login/", "/accounts/login/", "username")
            if form is None:
                return False
            data = {**form["values"], "username": self.username, "password": PASSWORD}
            return self.post_form("/accounts/login/", "sign in", data, location="/") is not None

        def check(self, method: str, url: str, name: str, status: int = 200, **kwargs):
            """One request, never following a redirect; a failure unless ``status`` comes back
            (and, for a redirect, ``location`` with its numbers replaced by ``<id>``)."""
            location = kwargs.pop("location", None)
            verify = kwargs.pop("verify", None)
            headers = kwargs.pop("headers", {})
            if self.token:
                headers = {**headers, "Authorization": f"Token {self.token}"}
            with self.client.request(
                method,
                url,
                name=name,
                catch_response=True,
                allow_redirects=False,
                headers=headers,
                **kwargs,
            ) as response:
                problem = problem_of(response, status, location)
                if problem is None and verify is not None:
                    problem = verify(response)
                if problem:
                    response.failure(problem)
                    return None
                response.success()
                return response

        def page(self, url: str, name: str | None = None):
            return self.check("GET", url, name or url)

        def form_page(self, url: str, name: str, field: str) -> dict | None:
            """GET a page with a form that has ``field``; no such form is a failure too."""
            found: list[dict] = []

            def has_form(response) -> str | None:
                form = find_form(response.text, field)
                found.extend([form] if form else [])
                return None if form else f"no form with a field {field}"

            self.check("GET", url, name, verify=has_form)
            return found[0] if found else None

        def post_form(self, url: str, name: str, data: dict, location: str):
            body = urlencode(data, doseq=True)
            return self.check("POST", url, name, 302, data=body, headers=FORM, location=location)

    class ProvincialLeader(Visitor):
        """The cockpit, the zone registry and the accountability board, province-wide."""

        weight = 2
        usernames = PROVINCIAL
        counter = itertools.count()

        @task(3)
        def cockpit(self) -> None:
            self.page("/cockpit/")

        @task(3)
        def zone_list(self) -> None:
            self.page("/zones/")

        @task(2)
        def accountability(self) -> None:
            self.page("/accountability/")

        @task(3)
        def zone_dashboard(self) -> None:
            self.page(f"/zones/{random.choice(zones)}/dashboard/", "/zones/<id>/dashboard/")

        @task(1)
        def zone_detail(self) -> None:
            self.page(f"/zones/{random.choice(zones)}/", "/zones/<id>/")

    class ZoneStaff(Visitor):
        """Projects of one zone: the list, a project, a new project, an edit."""

        weight = 4
        usernames = ZONE_WRITERS
        counter = itertools.count()

        def project_id(self) -> int:
            mine = people[self.username]["projects"]
            return random.choice(self.created + mine if self.created else mine)

        @task(4)
        def project_list(self) -> None:
            self.page("/projects/")

        @task(1)
        def project_list_filtered(self) -> None:
            self.page("/projects/?stage=signed&sort=-investment", "/projects/?stage&sort")

        @task(4)
        def project_detail(self) -> None:
            self.page(f"/projects/{self.project_id()}/", "/projects/<id>/")

        @task(1)
        def zone_dashboard(self) -> None:
            zone = people[self.username]["zone"]
            self.page(f"/zones/{zone}/dashboard/", "/zones/<id>/dashboard/ (own zone)")

        @task(1)
        def create_project(self) -> None:
            form = self.form_page("/projects/new/", "/projects/new/", "investor_name")
            if form is None:
                return
            number = next(created_names)
            data = {
                **form["values"],
                "zone": str(people[self.username]["zone"]),
                "name": f"压测新能源电池项目{number:05d}",
                "investor_name": "压测投资有限公司",
                "origin_type": "domestic",
                "origin_province": str(fixtures["guangdong"]),
                "origin_city": "深圳市",
                "promotion_mode": "specialised",
                "planned_investment": "50000",
                "planned_investment_this_year": "10000",
                "start_stage": "lead",
            }
            response = self.post_form("/projects/new/", "/projects/new/", data, "/projects/<id>/")
            if response is not None:
                self.created.append(int(response.headers["Location"].strip("/").split("/")[-1]))

        @task(1)
        def edit_project(self) -> None:
            pk = self.project_id()
            url = f"/projects/{pk}/edit/"
            form = self.form_page(url, "/projects/<id>/edit/", "investor_name")
            if form is None:
                return
            data = {
                **form["values"],
                "coordination_requests": f"请协调用地指标（{time.time():.0f}）",
            }
            self.post_form(url, "/projects/<id>/edit/", data, "/projects/<id>/")

    class ApiClient(Visitor):
        abstract = True

        def sign_in(self) -> bool:
            response = self.check(
                "POST",
                "/api/v1/auth/token/",
                "API token",
                json={"username": self.username, "password": PASSWORD},
            )
            if response is None:
                return False
            self.token = response.json()["token"]
            return True

        @task(3)
        def projects(self) -> None:
            self.page("/api/v1/projects/")

        @task(2)
        def zones(self) -> None:
            self.page("/api/v1/zones/")

    class ZoneApiClient(ApiClient):
        """A zone's system reading and writing projects through the API."""

        weight = 2
        usernames = ZONE_WRITERS
        counter = itertools.count()

        @task(2)
        def project(self) -> None:
            pk = random.choice(people[self.username]["projects"])
            self.page(f"/api/v1/projects/{pk}/", "/api/v1/projects/<id>/")

        @task(1)
        def create(self) -> None:
            payload = {
                "zone": people[self.username]["zone"],
                "name": f"接口压测项目{next(created_names):05d}",
                "investor_name": "接口投资有限公司",
                "origin_type": "foreign",
                "origin_country": "新加坡",
                "promotion_mode": "intermediary",
                "planned_investment": 20000,
                "planned_investment_this_year": 2000,
                "industry": fixtures["industry"],
            }
            response = self.check(
                "POST", "/api/v1/projects/", "/api/v1/projects/", 201, json=payload
            )
            if response is not None:
                self.created.append(response.json()["id"])

        @task(1)
        def update(self) -> None:
            if not self.created:
                return
            url = f"/api/v1/projects/{random.choice(self.created)}/"
            body = {"blocking_problems": f"等待环评批复（{time.time():.0f}）"}
            self.check("PATCH", url, "/api/v1/projects/<id>/", json=body)

    class ProvincialApiClient(ApiClient):
        """A provincial system reading the cockpit figures, zones and projects."""

        weight = 1
        usernames = PROVINCIAL
        counter = itertools.count()

        @task(2)
        def cockpit(self) -> None:
            self.page("/api/v1/cockpit/")

    return [ProvincialLeader, ZoneStaff, ZoneApiClient, ProvincialApiClient]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return child_main(args) if args.child else parent_main(args)


if __name__ == "__main__":
    sys.exit(main())
