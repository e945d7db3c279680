"""Summary rows: a zone's figures for one month, kept by the recompute for the dashboards and
the monthly reports.

A dashboard at national scale must not scan a million projects per request, and a report for
October must show October's figures even when it is rebuilt in December. So each recompute of a
month also writes, per zone, a few small JSON documents (one per *section*: the investment
pipeline, talent, platforms), each computed as of the month's end by the app that owns the
facts. Pages sum these rows (at most one per zone and section) instead of the raw rows.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devzone.access import ScopedQuerySet, ScopePaths
from zones.models.registry import Zone
from zones.models.scoring import ScoreRun


class ZoneSummaryQuerySet(ScopedQuerySet):
    scope_paths = ScopePaths(
        zone="zone", prefecture="zone__prefecture", province="zone__prefecture__province"
    )


class ZoneSummary(models.Model):
    """One zone's figures of one section for one month (as of the month's end).

    Written only by the recompute steps (upsert on zone, period and section); ``figures`` is
    plain JSON whose keys each section's module documents (``investment.summary``,
    ``talent.summary``, ``platforms.summary``).
    """

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="summaries", verbose_name=_("开发区")
    )
    period = models.DateField(_("统计期"), help_text=_("月份的第一天"))
    section = models.CharField(_("板块"), max_length=30)
    figures = models.JSONField(_("数据"), default=dict)
    run = models.ForeignKey(
        ScoreRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("计算批次"),
    )
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    objects = ZoneSummaryQuerySet.as_manager()

    class Meta:
        ordering = ["zone_id", "-period", "section"]
        verbose_name = _("开发区月度汇总")
        verbose_name_plural = _("开发区月度汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "period", "section"], name="zone_summary_unique_section"
            )
        ]
        indexes = [models.Index(fields=["period", "section"])]

    def __str__(self) -> str:
        return f"{self.zone} {self.period:%Y-%m} {self.section}"
