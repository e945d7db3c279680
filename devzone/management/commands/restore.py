"""Restore the database and the uploaded files from a backup archive (devzone/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from devzone.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "从备份文件恢复数据库和上传的文件；先校验每个文件的 SHA-256，目标不是空的时须加 --force。"
        " Restore a backup archive after verifying it; a non-empty target needs --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="a .tar.gz written by manage.py backup")
        parser.add_argument(
            "--force",
            action="store_true",
            help="overwrite a database that has user accounts and a media folder that has files",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias")

    def handle(self, *args, **options):
        try:
            outcome = restore_backup(
                options["archive"], force=options["force"], using=options["database"]
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(_("已从 %(path)s 恢复") % {"path": outcome.path}))
        for line in outcome.summary():
            self.stdout.write("  " + line)
        self.stdout.write("  " + _("每个文件的 SHA-256 和每张表的行数都与清单一致。"))
        for note in outcome.notes:
            self.stdout.write(self.style.WARNING(note))
