"""The zone registry.

The hierarchy is province → prefecture (市州) → zone (开发区); every business record hangs off a
zone, and every queryset is scoped through ``for_user(user, action)`` (see devzone/access.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from devzone.access import ROLE_LEVEL, Level, Role, ScopedQuerySet, ScopePaths
from zones.units import INDICATOR_FIELDS, OUTPUT_TIERS
from zones.validators import validate_credit_code, validate_not_future, validate_year_not_future

NON_NEGATIVE = MinValueValidator(0, message=_("不能为负数。"))
DIVISION_CODE = RegexValidator(r"^\d{6}$", _("行政区划代码应为6位数字。"))


class ProvinceQuerySet(ScopedQuerySet):
    scope_paths = ScopePaths(province="pk", zone_ancestors=True)


class Province(models.Model):
    """A province (省). Guizhou is the first; the schema holds all 31 without change."""

    code = models.CharField(
        _("行政区划代码"), max_length=6, unique=True, validators=[DIVISION_CODE]
    )
    name = models.CharField(_("名称"), max_length=50, unique=True)

    objects = ProvinceQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("省份")
        verbose_name_plural = _("省份")

    def __str__(self) -> str:
        return self.name


class PrefectureQuerySet(ScopedQuerySet):
    scope_paths = ScopePaths(prefecture="pk", province="province", zone_ancestors=True)


class Prefecture(models.Model):
    """A prefecture-level division (市州), or a state-level new area such as 贵安新区."""

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="prefectures", verbose_name=_("省份")
    )
    code = models.CharField(
        _("行政区划代码"), max_length=6, unique=True, validators=[DIVISION_CODE]
    )
    name = models.CharField(_("名称"), max_length=50)

    objects = PrefectureQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("市州")
        verbose_name_plural = _("市州")
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="prefecture_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Industry(models.Model):
    """An industry that can be a zone's leading industry (首位产业) or an enterprise's industry."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("产业")
        verbose_name_plural = _("产业")

    def __str__(self) -> str:
        return self.name


class ZoneType(models.TextChoices):
    HIGH_TECH = "high_tech", _("高新区")
    ECONOMIC = "economic", _("经开区")
    INDUSTRIAL_PARK = "industrial_park", _("工业园区")
    BONDED = "bonded", _("综保区")


class ZoneLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")


class RecognitionLevel(models.TextChoices):
    """The level at which a platform, an award or a title is recognised (used by several apps)."""

    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")
    ZONE = "zone", _("园区级")


class Stage(models.TextChoices):
    AGGLOMERATING = "agglomerating", _("聚集中")
    AGGLOMERATED = "agglomerated", _("聚集基本完成")
    CORE = "core", _("聚核")
    CHAIN = "chain", _("聚链")
    NETWORK = "network", _("聚网")


OUTPUT_TIER_CHOICES = [(label, label) for label, _lower in OUTPUT_TIERS]


class ZoneQuerySet(ScopedQuerySet):
    scope_paths = ScopePaths(zone="pk", prefecture="prefecture", province="prefecture__province")


class Zone(models.Model):
    """A development zone (开发区).

    ``output_tier``, ``latest_output`` and ``latest_output_year`` are a summary maintained by
    ``zones.services.refresh_zone_summary`` whenever annual indicators change, so lists and the
    API filter by tier without scanning indicator rows. ``stage`` is computed by the scoring
    engine and is never typed in.
    """

    code = models.CharField(
        _("编码"),
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z0-9][A-Z0-9-]{2,29}$", _("编码只能包含大写字母、数字和连字符。"))
        ],
    )
    name = models.CharField(_("名称"), max_length=100, unique=True)
    type = models.CharField(_("类型"), max_length=20, choices=ZoneType.choices)
    level = models.CharField(_("级别"), max_length=20, choices=ZoneLevel.choices)
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="zones", verbose_name=_("所属市州")
    )
    founded_year = models.PositiveSmallIntegerField(
        _("设立年份"),
        validators=[
            MinValueValidator(1978, _("设立年份不能早于1978年。")),
            validate_year_not_future,
        ],
    )
    planned_area_mu = models.DecimalField(
        _("规划面积（亩）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NON_NEGATIVE],
    )
    leading_industry = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leading_zones",
        verbose_name=_("首位产业"),
    )
    main_industries = models.ManyToManyField(
        Industry, blank=True, related_name="main_zones", verbose_name=_("主导产业")
    )
    management_body = models.CharField(_("管理机构"), max_length=150, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    output_tier = models.CharField(
        _("产值规模"),
        max_length=10,
        choices=OUTPUT_TIER_CHOICES,
        null=True,
        blank=True,
        editable=False,
        db_index=True,
    )
    latest_output = models.DecimalField(
        _("最近年度工业总产值（万元）"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )
    latest_output_year = models.PositiveSmallIntegerField(
        _("最近产值年度"), null=True, blank=True, editable=False
    )
    stage = models.CharField(
        _("发展阶段"), max_length=20, choices=Stage.choices, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ZoneQuerySet.as_manager()

    class Meta:
        ordering = ["prefecture__code", "code"]
        verbose_name = _("开发区")
        verbose_name_plural = _("开发区")
        indexes = [
            models.Index(fields=["type"]),
            models.Index(fields=["level"]),
            models.Index(fields=["founded_year"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def planned_area_km2(self):
        return None if self.planned_area_mu is None else self.planned_area_mu / 1500


class Membership(models.Model):
    """A user's role at one level of the hierarchy. A user may hold several memberships."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("用户"),
    )
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("省份")
    )
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("市州")
    )
    zone = models.ForeignKey(
        Zone,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("开发区"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(
                        role="administrator",
                        province__isnull=True,
                        prefecture__isnull=True,
                        zone__isnull=True,
                    )
                    | Q(
                        role__in=["provincial_leader", "provincial_supervisor"],
                        province__isnull=False,
                        prefecture__isnull=True,
                        zone__isnull=True,
                    )
                    | Q(
                        role="city_supervisor",
                        province__isnull=True,
                        prefecture__isnull=False,
                        zone__isnull=True,
                    )
                    | Q(
                        role__in=["zone_leader", "zone_staff", "zone_viewer"],
                        province__isnull=True,
                        prefecture__isnull=True,
                        zone__isnull=False,
                    )
                ),
            ),
            # One constraint per level: NULLs are distinct in unique constraints, and SQLite
            # cannot be told otherwise.
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(role="administrator"),
                name="membership_unique_everything",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "province"],
                condition=Q(province__isnull=False),
                name="membership_unique_province",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "prefecture"],
                condition=Q(prefecture__isnull=False),
                name="membership_unique_prefecture",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "zone"],
                condition=Q(zone__isnull=False),
                name="membership_unique_zone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.scope_label}"

    @property
    def scope_label(self) -> str:
        return str(self.zone or self.prefecture or self.province or _("全部"))

    def clean(self) -> None:
        level = ROLE_LEVEL.get(self.role)
        given = {
            Level.PROVINCE: self.province_id,
            Level.PREFECTURE: self.prefecture_id,
            Level.ZONE: self.zone_id,
        }
        errors = {}
        for lvl, field_name in (
            (Level.PROVINCE, "province"),
            (Level.PREFECTURE, "prefecture"),
            (Level.ZONE, "zone"),
        ):
            if lvl == level and not given[lvl]:
                errors[field_name] = _("该角色必须指定%(what)s。") % {"what": Level(lvl).label}
            if lvl != level and given[lvl]:
                errors[field_name] = _("该角色不应指定%(what)s。") % {"what": Level(lvl).label}
        if errors:
            raise ValidationError(errors)


class ChainPosition(models.TextChoices):
    UPSTREAM = "upstream", _("上游")
    MIDSTREAM = "midstream", _("中游")
    DOWNSTREAM = "downstream", _("下游")


class EnterpriseQuerySet(ScopedQuerySet):
    scope_paths = ScopePaths(
        zone="zone", prefecture="zone__prefecture", province="zone__prefecture__province"
    )


class Enterprise(models.Model):
    """An enterprise located in a zone.

    The three leading-enterprise tests (龙头企业) are recorded facts, each entered by zone staff
    with a date: the scoring engine counts an enterprise as leading only when all three hold.
    """

    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("所在开发区")
    )
    name = models.CharField(_("企业名称"), max_length=150)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    industry = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("所属产业"),
    )
    industry_detail = models.CharField(_("细分行业"), max_length=100, blank=True)
    chain_position = models.CharField(
        _("产业链环节"), max_length=20, choices=ChainPosition.choices, blank=True
    )
    chain_link = models.ForeignKey(
        "zones.ChainLink",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("首位产业链具体环节"),
        help_text=_("本企业覆盖的开发区首位产业链环节（用于聚链阶段的链条覆盖率）。"),
    )
    land_area_mu = models.DecimalField(
        _("用地面积（亩）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NON_NEGATIVE],
    )
    above_designated_size = models.BooleanField(_("规模以上"), default=False)
    production_started_on = models.DateField(
        _("投产日期"), null=True, blank=True, validators=[validate_not_future]
    )
    land_grading = models.CharField(
        _("亩均评价类别"),
        max_length=20,
        choices=[("auto", _("参评")), ("exempt", _("免评")), ("deferred", _("暂评"))],
        default="auto",
        help_text=_("免评、暂评企业按B类管理并单独标注；投产未满规定年限的企业自动暂评。"),
    )
    established_on = models.DateField(
        _("成立日期"), null=True, blank=True, validators=[validate_not_future]
    )
    test_national_competitiveness = models.BooleanField(_("在全国具有竞争力"), default=False)
    test_headquarters_in_zone = models.BooleanField(_("总部或区域总部在园区"), default=False)
    test_local_division_of_labour = models.BooleanField(
        _("与本地企业形成专业化规模化分工"), default=False
    )
    leading_tests_recorded_on = models.DateField(
        _("龙头企业认定日期"), null=True, blank=True, validators=[validate_not_future]
    )
    leading_tests_note = models.TextField(_("认定依据"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["zone_id", "name"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        indexes = [models.Index(fields=["zone", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_leading(self) -> bool:
        return (
            self.test_national_competitiveness
            and self.test_headquarters_in_zone
            and self.test_local_division_of_labour
        )


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    YEAR = "year", _("年度")


class ZoneIndicatorQuerySet(ScopedQuerySet):
    scope_paths = ScopePaths(
        zone="zone", prefecture="zone__prefecture", province="zone__prefecture__province"
    )


def _indicator_field(spec) -> models.DecimalField:
    unit = f"（{spec.unit}）" if spec.unit else ""
    return models.DecimalField(
        f"{spec.label}{unit}",
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NON_NEGATIVE],
    )


class ZoneIndicator(models.Model):
    """A zone's figures for one month (that month alone) or one year (the full-year total).

    Every value is stored in its canonical unit (see zones/units.py); a blank value is unknown,
    not zero.
    """

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("开发区")
    )
    period_kind = models.CharField(_("周期"), max_length=5, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(
        _("年份"),
        validators=[MinValueValidator(1978, _("年份不能早于1978年。")), validate_year_not_future],
    )
    month = models.PositiveSmallIntegerField(
        _("月份"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, _("月份应在1到12之间。")),
            MaxValueValidator(12, _("月份应在1到12之间。")),
        ],
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    for _spec in INDICATOR_FIELDS:
        locals()[_spec.name] = _indicator_field(_spec)
    del _spec

    objects = ZoneIndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["zone_id", "-year", "-month"]
        verbose_name = _("开发区指标")
        verbose_name_plural = _("开发区指标")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "year"],
                condition=Q(period_kind="year"),
                name="indicator_one_per_zone_year",
            ),
            models.UniqueConstraint(
                fields=["zone", "year", "month"],
                condition=Q(period_kind="month"),
                name="indicator_one_per_zone_month",
            ),
            models.CheckConstraint(
                name="indicator_month_matches_kind",
                condition=(
                    Q(period_kind="year", month__isnull=True)
                    | Q(period_kind="month", month__gte=1, month__lte=12)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.period_label}"

    @property
    def period_label(self) -> str:
        if self.period_kind == PeriodKind.YEAR:
            return f"{self.year}年"
        return f"{self.year}年{self.month}月"

    def clean(self) -> None:
        if self.period_kind == PeriodKind.YEAR and self.month is not None:
            raise ValidationError({"month": _("年度指标不应填写月份。")})
        if self.period_kind == PeriodKind.MONTH and self.month is None:
            raise ValidationError({"month": _("月度指标必须填写月份。")})
