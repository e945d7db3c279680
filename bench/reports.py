"""Monthly report benchmark: one zone report, the province report, the 95-zone batch with two
worker processes, peak memory and memory over 200 consecutive renders; the same zone template
rendered with WeasyPrint's fontTools fallback and through headless Chromium's print-to-PDF.

    .venv/bin/python bench/reports.py                 # embedded SQLite demo (95 zones)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/reports.py
    ... bench/reports.py --renders 200 --keep

The database (devzone_bench_reports) gets the Guizhou demo with 12 months of scores. Each
measurement runs in a fresh process (``--mode``) so its peak memory (``ru_maxrss``) is its own.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402

BENCH_DB = "devzone_bench_reports"
VAR = _common.ROOT / "var" / "bench-reports"
ZONE = "DEMO-520100-01"


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"seed_demo (12 months scored): {time.perf_counter() - started:.1f} s", flush=True)


def _zone_report():
    from zones import reports
    from zones.models import Zone
    from zones.recompute import previous_month

    zone = Zone.objects.get(code=ZONE)
    return reports.generate("zone", zone.pk, previous_month(), triggered_by="bench")


def mode_zone(runs: int) -> None:
    """``runs`` builds of one zone report (figures + PDF); median, pages, charts, peak memory."""
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        report = _zone_report()
        times.append(time.perf_counter() - started)
    print(
        f"zone report (figures + 7 charts + PDF): median {statistics.median(times[1:]):.2f} s "
        f"(first {times[0]:.2f} s), {report.pages} pages, {report.size / 1024:.0f} KB, "
        f"peak {peak_mb():.0f} MB"
    )


def mode_render_only(runs: int, fallback: bool) -> None:
    """The PDF rendering alone (stored figures), with HarfBuzz or with fontTools subsetting."""
    from zones import reports

    report = _zone_report()
    if fallback:
        import weasyprint.pdf.fonts as fonts

        fonts.harfbuzz_subset = None  # what WeasyPrint does without libharfbuzz-subset0
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        reports.render(report)
        times.append(time.perf_counter() - started)
    label = "fontTools fallback" if fallback else "HarfBuzz subsetting"
    median = statistics.median(times[1:])
    print(f"zone render, {label}: median {median:.2f} s, peak {peak_mb():.0f} MB")


def mode_chromium(runs: int) -> None:
    """The same zone report HTML printed to PDF by Debian's headless chromium."""
    from django.template.loader import render_to_string
    from django.utils import timezone
    from playwright.sync_api import sync_playwright

    from zones import dashboard_charts

    report = _zone_report()
    charts = dashboard_charts.zone_charts(report.figures["dashboard"])
    html = render_to_string(
        "reports/zone.html",
        {
            "report": report,
            "f": report.figures,
            "chart": {k.replace("-", "_"): v for k, v in charts.items()},
            "generated_at": timezone.localtime(),
        },
    )
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        page = browser.new_page()
        for _ in range(runs + 1):
            started = time.perf_counter()
            page.set_content(html)
            pdf = page.pdf(format="A4", print_background=True)
            times.append(time.perf_counter() - started)
        browser.close()
    print(
        f"zone render, chromium print-to-PDF: median {statistics.median(times[1:]):.2f} s, "
        f"{len(pdf) / 1024:.0f} KB (template only; figures and charts prepared once)"
    )


def mode_province(runs: int) -> None:
    from zones import reports
    from zones.models import Province
    from zones.recompute import previous_month

    province = Province.objects.get(code="520000")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        report = reports.generate("province", province.pk, previous_month(), triggered_by="bench")
        times.append(time.perf_counter() - started)
    print(
        f"province report: median {statistics.median(times):.2f} s, {report.pages} pages, "
        f"{report.size / 1024:.0f} KB, peak {peak_mb():.0f} MB"
    )


def _batch_worker(zone_ids: list[int]) -> float:
    from django.db import connections

    connections.close_all()
    from zones import reports
    from zones.recompute import previous_month

    for pk in zone_ids:
        reports.generate("zone", pk, previous_month(), triggered_by="bench batch")
    return peak_mb()


def mode_batch(workers: int) -> None:
    """Every zone's report with ``workers`` processes (fork, each a share of the zones)."""
    import multiprocessing

    from django.db import connections

    from zones.models import Zone

    zone_ids = list(Zone.objects.order_by("pk").values_list("pk", flat=True))
    shares = [zone_ids[i::workers] for i in range(workers)]
    connections.close_all()
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        peaks = pool.map(_batch_worker, shares)
    seconds = time.perf_counter() - started
    print(
        f"{len(zone_ids)}-zone batch, {workers} worker processes: {seconds:.1f} s, "
        f"peak per worker {max(peaks):.0f} MB"
    )


def mode_memory(renders: int) -> None:
    """RSS after 10 renders and after ``renders`` renders of the same zone report in one process."""
    from zones import reports

    report = _zone_report()
    samples = {}
    for i in range(1, renders + 1):
        reports.render(report)
        if i in (10, renders // 2, renders):
            samples[i] = rss_mb()
    first, last = samples[10], samples[renders]
    print(
        f"memory over {renders} renders: RSS {first:.0f} MB after 10, "
        f"{samples[renders // 2]:.0f} MB after {renders // 2}, {last:.0f} MB after {renders} "
        f"({(last - first) / first * 100:+.1f}%), peak {peak_mb():.0f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", default="all")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    backend = _common.configure(BENCH_DB, VAR)
    if args.mode != "all":
        {
            "zone": lambda: mode_zone(args.runs),
            "render": lambda: mode_render_only(args.runs, fallback=False),
            "fallback": lambda: mode_render_only(max(args.runs // 2, 2), fallback=True),
            "chromium": lambda: mode_chromium(args.runs),
            "province": lambda: mode_province(3),
            "batch": lambda: mode_batch(args.workers),
            "memory": lambda: mode_memory(args.renders),
        }[args.mode]()
        return 0
    print(f"backend: {backend}", flush=True)
    _common.fresh_database(backend, BENCH_DB)
    try:
        setup()
        for mode in ("zone", "render", "fallback", "chromium", "province", "batch", "memory"):
            subprocess.run(
                [sys.executable, __file__, "--mode", mode, "--runs", str(args.runs),
                 "--renders", str(args.renders), "--workers", str(args.workers)],
                check=True,
            )  # fmt: skip
    finally:
        if not args.keep:
            _common.drop_database(backend, BENCH_DB)
    return 0


if __name__ == "__main__":
    sys.exit(main())
