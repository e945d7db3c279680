"""Backups: the database and the uploaded files in one archive that proves itself on restore.

An archive (``var/backups/devzone-YYYYmmdd-HHMMSS.tar.gz``) holds, in this order:

- ``database/devzone.dump`` (PostgreSQL: ``pg_dump --format=custom``) or
  ``database/devzone.sqlite3`` (SQLite: a copy made with SQLite's online backup API, consistent
  while the platform keeps writing; a file copy of a WAL database is not);
- ``media/…``: every regular file under MEDIA_ROOT (evidence files, report PDFs, import files);
- ``manifest.json``, last because it records the size and SHA-256 of every file written before
  it, with the time, the Django and devzone versions, the database vendor, the migrations
  applied and the rows of every model's table.

The row counts and the dump describe the same moment: on PostgreSQL both are read in one
repeatable-read snapshot (``pg_dump --snapshot``), on SQLite both come from the copy.

A restore checks the whole archive before it touches anything (every file against the
manifest, the vendor, and, unless forced, that the target holds no data), writes the database in
one transaction (``pg_restore --single-transaction``; SQLite's backup API in one step), compares
the row counts with the manifest, and only then moves the media folder, extracted beside the
live one, into place. The ``backup`` and ``restore`` management commands call
``create_backup`` and ``restore_backup``.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from contextlib import closing
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import django
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from devzone.text import join

FORMAT = "devzone-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_MEMBERS = {"postgresql": "database/devzone.dump", "sqlite": "database/devzone.sqlite3"}
CHUNK = 1024 * 1024
# libpq connection keywords that may sit in DATABASES OPTIONS and matter to pg_dump/pg_restore.
LIBPQ_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "service")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message names the file and the reason."""


@dataclass(frozen=True)
class Outcome:
    """What a backup wrote or a restore put back, for the command's report."""

    path: Path
    size: int
    vendor: str
    rows: int
    tables: int
    files: int
    file_bytes: int
    notes: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        return [
            _("大小：%(size)s（%(bytes)d 字节）")
            % {"size": filesizeformat(self.size), "bytes": self.size},
            _("数据库（%(vendor)s）：%(rows)d 行记录，%(tables)d 张表")
            % {"vendor": self.vendor, "rows": self.rows, "tables": self.tables},
            _("上传的文件：%(files)d 个，共 %(size)s")
            % {"files": self.files, "size": filesizeformat(self.file_bytes)},
        ]


# --- backup ---------------------------------------------------------------------------------


def default_backup_path(now: datetime.datetime | None = None) -> Path:
    """var/backups/devzone-YYYYmmdd-HHMMSS.tar.gz in local time (Asia/Shanghai)."""
    stamp = timezone.localtime(now or timezone.now())
    return Path(settings.VAR_DIR) / "backups" / f"devzone-{stamp:%Y%m%d-%H%M%S}.tar.gz"


def create_backup(output: Path | str | None = None, *, using: str = DEFAULT_DB_ALIAS) -> Outcome:
    """Write the database this process is connected to and MEDIA_ROOT into one archive.

    The archive appears under its name only when complete (written beside it, then renamed),
    readable by its owner only: it holds password hashes and personal data.
    """
    connection = connections[using]
    vendor = _vendor(connection)
    output = Path(output) if output else default_backup_path()
    media_root = Path(settings.MEDIA_ROOT)
    if output.exists():
        raise BackupError(_("%(path)s 已存在：不覆盖已有的备份。") % {"path": output})
    if output.resolve().is_relative_to(media_root.resolve()):
        raise BackupError(
            _("备份不能写在媒体文件夹 %(media)s 里：%(path)s")
            % {"media": media_root, "path": output}
        )
    output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=output.parent) as work:
        dump = Path(work) / PurePosixPath(DATABASE_MEMBERS[vendor]).name
        described = SNAPSHOTS[vendor](connection, dump)
        partial = Path(work) / "archive.tar.gz"
        with (
            open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as raw,
            tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar,
        ):
            database = _add_file(tar, dump, DATABASE_MEMBERS[vendor])
            media = []
            for path, name in media_files(media_root):
                try:
                    media.append({"path": name, **_add_file(tar, path, f"{MEDIA}/{name}")})
                except FileNotFoundError:  # deleted while the backup ran (an evidence removal)
                    continue
            manifest = _manifest(connection, vendor, database, described, media)
            _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        os.replace(partial, output)
    return _outcome(output, manifest)


def media_files(root: Path) -> list[tuple[Path, str]]:
    """Every regular file under ``root`` (symlinks left out), with its POSIX path inside it."""
    if not root.is_dir():
        return []
    found = []
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        for name in sorted(names):
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                found.append((path, path.relative_to(root).as_posix()))
    return found


def _manifest(connection, vendor: str, database: dict, described: dict, media: list) -> dict:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.localtime().isoformat(timespec="seconds"),
        "django_version": django.get_version(),
        "app_version": _app_version(),
        "database": {
            "vendor": vendor,
            "name": str(connection.settings_dict["NAME"]),
            "file": DATABASE_MEMBERS[vendor],
            **database,
        },
        "migrations": described["migrations"],
        "rows": described["rows"],
        "media": media,
    }


def _app_version() -> str:
    try:
        return metadata.version("devzone")
    except metadata.PackageNotFoundError:
        return "unknown"


class _HashingReader:
    """Hands tarfile the bytes of a file while hashing exactly the bytes it archives."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    with open(path, "rb") as raw:
        info = tar.gettarinfo(arcname=name, fileobj=raw)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(raw)
        tar.addfile(info, reader)
    return {"size": info.size, "sha256": reader.sha256.hexdigest()}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _snapshot_sqlite(connection: BaseDatabaseWrapper, dump: Path) -> dict[str, Any]:
    """Copy the database with SQLite's online backup API (one step, one read snapshot)."""
    source_path = _sqlite_path(connection)
    if not source_path.is_file():
        raise BackupError(_("SQLite 数据库 %(path)s 不存在。") % {"path": source_path})
    timeout = connection.settings_dict.get("OPTIONS", {}).get("timeout", 20)
    with (
        closing(sqlite3.connect(source_path, timeout=timeout)) as source,
        closing(sqlite3.connect(dump)) as copy,
    ):
        source.backup(copy)
        # The copy stands alone: no -wal file to carry. The restored database is switched back
        # to WAL by the settings' init_command on its first connection.
        copy.execute("PRAGMA journal_mode=DELETE")
        return describe(copy.cursor(), "sqlite")


def _snapshot_postgresql(connection: BaseDatabaseWrapper, dump: Path) -> dict[str, Any]:
    """Count the rows and run pg_dump in one exported repeatable-read snapshot."""
    database = connection.Database.connect(**connection.get_connection_params())
    try:
        database.autocommit = True
        with database.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            described = describe(cursor, "postgresql")
            _run_pg(
                "pg_dump",
                ["--format=custom", f"--snapshot={snapshot}", f"--file={dump}"],
                connection.settings_dict,
            )
            cursor.execute("COMMIT")
    finally:
        database.close()
    return described


SNAPSHOTS = {"sqlite": _snapshot_sqlite, "postgresql": _snapshot_postgresql}


def describe(cursor, vendor: str) -> dict[str, Any]:
    """The migrations applied and the rows of every model's table, read through ``cursor``
    (a DB-API cursor on the database itself, a copy of it, or a snapshot)."""
    tables = set(table_names(cursor, vendor))
    rows = {}
    for label, table in model_tables():
        if table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
            rows[label] = {"table": table, "rows": cursor.fetchone()[0]}
    migrations = []
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        migrations = [[app, name] for app, name in cursor.fetchall()]
    return {"migrations": migrations, "rows": rows}


def model_tables() -> list[tuple[str, str]]:
    """(model label, table) of every concrete model, many-to-many tables included."""
    tables: dict[str, str] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.proxy and meta.managed:
            tables.setdefault(meta.db_table, meta.label)
    return sorted((label, table) for table, label in tables.items())


def table_names(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        cursor.execute(
            "SELECT tablename FROM pg_catalog.pg_tables"
            " WHERE schemaname = ANY (current_schemas(false))"
        )
    return [name for (name,) in cursor.fetchall()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- restore --------------------------------------------------------------------------------


def restore_backup(
    archive: Path | str, *, force: bool = False, using: str = DEFAULT_DB_ALIAS
) -> Outcome:
    """Put the database and the media files of ``archive`` back, or refuse without a change.

    Refused: an archive that does not match its manifest (a file missing, extra, truncated or
    altered), an archive of another database vendor, and, unless ``force``, a target that holds
    data (a user account in the database or a file in MEDIA_ROOT). Stop the web, worker and
    beat processes first: the restore replaces what they read.
    """
    archive = Path(archive)
    connection = connections[using]
    vendor = _vendor(connection)
    media_root = Path(settings.MEDIA_ROOT).resolve()
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=media_root.parent) as work:
        staging = Path(work)
        manifest = read_archive(archive, staging)
        if manifest["database"]["vendor"] != vendor:
            raise BackupError(
                _(
                    "%(archive)s 是 %(backup)s 数据库的备份，当前数据库是 %(target)s："
                    "不能跨数据库类型恢复，未做任何改动。"
                )
                % {"archive": archive, "backup": manifest["database"]["vendor"], "target": vendor}
            )
        if not force:
            refuse_if_in_use(connection, media_root)
        RESTORERS[vendor](connection, staging / manifest["database"]["file"], manifest)
        with connection.cursor() as cursor:
            _compare_rows(cursor, vendor, manifest, _("恢复后的数据库（已写入）"))
        _put_in_place(staging / MEDIA, media_root, staging / "media-replaced")
        notes = _migration_notes(connection, manifest)
    return _outcome(archive, manifest, notes)


def read_archive(archive: Path, into: Path) -> dict[str, Any]:
    """Extract ``archive`` into the folder ``into`` and check every file against the manifest;
    returns the manifest or raises BackupError naming each file that does not match."""
    if not archive.is_file():
        raise BackupError(_("找不到备份文件 %(path)s。") % {"path": archive})
    found: dict[str, dict[str, Any]] = {}
    manifest = None
    member = ""
    try:
        with tarfile.open(archive, mode="r|gz") as tar:
            for info in tar:
                member = info.name
                if info.isdir():
                    continue
                source = tar.extractfile(info) if info.isfile() else None
                if source is None:
                    raise BackupError(
                        _("%(archive)s 中的 %(member)s 不是普通文件，拒绝恢复。")
                        % {"archive": archive, "member": member}
                    )
                if member in found or (member == MANIFEST and manifest is not None):
                    raise BackupError(
                        _("%(archive)s 中的 %(member)s 出现了两次，拒绝恢复。")
                        % {"archive": archive, "member": member}
                    )
                if member == MANIFEST:
                    manifest = _parse_manifest(source.read(), archive)
                else:
                    destination = into / _member_path(member, archive)
                    found[member] = _copy(source, destination)
                    os.utime(destination, (info.mtime, info.mtime))
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise BackupError(
            _(
                "备份文件 %(archive)s 已损坏或不完整（读到 %(member)s 时出错：%(error)s），"
                "未做任何恢复。"
            )
            % {"archive": archive, "member": member or _("开头"), "error": exc}
        ) from exc
    if manifest is None:
        raise BackupError(
            _("%(archive)s 中没有 %(manifest)s：备份不完整（被截断）或不是 devzone 的备份。")
            % {"archive": archive, "manifest": MANIFEST}
        )
    _verify_files(manifest, found, archive)
    return manifest


def _member_path(name: str, archive: Path) -> Path:
    path = PurePosixPath(name)
    parts = path.parts
    if path.is_absolute() or ".." in parts or len(parts) < 2 or parts[0] not in ("database", MEDIA):
        raise BackupError(
            _("%(archive)s 中有不该出现的文件 %(member)s，拒绝恢复。")
            % {"archive": archive, "member": name}
        )
    return Path(*parts)


def _copy(source: BinaryIO, destination: Path) -> dict[str, Any]:
    destination.parent.mkdir(parents=True, exist_ok=True)
    sha256, size = hashlib.sha256(), 0
    with open(destination, "xb") as out:
        while chunk := source.read(CHUNK):
            sha256.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"size": size, "sha256": sha256.hexdigest()}


def _parse_manifest(data: bytes, archive: Path) -> dict[str, Any]:
    malformed = BackupError(
        _("%(archive)s 的 %(manifest)s 无法读取：不是 devzone 的备份清单。")
        % {"archive": archive, "manifest": MANIFEST}
    )
    try:
        manifest = json.loads(data)
        if manifest["format"] != FORMAT:
            raise malformed
        version = manifest["format_version"]
        if version > FORMAT_VERSION:
            raise BackupError(
                _("%(archive)s 由更新版本的 devzone 写成（格式 %(version)s），请先更新代码。")
                % {"archive": archive, "version": version}
            )
        database = manifest["database"]
        entries = [database, *manifest["media"]]
        well_formed = (
            DATABASE_MEMBERS.get(database["vendor"]) == database["file"]
            and all(isinstance(e["size"], int) and isinstance(e["sha256"], str) for e in entries)
            and all(isinstance(e["table"], str) for e in manifest["rows"].values())
            and isinstance(manifest["migrations"], list)
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise malformed from exc
    if not well_formed:
        raise malformed
    return manifest


def _verify_files(manifest: dict, found: dict[str, dict], archive: Path) -> None:
    expected = {manifest["database"]["file"]: manifest["database"]}
    expected.update({f"{MEDIA}/{entry['path']}": entry for entry in manifest["media"]})
    problems = []
    for name, entry in expected.items():
        got = found.get(name)
        if got is None:
            problems.append(_("%(name)s：清单中有，备份里没有这个文件") % {"name": name})
        elif got["size"] != entry["size"]:
            problems.append(
                _("%(name)s：%(got)d 字节，清单记载 %(want)d 字节")
                % {"name": name, "got": got["size"], "want": entry["size"]}
            )
        elif got["sha256"] != entry["sha256"]:
            problems.append(
                _("%(name)s：SHA-256 与清单不符（文件已损坏或被改动）") % {"name": name}
            )
    for name in sorted(set(found) - set(expected)):
        problems.append(_("%(name)s：不在清单中") % {"name": name})
    if problems:
        raise BackupError(
            _("备份文件 %(archive)s 校验失败，未做任何恢复：\n  %(problems)s")
            % {"archive": archive, "problems": "\n  ".join(problems)}
        )


def refuse_if_in_use(connection: BaseDatabaseWrapper, media_root: Path) -> None:
    """Refuse a target that holds data: a user account, or a file in the media folder.

    ``manage.py migrate`` loads reference data but never an account, while every use of the
    platform (seed_demo and createsuperuser included) starts with one; so a new database, or
    one that has only been migrated, counts as empty.
    """
    reasons = []
    users = _user_accounts(connection)
    if users:
        reasons.append(
            _("数据库 %(name)s 已有 %(count)d 个用户账号")
            % {"name": connection.settings_dict["NAME"], "count": users}
        )
    files = len(media_files(media_root))
    if files:
        reasons.append(
            _("媒体文件夹 %(path)s 已有 %(count)d 个文件") % {"path": media_root, "count": files}
        )
    if reasons:
        raise BackupError(
            _(
                "目标不是空的（%(reasons)s），未做任何改动。恢复会覆盖这些数据；"
                "确认要覆盖时加 --force（make restore FILE=… FORCE=1）。"
            )
            % {"reasons": "；".join(reasons)}
        )


def _user_accounts(connection: BaseDatabaseWrapper) -> int:
    table = get_user_model()._meta.db_table
    with connection.cursor() as cursor:
        if table not in table_names(cursor, connection.vendor):
            return 0
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        return cursor.fetchone()[0]


def _restore_sqlite(connection: BaseDatabaseWrapper, database: Path, manifest: dict) -> None:
    """Check the archived copy, then write it over the target with SQLite's backup API: one
    step under the target's write lock, so the target is either all old or all new."""
    target = _sqlite_path(connection)
    with closing(sqlite3.connect(database)) as copy:
        (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
        if verdict != "ok":
            raise BackupError(
                _("备份中的 SQLite 数据库已损坏（%(verdict)s），未做任何恢复。")
                % {"verdict": verdict}
            )
        _compare_rows(copy.cursor(), "sqlite", manifest, _("备份中的数据库"))
    connection.close()
    timeout = connection.settings_dict.get("OPTIONS", {}).get("timeout", 20)
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(database)) as source,
        closing(sqlite3.connect(target, timeout=timeout)) as destination,
    ):
        source.backup(destination)


def _restore_postgresql(connection: BaseDatabaseWrapper, database: Path, manifest: dict) -> None:
    """pg_restore in one transaction: on any error PostgreSQL rolls everything back."""
    connection.close()  # pg_restore --clean drops tables; hold no connection that locks them
    _run_pg(
        "pg_restore",
        [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            str(database),
        ],
        connection.settings_dict,
        failed=_("pg_restore 失败，事务已回滚，数据库未改变"),
    )


RESTORERS = {"sqlite": _restore_sqlite, "postgresql": _restore_postgresql}


def _compare_rows(cursor, vendor: str, manifest: dict, where: str) -> None:
    """Count, through ``cursor``, the rows of every table the manifest lists (its tables, not
    today's models: a backup of older code names tables this code may no longer have)."""
    existing = set(table_names(cursor, vendor))
    wrong = []
    for entry in manifest["rows"].values():
        got = None
        if entry["table"] in existing:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(entry['table'])}")
            got = cursor.fetchone()[0]
        if got != entry["rows"]:
            wrong.append(
                _("%(table)s 有 %(got)s 行，清单记载 %(want)d 行")
                % {
                    "table": entry["table"],
                    "got": _("（无此表）") if got is None else got,
                    "want": entry["rows"],
                }
            )
    if wrong:
        raise BackupError(
            _("%(where)s的行数与清单不符：%(wrong)s") % {"where": where, "wrong": "；".join(wrong)}
        )


def _put_in_place(new: Path, root: Path, replaced: Path) -> None:
    """Swap the extracted media folder in for MEDIA_ROOT (two renames on one filesystem)."""
    new.mkdir(exist_ok=True)
    if os.path.ismount(root):  # a mounted volume cannot be renamed: swap what it holds
        replaced.mkdir()
        for entry in list(root.iterdir()):
            shutil.move(entry, replaced / entry.name)
        for entry in list(new.iterdir()):
            shutil.move(entry, root / entry.name)
        return
    if root.exists():
        root.rename(replaced)
    new.rename(root)


def _migration_notes(connection: BaseDatabaseWrapper, manifest: dict) -> list[str]:
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    notes = []
    unknown = [
        f"{app}.{name}" for app, name in manifest["migrations"] if (app, name) not in graph.nodes
    ]
    if unknown:
        notes.append(
            _("备份中有本代码没有的迁移（%(names)s）：备份来自更新的版本，请更新代码。")
            % {"names": join(unknown)}
        )
    pending = executor.migration_plan(graph.leaf_nodes())
    if pending:
        notes.append(
            _("本代码有 %(count)d 个迁移尚未应用到恢复的数据库：请运行 manage.py migrate。")
            % {"count": len(pending)}
        )
    return notes


# --- shared ---------------------------------------------------------------------------------


def _vendor(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in DATABASE_MEMBERS:
        raise BackupError(
            _("不支持备份 %(vendor)s 数据库（只支持 PostgreSQL 和 SQLite）。")
            % {"vendor": connection.vendor}
        )
    return connection.vendor


def _sqlite_path(connection: BaseDatabaseWrapper) -> Path:
    if connection.is_in_memory_db():
        raise BackupError(_("内存中的 SQLite 数据库无法备份或恢复。"))
    return Path(connection.settings_dict["NAME"])


def _run_pg(program: str, arguments: list[str], settings_dict: dict, failed: str = "") -> None:
    """Run pg_dump or pg_restore on the database of ``settings_dict`` (the password goes in the
    environment, never on the command line)."""
    conninfo = {"dbname": settings_dict["NAME"], "host": settings_dict.get("HOST")}
    conninfo.update(port=settings_dict.get("PORT"), user=settings_dict.get("USER"))
    options = settings_dict.get("OPTIONS", {})
    conninfo.update({key: options[key] for key in LIBPQ_OPTIONS if options.get(key)})
    dbname = " ".join(f"{key}={_conninfo_value(value)}" for key, value in conninfo.items() if value)
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    try:
        result = subprocess.run(
            [program, *arguments, f"--dbname={dbname}"],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
    except FileNotFoundError as exc:
        raise BackupError(
            _("找不到 %(program)s：请安装 PostgreSQL 客户端（postgresql-client）。")
            % {"program": program}
        ) from exc
    if result.returncode != 0:
        failed = failed or _("%(program)s 失败") % {"program": program}
        raise BackupError(f"{failed}：{result.stderr.strip()[-2000:]}")


def _conninfo_value(value: object) -> str:
    text = str(value)
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _outcome(path: Path, manifest: dict, notes: list[str] | None = None) -> Outcome:
    rows = manifest["rows"].values()
    return Outcome(
        path=path,
        size=path.stat().st_size,
        vendor=manifest["database"]["vendor"],
        rows=sum(entry["rows"] for entry in rows),
        tables=len(rows),
        files=len(manifest["media"]),
        file_bytes=sum(entry["size"] for entry in manifest["media"]),
        notes=notes or [],
    )
