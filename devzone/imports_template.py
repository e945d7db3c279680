"""The official XLSX template of an import resource.

Sheet 1 (the data sheet, read on import) has the Chinese headers only, with drop-down lists on
enumerated columns, so the template imports cleanly as soon as rows are typed under the
headers. Sheet 2 "填写说明" explains each column (meaning, unit, required, allowed values) and
shows two example rows under the same headers — examples live there only, so they can never be
imported by accident. A hidden sheet "可选值" holds the drop-down values (lists longer than
Excel's 255-character inline limit work too).
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from devzone.imports import SOURCE_LANGUAGE
from devzone.imports_values import escape_formula
from devzone.text import join

INSTRUCTIONS = "填写说明"
OPTIONS = "可选值"
DATA_ROWS = 5000  # drop-downs cover this many data rows


def _kind(widget) -> str:
    from devzone import imports_values as v

    if isinstance(widget, v.BooleanWidget):
        return _("是/否")
    if isinstance(widget, v.DateWidget):
        return _("日期，如 2025-03-01、2025/3/1、2025年3月1日")
    if isinstance(widget, v.AmountWidget):
        return _("数字，可带千分位")
    if isinstance(widget, v.IntegerWidget):
        return _("整数")
    if isinstance(widget, v.ChoiceWidget | v.LookupWidget):
        return _("从下拉列表选择")
    return _("文本")


def allowed_values(widget) -> list[str]:
    values = getattr(widget, "allowed", None)
    return [str(v) for v in values] if values else []


def build_template(resource, examples: list[list[Any]]) -> bytes:
    """The template workbook as bytes; ``examples`` are rows in the order of the columns."""
    with translation.override(SOURCE_LANGUAGE):
        columns = [f for f in resource.get_export_fields() if resource.importable(f)]
        headers = [str(f.column_name) for f in columns]
        book = Workbook()
        data = book.active
        data.title = str(resource.import_title)[:31] or "data"
        head_font = Font(bold=True)
        required_fill = PatternFill("solid", fgColor="FFF2CC")
        data.append(headers)
        for index, resource_field in enumerate(columns, start=1):
            cell = data.cell(row=1, column=index)
            cell.font = head_font
            if getattr(resource_field, "required", False):
                cell.fill = required_fill
            data.column_dimensions[get_column_letter(index)].width = max(
                12, len(headers[index - 1]) * 2 + 2
            )
        data.freeze_panes = "A2"

        options = book.create_sheet(OPTIONS)
        options.sheet_state = "hidden"
        for index, resource_field in enumerate(columns, start=1):
            values = allowed_values(resource_field.widget)
            if not values:
                continue
            letter = get_column_letter(index)
            options.cell(row=1, column=index, value=headers[index - 1])
            for offset, value in enumerate(values, start=2):
                options.cell(row=offset, column=index, value=escape_formula(value))
            validation = DataValidation(
                type="list",
                formula1=f"'{OPTIONS}'!${letter}$2:${letter}${len(values) + 1}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_("输入值无效"),
                error=_("请从下拉列表中选择。"),
            )
            validation.add(f"{letter}2:{letter}{DATA_ROWS + 1}")
            data.add_data_validation(validation)

        notes = book.create_sheet(INSTRUCTIONS, 1)
        notes.append([_("%(title)s导入模板 · 填写说明") % {"title": resource.import_title}])
        notes["A1"].font = Font(bold=True, size=14)
        notes.append(
            [
                _(
                    "在第一个工作表“%(sheet)s”的表头下逐行填写；表头不要改动。黄色表头为必填列。"
                    "已有记录（按%(key)s识别）将被更新，其余为新增。整个文件全部校验通过后才会写入。"
                )
                % {
                    "sheet": data.title,
                    "key": join(
                        f.column_name for f in columns if f.attribute in resource.import_key
                    ),
                }
            ]
        )
        notes.append([])
        notes.append([_("列名"), _("含义"), _("单位"), _("是否必填"), _("填写方式"), _("可选值")])
        for cell in notes[4]:
            cell.font = head_font
        for resource_field in columns:
            required = getattr(resource_field, "required", False)
            notes.append(
                [
                    str(resource_field.column_name),
                    str(getattr(resource_field, "help_text", "") or ""),
                    str(getattr(resource_field, "unit", "") or ""),
                    _("必填") if required else _("选填"),
                    _kind(resource_field.widget),
                    escape_formula(join(allowed_values(resource_field.widget))),
                ]
            )
        notes.append([])
        notes.append([_("示例（仅供参考，不会被导入；请在第一个工作表中填写）")])
        notes.cell(row=notes.max_row, column=1).font = head_font
        notes.append(headers)
        for row in examples:
            notes.append([escape_formula(v) for v in row])
        for letter, width in zip("ABCDEF", (28, 40, 10, 10, 30, 60), strict=True):
            notes.column_dimensions[letter].width = width
        for row in notes.iter_rows(min_row=5):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")

        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
