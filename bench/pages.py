"""What one page costs in-process: CPU, queries and bytes of the pages the load test visits.

    .venv/bin/python bench/load.py --keep --seconds 5            # once: the seeded database
    .venv/bin/python bench/pages.py                              # every page, 20 runs each
    .venv/bin/python bench/pages.py --runs 50 --only /cockpit/   # one page
    .venv/bin/python bench/pages.py --profile /projects/         # where that page's CPU goes

It reads the database ``bench/load.py --keep`` leaves behind (devzone_bench_load on the server
in DATABASE_URL, default postgres://postgres@127.0.0.1:5432) and changes nothing in it: every
request runs inside a transaction that is rolled back, so the form posts measure a real save.
Requests go through ``django.test.Client`` with the whole middleware stack, DEBUG off, signed
in with ``force_login`` (sign-in itself is measured apart: one password check of the demo
password with the configured hasher). The figures are CPU seconds of this process
(``time.process_time``), so PostgreSQL's own work is not in them; the wall time is printed
beside them.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402

BENCH_DB = "devzone_bench_load"
PASSWORD = "devzone-demo-2026"
FILTERED = "stage=signed&sort=-investment"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", help="measure only the pages whose path starts with this")
    parser.add_argument("--profile", metavar="PATH", help="cProfile one page (its label or path)")
    parser.add_argument("--top", type=int, default=30, help="functions shown by --profile")
    parser.add_argument("--callers", help="with --profile: who calls functions matching this")
    return parser.parse_args()


class Rollback(Exception):
    pass


def pages() -> list[tuple[str, str, str, str, dict | None]]:
    """(label, username, method, path, form data) of the pages the load test visits."""
    from investment.models import Project
    from zones.models import Membership, Zone

    zone = Membership.objects.filter(user__username="staff").values_list("zone_id", flat=True)[0]
    project = Project.objects.filter(zone_id=zone).order_by("id").first()
    other = Zone.objects.exclude(pk=zone).order_by("id").first()
    edit = {"investor_name": "压测投资有限公司"}
    return [
        ("GET /cockpit/", "province", "GET", "/cockpit/", None),
        ("GET /zones/", "province", "GET", "/zones/", None),
        ("GET /accountability/", "province", "GET", "/accountability/", None),
        ("GET /zones/<id>/", "province", "GET", f"/zones/{other.pk}/", None),
        ("GET /zones/<id>/dashboard/", "province", "GET", f"/zones/{other.pk}/dashboard/", None),
        ("GET /projects/", "staff", "GET", "/projects/", None),
        ("GET /projects/?stage&sort", "staff", "GET", f"/projects/?{FILTERED}", None),
        ("GET /projects/<id>/", "staff", "GET", f"/projects/{project.pk}/", None),
        ("GET /projects/new/", "staff", "GET", "/projects/new/", None),
        ("GET /projects/<id>/edit/", "staff", "GET", f"/projects/{project.pk}/edit/", None),
        ("POST /projects/<id>/edit/", "staff", "POST", f"/projects/{project.pk}/edit/", edit),
        ("GET /api/v1/projects/", "staff", "GET", "/api/v1/projects/", None),
        ("GET /api/v1/projects/<id>/", "staff", "GET", f"/api/v1/projects/{project.pk}/", None),
        ("GET /api/v1/zones/", "province", "GET", "/api/v1/zones/", None),
        ("GET /api/v1/cockpit/", "province", "GET", "/api/v1/cockpit/", None),
    ]


def form_values(client, path: str, field: str) -> dict:
    """The values the form at ``path`` shows, as a browser would send them back unchanged."""
    from load import find_form

    form = find_form(client.get(path).content.decode(), field)
    if form is None:
        raise SystemExit(f"{path}: no form with a field {field}")
    return form["values"]


def one(client, method: str, path: str, data: dict | None):
    from django.db import transaction

    response = None
    try:
        with transaction.atomic():
            response = client.get(path) if method == "GET" else client.post(path, data)
            raise Rollback
    except Rollback:
        pass
    return response


def measure(client, method, path, data, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    one(client, method, path, data)  # warm: template cache, connection, first queries
    cpu, wall = [], []
    for _ in range(runs):
        c0, w0 = time.process_time(), time.perf_counter()
        response = one(client, method, path, data)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    with CaptureQueriesContext(connection) as queries:
        response = one(client, method, path, data)
    return response, cpu, wall, len(queries)


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}")
    if not _common.is_postgres_url():
        raise SystemExit("bench/pages.py reads the PostgreSQL database of bench/load.py --keep")
    os.environ.pop("DEVZONE_ENV", None)
    _common.configure(BENCH_DB, _common.ROOT / "var" / "bench-load")
    if not _common.database_exists(BENCH_DB):
        raise SystemExit(f"no database {BENCH_DB}: run bench/load.py --keep first")

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import get_hasher
    from django.test import Client

    User = get_user_model()

    clients: dict[str, Client] = {}

    def client_for(username: str) -> Client:
        if username not in clients:
            client = Client(HTTP_HOST="localhost", REMOTE_ADDR="127.0.0.1")
            client.force_login(User.objects.get(username=username))
            clients[username] = client
        return clients[username]

    todo = pages()
    for i, (label, username, method, path, data) in enumerate(todo):
        if method == "POST":
            values = form_values(client_for(username), path, "investor_name")
            todo[i] = (label, username, method, path, {**values, **(data or {})})

    if args.profile:
        chosen = [p for p in todo if args.profile in (p[0], p[3])] or [
            p for p in todo if p[3].startswith(args.profile)
        ]
        if not chosen:
            raise SystemExit(f"no page {args.profile!r}")
        label, username, method, path, data = chosen[0]
        client = client_for(username)
        one(client, method, path, data)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.runs):
            one(client, method, path, data)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
        if args.callers:
            stats.print_callers(args.callers)
        print(f"{label} × {args.runs}")
        print(out.getvalue())
        return

    hasher = get_hasher()
    encoded = hasher.encode(PASSWORD, hasher.salt())
    c0 = time.process_time()
    for _ in range(3):
        hasher.verify(PASSWORD, encoded)
    sign_in_cpu = (time.process_time() - c0) / 3

    print(f"database {BENCH_DB}; {args.runs} runs per page; CPU of this process per request")
    print()
    print("| page | status | CPU median ms | CPU p95 ms | wall median ms | queries | KB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, username, method, path, data in todo:
        if args.only and not path.startswith(args.only):
            continue
        response, cpu, wall, queries = measure(client_for(username), method, path, data, args.runs)
        cpu_ms = sorted(1000 * c for c in cpu)
        p95 = cpu_ms[min(len(cpu_ms) - 1, round(0.95 * (len(cpu_ms) - 1)))]
        if method == "POST" and response.status_code != 302:
            raise SystemExit(f"{label}: {response.status_code}, expected 302 (form refused)")
        size = len(response.content) / 1024
        print(
            f"| {label} | {response.status_code} | {statistics.median(cpu_ms):.1f} | {p95:.1f} "
            f"| {1000 * statistics.median(wall):.1f} | {queries} | {size:.0f} |"
        )
    print()
    print(f"sign-in: one password check with {hasher.algorithm}: {1000 * sign_in_cpu:.0f} ms CPU")


if __name__ == "__main__":
    main()
