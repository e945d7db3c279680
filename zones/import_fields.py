"""Import/export columns that every app's resources share: the zone, the industry, plain text.

One definition each, so that a zone is named and refused the same way in every import file.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields

from devzone import imports_values as iv
from devzone.imports import ImportField
from zones.models import Enterprise, Industry, Zone

# The same answer whether the zone does not exist or is outside the user's scope.
NOT_YOURS = _("您无权向该开发区导入数据，或该开发区不存在。")


def text_field(attribute: str, header) -> fields.Field:
    """An export-only column (ignored on import)."""
    return fields.Field(attribute=attribute, column_name=header, readonly=True)


def choice_field(attribute: str, header, choices, help_text, required: bool = True) -> ImportField:
    return ImportField(
        attribute=attribute,
        column_name=header,
        widget=iv.ChoiceWidget(choices),
        required=required,
        help_text=help_text,
    )


ZONE_CODE_HELP = _("开发区的编码（见开发区列表），决定记录属于哪个开发区")


def zone_code_field(help_text=ZONE_CODE_HELP) -> ImportField:
    """The 开发区编码 column: which zone a row belongs to."""
    return ImportField(
        attribute="zone",
        column_name=_("开发区编码"),
        widget=iv.LookupWidget(
            Zone,
            keys=("code",),
            render_field="code",
            not_found=NOT_YOURS,
            listed=False,
            select_related=("prefecture",),
        ),
        required=True,
        help_text=help_text,
    )


def industry_field(attribute: str = "industry") -> ImportField:
    return ImportField(
        attribute=attribute,
        column_name=_("所属产业"),
        widget=iv.LookupWidget(Industry, keys=("code", "name"), render_field="name"),
        help_text=_("产业名称（或代码）"),
    )


ENTERPRISE_HELP = _("本开发区企业的18位统一社会信用代码")


def enterprise_field(
    attribute: str, header, *, required: bool = False, help_text=ENTERPRISE_HELP
) -> ImportField:
    """An enterprise of the zone, named by its unified social credit code."""
    return ImportField(
        attribute=attribute,
        column_name=header,
        widget=iv.LookupWidget(
            Enterprise,
            keys=("credit_code",),
            render_field="credit_code",
            listed=False,
            not_found=_("找不到统一社会信用代码为“%(value)s”的企业。"),
        ),
        required=required,
        help_text=help_text,
    )
