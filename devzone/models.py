"""Bookkeeping rows that belong to no business app."""

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
