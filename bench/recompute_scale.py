"""Recompute benchmark: a full recompute of every zone's scores (stage, six capacities,
quadrant, per-mu grades and accountability) at Guizhou scale (95 zones) and at national scale
(2,500 zones, 1,000,000 projects), the recompute of one zone after an edit, and a naive
per-zone ORM loop on the same data for comparison.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/recompute_scale.py
    ... bench/recompute_scale.py --scales 95          # Guizhou only
    ... bench/recompute_scale.py --naive-sample 100   # zones timed in the naive loop

Each scale runs in a database of its own (devzone_bench_recompute, dropped at the end unless
--keep): migrate, ``seed_demo --zones N``, then for the national scale a set-based top-up to
``--projects`` projects (bench/projects_national.py's). The naive loop calls the same gathering
and scoring one zone at a time (one zone's facts, one zone's upserts) for ``--naive-sample``
zones and extrapolates to all zones; it is what a straightforward ``for zone in zones`` job
would cost.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402

BENCH_DB = "devzone_bench_recompute"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", type=int, default=[95, 2500], help="zones")
    parser.add_argument("--projects", type=int, default=1_000_000, help="at 2,500 zones")
    parser.add_argument("--enterprises-per-zone", type=int, default=20)
    parser.add_argument("--naive-sample", type=int, default=95)
    parser.add_argument("--single", type=int, default=5, help="timed one-zone recomputes")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args(argv)


def naive_loop(period, zone_ids: list[int]) -> tuple[float, int]:
    """One zone at a time: its facts, its scores, its upserts (no peer normalisation batch)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zones.models import Methodology
    from zones.recompute import StepContext, month_end
    from zones.scoring_results import write_zone_results

    methodology = Methodology.objects.get(is_active=True)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        for zone_id in zone_ids:
            context = StepContext(period, month_end(period), methodology, [zone_id], None)
            write_zone_results(context)
    return time.perf_counter() - started, len(queries.captured_queries)


def run_scale(zones: int, args: argparse.Namespace, backend: str) -> dict:
    import projects_national
    from django.core.management import call_command

    from investment.models import Project
    from zones.models import Zone
    from zones.recompute import previous_month, recompute

    _common.fresh_database(backend, BENCH_DB)
    call_command("migrate", verbosity=0)
    seconds, _output = projects_national.seed(zones, args.enterprises_per_zone)
    print(f"seed_demo --zones {zones}: {seconds:.1f} s")
    if zones >= 2500 and backend == "postgresql":
        started = time.perf_counter()
        projects_national.top_up(args.projects)
        print(f"top-up to {args.projects:,} projects: {time.perf_counter() - started:.1f} s")
    period = previous_month()
    zone_ids = list(Zone.objects.order_by("pk").values_list("pk", flat=True))
    figures = {"zones": len(zone_ids), "projects": Project.objects.count()}

    full = []
    for _ in range(2):  # the second run upserts over the first: the nightly case
        run = recompute(period)
        full.append((run.seconds, run.queries, run.rows_written))
    figures["full"] = full

    single = []
    for zone_id in zone_ids[: args.single]:
        run = recompute(period, zone_ids=[zone_id])
        single.append((run.seconds, run.queries))
    figures["single"] = single

    sample = zone_ids[: args.naive_sample]
    seconds, queries = naive_loop(period, sample)
    figures["naive"] = (seconds, queries, len(sample))
    return figures


def report(results: dict[int, dict]) -> None:
    print("\n| scale | zones | projects | full recompute s (queries, rows) | again s | "
          "one zone ms (queries) | naive per-zone loop s (queries) |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for zones, fig in results.items():
        (first_s, first_q, rows), (again_s, _q, _r) = fig["full"]
        one = statistics.median(s for s, _q in fig["single"]) * 1000
        one_q = fig["single"][0][1]
        naive_s, naive_q, n = fig["naive"]
        scale = fig["zones"] / n
        naive = f"{naive_s * scale:.1f} ({naive_q * scale:,.0f})"
        if n < fig["zones"]:
            naive += f", extrapolated from {n} zones"
        print(
            f"| {zones} | {fig['zones']:,} | {fig['projects']:,} | {first_s:.2f} ({first_q}, "
            f"{rows:,}) | {again_s:.2f} | {one:.0f} ({one_q}) | {naive} |"
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    backend = _common.configure(BENCH_DB, _common.ROOT / "var" / "bench-recompute")
    print(f"backend: {backend}")
    results = {}
    try:
        for zones in args.scales:
            results[zones] = run_scale(zones, args, backend)
    finally:
        if not args.keep:
            _common.drop_database(backend, BENCH_DB)
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
