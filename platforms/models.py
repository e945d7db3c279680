"""Service platforms (平台) and the services they deliver to a zone's enterprises.

Both are countable facts: platforms by kind and sub-kind, national-level innovation platforms,
and enterprises served, feed the platform-service capacity (平台服务支撑力) and the 聚网 stage.
The catalogue of kinds lives in platforms/catalogue.py.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from devzone.access import ScopedQuerySet, ScopePaths
from devzone.text import join
from platforms.catalogue import (
    CATALOGUE,
    SUB_KIND_CHOICES,
    SUB_KINDS,
    OperatorType,
    PlatformKind,
    PlatformLevel,
    PlatformStatus,
    ServiceCategory,
    sub_kinds_of,
)
from zones.models import ChainPosition, Enterprise, Zone
from zones.validators import validate_not_future

NON_NEGATIVE = MinValueValidator(0, message=_("不能为负数。"))


def _catalogue_condition() -> Q:
    """Sub-kind belongs to kind, and the chain segment is exactly the sub-kind's segment."""
    condition = Q(pk__in=[])
    for entry in CATALOGUE:
        condition |= Q(kind=entry.kind, sub_kind=entry.code, chain_segment=entry.segment)
    return condition


class PlatformQuerySet(ScopedQuerySet):
    scope_paths = ScopePaths(
        zone="zone", prefecture="zone__prefecture", province="zone__prefecture__province"
    )


class Platform(models.Model):
    """A service platform of a zone: one of the four kinds and one of its sub-kinds.

    ``chain_segment`` is derived from the sub-kind (professional kind only) in ``clean``; a
    check constraint holds the catalogue in the database too, so bulk loads cannot break it.
    """

    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="platforms", verbose_name=_("所在开发区")
    )
    name = models.CharField(_("平台名称"), max_length=150)
    kind = models.CharField(_("平台类型"), max_length=20, choices=PlatformKind.choices)
    sub_kind = models.CharField(_("平台子类"), max_length=40, choices=SUB_KIND_CHOICES)
    chain_segment = models.CharField(
        _("服务产业链环节"),
        max_length=20,
        choices=ChainPosition.choices,
        blank=True,
        editable=False,
        help_text=_("专业公共服务平台按子类确定所服务的产业链环节，无需填写。"),
    )
    operator_type = models.CharField(_("运营主体类型"), max_length=20, choices=OperatorType.choices)
    operator_name = models.CharField(_("运营单位"), max_length=150, blank=True)
    level = models.CharField(_("平台级别"), max_length=20, choices=PlatformLevel.choices)
    established_on = models.DateField(_("成立（认定）日期"), validators=[validate_not_future])
    status = models.CharField(
        _("运营状态"),
        max_length=20,
        choices=PlatformStatus.choices,
        default=PlatformStatus.OPERATING,
    )
    serves_leading_industry = models.BooleanField(_("服务首位产业"), default=False)
    host_enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_platforms",
        verbose_name=_("依托企业"),
    )
    description = models.TextField(_("简介"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PlatformQuerySet.as_manager()

    class Meta:
        ordering = ["zone_id", "kind", "name"]
        verbose_name = _("服务平台")
        verbose_name_plural = _("服务平台")
        indexes = [
            models.Index(fields=["zone", "kind", "sub_kind"]),
            models.Index(fields=["kind", "level"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="platform_sub_kind_matches_kind",
                condition=_catalogue_condition(),
                violation_error_message=_("平台子类、类型与产业链环节不一致。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_operating(self) -> bool:
        return self.status == PlatformStatus.OPERATING

    def clean(self) -> None:
        errors: dict[str, object] = {}
        entry = SUB_KINDS.get(self.sub_kind)
        if entry is not None and self.kind and entry.kind != self.kind:
            allowed = join(s.label for s in sub_kinds_of(self.kind))
            errors["sub_kind"] = _(
                "平台子类“%(sub)s”不属于“%(kind)s”；该类型的子类为：%(allowed)s。"
            ) % {
                "sub": entry.label,
                "kind": PlatformKind(self.kind).label,
                "allowed": allowed,
            }
        elif entry is not None:
            # Derived, never typed in: the professional kind's segment follows from its sub-kind.
            self.chain_segment = entry.segment
        if (
            self.host_enterprise_id
            and self.zone_id
            and self.host_enterprise.zone_id != self.zone_id
        ):
            errors["host_enterprise"] = _("依托企业“%(name)s”不在平台所在的开发区。") % {
                "name": self.host_enterprise.name
            }
        if errors:
            raise ValidationError(errors)


class ServiceRecordQuerySet(ScopedQuerySet):
    scope_paths = ScopePaths(
        zone="platform__zone",
        prefecture="platform__zone__prefecture",
        province="platform__zone__prefecture__province",
    )


class ServiceRecord(models.Model):
    """One service a platform delivered to an enterprise of its zone.

    Distinct enterprises served per platform and per zone over the last 12 months are the
    evidence of platform-service capacity. ``free`` is explicit and must agree with the fee.
    """

    platform = models.ForeignKey(
        Platform,
        on_delete=models.PROTECT,
        related_name="service_records",
        verbose_name=_("服务平台"),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        related_name="platform_services",
        verbose_name=_("服务企业"),
    )
    category = models.CharField(_("服务类别"), max_length=20, choices=ServiceCategory.choices)
    service_type = models.CharField(_("服务内容"), max_length=100)
    served_on = models.DateField(_("服务日期"), validators=[validate_not_future])
    outcome = models.CharField(_("服务成效"), max_length=300, blank=True)
    fee_wan = models.DecimalField(
        _("服务费用（万元）"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[NON_NEGATIVE],
    )
    free = models.BooleanField(_("免费服务"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-served_on", "-pk"]
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        indexes = [
            models.Index(fields=["platform", "served_on"]),
            models.Index(fields=["served_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="service_free_matches_fee",
                condition=Q(free=True, fee_wan=0) | Q(free=False, fee_wan__gt=0),
                violation_error_message=_("免费服务的费用应为0，收费服务的费用应大于0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_type}（{self.served_on:%Y-%m-%d}）" if self.served_on else ""

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if (
            self.platform_id
            and self.enterprise_id
            and self.enterprise.zone_id != self.platform.zone_id
        ):
            errors["enterprise"] = _("服务企业“%(name)s”不在平台“%(platform)s”所在的开发区。") % {
                "name": self.enterprise.name,
                "platform": self.platform.name,
            }
        if (
            self.platform_id
            and self.served_on
            and self.platform.established_on
            and self.served_on < self.platform.established_on
        ):
            errors["served_on"] = _("服务日期不能早于平台成立日期（%(d)s）。") % {
                "d": f"{self.platform.established_on:%Y-%m-%d}"
            }
        if self.fee_wan is not None:
            if self.free and self.fee_wan != 0:
                errors["fee_wan"] = _("免费服务的服务费用应为0万元；收费服务请取消勾选“免费服务”。")
            elif not self.free and self.fee_wan == 0:
                errors["free"] = _("服务费用为0万元时应勾选“免费服务”；收费服务请填写费用。")
        if errors:
            raise ValidationError(errors)
