"""Import benchmark: 10,000 projects through devzone.imports (create, then the same file as
updates by project code), through the per-row services and through the bulk service
``investment.services.imports.bulk_import_projects``, and the same rows through
django-import-export's default ``Resource.import_data``.

Runs in a database of its own: a SQLite file under var/bench-import-projects/ (deleted first),
or, when DATABASE_URL points at PostgreSQL, a database created on that server and dropped at
the end.
Prints rows/s and query counts.

    .venv/bin/python bench/import_projects.py
    .venv/bin/python bench/import_projects.py --rows 2000
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

DB_NAME = "devzone_bench_import_projects"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument(
        "--skip-per-row", action="store_true", help="skip the per-row services path (slow)"
    )
    parser.add_argument("--var-dir", default=str(ROOT / "var" / "bench-import-projects"))
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
    import tablib
    from import_export.resources import ModelResource

    from devzone.imports import confirm_import, register, start_import
    from investment.models import Project
    from investment.resources import ProjectResource
    from tests.factories import MembershipFactory, UserFactory, ZoneFactory

    @register
    class PerRowProjectResource(ProjectResource):
        import_name = "bench.project_per_row"
        import_write_bulk = None

    zones = [ZoneFactory(code=f"BZ-{i:02d}") for i in range(10)]
    staff = UserFactory(username="bench_staff")
    for zone in zones:
        MembershipFactory(user=staff, role="zone_staff", zone=zone)
    admin = UserFactory(username="bench_admin", is_superuser=True)

    headers = ["项目编号", "项目名称", "开发区编码", "投资方", "投资方来源", "来源省份",
               "来源城市", "招商方式", "项目阶段", "计划总投资（万元）", "本年计划投资（万元）",
               "用地面积（亩）", "项目负责人账号"]  # fmt: skip

    def file(suffix: str, codes: list[str] | None = None) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        for n in range(args.rows):
            writer.writerow(
                [codes[n] if codes else "", f"基准项目{n}{suffix}", zones[n % len(zones)].code,
                 f"基准投资方{n % 97}", "境内", "广东省", "深圳市",
                 ("专业招商", "以商引商", "驻地招商")[n % 3], ("线索", "洽谈")[n % 2],
                 f"{1000 + n:,}", "0.05亿元" if n % 5 == 0 else "100", f"{n % 300}.5",
                 "bench_staff" if n % 4 == 0 else ""]
            )  # fmt: skip
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

    paths = [("bench.project_per_row", "per row"), ("investment.project", "bulk")]
    for name, label in paths[1:] if args.skip_per_row else paths:
        before = set(Project.objects.values_list("pk", flat=True))
        for phase in ("create", "update"):
            if phase == "create":
                data = file("")
            else:  # the codes the create phase generated, by project name
                by_name = dict(Project.objects.exclude(pk__in=before).values_list("name", "code"))
                data = file("（更新）", [by_name[f"基准项目{n}"] for n in range(args.rows)])
            batch = measure(
                f"devzone.imports preview ({phase})",
                lambda data=data, name=name: start_import(
                    fresh(staff), name, SimpleUploadedFile("p.csv", data)
                ),
            )
            assert batch.status == "previewed" and not batch.rows_error, batch.errors[:3]
            batch = measure(
                f"devzone.imports confirm, {label} ({phase})",
                lambda b=batch: confirm_import(fresh(staff), b),
            )
            assert batch.status == "confirmed", (batch.message, batch.errors[:3])

    # django-import-export's default per-row import_data: the same file, keyed by 项目编号 for
    # the updates (codes are generated by the service, so the baseline's new rows carry one).
    class DefaultProjectResource(ProjectResource):
        class Meta(ProjectResource.Meta):
            import_id_fields = ("code",)

    def baseline_file(suffix: str) -> str:
        rows = list(csv.reader(io.StringIO(file(suffix).decode("utf-8"))))
        for n, row in enumerate(rows[1:]):
            row[0] = f"XM-BASE-{n:06d}"
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        return buffer.getvalue()

    for phase, suffix in (("create", "（基准）"), ("update", "（基准更新）")):
        dataset = tablib.Dataset().load(baseline_file(suffix), format="csv")
        resource = DefaultProjectResource(user=admin)
        outcome = measure(
            f"import-export import_data ({phase})",
            lambda d=dataset, r=resource: ModelResource.import_data(r, d, dry_run=False),
        )
        assert not outcome.has_errors(), [e.error for e in outcome.base_errors][:1] or [
            r.errors for r in outcome.rows if r.errors
        ][:1]

    print(f"\n{args.rows:,} project rows, {connection.vendor}")
    print(f"{'step':48} {'rows/s':>9} {'seconds':>8} {'queries':>8}")
    for label, rate, seconds, queries in results:
        print(f"{label:48} {rate:9,.0f} {seconds:8.2f} {queries:8,}")
    drop_database(backend, DB_NAME)


if __name__ == "__main__":
    main()
