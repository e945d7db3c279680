"""Promise reviews (承诺兑现核查): the latest comparison of a producing project's per-mu output
and tax with its signing promises, written only by the recompute (``investment.promises``).

One row per project, overwritten by each run with the latest outcome and its figures. A
shortfall raises one supervision item (``item``) — once per project, ever: ``raised_at`` is set
with it and never cleared (not even when the item is deleted), so later runs raise nothing.
``note`` says why data is missing, or why a follow-up that was due was not raised (no
assignee).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devzone.access import ScopedQuerySet
from investment.models.projects import Project, _zone_paths
from investment.models.supervision import SupervisionItem


class PromiseStatus(models.TextChoices):
    NOT_DUE = "not_due", _("未到核查期")
    MISSING = "missing", _("数据缺失")
    MET = "met", _("已兑现")
    SHORTFALL = "shortfall", _("未兑现")


class PromiseReviewQuerySet(ScopedQuerySet):
    scope_paths = _zone_paths("project__")


class PromiseReview(models.Model):
    """The latest promise-versus-result review of one project and the follow-up it raised."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="promise_review", verbose_name=_("项目")
    )
    period = models.DateField(_("核查月份"), help_text=_("月份的第一天"))
    status = models.CharField(_("核查结果"), max_length=20, choices=PromiseStatus.choices)
    months_in_production = models.PositiveSmallIntegerField(_("已投产月数"), null=True)
    detail = models.JSONField(_("核查数据"), default=dict)
    note = models.TextField(_("说明"), blank=True)
    item = models.OneToOneField(
        SupervisionItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promise_review",
        verbose_name=_("督办事项"),
    )
    raised_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("核查时间"), default=timezone.now)

    objects = PromiseReviewQuerySet.as_manager()

    class Meta:
        ordering = ["project_id"]
        verbose_name = _("承诺兑现核查")
        verbose_name_plural = _("承诺兑现核查")
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.get_status_display()}"
