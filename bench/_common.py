"""Helpers shared by the list benchmarks (national_scale.py, projects_national.py).

Each benchmark runs in a database of its own, never the development database: a SQLite file
under ``var_dir`` or, when DATABASE_URL points at PostgreSQL, a dedicated database on that
server, created by the benchmark and dropped at the end. Timing is in-process with
``django.test.Client`` (middleware, view, template or serializer), DEBUG off.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def is_postgres_url(url: str | None = None) -> bool:
    url = os.environ.get("DATABASE_URL", "") if url is None else url
    return url.startswith(("postgres://", "postgresql://"))


def configure(db_name: str, var_dir: str | Path) -> str:
    """Point the settings at the bench database before Django starts; return the backend.

    PostgreSQL when DATABASE_URL points at a PostgreSQL server (the database ``db_name`` on that
    server); otherwise a SQLite file under ``var_dir`` in embedded mode.
    """
    url = os.environ.get("DATABASE_URL", "")
    if is_postgres_url(url):
        os.environ["DATABASE_URL"] = urlsplit(url)._replace(path=f"/{db_name}").geturl()
        backend = "postgresql"
    else:
        if url:
            print(f"DATABASE_URL is not PostgreSQL; using a SQLite file under {var_dir}")
        os.environ.pop("DATABASE_URL", None)
        os.environ["DEVZONE_VAR_DIR"] = str(var_dir)  # embedded mode, same SQLite options
        Path(var_dir, "static").mkdir(parents=True, exist_ok=True)  # quiets WhiteNoise
        backend = "sqlite"
    os.environ.setdefault("DEBUG", "false")  # as in production: no per-request query log
    os.environ["DJANGO_SETTINGS_MODULE"] = "devzone.settings"
    import django

    django.setup()
    return backend


def fresh_database(backend: str, db_name: str) -> None:
    """An empty database: delete the SQLite file or drop and create the PostgreSQL one."""
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    db = settings.DATABASES["default"]
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db['NAME']}{suffix}").unlink(missing_ok=True)
        return
    postgres_admin(db, f'DROP DATABASE IF EXISTS "{db_name}"', f'CREATE DATABASE "{db_name}"')


def drop_database(backend: str, db_name: str) -> None:
    from django.conf import settings
    from django.db import connections

    if backend == "postgresql":
        connections.close_all()
        postgres_admin(settings.DATABASES["default"], f'DROP DATABASE IF EXISTS "{db_name}"')


def database_exists(db_name: str) -> bool:
    from django.conf import settings

    rows = postgres_admin(
        settings.DATABASES["default"],
        ("SELECT 1 FROM pg_database WHERE datname = %s", [db_name]),
    )
    return bool(rows[-1])


def postgres_admin(db: dict, *statements) -> list[list[tuple]]:
    """Run statements on the server's ``postgres`` database (autocommit); return their rows.

    A statement is SQL text, or a ``(sql, params)`` pair.
    """
    import psycopg

    results = []
    with psycopg.connect(
        dbname="postgres",
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        autocommit=True,
    ) as conn:
        for statement in statements:
            sql, params = (statement, None) if isinstance(statement, str) else statement
            cursor = conn.execute(sql, params)
            results.append(cursor.fetchall() if cursor.description else [])
    return results


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def logged_in_client(username: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username=username))
    return client


def measure_one(client, url: str, requests: int) -> dict:
    """One warm-up, ``requests`` timed GETs, then one more under CaptureQueriesContext.

    Returns status, median and p95 milliseconds, the query count, the captured SQL, the time the
    database took for that last request (``sql_ms``), the rows of a JSON list (``results`` of a
    page, or the list itself) and its ``count``, and the last response's body.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    try:
        first = client.get(url)  # warm-up: templates, URL resolver, connection
    except Exception as exc:  # a view still being written elsewhere: report, go on
        return {"status": f"error: {type(exc).__name__}: {exc}"[:60]}
    if first.status_code != 200:
        return {"status": first.status_code}
    times = []
    for _i in range(requests):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    rows = count = None
    if response.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        rows = len(body.get("results", body)) if isinstance(body, dict) else len(body)
        count = body.get("count") if isinstance(body, dict) else None
    return {
        "status": 200,
        "median": statistics.median(times),
        "p95": p95(times),
        "queries": len(queries),
        "sql": [q["sql"] for q in queries.captured_queries],
        "sql_ms": sum(float(q["time"]) for q in queries.captured_queries) * 1000,
        "rows": rows,
        "count": count,
        "body": response.content,
    }
