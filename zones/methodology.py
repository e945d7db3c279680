"""Methodology versions: the default version, validation, derivation and activation.

A version's ``parameters`` is a dict of sections, one per scoring module: ``stage``
(zones.scoring.stage), ``capacities``, ``quadrant``, ``land`` (zones.scoring.*),
``accountability`` (investment.scoring) and ``promise`` (investment.promise_scoring), the last
two registered by the investment app so that zones imports no other app. Each section registers
its defaults and its validator here; a version is checked section by section and an unknown
section is refused. A section absent from a version takes its defaults (every scoring module
overlays a section on its defaults), so a version stored before a section was added stays valid
and means the defaults.

Rules: exactly one version is active; a version that has produced results never changes
(``ensure_editable``) — an administrator derives a new version from it, edits that, and activates
it, which enqueues a full recompute.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from devzone import audit
from devzone.models import AuditEvent
from zones.models import IndicatorDefinition, Methodology

DEFAULT_VERSION = "2026.1"


@dataclass(frozen=True)
class Section:
    name: str
    defaults: Callable[[], dict[str, Any]]
    validate: Callable[[dict[str, Any]], list[str]]


SECTIONS: dict[str, Section] = {}


def register_section(
    name: str,
    defaults: Callable[[], dict[str, Any]],
    validate: Callable[[dict[str, Any]], list[str]],
) -> None:
    """Make ``name`` a section of every methodology version (called at import/app-ready time)."""
    SECTIONS[name] = Section(name, defaults, validate)


def default_parameters() -> dict[str, dict[str, Any]]:
    return {name: copy.deepcopy(section.defaults()) for name, section in SECTIONS.items()}


def default_indicators() -> list[dict[str, Any]]:
    """The default version's indicator definitions, as ``IndicatorDefinition`` field values."""
    from zones.scoring.capacity_indicators import DEFAULT_INDICATORS

    rows = []
    for order, item in enumerate(DEFAULT_INDICATORS, start=1):
        rows.append(
            {
                "code": item.code,
                "name": item.name,
                "capacity": item.capacity,
                "formula": item.formula,
                "unit": item.unit,
                "direction": item.direction,
                "weight": item.weight,
                "normalisation": item.normalisation,
                "benchmark": item.benchmark,
                "cap": item.cap,
                "data_source": item.data_source,
                "order": order,
            }
        )
    return rows


def parameter_problems(parameters: Any) -> list[str]:
    """Every problem of a parameters dict, as ``section: problem`` lines (empty when valid)."""
    if not isinstance(parameters, dict):
        return ["parameters: expected an object with one entry per section"]
    problems = [f"{name}: unknown section" for name in parameters if name not in SECTIONS]
    for name, section in SECTIONS.items():
        if name not in parameters:
            continue  # a version stored before the section existed: its defaults apply
        value = parameters[name]
        if not isinstance(value, dict):
            problems.append(f"{name}: expected an object")
            continue
        problems.extend(f"{name}: {problem}" for problem in section.validate(value))
    return problems


def check_parameters(parameters: Any) -> None:
    problems = parameter_problems(parameters)
    if problems:
        raise ValidationError({"parameters": problems})


def ensure_editable(methodology: Methodology) -> None:
    """A version that produced results is frozen: its rules explain stored figures."""
    if methodology.pk and methodology.has_results:
        raise ValidationError(
            _("版本“%(version)s”已产生评价结果，不能再修改；请基于它创建新版本。")
            % {"version": methodology.version}
        )


def active_methodology() -> Methodology | None:
    return Methodology.objects.filter(is_active=True).first()


@transaction.atomic
def create_default_version(indicators: list[dict[str, Any]] | None = None) -> Methodology:
    """The documented default version (docs/methodology.md), active when no version is."""
    methodology, created = Methodology.objects.get_or_create(
        version=DEFAULT_VERSION,
        defaults={
            "name": _("默认评价方法"),
            "description": _(
                "四聚阶段、六力、亩均评价、象限与问责评分的默认规则，见方法说明文档。"
            ),
            "parameters": default_parameters(),
        },
    )
    if created:
        IndicatorDefinition.objects.bulk_create(
            IndicatorDefinition(methodology=methodology, **row) for row in indicators or ()
        )
    if not Methodology.objects.filter(is_active=True).exists():
        Methodology.objects.filter(pk=methodology.pk).update(
            is_active=True, activated_at=timezone.now()
        )
        methodology.refresh_from_db()
    return methodology


@transaction.atomic
def derive_version(user, source: Methodology, version: str, name: str = "") -> Methodology:
    """A new, inactive version copied from ``source`` (parameters and indicators)."""
    if Methodology.objects.filter(version=version).exists():
        raise ValidationError({"version": _("版本号“%(version)s”已存在。") % {"version": version}})
    derived = Methodology.objects.create(
        version=version,
        name=name or source.name,
        description=source.description,
        parameters=copy.deepcopy(source.parameters),
        based_on=source,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    IndicatorDefinition.objects.bulk_create(
        IndicatorDefinition(
            methodology=derived,
            **{
                f.attname: getattr(row, f.attname)
                for f in IndicatorDefinition._meta.concrete_fields
                if f.attname not in ("id", "methodology_id")
            },
        )
        for row in source.indicators.all()
    )
    audit.log(
        AuditEvent.Kind.METHODOLOGY,
        user=user,
        summary=f"derived {derived.version} from {source.version}",
        detail={"methodology": derived.pk, "based_on": source.pk},
    )
    return derived


@transaction.atomic
def activate(methodology: Methodology, user=None) -> Methodology:
    """Make ``methodology`` the one active version; the caller enqueues the full recompute."""
    check_parameters(methodology.parameters)
    Methodology.objects.select_for_update().filter(is_active=True).exclude(
        pk=methodology.pk
    ).update(is_active=False)
    Methodology.objects.filter(pk=methodology.pk).update(
        is_active=True, activated_at=timezone.now()
    )
    methodology.refresh_from_db()
    audit.log(
        AuditEvent.Kind.METHODOLOGY,
        user=user,
        summary=f"activated {methodology.version}",
        detail={"methodology": methodology.pk},
    )
    return methodology
