"""Import benchmark: 10,000 enterprises through devzone.imports, then the same file again as
updates, and the same rows through django-import-export's default ``Resource.import_data``.

Runs in a database of its own: a SQLite file under var/bench-import/ (deleted first), or, when
DATABASE_URL points at PostgreSQL, a database created on that server and dropped at the end.
Prints rows/s and query counts.

    .venv/bin/python bench/import_enterprises.py
    .venv/bin/python bench/import_enterprises.py --rows 2000
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import configure, drop_database, fresh_database  # noqa: E402

DB_NAME = "devzone_bench_import"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--var-dir", default=str(ROOT / "var" / "bench-import"))
    args = parser.parse_args(argv)

    var = Path(args.var_dir)
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    backend = configure(DB_NAME, var)  # PostgreSQL when DATABASE_URL points at one
    fresh_database(backend, DB_NAME)

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from import_export.resources import ModelResource

    from devzone.imports import confirm_import, start_import
    from tests.factories import MembershipFactory, UserFactory, ZoneFactory
    from zones.models import Enterprise
    from zones.resources import EnterpriseResource
    from zones.validators import build_credit_code

    zones = [ZoneFactory(code=f"BZ-{i:02d}") for i in range(10)]
    staff = UserFactory(username="bench_staff")
    for zone in zones:
        MembershipFactory(user=staff, role="zone_staff", zone=zone)
    admin = UserFactory(username="bench_admin", is_superuser=True)

    headers = [
        "企业名称",
        "统一社会信用代码",
        "开发区编码",
        "细分行业",
        "产业链环节",
        "用地面积（亩）",
        "规模以上",
        "成立日期",
    ]

    def file(suffix: str, base: int = 0) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        for n in range(args.rows):
            writer.writerow(
                [
                    f"基准企业{n}{suffix}有限公司",
                    build_credit_code("520100", base + n + 1),
                    zones[n % len(zones)].code,
                    f"细分{n % 7}{suffix}",
                    ("上游", "中游", "下游")[n % 3],
                    f"{(n % 500) + 0.5:,}",
                    "是" if n % 2 else "否",
                    f"20{10 + n % 14}年{1 + n % 12}月{1 + n % 28}日",
                ]
            )
        return buffer.getvalue().encode("utf-8")

    def fresh(user):
        return type(user).objects.get(pk=user.pk)

    results = []

    def measure(label: str, fn) -> object:
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            value = fn()
            seconds = time.perf_counter() - started
        results.append((label, args.rows / seconds, seconds, count[0]))
        return value

    from devzone.imports import register

    @register
    class PerRowEnterpriseResource(EnterpriseResource):
        """The same resource writing through the per-row services (create/update_enterprise)."""

        import_name = "bench.enterprise_per_row"
        import_write_bulk = None

    # zones.enterprise is the resource the pages use: its confirm goes through
    # services.bulk_import_enterprises
    variants = (
        ("bench.enterprise_per_row", 0, "per row"),
        ("zones.enterprise", 3 * 10**6, "bulk"),
    )
    for name, base, label in variants:
        for phase, data in (("create", file("", base)), ("update", file("（更新）", base))):
            batch = measure(
                f"devzone.imports preview ({phase})",
                lambda data=data, name=name: start_import(
                    fresh(staff), name, SimpleUploadedFile("b.csv", data)
                ),
            )
            assert batch.status == "previewed" and not batch.rows_error, (
                batch.message,
                batch.errors,
            )
            batch = measure(
                f"devzone.imports confirm, {label} ({phase})",
                lambda b=batch: confirm_import(fresh(staff), b),
            )
            assert batch.status == "confirmed", (batch.message, batch.errors[:3])
    assert Enterprise.objects.count() == 2 * args.rows

    # django-import-export's default per-row import_data on the same fields and widgets
    # (ImportableResource closes import_data for the app, so call the library's own method).
    import tablib

    for phase, data in (("create", file("", base=10**6)), ("update", file("（再更新）", 10**6))):
        dataset = tablib.Dataset().load(data.decode("utf-8"), format="csv")
        resource = EnterpriseResource(user=admin)
        measure(
            f"import-export import_data dry run ({phase})",
            lambda d=dataset, r=resource: ModelResource.import_data(r, d, dry_run=True),
        )
        resource = EnterpriseResource(user=admin)
        outcome = measure(
            f"import-export import_data ({phase})",
            lambda d=dataset, r=resource: ModelResource.import_data(r, d, dry_run=False),
        )
        assert not outcome.has_errors() and not outcome.has_validation_errors()

    print(f"\n{args.rows:,} enterprise rows, SQLite, {connection.vendor}")
    print(f"{'step':48} {'rows/s':>9} {'seconds':>8} {'queries':>8}")
    for label, rate, seconds, queries in results:
        print(f"{label:48} {rate:9,.0f} {seconds:8.2f} {queries:8,}")
    drop_database(backend, DB_NAME)


if __name__ == "__main__":
    main()
