"""Supervision items (督查督办) with their closed loop and warning colours, and exemptions
(容错免责) against missed milestones and overdue items."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devzone.access import ScopedQuerySet
from investment.models.projects import Milestone, Project, _zone_paths
from zones.models import Zone

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
    PROMISE = "promise", _("承诺兑现核查")  # raised by the system only (investment.promises)


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
