"""Talent (人才): the four teams a zone builds, stored as countable facts that feed the scoring.

- management cadres (管理人才) and entrepreneurs (企业家): one row per person;
- high-level talent teams (高层次人才团队): one row per team, with its size and the money raised;
- skilled workers (专业技术工人): training centres, training sessions (trainees, certificates),
  the special-skills plan (特殊技能人才) and skill awards (高技能人才奖励).

Every row hangs off a zone and is scoped through ``for_user(user, action)``; a row that points
at an enterprise or a training centre must point at one of its own zone (checked in ``clean``).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from devzone.access import ScopedQuerySet, ScopePaths
from zones.models import Enterprise, RecognitionLevel, Zone
from zones.validators import validate_not_future, validate_year_not_future

NON_NEGATIVE = MinValueValidator(0, message=_("不能为负数。"))
AT_LEAST_ONE = MinValueValidator(1, message=_("至少为1。"))
YEAR_RANGE = [MinValueValidator(1978, _("年份不能早于1978年。")), validate_year_not_future]
MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [NON_NEGATIVE]}


class TalentQuerySet(ScopedQuerySet):
    """Every talent record reaches the hierarchy through its zone."""

    scope_paths = ScopePaths(
        zone="zone", prefecture="zone__prefecture", province="zone__prefecture__province"
    )


class Education(models.TextChoices):
    DOCTORATE = "doctorate", _("博士研究生")
    MASTER = "master", _("硕士研究生")
    BACHELOR = "bachelor", _("大学本科")
    COLLEGE = "college", _("大学专科")
    OTHER = "other", _("其他")


AwardLevel = RecognitionLevel  # the same four levels everywhere


class PlacementStatus(models.TextChoices):
    APPLIED = "applied", _("申报中")
    SELECTED = "selected", _("已入选")
    COMPLETED = "completed", _("已结业")
    WITHDRAWN = "withdrawn", _("已退出")


class ZoneRecord(models.Model):
    """What every talent record has: its zone and timestamps."""

    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="+", verbose_name=_("开发区")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        abstract = True

    def _same_zone(self, field_name: str, errors: dict) -> None:
        """A linked enterprise or centre must belong to this record's zone."""
        target_id = getattr(self, f"{field_name}_id")
        if not target_id or not self.zone_id:
            return
        target = getattr(self, field_name)
        if target.zone_id != self.zone_id:
            label = self._meta.get_field(field_name).verbose_name
            errors[field_name] = _("%(field)s必须属于本开发区。") % {"field": label}


class ManagementCadre(ZoneRecord):
    """A member of the zone's management body (管理人才)."""

    name = models.CharField(_("姓名"), max_length=50)
    post = models.CharField(_("职务"), max_length=100)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices)
    appointed_on = models.DateField(_("任职日期"), validators=[validate_not_future])
    training_hours = models.PositiveIntegerField(
        _("年度培训学时"), default=0, validators=[NON_NEGATIVE]
    )
    is_active = models.BooleanField(_("在职"), default=True)

    class Meta:
        ordering = ["zone_id", "name"]
        verbose_name = _("管理人才")
        verbose_name_plural = _("管理人才")
        indexes = [models.Index(fields=["zone", "is_active"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.post}）"


class Entrepreneur(ZoneRecord):
    """An entrepreneur of an enterprise in the zone (企业家).

    ``activities_attended`` counts the training and exchange activities the person took part in
    during ``activity_year``: the figure the scoring counts, kept per person and year.
    """

    name = models.CharField(_("姓名"), max_length=50)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在企业")
    )
    title = models.CharField(_("职务"), max_length=100)
    activity_year = models.PositiveSmallIntegerField(_("活动年度"), validators=YEAR_RANGE)
    activities_attended = models.PositiveIntegerField(
        _("参加培训交流活动（次）"), default=0, validators=[NON_NEGATIVE]
    )

    class Meta:
        ordering = ["zone_id", "name"]
        verbose_name = _("企业家")
        verbose_name_plural = _("企业家")

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）"

    def clean(self) -> None:
        errors: dict = {}
        self._same_zone("enterprise", errors)
        if errors:
            raise ValidationError(errors)


class TalentTeam(ZoneRecord):
    """A high-level talent team introduced to the zone (高层次人才团队)."""

    name = models.CharField(_("团队名称"), max_length=150)
    leader = models.CharField(_("团队带头人"), max_length=50)
    field = models.CharField(_("专业领域"), max_length=100)
    size = models.PositiveIntegerField(_("团队人数"), validators=[AT_LEAST_ONE])
    host_enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("依托企业"),
    )
    introduced_on = models.DateField(_("引进日期"), validators=[validate_not_future])
    guidance_fund = models.DecimalField(_("产业引导基金（万元）"), default=0, **MONEY)
    venture_capital = models.DecimalField(_("风险投资（万元）"), default=0, **MONEY)
    serves_leading_industry = models.BooleanField(_("服务首位产业"), default=False)

    class Meta:
        ordering = ["zone_id", "-introduced_on", "name"]
        verbose_name = _("高层次人才团队")
        verbose_name_plural = _("高层次人才团队")
        indexes = [models.Index(fields=["zone", "introduced_on"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict = {}
        self._same_zone("host_enterprise", errors)
        if errors:
            raise ValidationError(errors)


def split_trades(value: str) -> list[str]:
    """``"焊工，电工、钳工"`` → ``["焊工", "电工", "钳工"]``: any comma or 、, no duplicates."""
    seen: list[str] = []
    for part in re.split(r"[,，、;；\n]+", value or ""):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


class TrainingCentre(ZoneRecord):
    """A high-skill talent training centre (高技能人才培训中心)."""

    name = models.CharField(_("中心名称"), max_length=150)
    operator = models.CharField(_("运营主体"), max_length=150)
    trades = models.CharField(
        _("培训工种"), max_length=500, help_text=_("多个工种用顿号或逗号分隔，如：焊工、电工")
    )
    annual_capacity = models.PositiveIntegerField(
        _("年培训能力（人次）"), default=0, validators=[NON_NEGATIVE]
    )

    class Meta:
        ordering = ["zone_id", "name"]
        verbose_name = _("高技能人才培训中心")
        verbose_name_plural = _("高技能人才培训中心")

    def __str__(self) -> str:
        return self.name

    @property
    def trade_list(self) -> list[str]:
        return split_trades(self.trades)

    def clean(self) -> None:
        trades = split_trades(self.trades)
        if not trades:
            raise ValidationError({"trades": _("请至少填写一个培训工种。")})
        self.trades = "、".join(trades)


class TrainingSession(ZoneRecord):
    """One skills training session: how many trained, how many certified (培训班次)."""

    centre = models.ForeignKey(
        TrainingCentre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("培训中心"),
    )
    trade = models.CharField(_("培训工种"), max_length=100)
    held_on = models.DateField(_("培训日期"), validators=[validate_not_future])
    trainees = models.PositiveIntegerField(_("培训人数"), validators=[NON_NEGATIVE])
    certificates = models.PositiveIntegerField(
        _("取得证书人数"), default=0, validators=[NON_NEGATIVE]
    )

    class Meta:
        ordering = ["zone_id", "-held_on"]
        verbose_name = _("技能培训")
        verbose_name_plural = _("技能培训")
        indexes = [models.Index(fields=["zone", "held_on"])]
        constraints = [
            models.CheckConstraint(
                name="training_certificates_le_trainees",
                condition=models.Q(certificates__lte=models.F("trainees")),
                violation_error_message=_("取得证书人数不能多于培训人数。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.trade} {self.held_on:%Y-%m-%d}"

    def clean(self) -> None:
        errors: dict = {}
        self._same_zone("centre", errors)
        if (
            self.trainees is not None
            and self.certificates is not None
            and self.certificates > self.trainees
        ):
            errors["certificates"] = _("取得证书人数（%(c)s）不能多于培训人数（%(t)s）。") % {
                "c": self.certificates,
                "t": self.trainees,
            }
        if errors:
            raise ValidationError(errors)


class SpecialSkillsPlacement(ZoneRecord):
    """A person in the special-skills talent plan (特殊技能人才计划) for one year."""

    name = models.CharField(_("姓名"), max_length=50)
    trade = models.CharField(_("技能工种"), max_length=100)
    year = models.PositiveSmallIntegerField(_("计划年度"), validators=YEAR_RANGE)
    status = models.CharField(
        _("状态"), max_length=20, choices=PlacementStatus.choices, default=PlacementStatus.APPLIED
    )

    class Meta:
        ordering = ["zone_id", "-year", "name"]
        verbose_name = _("特殊技能人才")
        verbose_name_plural = _("特殊技能人才")

    def __str__(self) -> str:
        return f"{self.name}（{self.trade}）"


class SkillAward(ZoneRecord):
    """A high-skill talent award (高技能人才奖励) given to a person."""

    name = models.CharField(_("获奖人"), max_length=50)
    award = models.CharField(_("奖项名称"), max_length=150)
    level = models.CharField(_("级别"), max_length=20, choices=AwardLevel.choices)
    awarded_on = models.DateField(_("获奖日期"), validators=[validate_not_future])
    amount = models.DecimalField(_("奖励金额（万元）"), default=0, **MONEY)

    class Meta:
        ordering = ["zone_id", "-awarded_on"]
        verbose_name = _("高技能人才奖励")
        verbose_name_plural = _("高技能人才奖励")

    def __str__(self) -> str:
        return f"{self.name}（{self.award}）"


TALENT_MODELS: tuple[type[ZoneRecord], ...] = (
    ManagementCadre,
    Entrepreneur,
    TalentTeam,
    TrainingCentre,
    TrainingSession,
    SpecialSkillsPlacement,
    SkillAward,
)
