"""Projects, their stage lifecycle, milestones and monthly progress reports (招商引资).

A project belongs to one zone and is scoped through it (``for_user``). Its stage only changes
through ``investment.services.transition``, which writes a ``StageTransition`` row for every
move, so the time spent in each stage can be derived and promises made at signing
(``SigningPromise``) can later be compared with results.
"""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devzone.access import ScopedQuerySet, ScopePaths
from zones.models import ChainPosition, Enterprise, Industry, Province, Zone
from zones.validators import validate_not_future

NON_NEGATIVE = MinValueValidator(0, message=_("不能为负数。"))
DEFAULT_DUE_DAY = 5


class PromotionMode(models.TextChoices):
    """The eight promotion modes of the policy paper, plus 其他."""

    SPECIALISED = "specialised", _("专业招商")
    RESIDENT = "resident", _("驻地招商")
    RETURNEE = "returnee", _("返乡创业招商")
    INVESTMENT_LED = "investment_led", _("以投引商")
    PLATFORM = "platform", _("平台招商")
    PROMOTION = "promotion", _("推介招商")
    BUSINESS_REFERRAL = "business_referral", _("以商引商")
    INTERMEDIARY = "intermediary", _("中介招商")
    OTHER = "other", _("其他")


class ProjectStage(models.TextChoices):
    LEAD = "lead", _("线索")
    NEGOTIATING = "negotiating", _("洽谈")
    SIGNED = "signed", _("签约")
    REGISTERED = "registered", _("注册")
    STARTED = "started", _("开工")
    IN_PRODUCTION = "in_production", _("投产")
    FULL_CAPACITY = "full_capacity", _("达产")
    TERMINATED = "terminated", _("终止")


# The pipeline in order; 终止 stands outside it.
PIPELINE: tuple[str, ...] = (
    ProjectStage.LEAD,
    ProjectStage.NEGOTIATING,
    ProjectStage.SIGNED,
    ProjectStage.REGISTERED,
    ProjectStage.STARTED,
    ProjectStage.IN_PRODUCTION,
    ProjectStage.FULL_CAPACITY,
)
STAGE_INDEX = {stage: i for i, stage in enumerate(PIPELINE)}
# Projects in these stages owe a monthly progress report (签约 up to 投产).
ACTIVE_STAGES: tuple[str, ...] = (
    ProjectStage.SIGNED,
    ProjectStage.REGISTERED,
    ProjectStage.STARTED,
    ProjectStage.IN_PRODUCTION,
)


class OriginType(models.TextChoices):
    """Where the investor comes from: a Chinese province (and city), or a country or region."""

    DOMESTIC = "domestic", _("境内")
    HMT = "hmt", _("港澳台")
    FOREIGN = "foreign", _("境外")


def _zone_paths(prefix: str) -> ScopePaths:
    return ScopePaths(
        zone=f"{prefix}zone",
        prefecture=f"{prefix}zone__prefecture",
        province=f"{prefix}zone__prefecture__province",
    )


def overdue_milestones_q(today: datetime.date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(planned_date__lt=today) & ~Q(status=MilestoneStatus.DONE)


class ProjectQuerySet(ScopedQuerySet):
    scope_paths = _zone_paths("")

    def with_overdue_flag(self):
        """Annotate ``has_overdue``: the project has a milestone past its planned date, not done."""
        overdue = Milestone.objects.filter(overdue_milestones_q(), project=OuterRef("pk"))
        return self.annotate(has_overdue=Exists(overdue))


class Project(models.Model):
    """An investment project of one zone, from lead (线索) to full capacity (达产) or 终止."""

    code = models.CharField(_("项目编号"), max_length=60, unique=True, editable=False)
    name = models.CharField(_("项目名称"), max_length=150)
    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="projects", verbose_name=_("所属开发区")
    )
    investor_name = models.CharField(_("投资方"), max_length=150)
    origin_type = models.CharField(
        _("投资方来源"), max_length=10, choices=OriginType.choices, default=OriginType.DOMESTIC
    )
    origin_province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("来源省份"),
    )
    origin_city = models.CharField(_("来源城市"), max_length=50, blank=True)
    origin_country = models.CharField(_("来源国家或地区"), max_length=50, blank=True)
    industry = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("所属产业"),
    )
    serves_leading_industry = models.BooleanField(_("服务首位产业"), default=False)
    chain_position = models.CharField(
        _("产业链环节"), max_length=20, choices=ChainPosition.choices, blank=True
    )
    promotion_mode = models.CharField(
        _("招商方式"), max_length=20, choices=PromotionMode.choices, default=PromotionMode.OTHER
    )
    planned_investment = models.DecimalField(
        _("计划总投资（万元）"), max_digits=14, decimal_places=2, validators=[NON_NEGATIVE]
    )
    planned_investment_this_year = models.DecimalField(
        _("本年计划投资（万元）"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[NON_NEGATIVE],
    )
    land_mu = models.DecimalField(
        _("用地面积（亩）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NON_NEGATIVE],
    )
    expected_annual_output = models.DecimalField(
        _("预计年产值（万元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NON_NEGATIVE],
    )
    expected_annual_tax = models.DecimalField(
        _("预计年税收（万元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NON_NEGATIVE],
    )
    expected_jobs = models.PositiveIntegerField(_("预计带动就业（人）"), null=True, blank=True)
    responsible_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任领导（一把手）"),
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("项目负责人"),
    )
    blocking_problems = models.TextField(_("存在问题"), blank=True)
    coordination_requests = models.TextField(_("需协调事项"), blank=True)
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("落地企业"),
    )
    stage = models.CharField(
        _("项目阶段"),
        max_length=20,
        choices=ProjectStage.choices,
        default=ProjectStage.LEAD,
        editable=False,
    )
    stage_since = models.DateField(_("进入当前阶段日期"), null=True, editable=False)
    terminated_reason = models.TextField(_("终止原因"), blank=True, editable=False)
    completed_investment = models.DecimalField(
        _("累计完成投资（万元）"),
        max_digits=14,
        decimal_places=2,
        default=0,
        editable=False,
        help_text=_("最近一期进展月报的累计完成投资。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["zone_id", "-created_at"]
        verbose_name = _("招商项目")
        verbose_name_plural = _("招商项目")
        # The list's default and by-investment orders, the trigram search indexes and the pg_trgm
        # extension are PostgreSQL-only (NULLS LAST, GIN): see migration 0004_project_list_indexes.
        indexes = [
            models.Index(fields=["zone", "stage"]),
            models.Index(fields=["stage"]),
            models.Index(fields=["promotion_mode"]),
            models.Index(fields=["lead"]),
            models.Index(fields=["planned_investment"], name="project_planned_investment"),
            # a zone's project ids without reading the table: the overdue filter's semi-join
            models.Index(fields=["zone", "id"], name="project_zone_pk"),
        ]
        constraints = [
            models.CheckConstraint(
                name="project_this_year_within_total",
                condition=Q(planned_investment_this_year__lte=models.F("planned_investment")),
                violation_error_message=_("本年计划投资不能大于计划总投资。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}" if self.code else self.name

    @property
    def origin_label(self) -> str:
        if self.origin_type == OriginType.DOMESTIC:
            province = self.origin_province.name if self.origin_province_id else ""
            return f"{province}{self.origin_city}" or "—"
        return self.origin_country or str(self.get_origin_type_display())

    @property
    def is_active(self) -> bool:
        return self.stage in ACTIVE_STAGES


class ProjectCodeCounter(models.Model):
    """The last sequence number of project codes per zone and year.

    Codes are ``XM-<zone code>-<year>-<seq>``; the counter row is locked and incremented inside
    the creating transaction, so two concurrent creations never get the same number, and a
    deleted project's number is never reused.
    """

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("项目编号计数器")
        verbose_name_plural = _("项目编号计数器")
        constraints = [
            models.UniqueConstraint(fields=["zone", "year"], name="project_code_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.zone_id}/{self.year}: {self.last}"


class StageTransitionQuerySet(ScopedQuerySet):
    scope_paths = _zone_paths("project__")


class StageTransition(models.Model):
    """One move of a project's stage (the first row is its creation at its starting stage)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("项目")
    )
    from_stage = models.CharField(
        _("原阶段"), max_length=20, choices=ProjectStage.choices, blank=True
    )
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=ProjectStage.choices)
    date = models.DateField(_("变更日期"), validators=[validate_not_future])
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.TextField(_("说明"), blank=True)
    reason = models.TextField(_("原因"), blank=True)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now, editable=False)

    objects = StageTransitionQuerySet.as_manager()

    class Meta:
        ordering = ["project_id", "date", "pk"]
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        indexes = [models.Index(fields=["project", "date"])]

    def __str__(self) -> str:
        old = self.get_from_stage_display() or "—"
        return f"{old} → {self.get_to_stage_display()} ({self.date})"


class SigningPromiseQuerySet(ScopedQuerySet):
    scope_paths = _zone_paths("project__")


class SigningPromise(models.Model):
    """The figures promised when a project was signed (签约), to compare with results later."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="promises", verbose_name=_("项目")
    )
    transition = models.OneToOneField(
        StageTransition,
        on_delete=models.CASCADE,
        related_name="promise",
        verbose_name=_("签约记录"),
    )
    investment = models.DecimalField(
        _("承诺投资（万元）"), max_digits=14, decimal_places=2, validators=[NON_NEGATIVE]
    )
    output_per_mu = models.DecimalField(
        _("承诺亩均产值（万元/亩）"), max_digits=12, decimal_places=2, validators=[NON_NEGATIVE]
    )
    tax_per_mu = models.DecimalField(
        _("承诺亩均税收（万元/亩）"), max_digits=12, decimal_places=2, validators=[NON_NEGATIVE]
    )
    planned_start_date = models.DateField(_("计划开工日期"))
    planned_production_date = models.DateField(_("计划投产日期"))
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now, editable=False)

    objects = SigningPromiseQuerySet.as_manager()

    class Meta:
        ordering = ["project_id", "-created_at", "-pk"]
        verbose_name = _("签约承诺")
        verbose_name_plural = _("签约承诺")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.investment} 万元"


class MilestoneStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("进行中")
    DONE = "done", _("已完成")
    DELAYED = "delayed", _("已延期")


class MilestoneQuerySet(ScopedQuerySet):
    scope_paths = _zone_paths("project__")

    def overdue(self, today: datetime.date | None = None):
        return self.filter(overdue_milestones_q(today))


class Milestone(models.Model):
    """A step of a project's roadmap and timetable (路线图/时刻表) with a named owner.

    A milestone past its planned date and not done is overdue, whatever its stored status says;
    ``effective_status`` shows it as 已延期. The planned date only changes through a reschedule
    (``MilestoneReschedule`` keeps the old date and the reason).
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("项目")
    )
    title = models.CharField(_("节点名称"), max_length=150)
    planned_date = models.DateField(_("计划完成日期"))
    actual_date = models.DateField(
        _("实际完成日期"), null=True, blank=True, validators=[validate_not_future]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_milestones",
        verbose_name=_("责任人"),
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=MilestoneStatus.choices,
        default=MilestoneStatus.NOT_STARTED,
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["project_id", "position", "planned_date", "pk"]
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        indexes = [
            models.Index(fields=["planned_date", "status"]),
            # the overdue flag and filter: a project's open milestones, by planned date
            models.Index(
                fields=["project", "planned_date"],
                condition=~Q(status=MilestoneStatus.DONE),
                name="milestone_open_by_project",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status != MilestoneStatus.DONE and self.planned_date < timezone.localdate()

    @property
    def effective_status(self) -> str:
        return MilestoneStatus.DELAYED if self.is_overdue else self.status

    def get_effective_status_display(self) -> str:
        return str(MilestoneStatus(self.effective_status).label)


class MilestoneRescheduleQuerySet(ScopedQuerySet):
    scope_paths = _zone_paths("milestone__project__")


class MilestoneReschedule(models.Model):
    """A change of a milestone's planned date: the old date, the new one, why, who and when."""

    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="reschedules", verbose_name=_("节点")
    )
    old_date = models.DateField(_("原计划日期"))
    new_date = models.DateField(_("新计划日期"))
    reason = models.TextField(_("调整原因"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("调整时间"), default=timezone.now, editable=False)

    objects = MilestoneRescheduleQuerySet.as_manager()

    class Meta:
        ordering = ["milestone_id", "at", "pk"]
        verbose_name = _("节点计划调整")
        verbose_name_plural = _("节点计划调整")

    def __str__(self) -> str:
        return f"{self.old_date} → {self.new_date}"


def report_due_day() -> int:
    """``settings.DEVZONE_PROGRESS_REPORT_DUE_DAY`` (1–28), default 5."""
    day = int(getattr(settings, "DEVZONE_PROGRESS_REPORT_DUE_DAY", DEFAULT_DUE_DAY))
    return min(max(day, 1), 28)


def report_due_date(year: int, month: int) -> datetime.date:
    """The day a month's report is due: the configured day of the following month."""
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime.date(year, month, min(report_due_day(), calendar.monthrange(year, month)[1]))


class ProgressReportQuerySet(ScopedQuerySet):
    scope_paths = _zone_paths("project__")


class ProgressReport(models.Model):
    """A project's monthly progress report (月报): one per project and month.

    The cumulative rule: ``investment_cumulative`` equals the previous month's cumulative plus
    this month's investment when the previous month's report exists; when it does not, the
    cumulative must be at least the latest earlier report's cumulative plus this month (the gap
    months' investment is unknown); the first report's cumulative is at least this month's.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="reports", verbose_name=_("项目")
    )
    year = models.PositiveSmallIntegerField(
        _("年份"), validators=[MinValueValidator(2000, _("年份不能早于2000年。"))]
    )
    month = models.PositiveSmallIntegerField(
        _("月份"),
        validators=[
            MinValueValidator(1, _("月份应在1到12之间。")),
            MaxValueValidator(12, _("月份应在1到12之间。")),
        ],
    )
    investment_this_month = models.DecimalField(
        _("本月完成投资（万元）"), max_digits=14, decimal_places=2, validators=[NON_NEGATIVE]
    )
    investment_cumulative = models.DecimalField(
        _("累计完成投资（万元）"), max_digits=14, decimal_places=2, validators=[NON_NEGATIVE]
    )
    progress = models.TextField(_("进展情况"))
    problems = models.TextField(_("存在问题"), blank=True)
    coordination = models.TextField(_("需协调事项"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        ordering = ["project_id", "-year", "-month"]
        verbose_name = _("进展月报")
        verbose_name_plural = _("进展月报")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "month"], name="progress_report_one_per_month"
            )
        ]
        indexes = [models.Index(fields=["year", "month"])]

    def __str__(self) -> str:
        return f"{self.period_label}进展月报"

    @property
    def period_label(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def due_date(self) -> datetime.date:
        return report_due_date(self.year, self.month)

    @property
    def is_late(self) -> bool:
        return timezone.localtime(self.submitted_at).date() > self.due_date
