"""Bookkeeping rows that belong to no business app."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
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


class PendingTask(models.Model):
    """A task call the broker did not accept (Redis stopped or unreachable): the outbox.

    ``devzone.jobs.enqueue_after_commit`` writes it after the business transaction committed,
    so the work a user's change asked for is kept instead of lost; ``flush_pending`` sends it once
    the broker is back and deletes the row only after the broker accepted the message.
    ``claimed_until`` is the lease of the flusher sending it; /healthz reports how many wait.
    """

    task = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("位置参数"), default=list, blank=True)
    kwargs = models.JSONField(_("关键字参数"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(_("发送次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    claimed_until = models.DateTimeField(_("占用至"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("待发送任务")
        verbose_name_plural = _("待发送任务")

    def __str__(self) -> str:
        return f"{self.task} {self.args} ({self.attempts})"


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
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
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


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit events are never changed")

    def delete(self):
        raise PermissionError("audit events are never deleted")


class AuditEvent(models.Model):
    """One security-relevant event (留痕): who, when, from where, what.

    Written by ``devzone.audit``: sign-in, sign-out, failed sign-in and lock-out; every request
    that changed something (method, path, status — the record-level "what" is in
    ``ChangeRecord``, which carries the same address); every download and export; imports,
    methodology changes and exemption decisions with their details. Append-only: the model
    refuses updates and deletes and, on PostgreSQL and SQLite, a database trigger does too.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKED_OUT = "locked_out", _("登录锁定")
        WRITE = "write", _("修改操作")
        EXPORT = "export", _("导出")
        DOWNLOAD = "download", _("下载")
        IMPORT = "import", _("导入")
        METHODOLOGY = "methodology", _("评价方法变更")
        DECISION = "decision", _("审批决定")
        SECURITY = "security", _("账号安全")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # No database constraint: deleting a user must not touch the trail, which keeps their id
    # and username.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("用户"),
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True, db_index=True)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, db_index=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=300, blank=True)
    method = models.CharField(_("请求方法"), max_length=10, blank=True)
    path = models.CharField(_("路径"), max_length=500, blank=True)
    status = models.PositiveSmallIntegerField(_("响应状态"), null=True, blank=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        indexes = [models.Index(fields=["username", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are never deleted")
