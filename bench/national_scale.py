"""National-scale benchmark: does the zone list cost the same at 95 zones and at 2,500?

Builds demo data in a database of its own (never the development database): a fresh SQLite file
under var/bench/ by default, or, when DATABASE_URL points at PostgreSQL, a dedicated database
``devzone_bench`` on that server, created here and dropped at the end (unless --keep). For each
scale it starts from an empty database, migrates, runs ``seed_demo --zones N``, then, logged in
as the demo ``province`` user with django.test.Client, requests the zone list page and the API
about 20 times each and prints median and p95 server time and the query count of one request.

Run from the repository root (see bench/README.md):

    .venv/bin/python bench/national_scale.py
    .venv/bin/python bench/national_scale.py --zones 95 500 --enterprises-per-zone 5 --requests 10
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402  (bench/ helpers shared with projects_national.py)
from _common import ROOT  # noqa: E402

BENCH_DB = "devzone_bench"
ENDPOINTS = (
    ("page", "/zones/"),
    ("api", "/api/v1/zones/"),
    ("api500", "/api/v1/zones/?page_size=500"),
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, nargs="+", default=[95, 2500], help="scales")
    parser.add_argument("--enterprises-per-zone", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per endpoint")
    parser.add_argument(
        "--users",
        nargs="+",
        default=["province", "admin"],
        help="demo users to measure as: province sees Guizhou's 95 zones, admin sees every zone",
    )
    parser.add_argument("--var-dir", default=str(ROOT / "var" / "bench"), help="SQLite mode")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL bench database")
    return parser.parse_args(argv)


def configure(args: argparse.Namespace) -> str:
    """Point the settings at the bench database before Django starts; return the backend."""
    return _common.configure(BENCH_DB, args.var_dir)


def fresh_database(backend: str) -> None:
    """An empty database for the next scale: delete the SQLite file or recreate the PG one."""
    _common.fresh_database(backend, BENCH_DB)


def drop_database(backend: str) -> None:
    _common.drop_database(backend, BENCH_DB)


def build(zones: int, per_zone: int) -> tuple[float, str]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    out = io.StringIO()
    started = time.perf_counter()
    call_command(
        "seed_demo", "--zones", str(zones), "--enterprises-per-zone", str(per_zone), stdout=out
    )
    return time.perf_counter() - started, out.getvalue()


def measure(requests: int, users: list[str]) -> dict[tuple[str, str], dict]:
    """Median/p95 milliseconds and the query count of each endpoint, for each demo user."""
    results = {}
    for username in users:
        client = _common.logged_in_client(username)
        for key, url in ENDPOINTS:
            results[(username, key)] = _common.measure_one(client, url, requests)
    return results


def report(all_results: dict[int, dict], users: list[str]) -> None:
    print()
    print(
        f"{'user':<9} {'endpoint':<34} {'zones':>6} {'status':>6} {'rows':>5} {'median ms':>10} "
        f"{'p95 ms':>8} {'queries':>8}"
    )
    for username in users:
        for key, url in ENDPOINTS:
            for zones, results in all_results.items():
                r = results[(username, key)]
                head = f"{username:<9} GET {url:<30} {zones:>6}"
                if r["status"] != 200:
                    print(f"{head} {r['status']!s:>6}   (not available)")
                    continue
                rows = "" if r["rows"] is None else r["rows"]
                print(
                    f"{head} {r['status']:>6} {rows!s:>5} {r['median']:>10.1f} "
                    f"{r['p95']:>8.1f} {r['queries']:>8}"
                )
    scales = list(all_results)
    if len(scales) < 2:
        return
    print()
    print("query count by scale: " + " vs ".join(f"{z:,}" for z in scales))
    for username in users:
        for key, url in ENDPOINTS:
            found = [all_results[z][(username, key)] for z in scales]
            counts = [r.get("queries") for r in found]
            if None in counts:
                statuses = [r["status"] for r in found]
                print(f"  {username:<9} GET {url:<30} not measured (answered {statuses})")
                continue
            verdict = "same" if len(set(counts)) == 1 else "DIFFERS"
            print(f"  {username:<9} GET {url:<30} {' vs '.join(map(str, counts)):<12} {verdict}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if min(args.zones) < 95:
        print("every scale must be at least 95 zones (Guizhou's)")
        return 2
    backend = configure(args)
    from django.conf import settings

    print(f"database: {backend} {settings.DATABASES['default']['NAME']}")
    all_results = {}
    try:
        for zones in args.zones:
            fresh_database(backend)
            seconds, output = build(zones, args.enterprises_per_zone)
            print(
                f"\n--zones {zones} --enterprises-per-zone {args.enterprises_per_zone}: "
                f"loaded in {seconds:.1f} s"
            )
            print("\n".join("  " + line for line in output.strip().splitlines()))
            all_results[zones] = measure(args.requests, args.users)
    finally:
        if not args.keep:
            drop_database(backend)
    report(all_results, args.users)
    return 0


if __name__ == "__main__":
    sys.exit(main())
