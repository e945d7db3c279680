"""Bookkeeping rows that belong to no business app."""

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
