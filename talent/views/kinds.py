"""The seven talent record types, each described once for the generic pages in ``records``.

A ``Kind`` names its model, filter, form and export resource, its list columns (with how each
cell is read from a row) and its URL slug. Adding an eighth type is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from devzone.pages import Column
from talent import filters, forms, resources
from talent.models import (
    Entrepreneur,
    ManagementCadre,
    SkillAward,
    SpecialSkillsPlacement,
    TalentTeam,
    TrainingCentre,
    TrainingSession,
    ZoneRecord,
)


def _yes_no(value: bool) -> str:
    return str(_("是") if value else _("否"))


def _date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else "—"


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


@dataclass(frozen=True)
class Cell:
    """A list column and how to read its value from a row."""

    column: Column
    value: Callable[[ZoneRecord], object]


def _zone_cell() -> Cell:
    return Cell(Column(_("开发区"), "zone", ("zone__code",)), lambda r: r.zone.name)


@dataclass(frozen=True)
class Kind:
    slug: str  # URL segment: /talent/<slug>/
    name: str  # URL name prefix: talent:<name>-list
    model: type[ZoneRecord]
    title: str  # plural heading, e.g. 高层次人才团队
    cells: Sequence[Cell]
    filter_class: type
    filter_names: Sequence[str]
    default_sort: str
    form_class: type
    resource_class: type

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(cell.column for cell in self.cells)

    @property
    def noun(self) -> str:
        return str(self.model._meta.verbose_name)

    def row_cells(self, row: ZoneRecord) -> list[object]:
        return [cell.value(row) for cell in self.cells]


def detail_fields(row: ZoneRecord, names: Sequence[str]) -> list[tuple[str, object]]:
    """(label, display value) of a record's fields, for the generic detail page."""
    out = []
    for name in names:
        field = row._meta.get_field(name)
        value = getattr(row, name)
        if field.choices:
            value = getattr(row, f"get_{name}_display")()
        elif isinstance(field, models.BooleanField):
            value = _yes_no(value)
        elif isinstance(field, models.DateField):
            value = _date(value)
        elif isinstance(field, models.DecimalField):
            value = _money(value)
        out.append((str(field.verbose_name), "—" if value in (None, "") else value))
    return out


KINDS: tuple[Kind, ...] = (
    Kind(
        slug="cadres",
        name="cadre",
        model=ManagementCadre,
        title=_("管理人才"),
        cells=(
            Cell(Column(_("姓名"), "name", ("name",)), lambda r: r.name),
            _zone_cell(),
            Cell(Column(_("职务")), lambda r: r.post),
            Cell(
                Column(_("学历"), "education", ("education",)), lambda r: r.get_education_display()
            ),
            Cell(
                Column(_("任职日期"), "appointed_on", ("appointed_on",)),
                lambda r: _date(r.appointed_on),
            ),
            Cell(
                Column(_("年度培训学时"), "training_hours", ("training_hours",), numeric=True),
                lambda r: r.training_hours,
            ),
            Cell(Column(_("在职")), lambda r: _yes_no(r.is_active)),
        ),
        filter_class=filters.ManagementCadreFilter,
        filter_names=("q", "zone", "education", "is_active"),
        default_sort="zone",
        form_class=forms.ManagementCadreForm,
        resource_class=resources.ManagementCadreResource,
    ),
    Kind(
        slug="entrepreneurs",
        name="entrepreneur",
        model=Entrepreneur,
        title=_("企业家"),
        cells=(
            Cell(Column(_("姓名"), "name", ("name",)), lambda r: r.name),
            _zone_cell(),
            Cell(
                Column(_("所在企业"), "enterprise", ("enterprise__name",)),
                lambda r: r.enterprise.name,
            ),
            Cell(Column(_("职务")), lambda r: r.title),
            Cell(
                Column(_("活动年度"), "activity_year", ("activity_year",), numeric=True),
                lambda r: r.activity_year,
            ),
            Cell(
                Column(_("参加活动（次）"), "activities", ("activities_attended",), numeric=True),
                lambda r: r.activities_attended,
            ),
        ),
        filter_class=filters.EntrepreneurFilter,
        filter_names=("q", "zone", "activity_year"),
        default_sort="zone",
        form_class=forms.EntrepreneurForm,
        resource_class=resources.EntrepreneurResource,
    ),
    Kind(
        slug="teams",
        name="team",
        model=TalentTeam,
        title=_("高层次人才团队"),
        cells=(
            Cell(Column(_("团队名称"), "name", ("name",)), lambda r: r.name),
            _zone_cell(),
            Cell(Column(_("带头人")), lambda r: r.leader),
            Cell(Column(_("专业领域")), lambda r: r.field),
            Cell(Column(_("人数"), "size", ("size",), numeric=True), lambda r: r.size),
            Cell(
                Column(_("依托企业")),
                lambda r: r.host_enterprise.name if r.host_enterprise else "—",
            ),
            Cell(
                Column(_("引进日期"), "introduced_on", ("introduced_on",)),
                lambda r: _date(r.introduced_on),
            ),
            Cell(
                Column(_("引导基金（万元）"), "guidance_fund", ("guidance_fund",), numeric=True),
                lambda r: _money(r.guidance_fund),
            ),
            Cell(
                Column(
                    _("风险投资（万元）"), "venture_capital", ("venture_capital",), numeric=True
                ),
                lambda r: _money(r.venture_capital),
            ),
            Cell(Column(_("服务首位产业")), lambda r: _yes_no(r.serves_leading_industry)),
        ),
        filter_class=filters.TalentTeamFilter,
        filter_names=("q", "zone", "introduced_year", "serves_leading_industry"),
        default_sort="-introduced_on",
        form_class=forms.TalentTeamForm,
        resource_class=resources.TalentTeamResource,
    ),
    Kind(
        slug="centres",
        name="centre",
        model=TrainingCentre,
        title=_("高技能人才培训中心"),
        cells=(
            Cell(Column(_("中心名称"), "name", ("name",)), lambda r: r.name),
            _zone_cell(),
            Cell(Column(_("运营主体")), lambda r: r.operator),
            Cell(Column(_("培训工种")), lambda r: r.trades),
            Cell(
                Column(_("年培训能力（人次）"), "capacity", ("annual_capacity",), numeric=True),
                lambda r: r.annual_capacity,
            ),
        ),
        filter_class=filters.TrainingCentreFilter,
        filter_names=("q", "zone"),
        default_sort="zone",
        form_class=forms.TrainingCentreForm,
        resource_class=resources.TrainingCentreResource,
    ),
    Kind(
        slug="sessions",
        name="session",
        model=TrainingSession,
        title=_("技能培训"),
        cells=(
            Cell(Column(_("培训工种"), "trade", ("trade",)), lambda r: r.trade),
            _zone_cell(),
            Cell(Column(_("培训中心")), lambda r: r.centre.name if r.centre else "—"),
            Cell(Column(_("培训日期"), "held_on", ("held_on",)), lambda r: _date(r.held_on)),
            Cell(
                Column(_("培训人数"), "trainees", ("trainees",), numeric=True), lambda r: r.trainees
            ),
            Cell(
                Column(_("取得证书人数"), "certificates", ("certificates",), numeric=True),
                lambda r: r.certificates,
            ),
        ),
        filter_class=filters.TrainingSessionFilter,
        filter_names=("q", "zone", "year", "held_from", "held_to"),
        default_sort="-held_on",
        form_class=forms.TrainingSessionForm,
        resource_class=resources.TrainingSessionResource,
    ),
    Kind(
        slug="special-skills",
        name="placement",
        model=SpecialSkillsPlacement,
        title=_("特殊技能人才计划"),
        cells=(
            Cell(Column(_("姓名"), "name", ("name",)), lambda r: r.name),
            _zone_cell(),
            Cell(Column(_("技能工种"), "trade", ("trade",)), lambda r: r.trade),
            Cell(Column(_("计划年度"), "year", ("year",), numeric=True), lambda r: r.year),
            Cell(Column(_("状态"), "status", ("status",)), lambda r: r.get_status_display()),
        ),
        filter_class=filters.SpecialSkillsPlacementFilter,
        filter_names=("q", "zone", "year", "status"),
        default_sort="-year",
        form_class=forms.SpecialSkillsPlacementForm,
        resource_class=resources.SpecialSkillsPlacementResource,
    ),
    Kind(
        slug="awards",
        name="award",
        model=SkillAward,
        title=_("高技能人才奖励"),
        cells=(
            Cell(Column(_("获奖人"), "name", ("name",)), lambda r: r.name),
            _zone_cell(),
            Cell(Column(_("奖项名称")), lambda r: r.award),
            Cell(Column(_("级别"), "level", ("level",)), lambda r: r.get_level_display()),
            Cell(
                Column(_("获奖日期"), "awarded_on", ("awarded_on",)), lambda r: _date(r.awarded_on)
            ),
            Cell(
                Column(_("奖励金额（万元）"), "amount", ("amount",), numeric=True),
                lambda r: _money(r.amount),
            ),
        ),
        filter_class=filters.SkillAwardFilter,
        filter_names=("q", "zone", "level", "year"),
        default_sort="-awarded_on",
        form_class=forms.SkillAwardForm,
        resource_class=resources.SkillAwardResource,
    ),
)

KIND_BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS}
KIND_BY_MODEL: dict[type, Kind] = {kind.model: kind for kind in KINDS}
