"""Per-mu evaluation (亩均论英雄): enterprises' annual figures and the grades computed from them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devzone.access import ScopedQuerySet, ScopePaths
from zones.models.registry import NON_NEGATIVE, Enterprise
from zones.models.scoring import Methodology, ScoreRun
from zones.validators import validate_year_not_future

_ENTERPRISE_PATHS = ScopePaths(
    zone="enterprise__zone",
    prefecture="enterprise__zone__prefecture",
    province="enterprise__zone__prefecture__province",
)


class EnterpriseAnnualQuerySet(ScopedQuerySet):
    scope_paths = _ENTERPRISE_PATHS


def _money(label: str) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=16, decimal_places=2, null=True, blank=True, validators=[NON_NEGATIVE]
    )


class EnterpriseAnnual(models.Model):
    """An enterprise's figures for one year (企业年度数据), in canonical units (万元, 吨标准煤,
    人). A recorded safety or environmental violation (``veto_reason``) grades it D that year."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="annuals", verbose_name=_("企业")
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[validate_year_not_future])
    revenue = _money(_("营业收入（万元）"))
    value_added = _money(_("工业增加值（万元）"))
    output = _money(_("工业总产值（万元）"))
    tax = _money(_("实缴税收（万元）"))
    energy_tce = models.DecimalField(
        _("综合能耗（吨标准煤）"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NON_NEGATIVE],
    )
    employees = models.PositiveIntegerField(_("年均从业人员（人）"), null=True, blank=True)
    rd_spending = _money(_("研发经费支出（万元）"))
    veto_reason = models.CharField(
        _("否决事项"),
        max_length=200,
        blank=True,
        help_text=_("当年发生的重大安全生产、环境污染等事项；填写后当年亩均评价直接定为D类。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = EnterpriseAnnualQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "-year"]
        verbose_name = _("企业年度数据")
        verbose_name_plural = _("企业年度数据")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="enterprise_annual_unique")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"


class LandGrade(models.TextChoices):
    A = "A", _("A类（优先发展）")
    B = "B", _("B类（提升发展）")
    C = "C", _("C类（调整转型）")
    D = "D", _("D类（整治淘汰）")


class GradeCategory(models.TextChoices):
    RANKED = "ranked", _("参评")
    EXEMPT = "exempt", _("免评")
    DEFERRED = "deferred", _("暂评")
    VETO = "veto", _("一票否决")
    MISSING = "missing", _("数据缺失")


class EnterpriseGradeQuerySet(ScopedQuerySet):
    scope_paths = _ENTERPRISE_PATHS


class EnterpriseGrade(models.Model):
    """An enterprise's per-mu score and grade for a year under one methodology version."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="grades", verbose_name=_("企业")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
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
    score = models.DecimalField(
        _("综合得分"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    grade = models.CharField(
        _("等级"), max_length=1, choices=LandGrade.choices, null=True, blank=True
    )
    category = models.CharField(_("评价类别"), max_length=20, choices=GradeCategory.choices)
    detail = models.JSONField(_("得分构成"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    objects = EnterpriseGradeQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "-year"]
        verbose_name = _("亩均评价结果")
        verbose_name_plural = _("亩均评价结果")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "methodology"], name="enterprise_grade_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year} {self.grade or '-'}"
