"""Dashboards at national scale: the provincial cockpit, a prefecture dashboard, a zone
dashboard and the accountability board, server time and queries, at 2,500 zones and 1,000,000
projects; beside them, the same cockpit figures computed live from the raw rows.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/dashboards_national.py
    ... bench/dashboards_national.py --zones 95 --projects 0     # Guizhou only, quick
    ... bench/dashboards_national.py --keep                     # keep devzone_bench_dashboards

The database (devzone_bench_dashboards, dropped at the end unless --keep) gets
``seed_demo --zones N --history-months 2``, a set-based top-up to ``--projects`` projects
(bench/projects_national.py's), and one more recompute of the last month so the summary rows
hold every project. Pages are timed through Django's test client (server time: view, template,
queries; no network), ``--requests`` times each after a warm-up; the query count is the last
request's. "Live" is what a dashboard would cost without summary rows: the pipeline figures of
the same zones gathered from projects, transitions, reports, milestones and supervision items
for the request (``investment.summary.compute`` over the user's zones), plus the zone registry.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402

BENCH_DB = "devzone_bench_dashboards"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=2500)
    parser.add_argument("--projects", type=int, default=1_000_000)
    parser.add_argument("--enterprises-per-zone", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--live-runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="measure an existing --keep database")
    return parser.parse_args(argv)


def build(args: argparse.Namespace, backend: str) -> dict[str, float]:
    import projects_national
    from django.core.management import call_command

    from zones.recompute import previous_month, recompute

    timings = {}
    _common.fresh_database(backend, BENCH_DB)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command(
        "seed_demo",
        "--zones",
        str(args.zones),
        "--enterprises-per-zone",
        str(args.enterprises_per_zone),
        "--history-months",
        "2",
        stdout=io.StringIO(),
    )
    timings["seed_demo"] = time.perf_counter() - started
    if args.projects and backend == "postgresql":
        started = time.perf_counter()
        projects_national.top_up(args.projects)
        timings["top-up"] = time.perf_counter() - started
    run = recompute(previous_month(), triggered_by="bench")
    timings["recompute"] = run.seconds
    return timings


def endpoints() -> list[tuple[str, str, str]]:
    from zones.models import Membership, Zone

    city = Membership.objects.get(user__username="city").prefecture_id
    zone = Zone.objects.get(code="DEMO-520100-01").pk
    return [
        ("province", "cockpit", "/cockpit/"),
        ("admin", "cockpit", "/cockpit/"),
        ("province", "cockpit, one prefecture", "/cockpit/?prefecture=520300"),
        ("city", "prefecture dashboard", f"/prefectures/{city}/dashboard/"),
        ("staff", "zone dashboard", f"/zones/{zone}/dashboard/"),
        ("province", "zone dashboard", f"/zones/{zone}/dashboard/"),
        ("province", "accountability board (zones)", "/accountability/"),
        ("admin", "accountability board (zones)", "/accountability/"),
        ("province", "accountability board (leads)", "/accountability/?kind=lead"),
        ("province", "cockpit API", "/api/v1/cockpit/"),
    ]


def live(username: str, runs: int) -> dict[str, float]:
    """The cockpit's pipeline figures straight from the raw rows, for the user's zones."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from investment import summary
    from zones.models import Methodology, Zone
    from zones.recompute import StepContext, month_end, previous_month

    user = get_user_model().objects.get(username=username)
    period = previous_month()
    methodology = Methodology.objects.get(is_active=True)
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            zone_ids = list(Zone.objects.for_user(user).values_list("pk", flat=True))
            context = StepContext(period, month_end(period), methodology, zone_ids, None)
            summary.compute(context)
            times.append((time.perf_counter() - started) * 1000)
    return {"median": statistics.median(times), "queries": len(queries)}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    backend = _common.configure(BENCH_DB, _common.ROOT / "var" / "bench-dashboards")
    print(f"backend: {backend}")
    try:
        if not args.reuse:
            for step, seconds in build(args, backend).items():
                print(f"  {step}: {seconds:.1f} s", flush=True)
        from investment.models import Project
        from zones.models import Zone

        print(f"zones {Zone.objects.count():,}, projects {Project.objects.count():,}")
        print()
        print("| user | page | median ms | p95 ms | SQL ms | queries |")
        print("| --- | --- | ---: | ---: | ---: | ---: |")
        clients: dict[str, object] = {}
        for username, label, url in endpoints():
            client = clients.setdefault(username, _common.logged_in_client(username))
            r = _common.measure_one(client, url, args.requests)
            if r["status"] != 200:
                print(f"| {username} | {label} | {r['status']} | | | |")
                continue
            print(
                f"| {username} | {label} | {r['median']:.1f} | {r['p95']:.1f} | "
                f"{r['sql_ms']:.1f} | {r['queries']} |",
                flush=True,
            )
        print()
        print("Live from raw rows (the pipeline figures of the cockpit, no summary rows):")
        print("| user | median ms | queries |")
        print("| --- | ---: | ---: |")
        for username in ("province", "admin"):
            r = live(username, args.live_runs)
            print(f"| {username} | {r['median']:.0f} | {r['queries']} |", flush=True)
    finally:
        if not args.keep:
            _common.drop_database(backend, BENCH_DB)
    return 0


if __name__ == "__main__":
    sys.exit(main())
