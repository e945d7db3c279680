"""Backups: ``manage.py backup`` puts the database and the uploaded files in one archive, and
``manage.py restore`` brings every record and every file back into an empty database, on SQLite
and on PostgreSQL, after checking each file's SHA-256 against the manifest.

A tampered or truncated archive, an archive of the other database vendor and a target that
already holds data (without --force) are refused, and the target is left exactly as it was.

The restores run as separate processes with their own DATABASE_URL and DEVZONE_VAR_DIR, as an
operator would run them on a new machine. The SQLite source is built in a process of its own too,
so that these tests run whichever database the test run itself uses.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from devzone.backup import BackupError, create_backup, read_archive
from tests.conftest import PASSWORD, _database_url_of

BASE_DIR = Path(settings.BASE_DIR)
EVIDENCE_NAME = "用地批复.pdf"


# --- the world that is backed up ------------------------------------------------------------


def build_world(staff, zone) -> None:
    """Records of the platform's main kinds, made through the services where they exist: an
    enterprise and yearly figures, a signed project with a milestone carrying an evidence PDF
    and last month's progress report, and a finished monthly report with its PDF file."""
    from investment import services
    from investment.models import ProjectStage
    from tests.factories import EnterpriseFactory, IndicatorFactory, ensure_scoring_reference_data
    from tests.investment.helpers import days_ago, make_project
    from tests.investment.test_evidence import pdf_bytes
    from zones import reports
    from zones.methodology import active_methodology
    from zones.models import ReportKind, ReportStatus
    from zones.recompute import previous_month

    ensure_scoring_reference_data()
    EnterpriseFactory(zone=zone, name="贵阳备份测试铝业有限公司")
    IndicatorFactory(zone=zone, year=2025)
    project = make_project(staff, zone, stage=ProjectStage.SIGNED)
    milestone = services.create_milestone(
        staff, project, {"title": "取得用地批复", "planned_date": days_ago(5)}
    )
    upload = SimpleUploadedFile(EVIDENCE_NAME, pdf_bytes("backup evidence"))
    services.attach_evidence(staff, milestone, upload, "用地批复扫描件")
    period = previous_month()
    services.submit_report(
        staff,
        project,
        period.year,
        period.month,
        {"investment_this_month": Decimal("120"), "progress": "厂房主体完工"},
    )
    report = reports.report_row(ReportKind.ZONE, zone.pk, period, active_methodology())
    pdf = pdf_bytes("monthly report")
    report.file.save("report.pdf", ContentFile(pdf), save=False)
    report.status, report.size, report.pages = ReportStatus.DONE, len(pdf), 1
    report.save()


def build_world_in_its_own_database() -> None:
    """Run by ``python -c`` in a process whose DATABASE_URL is a migrated database of its own."""
    import django

    django.setup()
    from tests.factories import MembershipFactory, UserFactory, ZoneFactory, prefecture

    zone = ZoneFactory(code="TZ-A", name="测试开发区A", prefecture=prefecture("贵阳市"))
    ZoneFactory(code="TZ-B", name="测试开发区B", prefecture=prefecture("遵义市"))
    staff = UserFactory(username="t_staff_a", password=PASSWORD)
    MembershipFactory(user=staff, role="zone_staff", zone=zone)
    build_world(staff, zone)


# --- running the commands as an operator would -----------------------------------------------


def run(args: list[str], var_dir: Path, database_url: str, *, ok: bool = True):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "devzone.settings",
        "DEVZONE_VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url,
    }
    result = subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if ok:
        assert result.returncode == 0, result.stdout + result.stderr
    else:
        assert result.returncode != 0, result.stdout
    return result


def manage(*args: str, var_dir: Path, database_url: str, ok: bool = True):
    return run(["manage.py", *args], var_dir, database_url, ok=ok)


def sqlite_url(var_dir: Path) -> str:
    return f"sqlite:///{var_dir / 'devzone.sqlite3'}"


@dataclass
class SqliteWorld:
    var_dir: Path
    archive: Path
    backup_output: str

    @property
    def database(self) -> Path:
        return self.var_dir / "devzone.sqlite3"


@pytest.fixture(scope="module")
def sqlite_world(tmp_path_factory) -> SqliteWorld:
    """A migrated SQLite database with the world in it, and its backup (built once)."""
    var_dir = tmp_path_factory.mktemp("sqlite-source")
    url = sqlite_url(var_dir)
    manage("migrate", "--noinput", "-v", "0", var_dir=var_dir, database_url=url)
    code = "from tests.devzone.test_backup import build_world_in_its_own_database as b; b()"
    run(["-c", code], var_dir, url)
    archive = tmp_path_factory.mktemp("archives") / "devzone-sqlite.tar.gz"
    result = manage("backup", "--output", str(archive), var_dir=var_dir, database_url=url)
    return SqliteWorld(var_dir=var_dir, archive=archive, backup_output=result.stdout)


# --- reading what a database and a media folder hold ----------------------------------------


def every_row(cursor, tables_sql: str) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    tables = [name for (name,) in cursor.execute(tables_sql).fetchall()]
    return {
        table: sorted(cursor.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
        for table in tables
    }


def sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    with closing(sqlite3.connect(path)) as db:
        return every_row(
            db.cursor(),
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_stat1'",
        )


def files_of(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def records(rows: dict[str, list[tuple]], columns, table: str) -> list[dict]:
    names = columns(table)
    return [dict(zip(names, row, strict=True)) for row in rows[table]]


def assert_every_file_matches_its_row(rows: dict[str, list[tuple]], media: Path, columns) -> None:
    """The evidence row's sha256 is the hash of the restored file; the report's size its size."""
    evidence = records(rows, columns, "investment_evidence")
    assert [e["original_name"] for e in evidence] == [EVIDENCE_NAME]
    stored = (media / evidence[0]["file"]).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == evidence[0]["sha256"]
    (report,) = records(rows, columns, "zones_report")
    assert report["file"].startswith("reports/")
    assert (media / report["file"]).read_bytes().startswith(b"%PDF-")
    assert (media / report["file"]).stat().st_size == report["size"]


def sqlite_columns(path: Path):
    def columns(table: str) -> list[str]:
        with closing(sqlite3.connect(path)) as db:
            return [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]

    return columns


# --- SQLite ---------------------------------------------------------------------------------


def test_sqlite_backup_restores_every_record_and_file_into_an_empty_database(
    sqlite_world, tmp_path
):
    manifest = manifest_of(sqlite_world.archive)
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["rows"]["investment.Evidence"] == {"table": "investment_evidence", "rows": 1}
    assert manifest["rows"]["zones.Report"]["rows"] == 1
    assert ["investment", "0003_evidence"] in manifest["migrations"]
    assert len(manifest["media"]) == 2  # the evidence PDF and the report PDF
    assert str(sqlite_world.archive) in sqlite_world.backup_output
    assert "上传的文件：2 个" in sqlite_world.backup_output

    target = tmp_path / "new-machine"
    result = manage(
        "restore", str(sqlite_world.archive), var_dir=target, database_url=sqlite_url(target)
    )

    assert "上传的文件：2 个" in result.stdout
    source_rows = sqlite_rows(sqlite_world.database)
    restored_rows = sqlite_rows(target / "devzone.sqlite3")
    assert restored_rows == source_rows
    assert sum(len(rows) for rows in restored_rows.values()) > 500
    assert files_of(target / "media") == files_of(sqlite_world.var_dir / "media")
    columns = sqlite_columns(target / "devzone.sqlite3")
    assert_every_file_matches_its_row(restored_rows, target / "media", columns)
    with closing(sqlite3.connect(target / "devzone.sqlite3")) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # as the settings open it


def test_a_backup_taken_while_the_platform_writes_holds_what_was_committed_and_nothing_else(
    sqlite_world, tmp_path
):
    live = tmp_path / "live"
    live.mkdir()
    database = live / "devzone.sqlite3"
    with (
        closing(sqlite3.connect(sqlite_world.database)) as source,
        closing(sqlite3.connect(database)) as copy,
    ):
        source.backup(copy)
    writer = sqlite3.connect(database, isolation_level=None)
    busy = sqlite3.connect(database, isolation_level=None)
    try:
        # committed, but still only in the -wal file (no checkpoint yet), as under a running app
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("UPDATE zones_zone SET name = '已提交的名字' WHERE code = 'TZ-A'")
        # and a write transaction still open
        busy.execute("BEGIN IMMEDIATE")
        busy.execute("UPDATE zones_zone SET name = '未提交的名字' WHERE code = 'TZ-B'")
        archive = tmp_path / "live.tar.gz"

        manage("backup", "--output", str(archive), var_dir=live, database_url=sqlite_url(live))
    finally:
        busy.close()
        writer.close()

    with tarfile.open(archive) as tar:
        (tmp_path / "copy.sqlite3").write_bytes(tar.extractfile("database/devzone.sqlite3").read())
    with closing(sqlite3.connect(tmp_path / "copy.sqlite3")) as copy:
        names = dict(copy.execute("SELECT code, name FROM zones_zone"))
    assert names["TZ-A"] == "已提交的名字"
    assert names["TZ-B"] == "测试开发区B"


def rewrite_archive(source: Path, destination: Path, change) -> None:
    """Copy an archive member by member, passing each member's bytes through ``change``."""
    with tarfile.open(source) as old, tarfile.open(destination, "w:gz") as new:
        for info in old.getmembers():
            data = change(info.name, old.extractfile(info).read())
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))


def test_a_tampered_archive_is_refused_naming_the_file_and_nothing_is_restored(
    sqlite_world, tmp_path
):
    evidence = next(
        f"media/{m['path']}"
        for m in manifest_of(sqlite_world.archive)["media"]
        if m["path"].startswith("evidence/")
    )
    tampered = tmp_path / "tampered.tar.gz"
    # the evidence file's bytes altered, its size kept: only the hash can tell
    rewrite_archive(
        sqlite_world.archive,
        tampered,
        lambda name, data: data.replace(b"backup evidence", b"forged evidence")
        if name == evidence
        else data,
    )
    target = tmp_path / "new-machine"

    result = manage(
        "restore", str(tampered), var_dir=target, database_url=sqlite_url(target), ok=False
    )

    assert f"{evidence}：SHA-256 与清单不符" in result.stderr
    assert "未做任何恢复" in result.stderr
    assert not (target / "media").exists()
    assert not (target / "devzone.sqlite3").exists()


def test_a_truncated_archive_is_refused_as_incomplete(sqlite_world, tmp_path):
    truncated = tmp_path / "truncated.tar.gz"
    data = sqlite_world.archive.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])

    with pytest.raises(BackupError, match="truncated.tar.gz") as refusal:
        read_archive(truncated, tmp_path / "staging")

    assert "不完整" in str(refusal.value)


def test_an_archive_whose_file_is_missing_names_it(sqlite_world, tmp_path):
    manifest = manifest_of(sqlite_world.archive)
    report = next(f"media/{m['path']}" for m in manifest["media"] if "reports/" in m["path"])
    stripped = tmp_path / "stripped.tar.gz"
    with tarfile.open(sqlite_world.archive) as old, tarfile.open(stripped, "w:gz") as new:
        for info in old.getmembers():
            if info.name != report:
                new.addfile(info, old.extractfile(info))

    with pytest.raises(BackupError, match=f"{report}：清单中有，备份里没有这个文件"):
        read_archive(stripped, tmp_path / "staging")


def test_restoring_onto_a_database_in_use_is_refused_without_force_and_changes_nothing(
    sqlite_world, tmp_path
):
    target = tmp_path / "in-use"
    url = sqlite_url(target)
    manage("restore", str(sqlite_world.archive), var_dir=target, database_url=url)
    # the platform is used after the restore: a zone renamed, a file uploaded
    with closing(sqlite3.connect(target / "devzone.sqlite3")) as db, db:
        db.execute("UPDATE zones_zone SET name = '改名后的开发区' WHERE code = 'TZ-A'")
    (target / "media" / "evidence" / "later.pdf").write_bytes(b"%PDF-1.4 uploaded later")
    rows_before, files_before = sqlite_rows(target / "devzone.sqlite3"), files_of(target / "media")

    refused = manage(
        "restore", str(sqlite_world.archive), var_dir=target, database_url=url, ok=False
    )

    assert "目标不是空的" in refused.stderr and "用户账号" in refused.stderr
    assert "--force" in refused.stderr
    assert sqlite_rows(target / "devzone.sqlite3") == rows_before
    assert files_of(target / "media") == files_before
    assert not [p for p in target.iterdir() if p.name.startswith(".restore-")]

    manage("restore", str(sqlite_world.archive), "--force", var_dir=target, database_url=url)

    assert sqlite_rows(target / "devzone.sqlite3") == sqlite_rows(sqlite_world.database)
    assert files_of(target / "media") == files_of(sqlite_world.var_dir / "media")


# --- PostgreSQL -----------------------------------------------------------------------------


def pg_connect(dbname: str):
    import psycopg
    from django.db import connection

    params = connection.settings_dict
    return psycopg.connect(
        dbname=dbname,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
    )


def pg_rows(dbname: str) -> dict[str, list[tuple]]:
    with pg_connect(dbname) as db:
        return every_row(
            db.cursor(),
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        )


def pg_sequences(dbname: str) -> dict[str, int | None]:
    with pg_connect(dbname) as db:
        return dict(db.execute("SELECT sequencename, last_value FROM pg_sequences").fetchall())


def pg_columns(dbname: str):
    def columns(table: str) -> list[str]:
        with pg_connect(dbname) as db:
            return [c.name for c in db.execute(f'SELECT * FROM "{table}" LIMIT 0').description]

    return columns


@pytest.fixture
def empty_postgres_database():
    """A new, empty database beside the test database (createdb), dropped afterwards."""
    from django.db import connection

    params = connection.settings_dict
    name = f"{params['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    client = ["-h", params["HOST"] or "127.0.0.1", "-p", str(params["PORT"] or 5432)]
    client += ["-U", params["USER"]] if params["USER"] else []
    env = {**os.environ, **({"PGPASSWORD": params["PASSWORD"]} if params["PASSWORD"] else {})}
    subprocess.run(["createdb", *client, name], check=True, env=env)
    yield name, _database_url_of({**params, "NAME": name})
    subprocess.run(["dropdb", "--force", "--if-exists", *client, name], check=True, env=env)


@pytest.mark.postgres
def test_postgresql_restore_finds_every_record_and_file_and_needs_force_over_a_used_database(
    transactional_db, cast, settings, tmp_path, sqlite_world, empty_postgres_database
):
    from django.db import connection

    settings.MEDIA_ROOT = tmp_path / "media"
    build_world(cast.staff_a, cast.zone_a)
    source = connection.settings_dict["NAME"]  # the test database, not DATABASE_URL's
    target_name, target_url = empty_postgres_database
    target = tmp_path / "new-machine"

    outcome = create_backup(tmp_path / "devzone.tar.gz")

    manifest = manifest_of(outcome.path)
    assert (manifest["database"]["vendor"], manifest["database"]["name"]) == ("postgresql", source)
    assert manifest["rows"]["investment.Evidence"]["rows"] == 1
    assert (outcome.files, outcome.rows) == (2, sum(e["rows"] for e in manifest["rows"].values()))

    refused = manage(
        "restore", str(sqlite_world.archive), var_dir=target, database_url=target_url, ok=False
    )
    assert "sqlite" in refused.stderr and "postgresql" in refused.stderr
    assert pg_rows(target_name) == {}

    manage("restore", str(outcome.path), var_dir=target, database_url=target_url)

    restored = pg_rows(target_name)
    assert restored == pg_rows(source)
    assert len(restored["auth_user"]) == len(cast.everyone())
    assert pg_sequences(target_name) == pg_sequences(source)
    assert files_of(target / "media") == files_of(tmp_path / "media")
    assert_every_file_matches_its_row(restored, target / "media", pg_columns(target_name))

    # the restored platform is used; restoring again needs --force and then replaces it all
    with pg_connect(target_name) as db:
        db.execute("UPDATE zones_zone SET name = '改名后的开发区' WHERE code = 'TZ-A'")
    used = pg_rows(target_name)
    refused = manage(
        "restore", str(outcome.path), var_dir=target, database_url=target_url, ok=False
    )
    assert "用户账号" in refused.stderr
    assert pg_rows(target_name) == used

    manage("restore", str(outcome.path), "--force", var_dir=target, database_url=target_url)

    assert pg_rows(target_name) == pg_rows(source)


def test_the_default_archive_name_carries_the_local_time(settings, tmp_path):
    from devzone.backup import default_backup_path

    settings.VAR_DIR = tmp_path
    moment = datetime.datetime(2026, 3, 1, 17, 5, 9, tzinfo=datetime.UTC)  # 01:05:09 in Shanghai

    assert default_backup_path(moment) == tmp_path / "backups" / "devzone-20260302-010509.tar.gz"
