"""The catalogue of platform kinds and sub-kinds, exactly as the policy paper lists them.

This is the one place the catalogue lives: model validation and constraints, forms, filters,
the API, the coverage view and the demo data all read it. Codes are stable English slugs; labels
are the paper's Chinese names. A professional public service sub-kind belongs to one segment of
the leading industry's chain, so a professional platform's chain segment follows from its
sub-kind and is never typed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from zones.models import ChainPosition, RecognitionLevel


class PlatformKind(models.TextChoices):
    BASIC = "basic", _("基础服务支撑平台")
    PROFESSIONAL = "professional", _("专业公共服务平台")
    INNOVATION = "innovation", _("企业创新平台")
    IUR = "iur", _("产学研合作平台")


@dataclass(frozen=True)
class SubKind:
    code: str
    label: str
    kind: str
    segment: str = ""  # a ChainPosition value for the professional kind, else ""


UP, MID, DOWN = ChainPosition.UPSTREAM, ChainPosition.MIDSTREAM, ChainPosition.DOWNSTREAM
B, P, E, R = (
    PlatformKind.BASIC,
    PlatformKind.PROFESSIONAL,
    PlatformKind.INNOVATION,
    PlatformKind.IUR,
)

CATALOGUE: tuple[SubKind, ...] = (
    # basic service support (基础服务支撑平台)
    SubKind("recruitment_training", _("招聘与培训"), B),
    SubKind("management_consulting", _("管理咨询"), B),
    SubKind("finance_tax", _("财务税务"), B),
    SubKind("financing", _("投融资"), B),
    SubKind("legal", _("法律"), B),
    # professional public service around the leading industry, by chain segment
    SubKind("information_consulting", _("信息咨询"), P, UP),
    SubKind("industrial_design", _("工业设计"), P, UP),
    SubKind("testing_inspection", _("检验检测"), P, MID),
    SubKind("pilot_verification", _("中试验证"), P, MID),
    SubKind("investment_financing", _("投资融资"), P, MID),
    SubKind("quality_control", _("质量控制"), P, MID),
    SubKind("marketing", _("市场营销"), P, MID),
    SubKind("logistics", _("物流"), P, DOWN),
    SubKind("operations_maintenance", _("运维"), P, DOWN),
    # enterprise innovation (企业创新平台)
    SubKind("key_laboratory", _("重点实验室"), E),
    SubKind("enterprise_tech_centre", _("企业技术中心"), E),
    SubKind("manufacturing_innovation_centre", _("制造业创新中心"), E),
    SubKind("industrial_design_centre", _("工业设计中心"), E),
    SubKind("postdoctoral_workstation", _("博士后工作站"), E),
    SubKind("academician_workstation", _("院士工作站"), E),
    # industry-university-research cooperation (产学研合作平台)
    SubKind("industry_research_institute", _("产业研究院"), R),
    SubKind("incubator", _("孵化器"), R),
    SubKind("talent_base", _("人才基地"), R),
    SubKind("common_technology_platform", _("共性技术平台"), R),
    SubKind("joint_laboratory", _("联合实验室"), R),
    SubKind("innovation_alliance", _("创新联盟"), R),
)

SUB_KINDS: dict[str, SubKind] = {s.code: s for s in CATALOGUE}
SUB_KIND_CHOICES: list[tuple[str, str]] = [(s.code, s.label) for s in CATALOGUE]
SEGMENTS: tuple[str, ...] = (UP, MID, DOWN)


def sub_kinds_of(kind: str) -> list[SubKind]:
    return [s for s in CATALOGUE if s.kind == kind]


def sub_kinds_of_segment(segment: str) -> list[SubKind]:
    return [s for s in CATALOGUE if s.segment == segment]


def segment_of(sub_kind: str) -> str:
    """The chain segment a sub-kind serves ("" outside the professional kind or if unknown)."""
    entry = SUB_KINDS.get(sub_kind)
    return entry.segment if entry else ""


def grouped_sub_kind_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Sub-kinds grouped by kind (the professional kind by segment too), for a <select>."""
    segment_labels = dict(ChainPosition.choices)
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for kind, kind_label in PlatformKind.choices:
        if kind == PlatformKind.PROFESSIONAL:
            for segment in SEGMENTS:
                groups.append(
                    (
                        f"{kind_label} · {segment_labels[segment]}",
                        [(s.code, s.label) for s in sub_kinds_of_segment(segment)],
                    )
                )
        else:
            groups.append((str(kind_label), [(s.code, s.label) for s in sub_kinds_of(kind)]))
    return groups


class OperatorType(models.TextChoices):
    GOVERNMENT = "government", _("政府")
    MARKET = "market", _("市场机构")
    ENTERPRISE = "enterprise", _("企业")
    UNIVERSITY = "university", _("高校或科研院所")


PlatformLevel = RecognitionLevel  # the same four levels everywhere


class PlatformStatus(models.TextChoices):
    PLANNING = "planning", _("筹建")
    OPERATING = "operating", _("运营")
    SUSPENDED = "suspended", _("停运")


class ServiceCategory(models.TextChoices):
    CONSULTING = "consulting", _("咨询服务")
    TRAINING = "training", _("培训与招聘")
    FINANCE_TAX = "finance_tax", _("财税服务")
    FINANCING = "financing", _("融资服务")
    LEGAL = "legal", _("法律服务")
    DESIGN = "design", _("设计服务")
    TESTING = "testing", _("检验检测")
    PILOT = "pilot", _("中试验证")
    QUALITY = "quality", _("质量管理")
    MARKETING = "marketing", _("市场推广")
    LOGISTICS = "logistics", _("物流服务")
    MAINTENANCE = "maintenance", _("运维服务")
    RESEARCH = "research", _("技术研发")
    INCUBATION = "incubation", _("孵化服务")
    OTHER = "other", _("其他")
