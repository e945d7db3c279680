"""The scoring engine's data: methodology versions, indicator definitions, chain templates,
recompute runs and the zone results they produce.

A methodology version holds every threshold, weight, normalisation method and band the scoring
functions use (``parameters``) plus its indicator definitions. Exactly one version is active.
A version that has produced results is frozen: a change is a new version made from it
(``zones.methodology.derive_version``), so every stored result can be explained by the rules
that produced it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devzone.access import ScopedQuerySet, ScopePaths
from zones.models.registry import NON_NEGATIVE, ChainPosition, Industry, Stage, Zone


class Methodology(models.Model):
    """A version of the scoring methodology (评价方法版本)."""

    version = models.CharField(_("版本号"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    parameters = models.JSONField(_("参数"), default=dict)
    is_active = models.BooleanField(_("当前启用"), default=False, editable=False)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("基于版本"),
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("评价方法版本")
        verbose_name_plural = _("评价方法版本")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="methodology_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.name}"

    @property
    def has_results(self) -> bool:
        """Whether any stored result names this version (then it may no longer change)."""
        return (
            ZoneScore.objects.filter(methodology=self).exists()
            or ScoreRun.objects.filter(methodology=self, status=ScoreRun.Status.DONE).exists()
        )

    def section(self, name: str) -> dict:
        """One section of the parameters (``stage``, ``capacities``, ``land`` ...)."""
        value = (self.parameters or {}).get(name) or {}
        return dict(value)


class Capacity(models.TextChoices):
    """The six capacities (六力) of the five dimensions."""

    DRIVE = "drive", _("内生发展动力")
    LEADING_INDUSTRY = "leading_industry", _("首位产业竞争力")
    LEADING_ENTERPRISE = "leading_enterprise", _("龙头企业带动力")
    PLATFORM = "platform", _("平台服务支撑力")
    RESOURCE = "resource", _("资源环境承载力")
    RADIATION = "radiation", _("社会辐射带动力")


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class Normalisation(models.TextChoices):
    MINMAX_FLOOR = "minmax_floor", _("极差法（保底20分）")
    BENCHMARK = "benchmark", _("对标值比率（封顶）")
    RANK = "rank", _("排名百分位")


class IndicatorDefinition(models.Model):
    """An indicator of a capacity, published the way national evaluations publish theirs."""

    methodology = models.ForeignKey(
        Methodology,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("评价方法版本"),
    )
    code = models.SlugField(_("代码"), max_length=50)
    name = models.CharField(_("指标名称"), max_length=100)
    capacity = models.CharField(_("所属能力"), max_length=30, choices=Capacity.choices)
    formula = models.CharField(_("计算公式"), max_length=300)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    direction = models.CharField(
        _("方向"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    weight = models.DecimalField(
        _("权重"), max_digits=6, decimal_places=3, validators=[NON_NEGATIVE]
    )
    normalisation = models.CharField(_("标准化方法"), max_length=20, choices=Normalisation.choices)
    benchmark = models.DecimalField(
        _("对标值"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    cap = models.DecimalField(
        _("比率封顶"),
        max_digits=6,
        decimal_places=3,
        default=1,
        help_text=_("对标值比率法的封顶比率（0—1，1即达到对标值得满分）。"),
    )
    data_source = models.CharField(_("数据来源"), max_length=200)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["methodology_id", "capacity", "order", "code"]
        verbose_name = _("评价指标")
        verbose_name_plural = _("评价指标")
        constraints = [
            models.UniqueConstraint(
                fields=["methodology", "code"], name="indicator_definition_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.normalisation == Normalisation.BENCHMARK and not self.benchmark:
            raise ValidationError({"benchmark": _("对标值比率法须填写大于零的对标值。")})


class ChainTemplate(models.Model):
    """The chain of a leading industry (产业链图谱): its links by segment, from data/chains.yaml."""

    industry = models.OneToOneField(
        Industry, on_delete=models.CASCADE, related_name="chain", verbose_name=_("产业")
    )
    source = models.TextField(_("来源"), blank=True)

    class Meta:
        ordering = ["industry__code"]
        verbose_name = _("产业链图谱")
        verbose_name_plural = _("产业链图谱")

    def __str__(self) -> str:
        return str(self.industry)


class ChainLink(models.Model):
    """One link (环节) of a chain template, in one segment."""

    template = models.ForeignKey(
        ChainTemplate, on_delete=models.CASCADE, related_name="links", verbose_name=_("产业链")
    )
    segment = models.CharField(_("环节位置"), max_length=20, choices=ChainPosition.choices)
    name = models.CharField(_("环节名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["template_id", "order"]
        verbose_name = _("产业链环节")
        verbose_name_plural = _("产业链环节")
        constraints = [
            models.UniqueConstraint(fields=["template", "name"], name="chain_link_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.template}：{self.name}"


class ScoreRun(models.Model):
    """One recompute (评价计算批次): what started it, when, how far it got and what failed."""

    class Kind(models.TextChoices):
        FULL = "full", _("全量计算")
        ZONE = "zone", _("单个开发区")
        ACTIVATION = "activation", _("启用新版本")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    methodology = models.ForeignKey(
        Methodology, on_delete=models.PROTECT, related_name="runs", verbose_name=_("评价方法版本")
    )
    period = models.DateField(_("评价期"), help_text=_("月份的第一天"))
    zone = models.ForeignKey(
        Zone,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("开发区"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    triggered_by = models.CharField(_("触发方式"), max_length=100, blank=True)
    queued_at = models.DateTimeField(_("排队时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    zones_total = models.PositiveIntegerField(_("开发区数"), default=0)
    zones_done = models.PositiveIntegerField(_("已完成开发区数"), default=0)
    rows_written = models.PositiveIntegerField(_("写入结果行数"), default=0)
    queries = models.PositiveIntegerField(_("查询次数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        verbose_name = _("评价计算批次")
        verbose_name_plural = _("评价计算批次")
        indexes = [models.Index(fields=["status", "queued_at"])]
        constraints = [
            # coalescing: at most one queued recompute per zone (and one queued full run), so
            # a 500-row import of one zone's data triggers one recompute, not 500
            models.UniqueConstraint(
                fields=["zone"],
                condition=Q(status="queued", kind="zone"),
                name="score_run_one_queued_per_zone",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(status="queued", kind__in=["full", "activation"]),
                name="score_run_one_queued_full",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period:%Y-%m}"

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class ZoneScoreQuerySet(ScopedQuerySet):
    scope_paths = ScopePaths(
        zone="zone", prefecture="zone__prefecture", province="zone__prefecture__province"
    )


class Quadrant(models.TextChoices):
    """Scale × quality (精准施策四象限)."""

    LARGE_HIGH = "large_high", _("规模大、质量高")
    LARGE_LOW = "large_low", _("规模大、质量低")
    SMALL_HIGH = "small_high", _("规模小、质量高")
    SMALL_LOW = "small_low", _("规模小、质量低")


class ZoneScore(models.Model):
    """A zone's computed stage and scores for one period under one methodology version.

    Written only by the recompute (upsert on zone, period and version); every figure carries
    its explanation: ``stage_detail`` the rules with value, threshold and outcome and the path
    to the next stage; ``capacity_detail`` each indicator's value, normalised score, weight
    and contribution.
    """

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="scores", verbose_name=_("开发区")
    )
    period = models.DateField(_("评价期"))
    methodology = models.ForeignKey(
        Methodology, on_delete=models.PROTECT, related_name="+", verbose_name=_("评价方法版本")
    )
    run = models.ForeignKey(
        ScoreRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("计算批次"),
    )
    stage = models.CharField(_("发展阶段"), max_length=20, choices=Stage.choices)
    stage_detail = models.JSONField(_("阶段判定依据"), default=dict)
    capacities = models.JSONField(_("六力得分"), default=dict)
    capacity_detail = models.JSONField(_("六力指标贡献"), default=dict)
    quality = models.DecimalField(
        _("质量综合得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    scale = models.DecimalField(
        _("规模（工业总产值，万元）"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    quadrant = models.CharField(
        _("象限"), max_length=20, choices=Quadrant.choices, null=True, blank=True
    )
    land_grades = models.JSONField(_("亩均评价等级分布"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    objects = ZoneScoreQuerySet.as_manager()

    class Meta:
        ordering = ["zone_id", "-period"]
        verbose_name = _("开发区评价结果")
        verbose_name_plural = _("开发区评价结果")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "period", "methodology"], name="zone_score_unique_period"
            )
        ]
        indexes = [models.Index(fields=["methodology", "period", "stage"])]

    def __str__(self) -> str:
        return f"{self.zone} {self.period:%Y-%m}"
