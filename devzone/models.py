"""Bookkeeping rows that belong to no business app."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """Last time a Celery worker ran the heartbeat task that beat schedules.

    /healthz reads it: a fresh row proves that beat fires, the broker delivers and a worker runs.
    """

    worker = models.CharField(_("工作进程"), max_length=200, unique=True)
    last_seen = models.DateTimeField(_("最近心跳"))

    class Meta:
        verbose_name = _("工作进程心跳")
        verbose_name_plural = _("工作进程心跳")

    def __str__(self) -> str:
        return f"{self.worker} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"


class ChangeRecord(models.Model):
    """One change to one business record (留痕), written by the service that made it.

    ``zone_id`` is copied from the record (no foreign key: devzone imports no app) so that a
    zone's history can be listed and scoped without joining every record type.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        TRANSITION = "transition", _("状态变更")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("类型"))
    object_id = models.PositiveBigIntegerField(_("记录ID"))
    object_repr = models.CharField(_("记录"), max_length=200)
    zone_id = models.BigIntegerField(_("开发区ID"), null=True, blank=True, db_index=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr} @ {self.at:%Y-%m-%d %H:%M}"


def _import_upload_path(instance: ImportBatch, filename: str) -> str:
    """A generated name under imports/: the user's file name is kept in ``original_name`` only."""
    import uuid

    from django.utils import timezone

    suffix = ".xlsx" if instance.file_format == "xlsx" else ".csv"
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ImportBatch(models.Model):
    """One uploaded spreadsheet and what became of it (see devzone/imports.py).

    Uploading stores the file and the preview's outcome (``previewed`` or ``refused``);
    confirming re-validates the stored file and writes it in one transaction (``confirmed``) or
    records why nothing was written (``failed``). Nobody edits these rows.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("待确认")
        CONFIRMED = "confirmed", _("已导入")
        FAILED = "failed", _("导入失败")
        REFUSED = "refused", _("已拒绝")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("导入人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    resource = models.CharField(_("数据类型"), max_length=60, db_index=True)
    zone_ids = models.JSONField(_("涉及开发区ID"), default=list, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=255)
    file = models.FileField(_("文件"), upload_to=_import_upload_path, max_length=200, blank=True)
    file_format = models.CharField(_("文件格式"), max_length=10, blank=True)
    encoding = models.CharField(_("编码"), max_length=20, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, db_index=True)
    rows_total = models.PositiveIntegerField(_("数据行数"), default=0)
    rows_new = models.PositiveIntegerField(_("新增"), default=0)
    rows_updated = models.PositiveIntegerField(_("修改"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("无变化"), default=0)
    rows_error = models.PositiveIntegerField(_("错误行数"), default=0)
    message = models.TextField(_("说明"), blank=True)
    errors = models.JSONField(_("错误明细"), default=list, blank=True)
    preview = models.JSONField(_("预览"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} · {self.get_status_display()}"
