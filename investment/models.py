"""Investment promotion projects (招商引资): projects, their stage lifecycle, milestones and
monthly progress reports.

A project belongs to one zone and is scoped through it (``for_user``). Its stage only changes
through ``investment.services.transition``, which writes a ``StageTransition`` row for every
move, so the time spent in each stage can be derived and promises made at signing
(``SigningPromise``) can later be compared with results. Supervision items and exemptions
(later work) attach to a zone, a project or a milestone by foreign key.
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
        indexes = [
            models.Index(fields=["zone", "stage"]),
            models.Index(fields=["stage"]),
            models.Index(fields=["promotion_mode"]),
            models.Index(fields=["lead"]),
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
        indexes = [models.Index(fields=["planned_date", "status"])]

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


# --- supervision items (督查督办) and exemptions (容错免责) ---------------------------------

DEFAULT_SUPERVISION_RED_AFTER_DAYS = 7
BLUE_WITHIN_DAYS = 3


def supervision_red_after_days() -> int:
    """``settings.DEVZONE_SUPERVISION_RED_AFTER_DAYS``: days overdue after which an item is red."""
    days = int(
        getattr(settings, "DEVZONE_SUPERVISION_RED_AFTER_DAYS", DEFAULT_SUPERVISION_RED_AFTER_DAYS)
    )
    return max(days, 0)


class WarningColour(models.TextChoices):
    """The warning colour of a supervision item, from calm to urgent; closed items have none."""

    NONE = "none", _("正常")
    BLUE = "blue", _("蓝色预警")
    YELLOW = "yellow", _("黄色预警")
    RED = "red", _("红色预警")
    CLOSED = "closed", _("已办结")


COLOUR_RANK = {
    WarningColour.NONE: 0,
    WarningColour.BLUE: 1,
    WarningColour.YELLOW: 2,
    WarningColour.RED: 3,
}


def warning_colour(
    *,
    closed: bool,
    deadline: datetime.date,
    today: datetime.date,
    reopened: int = 0,
    start_colour: str = "",
    red_after_days: int = DEFAULT_SUPERVISION_RED_AFTER_DAYS,
) -> str:
    """The warning colour of an item, from plain data (no ORM, no settings).

    Closed → 已办结 (no colour). Otherwise: 红 when returned for rework at least once or overdue
    by more than ``red_after_days`` days; 黄 when overdue (the deadline day itself is not
    overdue); 蓝 when due within ``BLUE_WITHIN_DAYS`` days (deadline day included); else 正常.
    A leader's instruction (批示) starts at ``start_colour`` (黄 or 红) and never shows lower.
    ``SupervisionItemQuerySet.with_colour`` is the same rule in SQL.
    """
    if closed:
        return WarningColour.CLOSED
    late = (today - deadline).days
    if reopened > 0 or late > red_after_days:
        colour = WarningColour.RED
    elif late > 0:
        colour = WarningColour.YELLOW
    elif -late <= BLUE_WITHIN_DAYS:
        colour = WarningColour.BLUE
    else:
        colour = WarningColour.NONE
    if start_colour in COLOUR_RANK and COLOUR_RANK[start_colour] > COLOUR_RANK[colour]:
        colour = WarningColour(start_colour)
    return colour


WARNING_CSS = {
    WarningColour.RED: "danger",
    WarningColour.YELLOW: "warning",
    WarningColour.BLUE: "primary",
    WarningColour.NONE: "success",
    WarningColour.CLOSED: "secondary",
}


class SupervisionSource(models.TextChoices):
    ORDINARY = "ordinary", _("日常督办")
    INSTRUCTION = "instruction", _("领导批示")


class SupervisionStatus(models.TextChoices):
    ASSIGNED = "assigned", _("已交办")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    FEEDBACK = "feedback", _("已反馈")
    UNDER_REVIEW = "under_review", _("复核中")
    CLOSED = "closed", _("已办结")


class StepKind(models.TextChoices):
    ASSIGN = "assign", _("交办")
    ACKNOWLEDGE = "acknowledge", _("签收")
    START = "start", _("办理")
    FEEDBACK = "feedback", _("反馈")
    REVIEW = "review", _("复核")
    RETURN = "return", _("退回")
    CLOSE = "close", _("办结")


class SupervisionItemQuerySet(ScopedQuerySet):
    scope_paths = _zone_paths("")

    def open(self):
        return self.exclude(status=SupervisionStatus.CLOSED)

    def overdue(self, today: datetime.date | None = None):
        """Open items past their deadline (the deadline day itself is not overdue)."""
        today = today or timezone.localdate()
        return self.open().filter(deadline__lt=today)

    def with_colour(self, today: datetime.date | None = None):
        """Annotate ``colour``: ``warning_colour`` computed by the database, for filters and
        counts over many items."""
        today = today or timezone.localdate()
        red_before = today - datetime.timedelta(days=supervision_red_after_days())
        blue_until = today + datetime.timedelta(days=BLUE_WITHIN_DAYS)
        return self.annotate(
            colour=models.Case(
                models.When(status=SupervisionStatus.CLOSED, then=models.Value("closed")),
                models.When(
                    Q(reopened_count__gt=0)
                    | Q(deadline__lt=red_before)
                    | Q(start_colour=WarningColour.RED),
                    then=models.Value("red"),
                ),
                models.When(
                    Q(deadline__lt=today) | Q(start_colour=WarningColour.YELLOW),
                    then=models.Value("yellow"),
                ),
                models.When(deadline__lte=blue_until, then=models.Value("blue")),
                default=models.Value("none"),
                output_field=models.CharField(),
            )
        )


class SupervisionItem(models.Model):
    """A supervision item (督查督办事项) raised by a supervisor against a zone or one of its
    projects, followed through a closed loop 交办 → 签收 → 办理 → 反馈 → 复核 → 办结 (or 退回 for
    rework). Every step is a ``SupervisionStep`` row; the status only changes through
    ``investment.services.supervision_step``. Its warning colour is derived, never stored.
    """

    title = models.CharField(_("督办事项"), max_length=200)
    description = models.TextField(_("督办内容"))
    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="supervision_items", verbose_name=_("开发区")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="supervision_items",
        verbose_name=_("关联项目"),
    )
    deadline = models.DateField(_("办理时限"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assigned_supervision_items",
        verbose_name=_("承办人"),
    )
    source = models.CharField(
        _("来源"),
        max_length=20,
        choices=SupervisionSource.choices,
        default=SupervisionSource.ORDINARY,
    )
    instruction_leader = models.CharField(_("批示领导"), max_length=50, blank=True)
    start_colour = models.CharField(
        _("批示起始预警"),
        max_length=10,
        blank=True,
        choices=[(WarningColour.YELLOW, _("黄色")), (WarningColour.RED, _("红色"))],
    )
    status = models.CharField(
        _("办理状态"),
        max_length=20,
        choices=SupervisionStatus.choices,
        default=SupervisionStatus.ASSIGNED,
        editable=False,
    )
    reopened_count = models.PositiveSmallIntegerField(_("退回次数"), default=0, editable=False)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("交办人"),
        editable=False,
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("交办时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = SupervisionItemQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        indexes = [
            models.Index(fields=["zone", "status"]),
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["assignee", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status == SupervisionStatus.CLOSED

    def colour_on(self, today: datetime.date | None = None) -> str:
        return warning_colour(
            closed=self.is_closed,
            deadline=self.deadline,
            today=today or timezone.localdate(),
            reopened=self.reopened_count,
            start_colour=self.start_colour,
            red_after_days=supervision_red_after_days(),
        )

    @property
    def warning(self) -> str:
        """The colour annotated by ``with_colour`` when present, else computed now."""
        return getattr(self, "colour", None) or self.colour_on()

    def get_warning_display(self) -> str:
        return str(WarningColour(self.warning).label)

    @property
    def warning_css(self) -> str:
        """The Bootstrap colour of the warning badge."""
        return WARNING_CSS.get(self.warning, "secondary")

    @property
    def is_overdue(self) -> bool:
        """Missed its deadline: open past it, or closed on a later day."""
        if self.is_closed:
            closed = timezone.localtime(self.closed_at).date() if self.closed_at else None
            return closed is not None and closed > self.deadline
        return self.deadline < timezone.localdate()


class SupervisionStepQuerySet(ScopedQuerySet):
    scope_paths = _zone_paths("item__")


class SupervisionStep(models.Model):
    """One step of an item's loop: who did what when, with a note (and the feedback text)."""

    item = models.ForeignKey(
        SupervisionItem, on_delete=models.CASCADE, related_name="steps", verbose_name=_("督办事项")
    )
    kind = models.CharField(_("环节"), max_length=20, choices=StepKind.choices)
    from_status = models.CharField(
        _("原状态"), max_length=20, choices=SupervisionStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=20, choices=SupervisionStatus.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)
    note = models.TextField(_("说明"), blank=True)
    feedback = models.TextField(_("办理情况反馈"), blank=True)

    objects = SupervisionStepQuerySet.as_manager()

    class Meta:
        ordering = ["item_id", "at", "pk"]
        verbose_name = _("督办环节")
        verbose_name_plural = _("督办环节")
        indexes = [models.Index(fields=["item", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.at:%Y-%m-%d %H:%M}"


class ExemptionStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class ExemptionQuerySet(ScopedQuerySet):
    scope_paths = _zone_paths("")

    def approved(self):
        return self.filter(status=ExemptionStatus.APPROVED)


class Exemption(models.Model):
    """A fault-tolerance request (容错免责申请) against a missed milestone or an overdue
    supervision item: the zone gives the reason and describes the evidence; a supervisor who may
    ``supervise`` the zone approves or rejects it, never the requester. Approved exemptions are
    excluded from accountability penalties (``investment.selectors.exempted``).
    """

    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="exemptions", verbose_name=_("开发区")
    )
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="exemptions",
        verbose_name=_("逾期节点"),
    )
    item = models.ForeignKey(
        SupervisionItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="exemptions",
        verbose_name=_("逾期督办事项"),
    )
    reason = models.TextField(_("免责理由"))
    evidence = models.TextField(_("佐证材料说明"), blank=True)
    status = models.CharField(
        _("审核状态"),
        max_length=20,
        choices=ExemptionStatus.choices,
        default=ExemptionStatus.PENDING,
        editable=False,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("申请人"),
        editable=False,
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
        editable=False,
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True, editable=False)
    decision_note = models.TextField(_("审核意见"), blank=True, editable=False)

    objects = ExemptionQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("容错免责申请")
        verbose_name_plural = _("容错免责申请")
        indexes = [models.Index(fields=["zone", "status"])]
        constraints = [
            models.CheckConstraint(
                name="exemption_one_target",
                condition=(Q(milestone__isnull=False) & Q(item__isnull=True))
                | (Q(milestone__isnull=True) & Q(item__isnull=False)),
                violation_error_message=_("容错免责申请须针对一个逾期节点或一个逾期督办事项。"),
            ),
            models.UniqueConstraint(
                fields=["milestone"],
                condition=Q(status__in=["pending", "approved"]),
                name="exemption_one_open_per_milestone",
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status__in=["pending", "approved"]),
                name="exemption_one_open_per_item",
            ),
        ]

    def __str__(self) -> str:
        target = self.milestone if self.milestone_id else self.item
        return f"容错免责：{target}" if target is not None else "容错免责"

    @property
    def target_label(self) -> str:
        if self.milestone_id:
            return f"{_('节点')}：{self.milestone.title}"
        return f"{_('督办事项')}：{self.item.title}" if self.item_id else ""
