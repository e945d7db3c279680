"""Back up the database and the uploaded files into one archive (devzone/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from devzone.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "把数据库和上传的文件备份到一个 .tar.gz 文件（附清单：行数、迁移、每个文件的 SHA-256）。"
        " Back up the database and MEDIA_ROOT into one verified archive."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="archive to write (default: var/backups/devzone-YYYYmmdd-HHMMSS.tar.gz)",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias")

    def handle(self, *args, **options):
        try:
            outcome = create_backup(options["output"], using=options["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(_("备份已写入 %(path)s") % {"path": outcome.path}))
        for line in outcome.summary():
            self.stdout.write("  " + line)
