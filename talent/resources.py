"""XLSX export and import of the seven talent record types (devzone/imports.py).

Each resource is built for one user; its default rows are the user's ``export`` scope, so an
export never holds a row outside it. Headers are Chinese and carry their units; the exported
file imports back unchanged. Writes go through ``talent.services`` (the forms' rules, scope and
history).

Natural keys (a row matching a stored record by its key is an update of it; the zone is always
part of the key, so an import never moves a record to another zone):

- 管理人才: 开发区编码 + 姓名;
- 企业家: 开发区编码 + 姓名 + 活动年度 (one row per person and year);
- 高层次人才团队: 开发区编码 + 团队名称;
- 高技能人才培训中心: 开发区编码 + 中心名称;
- 技能培训: 开发区编码 + 培训中心 + 培训工种 + 培训日期 (the centre is named within the zone);
- 特殊技能人才: 开发区编码 + 姓名 + 计划年度;
- 高技能人才奖励: 开发区编码 + 获奖人 + 奖项名称 + 获奖日期.

When two stored records share a key (the forms allow it), such a row is refused as ambiguous.
Enterprises are named by 统一社会信用代码. A blank cell of a column with a default (学时, 人数,
金额, 状态…) keeps the stored value, or the default for a new record.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from devzone import imports_values as iv
from devzone.imports import AMBIGUOUS, ImportField, register
from talent import services
from talent.models import (
    AwardLevel,
    Education,
    Entrepreneur,
    ManagementCadre,
    PlacementStatus,
    SkillAward,
    SpecialSkillsPlacement,
    TalentTeam,
    TrainingCentre,
    TrainingSession,
)
from talent.selectors import records_for
from zones.import_fields import enterprise_field, text_field, zone_code_field
from zones.models import Enterprise, Zone
from zones.resources import ImportableResource
from zones.units import MONEY


def _name(attribute: str, header, help_text, max_length: int, required: bool = True):
    return ImportField(
        attribute=attribute,
        column_name=header,
        widget=iv.TextWidget(max_length=max_length),
        required=required,
        help_text=help_text,
    )


def _int(attribute: str, header, help_text, required: bool = False, suffixes=()) -> ImportField:
    return ImportField(
        attribute=attribute,
        column_name=header,
        widget=iv.IntegerWidget(suffixes=suffixes),
        required=required,
        help_text=help_text,
    )


def _date(attribute: str, header, help_text) -> ImportField:
    return ImportField(
        attribute=attribute,
        column_name=header,
        widget=iv.DateWidget(),
        required=True,
        help_text=help_text,
    )


def _money(attribute: str, header, help_text) -> ImportField:
    return ImportField(
        attribute=attribute,
        column_name=header,
        widget=iv.AmountWidget("万元", MONEY.factors),
        unit=_("万元"),
        help_text=help_text,
    )


def _bool(attribute: str, header, help_text) -> ImportField:
    return ImportField(
        attribute=attribute, column_name=header, widget=iv.BooleanWidget(), help_text=help_text
    )


class TalentResource(ImportableResource):
    """The zone columns every talent file starts with, and the import hooks of all seven."""

    kind_name = ""  # talent:<kind_name>-list, the URL names of views/kinds.py

    zone_code = zone_code_field()
    zone_name = text_field("zone__name", _("开发区"))

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.kind_name:
            cls.import_name = f"talent.{cls.kind_name}"
            cls.import_url_name = f"talent:{cls.kind_name}-import"
            cls.template_url_name = f"talent:{cls.kind_name}-import-template"
            cls.list_url_name = f"talent:{cls.kind_name}-list"

    def get_queryset(self):
        if self.user is None:
            raise ValueError("an export needs the user whose scope it covers")
        return records_for(self._meta.model, self.user, "export")

    def _defaulted(self) -> list[str]:
        model = self._meta.model
        names = []
        for resource_field in self.get_export_fields():
            if not self.importable(resource_field):
                continue
            try:
                field = model._meta.get_field(resource_field.attribute)
            except Exception:  # noqa: BLE001 - not a model field
                continue
            if not field.null and field.has_default():
                names.append(field.name)
        return names

    def import_resolve(self, rows: list[dict[str, Any]]) -> dict[int, dict[str, str]]:
        defaulted = self._defaulted()
        for values in rows:
            for name in defaulted:
                if name in values and (values[name] is None or values[name] == ""):
                    del values[name]
        return {}

    def import_existing(self, keys: list[tuple]) -> dict[tuple, Any]:
        """The stored records of a batch of keys: one query (unscoped; scope is checked per row)."""
        model, names = self._meta.model, self.import_key
        filters = {}
        for position, name in enumerate(names):
            parts = {k[position] for k in keys}
            if None not in parts:
                filters[f"{name}__in"] = parts
        related = ["zone__prefecture"] + [
            n for n in names if n != "zone" and model._meta.get_field(n).is_relation
        ]
        found: dict[tuple, Any] = {}
        for record in model.objects.filter(**filters).select_related(*related):
            key = tuple(getattr(record, name) for name in names)
            found[key] = AMBIGUOUS if key in found else record
        return found

    def import_key_label(self, key: tuple) -> str:
        return " / ".join(
            iv.display(getattr(part, "code", part)) for part in key if part not in (None, "")
        )

    def import_write(self, user, values: dict[str, Any], instance):
        data = {k: v for k, v in values.items() if k in services.FIELDS[self._meta.model]}
        if instance is None:
            return services.create_record(user, self._meta.model, data)
        return services.update_record(user, instance, data)

    def example_zone(self) -> str:
        code = (
            Zone.objects.for_user(self.user, "import")
            .order_by("code")
            .values_list("code", flat=True)
            .first()
        )
        return code or "GZ-0001"

    def example_enterprise(self) -> str:
        code = (
            Enterprise.objects.for_user(self.user, "import")
            .order_by("credit_code")
            .values_list("credit_code", flat=True)
            .first()
        )
        return code or "91520100MA6DXXXX0X"


@register
class ManagementCadreResource(TalentResource):
    kind_name = "cadre"
    import_key = ("zone", "name")
    import_title = ManagementCadre._meta.verbose_name

    name = _name("name", _("姓名"), _("同一开发区内按姓名识别"), 50)
    post = _name("post", _("职务"), _("在管理机构中的职务"), 100)
    education = ImportField(
        attribute="education",
        column_name=_("学历"),
        widget=iv.ChoiceWidget(Education.choices),
        required=True,
        help_text=_("最高学历"),
    )
    appointed_on = _date("appointed_on", _("任职日期"), _("不能晚于今天"))
    training_hours = _int("training_hours", _("年度培训学时"), _("整数；空白为0"))
    is_active = _bool("is_active", _("在职"), _("是否在职；空白视为否"))

    class Meta:
        model = ManagementCadre
        fields = ("zone_code", "zone_name", "name", "post", "education", "appointed_on",
                  "training_hours", "is_active")  # fmt: skip
        export_order = fields

    def template_examples(self) -> list[list[Any]]:
        zone = self.example_zone()
        return [
            [zone, "示例张三", "管委会副主任", "硕士研究生", "2021-03-01", "40", "是"],
            [zone, "示例李四", "招商局局长", "大学本科", "2022年7月1日", "", "是"],
        ]


@register
class EntrepreneurResource(TalentResource):
    kind_name = "entrepreneur"
    import_key = ("zone", "name", "activity_year")
    import_title = Entrepreneur._meta.verbose_name

    name = _name("name", _("姓名"), _("同一开发区内按姓名和活动年度识别"), 50)
    enterprise_name = text_field("enterprise__name", _("所在企业"))
    enterprise = enterprise_field("enterprise", _("企业统一社会信用代码"), required=True)
    title = _name("title", _("职务"), _("在企业中的职务，如 董事长"), 100)
    activity_year = _int(
        "activity_year", _("活动年度"), _("如 2025"), required=True, suffixes=("年",)
    )
    activities_attended = _int(
        "activities_attended", _("参加培训交流活动（次）"), _("该年度参加的次数；空白为0")
    )

    class Meta:
        model = Entrepreneur
        fields = ("zone_code", "zone_name", "name", "enterprise_name", "enterprise", "title",
                  "activity_year", "activities_attended")  # fmt: skip
        export_order = fields

    def template_examples(self) -> list[list[Any]]:
        zone, code = self.example_zone(), self.example_enterprise()
        return [
            [zone, "示例王五", code, "董事长", "2025", "3"],
            [zone, "示例赵六", code, "总经理", "2025年", ""],
        ]


@register
class TalentTeamResource(TalentResource):
    kind_name = "team"
    import_key = ("zone", "name")
    import_title = TalentTeam._meta.verbose_name

    name = _name("name", _("团队名称"), _("同一开发区内按团队名称识别"), 150)
    leader = _name("leader", _("团队带头人"), _("带头人姓名"), 50)
    field = _name("field", _("专业领域"), _("如 新能源材料"), 100)
    size = _int("size", _("团队人数"), _("至少1人"), required=True, suffixes=("人",))
    host_enterprise_name = text_field("host_enterprise__name", _("依托企业"))
    host_enterprise = enterprise_field("host_enterprise", _("依托企业统一社会信用代码"))
    introduced_on = _date("introduced_on", _("引进日期"), _("不能晚于今天"))
    guidance_fund = _money("guidance_fund", _("产业引导基金（万元）"), _("空白为0"))
    venture_capital = _money("venture_capital", _("风险投资（万元）"), _("空白为0"))
    serves_leading_industry = _bool("serves_leading_industry", _("服务首位产业"), _("空白视为否"))

    class Meta:
        model = TalentTeam
        fields = ("zone_code", "zone_name", "name", "leader", "field", "size",
                  "host_enterprise_name", "host_enterprise", "introduced_on", "guidance_fund",
                  "venture_capital", "serves_leading_industry")  # fmt: skip
        export_order = fields

    def template_examples(self) -> list[list[Any]]:
        zone = self.example_zone()
        return [
            [zone, "示例锂电材料创新团队", "示例陈博士", "新能源材料", "12", "", "2024-05-01",
             "500", "1,200", "是"],
            [zone, "示例大数据团队", "示例刘教授", "大数据", "8人", "", "2023年9月1日", "", "",
             "否"],
        ]  # fmt: skip


@register
class TrainingCentreResource(TalentResource):
    kind_name = "centre"
    import_key = ("zone", "name")
    import_title = TrainingCentre._meta.verbose_name

    name = _name("name", _("中心名称"), _("同一开发区内按中心名称识别"), 150)
    operator = _name("operator", _("运营主体"), _("运营单位名称"), 150)
    trades = _name("trades", _("培训工种"), _("多个工种用顿号或逗号分隔，如：焊工、电工"), 500)
    annual_capacity = _int("annual_capacity", _("年培训能力（人次）"), _("空白为0"))

    class Meta:
        model = TrainingCentre
        fields = ("zone_code", "zone_name", "name", "operator", "trades", "annual_capacity")
        export_order = fields

    def template_examples(self) -> list[list[Any]]:
        zone = self.example_zone()
        return [
            [zone, "示例高技能人才培训中心", "示例职业技术学院", "焊工、电工", "800"],
            [zone, "示例电子信息实训基地", "示例科技有限公司", "电子装配工", ""],
        ]


@register
class TrainingSessionResource(TalentResource):
    kind_name = "session"
    import_key = ("zone", "centre", "trade", "held_on")
    import_title = TrainingSession._meta.verbose_name

    centre = ImportField(
        attribute="centre",
        column_name=_("培训中心"),
        widget=iv.TextWidget(max_length=150),
        help_text=_("本开发区培训中心的名称（选填）"),
    )
    trade = _name("trade", _("培训工种"), _("如 焊工"), 100)
    held_on = _date("held_on", _("培训日期"), _("不能晚于今天"))
    trainees = _int("trainees", _("培训人数"), _("整数"), required=True, suffixes=("人",))
    certificates = _int("certificates", _("取得证书人数"), _("不能多于培训人数；空白为0"))

    class Meta:
        model = TrainingSession
        fields = ("zone_code", "zone_name", "centre", "trade", "held_on", "trainees",
                  "certificates")  # fmt: skip
        export_order = fields

    def import_resolve(self, rows: list[dict[str, Any]]) -> dict[int, dict[str, str]]:
        """The centre named within its row's zone: one query for the whole file."""
        errors = super().import_resolve(rows)
        wanted = {(v["zone"].pk, v["centre"]) for v in rows if v.get("centre") and v.get("zone")}
        index: dict[tuple[int, str], Any] = {}
        if wanted:
            centres = TrainingCentre.objects.filter(
                zone_id__in={z for z, _n in wanted}, name__in={n for _z, n in wanted}
            )
            for centre in centres:
                key = (centre.zone_id, centre.name)
                index[key] = AMBIGUOUS if key in index else centre
        for position, values in enumerate(rows):
            name = values.get("centre")
            if not name:
                values["centre"] = None
                continue
            centre = index.get((values["zone"].pk, name)) if values.get("zone") else None
            if centre is None:
                errors[position] = {
                    "centre": gettext_now("本开发区没有名为“%(name)s”的培训中心。") % {"name": name}
                }
            elif centre is AMBIGUOUS:
                errors[position] = {
                    "centre": gettext_now("本开发区有多个名为“%(name)s”的培训中心。")
                    % {"name": name}
                }
            else:
                values["centre"] = centre
        return errors

    def template_examples(self) -> list[list[Any]]:
        zone = self.example_zone()
        return [
            [zone, "", "焊工", "2025-03-15", "40", "32"],
            [zone, "", "电工", "2025年4月20日", "30人", ""],
        ]


@register
class SpecialSkillsPlacementResource(TalentResource):
    kind_name = "placement"
    import_key = ("zone", "name", "year")
    import_title = SpecialSkillsPlacement._meta.verbose_name

    name = _name("name", _("姓名"), _("同一开发区内按姓名和计划年度识别"), 50)
    trade = _name("trade", _("技能工种"), _("如 非遗银饰锻制"), 100)
    year = _int("year", _("计划年度"), _("如 2025"), required=True, suffixes=("年",))
    status = ImportField(
        attribute="status",
        column_name=_("状态"),
        widget=iv.ChoiceWidget(PlacementStatus.choices),
        help_text=_("空白为申报中"),
    )

    class Meta:
        model = SpecialSkillsPlacement
        fields = ("zone_code", "zone_name", "name", "trade", "year", "status")
        export_order = fields

    def template_examples(self) -> list[list[Any]]:
        zone = self.example_zone()
        return [
            [zone, "示例杨七", "银饰锻制", "2025", "已入选"],
            [zone, "示例吴八", "蜡染", "2025年", ""],
        ]


@register
class SkillAwardResource(TalentResource):
    kind_name = "award"
    import_key = ("zone", "name", "award", "awarded_on")
    import_title = SkillAward._meta.verbose_name

    name = _name("name", _("获奖人"), _("获奖人姓名"), 50)
    award = _name("award", _("奖项名称"), _("如 贵州省技术能手"), 150)
    level = ImportField(
        attribute="level",
        column_name=_("级别"),
        widget=iv.ChoiceWidget(AwardLevel.choices),
        required=True,
        help_text=_("奖项级别"),
    )
    awarded_on = _date("awarded_on", _("获奖日期"), _("不能晚于今天"))
    amount = _money("amount", _("奖励金额（万元）"), _("空白为0"))

    class Meta:
        model = SkillAward
        fields = ("zone_code", "zone_name", "name", "award", "level", "awarded_on", "amount")
        export_order = fields

    def template_examples(self) -> list[list[Any]]:
        zone = self.example_zone()
        level = str(AwardLevel.choices[0][1])
        return [
            [zone, "示例郑九", "技术能手", level, "2024-12-01", "2"],
            [zone, "示例孙十", "技能大师", level, "2024年10月8日", ""],
        ]


RESOURCES = {
    resource._meta.model: resource
    for resource in (
        ManagementCadreResource,
        EntrepreneurResource,
        TalentTeamResource,
        TrainingCentreResource,
        TrainingSessionResource,
        SpecialSkillsPlacementResource,
        SkillAwardResource,
    )
}
