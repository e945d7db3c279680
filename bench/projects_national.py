"""Projects at national scale: the project list page and the projects API over 1,000,000 projects.

PostgreSQL only. Builds its own database ``devzone_bench_projects`` on the server DATABASE_URL
points at (never the database named in the URL): migrate, ``seed_demo --zones 2500
--enterprises-per-zone 2`` (which also loads the demo pipeline, about 100,000 projects with
their transitions, milestones and reports), then tops the projects up to ``--projects`` with
set-based SQL (``INSERT ... SELECT ... FROM generate_series``): zones in the demo's proportions
(by output tier), stages and promotion modes with the demo's weights, dates over the last three
years, lognormal planned investment by zone tier, and 3-6 milestones for every signed or later
project (about one in eight past milestones not done, i.e. overdue). Then VACUUM ANALYZE.

Then, logged in as ``province`` (Guizhou's provincial leader), ``admin`` (every zone) and
``staff`` (one zone) with django.test.Client, it requests each endpoint once to warm up, 20 times
for timing and once under CaptureQueriesContext, and prints median/p95 server time and the query
count. Endpoints over the budget (150 ms median) are marked; ``--explain`` prints EXPLAIN
(ANALYZE, BUFFERS) of their slowest SQL.

Run from the repository root (see bench/README.md):

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/projects_national.py
    .venv/bin/python bench/projects_national.py --keep              # keep the database
    .venv/bin/python bench/projects_national.py --reuse --explain   # measure it again
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402  (bench/ helpers shared with national_scale.py)

BENCH_DB = "devzone_bench_projects"
BUDGET_MS = 150.0
SEARCH_LONG = "华鑫科技"  # an investor-name fragment: about 1 project in 6,000
SEARCH_SHORT = "华鑫"  # two characters: no trigram to look up, about 1 in 900


def endpoints() -> tuple[tuple[str, str], ...]:
    def url(path: str, **params: str) -> str:
        return f"{path}?{urlencode(params)}" if params else path

    return (
        ("page", url("/projects/")),
        ("page_stage", url("/projects/", stage="signed")),
        ("page_q", url("/projects/", q=SEARCH_LONG)),
        ("page_q2", url("/projects/", q=SEARCH_SHORT)),
        ("page_sort", url("/projects/", sort="-investment")),
        ("page_overdue", url("/projects/", overdue="true")),
        ("page_200", url("/projects/", page="200")),  # the last page under the count cap
        ("api", url("/api/v1/projects/")),
        ("api500", url("/api/v1/projects/", page_size="500")),
        ("api_stage", url("/api/v1/projects/", stage="signed")),
        ("api_q", url("/api/v1/projects/", q=SEARCH_LONG)),
        ("api_sort", url("/api/v1/projects/", ordering="-planned_investment")),
        ("api_overdue", url("/api/v1/projects/", overdue="true")),
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1_000_000, help="total projects")
    parser.add_argument("--zones", type=int, default=2500)
    parser.add_argument("--enterprises-per-zone", type=int, default=2)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per endpoint")
    parser.add_argument(
        "--users",
        nargs="+",
        default=["province", "admin", "staff"],
        help="demo users: province sees Guizhou's 95 zones, admin every zone, staff one zone",
    )
    parser.add_argument("--only", nargs="+", help="endpoint keys to measure (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure a database kept by --keep (migrate only, no reload); implies --keep",
    )
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE the SQL of endpoints over budget"
    )
    return parser.parse_args(argv)


# --- loading --------------------------------------------------------------------------------


def seed(zones: int, per_zone: int) -> tuple[float, str]:
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command(
        "seed_demo", "--zones", str(zones), "--enterprises-per-zone", str(per_zone), stdout=out
    )
    return time.perf_counter() - started, out.getvalue()


# Zones are drawn from the demo projects' zone column, so each zone gets the demo's share (by its
# output tier); a third of a demo zone's projects keep its lead and leader, as in the demo.
TOP_UP_PROJECTS = """
WITH pool AS (
    SELECT array_agg(zone_id ORDER BY id) AS ids, count(*) AS n FROM investment_project
),
people AS (
    SELECT DISTINCT ON (zone_id) zone_id, lead_id, responsible_leader_id
    FROM investment_project ORDER BY zone_id, id
),
refs AS (
    SELECT (SELECT array_agg(id ORDER BY id) FROM zones_industry) AS industries,
           (SELECT array_agg(id ORDER BY id) FROM zones_province) AS provinces
),
gen AS (
    SELECT g, random() AS r_zone, random() AS r_stage, random() AS r_mode, random() AS r_days,
           random() AS r_created, random() AS r_ind, 1 - random() AS u1, random() AS u2,
           random() AS r_origin, random() AS r_pick, random() AS r_a, random() AS r_b,
           random() AS r_c
    FROM generate_series(1, %(n)s) AS g
),
picked AS (
    SELECT gen.*, pool.ids[1 + floor(gen.r_zone * pool.n)::int] AS zone_id,
        CASE
            WHEN r_stage < 0.18 THEN 'lead' WHEN r_stage < 0.36 THEN 'negotiating'
            WHEN r_stage < 0.48 THEN 'signed' WHEN r_stage < 0.58 THEN 'registered'
            WHEN r_stage < 0.73 THEN 'started' WHEN r_stage < 0.86 THEN 'in_production'
            WHEN r_stage < 0.93 THEN 'full_capacity' ELSE 'terminated'
        END AS stage,
        CASE
            WHEN r_mode < 0.20 THEN 'specialised' WHEN r_mode < 0.32 THEN 'resident'
            WHEN r_mode < 0.40 THEN 'returnee' WHEN r_mode < 0.50 THEN 'investment_led'
            WHEN r_mode < 0.60 THEN 'platform' WHEN r_mode < 0.74 THEN 'promotion'
            WHEN r_mode < 0.88 THEN 'business_referral' WHEN r_mode < 0.96 THEN 'intermediary'
            ELSE 'other'
        END AS mode
    FROM gen, pool
),
shaped AS (
    SELECT p.*, z.code AS zone_code, z.name AS zone_name,
        CASE WHEN r_ind < 0.6 AND z.leading_industry_id IS NOT NULL THEN z.leading_industry_id
             ELSE refs.industries[1 + floor(r_ind * array_length(refs.industries, 1))::int]
        END AS industry_id,
        z.leading_industry_id,
        refs.provinces,
        round((CASE z.output_tier
            WHEN '1000+' THEN 80000 WHEN '500-1000' THEN 60000 WHEN '300-500' THEN 45000
            WHEN '200-300' THEN 35000 WHEN '100-200' THEN 25000 WHEN '50-100' THEN 15000
            ELSE 8000 END
            * exp(0.7 * sqrt(-2 * ln(u1)) * cos(2 * pi() * u2)))::numeric, 2) AS planned,
        %(today)s::date - floor(r_days * CASE WHEN p.stage = 'lead' THEN 300 ELSE 1000 END)::int
            AS since
    FROM picked p JOIN zones_zone z ON z.id = p.zone_id, refs
)
INSERT INTO investment_project (
    code, name, zone_id, investor_name, origin_type, origin_province_id, origin_city,
    origin_country, industry_id, serves_leading_industry, chain_position, promotion_mode,
    planned_investment, planned_investment_this_year, land_mu, expected_annual_output,
    expected_annual_tax, expected_jobs, responsible_leader_id, lead_id, blocking_problems,
    coordination_requests, enterprise_id, stage, stage_since, terminated_reason,
    completed_investment, created_at, updated_at
)
SELECT
    format('XM-%%s-%%s-B%%s', s.zone_code,
           extract(year FROM s.since - floor(r_created * 200)::int), lpad(g::text, 7, '0')),
    format('%%s%%s项目（%%s）',
           (ARRAY['年产10万吨', '新建', '扩建', '技改', '智能制造', '绿色', '数字化', '高端'])
               [1 + floor(r_a * 8)::int],
           i.name, left(s.zone_name, 6)),
    s.zone_id,
    (ARRAY['深圳', '上海', '杭州', '苏州', '北京', '贵阳', '重庆', '成都', '青岛', '厦门',
           '长沙', '武汉'])[1 + floor(r_c * 12)::int]
        || w.first || w.second
        || (ARRAY['科技', '实业', '投资', '新材料', '能源', '制造', '集团'])
               [1 + floor(r_pick * 7)::int]
        || '有限公司',
    CASE WHEN r_origin < 0.05 THEN 'hmt' WHEN r_origin < 0.10 THEN 'foreign' ELSE 'domestic' END,
    CASE WHEN r_origin >= 0.10
         THEN s.provinces[1 + floor(r_origin * array_length(s.provinces, 1) * 0.999)::int] END,
    '',
    CASE WHEN r_origin < 0.05 THEN '香港' WHEN r_origin < 0.10 THEN '新加坡' ELSE '' END,
    s.industry_id,
    s.industry_id = s.leading_industry_id,
    (ARRAY['upstream', 'midstream', 'downstream'])[1 + floor(r_b * 3)::int],
    s.mode,
    s.planned,
    round(s.planned * (0.1 + 0.5 * r_b)::numeric, 2),
    round(s.planned / (250 + 350 * r_a)::numeric, 2),
    round(s.planned * (0.8 + 1.7 * r_c)::numeric, 2),
    round(s.planned * (0.03 + 0.07 * r_pick)::numeric, 2),
    20 + floor(r_days * 1480)::int,
    CASE WHEN r_pick < 0.34 THEN pp.responsible_leader_id END,
    CASE WHEN r_pick < 0.34 THEN pp.lead_id END,
    CASE WHEN r_a < 0.15 THEN '基准：用地报批进度偏慢' ELSE '' END,
    '',
    NULL,
    s.stage,
    s.since,
    CASE WHEN s.stage = 'terminated' THEN '基准：投资方调整战略布局' ELSE '' END,
    CASE WHEN s.stage IN ('signed', 'registered', 'started', 'in_production')
              THEN round(s.planned * (0.8 * r_b)::numeric, 2)
         WHEN s.stage = 'full_capacity' THEN round(s.planned * (0.9 + 0.15 * r_b)::numeric, 2)
         ELSE 0 END,
    (s.since - floor(r_created * 200)::int) + time '10:00',
    now()
FROM shaped s
JOIN zones_industry i ON i.id = s.industry_id
LEFT JOIN people pp ON pp.zone_id = s.zone_id
CROSS JOIN LATERAL (
    SELECT (ARRAY['华', '鑫', '瑞', '泰', '恒', '达', '盛', '兴', '宏', '远', '丰', '源', '德',
                  '信', '安', '祥', '润', '博', '智', '创', '腾', '飞', '海', '天', '金', '银',
                  '中', '科', '新', '宇'])[1 + floor(r_a * 30)::int] AS first,
           (ARRAY['华', '鑫', '瑞', '泰', '恒', '达', '盛', '兴', '宏', '远', '丰', '源', '德',
                  '信', '安', '祥', '润', '博', '智', '创', '腾', '飞', '海', '天', '金', '银',
                  '中', '科', '新', '宇'])[1 + floor(r_b * 30)::int] AS second
) AS w
"""

# 3-6 milestones for every project of the top-up at 签约 or later (not terminated before it),
# planned every 60-150 days from a signing date; a past milestone is done 88 % of the time,
# so the rest of the past ones are overdue.
TOP_UP_MILESTONES = """
INSERT INTO investment_milestone (
    project_id, title, planned_date, actual_date, owner_id, status, position, note, created_at,
    updated_at
)
SELECT m.project_id, m.title, m.planned, CASE WHEN m.done THEN m.planned END, m.owner_id,
       CASE WHEN m.done THEN 'done'
            WHEN m.planned <= %(today)s::date + 60 THEN 'in_progress'
            ELSE 'not_started' END,
       m.position, '', now(), now()
FROM (
    SELECT p.id AS project_id, p.lead_id AS owner_id, pos AS position,
           (ARRAY['完成项目备案', '取得用地批复', '取得施工许可', '主体工程开工',
                  '设备安装调试', '竣工投产'])[pos] AS title,
           p.sign_date + pos * p.step AS planned,
           p.sign_date + pos * p.step < %(today)s::date AND random() < 0.88 AS done
    FROM (
        SELECT id, lead_id, stage_since - CASE WHEN stage = 'signed' THEN 0
                                               ELSE floor(random() * 300)::int END AS sign_date,
               60 + floor(random() * 90)::int AS step,
               3 + floor(random() * 4)::int AS n
        FROM investment_project
        WHERE id > %(after)s
          AND stage IN ('signed', 'registered', 'started', 'in_production', 'full_capacity')
    ) AS p
    CROSS JOIN LATERAL generate_series(1, p.n) AS pos
) AS m
"""


def top_up(total: int) -> dict[str, float]:
    """Insert projects (and their milestones) until there are ``total``; VACUUM ANALYZE."""
    from django.db import connection, transaction
    from django.utils import timezone

    timings = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM investment_project")
        existing, after = cursor.fetchone()
    missing = max(total - existing, 0)
    params = {"n": missing, "today": timezone.localdate(), "after": after}
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(TOP_UP_PROJECTS, params)
        timings[f"projects +{missing:,}"] = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(TOP_UP_MILESTONES, params)
        timings[f"milestones +{cursor.rowcount:,}"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    timings["vacuum analyze"] = time.perf_counter() - started
    return timings


def describe() -> list[str]:
    from django.contrib.auth import get_user_model

    from investment.models import Milestone, Project

    lines = [
        f"projects {Project.objects.count():,}, milestones {Milestone.objects.count():,}",
    ]
    for username in ("province", "admin", "staff"):
        user = get_user_model().objects.get(username=username)
        lines.append(f"{username} sees {Project.objects.for_user(user).count():,} projects")
    return lines


# --- measuring ------------------------------------------------------------------------------


def _page_figures(result: dict) -> None:
    """Rows and total of an HTML list page (the API's come from its JSON)."""
    if result.get("status") != 200 or result["rows"] is not None:
        return
    html = result["body"].decode()
    result["rows"] = len(set(re.findall(r'href="/projects/(\d+)/"', html)))
    total = re.search(r"共 ([\d,+]+) 条", html)
    result["count"] = total.group(1) if total else 0


def measure(args: argparse.Namespace) -> dict[tuple[str, str], dict]:
    results = {}
    chosen = [(k, u) for k, u in endpoints() if not args.only or k in args.only]
    for username in args.users:
        client = _common.logged_in_client(username)
        for key, url in chosen:
            started = time.perf_counter()
            results[(username, key)] = r = _common.measure_one(client, url, args.requests)
            _page_figures(r)
            if r["status"] == 200:
                print(
                    f"  {username:<9} {unquote(url):<46} median {r['median']:7.1f} ms "
                    f"({time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
    return results


def report(results: dict[tuple[str, str], dict], args: argparse.Namespace) -> None:
    print()
    print(
        f"{'user':<9} {'endpoint':<48} {'status':>6} {'rows':>5} {'count':>9} {'median ms':>10} "
        f"{'p95 ms':>8} {'sql ms':>7} {'queries':>8}"
    )
    chosen = [(k, u) for k, u in endpoints() if not args.only or k in args.only]
    for username in args.users:
        for key, url in chosen:
            r = results[(username, key)]
            head = f"{username:<9} GET {unquote(url):<44}"
            if r["status"] != 200:
                print(f"{head} {r['status']!s:>6}   (not available)")
                continue
            rows = "" if r["rows"] is None else r["rows"]
            count = r["count"] if isinstance(r["count"], str) else f"{r['count']:,}"
            over = "  > budget" if r["median"] > BUDGET_MS else ""
            print(
                f"{head} {r['status']:>6} {rows!s:>5} {count:>9} {r['median']:>10.1f} "
                f"{r['p95']:>8.1f} {r['sql_ms']:>7.1f} {r['queries']:>8}{over}"
            )
    print()
    print("query count by user: " + " vs ".join(args.users))
    for key, url in chosen:
        counts = [results[(u, key)].get("queries") for u in args.users]
        verdict = "same" if len(set(counts)) == 1 and None not in counts else "DIFFERS"
        print(f"  GET {unquote(url):<44} {' vs '.join(map(str, counts)):<14} {verdict}")


def explain(results: dict[tuple[str, str], dict]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the two slowest statements of each endpoint over budget."""
    from django.db import connection

    for (username, key), r in results.items():
        if r.get("status") != 200 or r["median"] <= BUDGET_MS:
            continue
        timed = []
        with connection.cursor() as cursor:
            for sql in r["sql"]:
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                timed.append(((time.perf_counter() - started) * 1000, sql))
            timed.sort(reverse=True)
            for ms, sql in timed[:2]:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join("    " + row[0] for row in cursor.fetchall())
                print(f"\n--- {username} {key}: {ms:.1f} ms\n    {sql[:600]}\n{plan}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not _common.is_postgres_url():
        print("projects_national.py needs DATABASE_URL=postgres://... (a PostgreSQL server)")
        return 2
    args.keep = args.keep or args.reuse
    backend = _common.configure(BENCH_DB, _common.ROOT / "var" / "bench")
    from django.conf import settings
    from django.core.management import call_command

    print(f"database: {backend} {settings.DATABASES['default']['NAME']}")
    results = {}
    try:
        if args.reuse and _common.database_exists(BENCH_DB):
            started = time.perf_counter()
            call_command("migrate", verbosity=0)
            print(f"reusing {BENCH_DB}; migrate took {time.perf_counter() - started:.1f} s")
        else:
            _common.fresh_database(backend, BENCH_DB)
            started = time.perf_counter()
            call_command("migrate", verbosity=0)
            print(f"migrate: {time.perf_counter() - started:.1f} s")
            seconds, output = seed(args.zones, args.enterprises_per_zone)
            print(
                f"seed_demo --zones {args.zones} --enterprises-per-zone "
                f"{args.enterprises_per_zone}: {seconds:.1f} s"
            )
            print("\n".join("  " + line for line in output.strip().splitlines()))
            started = time.perf_counter()
            for name, seconds in top_up(args.projects).items():
                print(f"  top-up {name:<24} {seconds:7.1f} s")
            print(f"top-up to {args.projects:,} projects: {time.perf_counter() - started:.1f} s")
        for line in describe():
            print("  " + line)
        results = measure(args)
        report(results, args)
        if args.explain:
            explain(results)
    finally:
        if not args.keep:
            _common.drop_database(backend, BENCH_DB)
    return 0


if __name__ == "__main__":
    sys.exit(main())
