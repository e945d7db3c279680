"""Monthly supervision reports (月度督查通报): the archived PDFs and their email deliveries.

A ``Report`` row exists once per kind, scope, month and methodology version; generating the
same report again replaces its file and figures, never adds a row. The figures it was built
from are stored with it, so a report for October shows October's figures even when it is
regenerated in December. A ``ReportDelivery`` row is claimed before a mail is sent (one per
report and address), which is what makes the sending exactly-once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devzone.access import ScopedQuerySet, ScopePaths
from zones.models.registry import Prefecture, Province, Zone
from zones.models.scoring import Methodology


class ReportKind(models.TextChoices):
    ZONE = "zone", _("开发区月度督查通报")
    PREFECTURE = "prefecture", _("市州月度督查通报")
    PROVINCE = "province", _("全省月度督查通报")


class ReportStatus(models.TextChoices):
    WAITING = "waiting", _("等待下级通报")  # a prefecture's or province's, until its parts are done
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("生成失败")


class ReportQuerySet(ScopedQuerySet):
    """A zone's report is its zone's (and its prefecture's and province's); a prefecture's
    report its prefecture's and province's; the province's report its province's."""

    scope_paths = ScopePaths(zone="zone", prefecture="prefecture", province="province")


def report_path(report: Report, filename: str) -> str:
    """Server-chosen, never from a user: reports/2026-10/zone-12-m3.pdf (scope, version)."""
    scope = report.scope_key.replace(":", "-")
    return f"reports/{report.period:%Y-%m}/{scope}-m{report.methodology_id}.pdf"


class Report(models.Model):
    kind = models.CharField(_("类型"), max_length=20, choices=ReportKind.choices)
    scope_key = models.CharField(_("范围标识"), max_length=60, editable=False)
    zone = models.ForeignKey(
        Zone,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("开发区"),
    )
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("市州"),
    )
    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, related_name="reports", verbose_name=_("省份")
    )
    period = models.DateField(_("月份"), help_text=_("月份的第一天"))
    methodology = models.ForeignKey(
        Methodology, on_delete=models.PROTECT, related_name="+", verbose_name=_("评价方法版本")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    file = models.FileField(_("文件"), upload_to=report_path, blank=True, max_length=200)
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    pages = models.PositiveIntegerField(_("页数"), default=0)
    figures = models.JSONField(_("报告数据"), default=dict, blank=True)
    triggered_by = models.CharField(_("触发方式"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(_("生成次数"), default=0)
    # who holds a running report: the Celery task id (a redelivered task may take it again)
    claimed_by = models.CharField(_("认领者"), max_length=100, blank=True, editable=False)
    queued_at = models.DateTimeField(_("排队时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "kind", "scope_key"]
        verbose_name = _("月度督查通报")
        verbose_name_plural = _("月度督查通报")
        constraints = [
            models.UniqueConstraint(
                fields=["scope_key", "period", "methodology"], name="report_unique_scope_month"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="zone", zone__isnull=False, prefecture__isnull=False)
                    | models.Q(kind="prefecture", zone__isnull=True, prefecture__isnull=False)
                    | models.Q(kind="province", zone__isnull=True, prefecture__isnull=True)
                ),
                name="report_scope_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["period", "kind", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.scope_name} {self.period:%Y-%m}"

    @property
    def scope_name(self) -> str:
        if self.kind == ReportKind.ZONE and self.zone_id:
            return self.zone.name
        if self.kind == ReportKind.PREFECTURE and self.prefecture_id:
            return self.prefecture.name
        return self.province.name

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


def scope_key(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class ReportDeliveryQuerySet(ScopedQuerySet):
    scope_paths = ScopePaths(
        zone="report__zone", prefecture="report__prefecture", province="report__province"
    )


class ReportDelivery(models.Model):
    """One report to one address. Claimed (pending → sending) by a conditional update before
    the mail goes out, marked sent after the server accepted it; a failure is retried with
    backoff and, when the attempts run out, stays visible as failed for an administrator."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("通报")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("收件人"),
    )
    email = models.EmailField(_("收件地址"))
    reason = models.CharField(_("发送原因"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    message_id = models.CharField(_("邮件标识"), max_length=200, blank=True)
    as_link = models.BooleanField(_("以下载链接发送"), default=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = ReportDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["report_id", "email"]
        verbose_name = _("通报发送记录")
        verbose_name_plural = _("通报发送记录")
        constraints = [
            models.UniqueConstraint(fields=["report", "email"], name="delivery_unique_address")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.report} → {self.email}"


class ReportPreference(models.Model):
    """A user's choice about the monthly reports: opt out, and (administrators) extra
    addresses that receive the reports the user would receive."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_preference",
        verbose_name=_("用户"),
    )
    receive = models.BooleanField(_("接收月度通报邮件"), default=True)
    extra_recipients = models.TextField(
        _("附加收件地址"), blank=True, help_text=_("每行一个邮箱地址。")
    )

    class Meta:
        verbose_name = _("通报接收设置")
        verbose_name_plural = _("通报接收设置")

    def __str__(self) -> str:
        return str(self.user)
