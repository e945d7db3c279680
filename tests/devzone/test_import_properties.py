"""Property-based tests (hypothesis) of the import parsing: whatever a file holds, the importer
answers with Chinese messages that name the row and the column, or imports the whole file —
never a server error, never a partial write.

Three levels, fast to slow:

1. the cell widgets of ``devzone.imports_values`` — every column that a registered resource
   imports, lookups aside — on arbitrary text, on the native values an XLSX cell holds and on
   near-valid spellings (grouping, full-width characters, stray whitespace, other units), and
   their round trips;
2. ``read_table`` and the column mapping on arbitrary bytes, CSV text in every encoding and
   delimiter, XLSX written by openpyxl, and header rows with columns missing, duplicated,
   reordered, respelled, unknown or blank;
3. the whole upload → preview → confirm of investment projects by zone A's staff, through the
   functions and through the upload view; every example is rolled back, so each starts from
   the same database.

``devzone.imports.validate`` catches ``ValueError`` from a widget and nothing else (anything else
is a server error), so the widget properties accept exactly that.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import functools
import importlib
import io
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from devzone import imports
from devzone import imports_values as iv
from devzone.imports import confirm_import, map_columns, start_import
from devzone.imports_read import OLE2_MAGIC, ZIP_MAGIC, Refused, Table, read_table
from devzone.models import ChangeRecord, ImportBatch
from investment.models import (
    OriginType,
    Project,
    ProjectCodeCounter,
    PromotionMode,
    StageTransition,
)
from investment.resources import ProjectResource
from tests.investment.helpers import make_project
from zones.models import ChainPosition

PURE = settings(max_examples=200, deadline=None, database=None, print_blob=True)
FILES = settings(max_examples=60, deadline=None, database=None, print_blob=True)
WHOLE = settings(
    max_examples=40,
    deadline=None,
    database=None,
    print_blob=True,
    # the cast is built once per test; every example rolls its own writes back
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

HAN = re.compile(r"[\u4e00-\u9fff]")


def assert_chinese(message: Any) -> None:
    assert HAN.search(str(message)), f"not a Chinese message for the user: {message!r}"


# --- strategies -----------------------------------------------------------------------------

APPS = ("zones", "investment", "talent", "platforms")


@functools.cache
def importable_columns() -> tuple[tuple[str, Any], ...]:
    """(``resource: header``, widget) of every column a registered resource imports, lookups
    aside (they read the database: the whole-import properties cover them)."""
    for app in APPS:
        importlib.import_module(f"{app}.resources")
    columns = []
    for name, resource_class in sorted(imports._REGISTRY.items()):
        resource = resource_class(user=None)
        for resource_field in resource.get_export_fields():
            widget = resource_field.widget
            if resource.importable(resource_field) and not isinstance(widget, iv.LookupWidget):
                columns.append((f"{name}: {resource_field.column_name}", widget))
    return tuple(columns)


def columns_of(*kinds: type) -> st.SearchStrategy:
    return st.deferred(
        lambda: st.sampled_from([c for c in importable_columns() if isinstance(c[1], kinds)])
    )


ANY_COLUMN = st.deferred(lambda: st.sampled_from(importable_columns()))
WHITESPACE = st.sampled_from(["", "", " ", "  ", "\u3000", "\t", "\n", "\r\n"])
INNER_SPACE = st.sampled_from(["", "", " ", "\u3000"])
# What a cell of an XLSX can hold once openpyxl has read it.
XLSX_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.datetimes(),
    st.dates(),
    st.times(),
    st.timedeltas(),
)
# Text a person can type into a cell (control characters are the file reader's business).
TYPED_TEXT_CHARACTERS = st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n")
TYPED_TEXT = st.text(TYPED_TEXT_CHARACTERS)


def full_width(text: str) -> str:
    """ASCII letters, digits and punctuation as the full-width forms a Chinese IME types."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@st.composite
def typed(draw, text: str, *, inner: st.SearchStrategy | None = None, around=WHITESPACE) -> str:
    """``text`` as people type it: maybe full-width, maybe spaced out, whitespace around."""
    if draw(st.booleans()):
        text = full_width(text)
    if inner is not None and text:
        text = "".join(c + draw(inner) for c in text[:-1]) + text[-1]
    return draw(around) + text + draw(around)


@st.composite
def written_number(draw, number: Decimal) -> str:
    """``number`` as a person or a program writes it: plain, grouped, signed or exponent."""
    form = draw(st.sampled_from(["plain", "grouped", "grouped-cn", "signed", "exponent"]))
    if form == "grouped":
        return f"{number:,}"
    if form == "grouped-cn":
        return f"{number:,}".replace(",", "，")
    if form == "signed" and number >= 0:
        return f"+{number}"
    if form == "exponent":
        return f"{number:e}"
    return str(number)


UNIT_WORDS = ["", "元", "万元", "亿元", "亩", "公顷", "平方公里", "人", "万人", "%", "件", "万",
              "亿"]  # fmt: skip


@st.composite
def near_amounts(draw) -> str:
    """Numbers with units, grouping and exponents, well-formed or not."""
    number = draw(
        st.one_of(
            st.decimals(allow_nan=False, allow_infinity=False).map(str),
            st.integers().map(str),
            st.floats().map(repr),
            st.from_regex(r"[+\-]?\d{0,30}(\.\d{0,12})?([eE][+\-]?\d{1,12})?", fullmatch=True),
        )
    )
    for index in draw(st.lists(st.integers(0, len(number)), max_size=3)):
        number = number[:index] + draw(st.sampled_from([",", "，", " "])) + number[index:]
    return draw(typed(number + draw(INNER_SPACE) + draw(st.sampled_from(UNIT_WORDS))))


@st.composite
def near_dates(draw) -> Any:
    """Dates in every usual form, with days, months and years in and out of range."""
    y, m, d = draw(st.integers(0, 99999)), draw(st.integers(0, 99)), draw(st.integers(0, 99))
    form = draw(
        st.sampled_from(
            [
                "{y}-{m}-{d}",
                "{y}/{m}/{d}",
                "{y}.{m}.{d}",
                "{y} 年 {m} 月 {d} 日",
                "{y:04d}{m:02d}{d:02d}",
                "{y}{m}",
                "{y}-{m:02d}-{d:02d} 12:30:00",
                "{y}-{m}-{d}T08:30",
            ]
        )
    )
    serial = st.integers(-10, 3_000_000)
    return draw(
        st.one_of(
            typed(form.format(y=y, m=m, d=d)),
            serial,
            serial.map(float),
            serial.map(str),
        )
    )


def all_choices() -> list[tuple[str, str]]:
    return [
        (str(code), str(label))
        for _name, widget in importable_columns()
        if isinstance(widget, iv.ChoiceWidget)
        for code, label in widget.choices
    ]


@st.composite
def near_labels(draw) -> str:
    """Any enumeration's label or code (maybe another column's), respelled or cut short."""
    code, label = draw(st.deferred(lambda: st.sampled_from(all_choices())))
    text = draw(st.sampled_from([label, code, code.upper(), label[:-1], label + "类"]))
    return draw(typed(text, inner=WHITESPACE))


NEAR_BOOLS = st.sampled_from(
    sorted(iv.TRUE_WORDS | iv.FALSE_WORDS) + ["是否", "yes!", "真的"]
).flatmap(lambda word: typed(word.lower() if word.isascii() else word))
ANY_CELL = st.one_of(
    st.text(), XLSX_VALUES, near_amounts(), near_dates(), near_labels(), NEAR_BOOLS
)


# --- 1. widgets -----------------------------------------------------------------------------


def assert_right_type(widget, result: Any) -> None:
    """What ``clean`` returned is what its model field stores."""
    if isinstance(widget, iv.AmountWidget):
        assert result is None or (
            isinstance(result, Decimal)
            and result.is_finite()
            and result.as_tuple().exponent == -widget.places
        ), result
    elif isinstance(widget, iv.IntegerWidget):
        assert result is None or type(result) is int, result
    elif isinstance(widget, iv.DateWidget):
        assert result is None or type(result) is datetime.date, result
    elif isinstance(widget, iv.BooleanWidget):
        assert type(result) is bool, result
    elif isinstance(widget, iv.ChoiceWidget):
        assert result == "" or result in {code for code, _label in widget.choices}, result
    elif isinstance(widget, iv.TextWidget):
        assert isinstance(result, str) and result == result.strip(), result
        assert widget.max_length is None or len(result) <= widget.max_length
    else:
        pytest.fail(f"no property for {type(widget).__name__}")


def test_the_properties_cover_every_kind_of_importable_widget():
    kinds = {type(widget) for _name, widget in importable_columns()}
    assert kinds == {
        iv.AmountWidget,
        iv.IntegerWidget,
        iv.DateWidget,
        iv.BooleanWidget,
        iv.ChoiceWidget,
        iv.TextWidget,
    }


@PURE
@given(column=ANY_COLUMN, value=ANY_CELL)
# column=None: the example is tried on every column
@example(column=None, value="1e999999999")
@example(column=None, value=float("inf"))
@example(column=None, value=10**40)
def test_every_column_reads_any_cell_as_its_type_or_says_why_in_chinese(column, value):
    for _name, widget in [column] if column else importable_columns():
        try:
            result = widget.clean(value)
        except ValueError as error:
            assert_chinese(error)
        else:
            assert_right_type(widget, result)


@PURE
@given(column=columns_of(iv.AmountWidget), data=st.data())
def test_an_amount_in_any_accepted_unit_and_spelling_reads_as_that_amount(column, data):
    _name, widget = column
    units = {"": Decimal(1), **widget.factors}
    if widget.unit == "":
        units["%"] = Decimal("0.01")
    unit = data.draw(st.sampled_from(sorted(units)))
    factor = units[unit]
    places = widget.places if factor == 1 else widget.places + 4
    number = data.draw(st.decimals(min_value=-(10**9), max_value=10**9, places=places))
    text = data.draw(written_number(number)) + data.draw(INNER_SPACE) + unit
    expected = (number * factor).quantize(Decimal(1).scaleb(-widget.places), ROUND_HALF_UP)
    assert widget.clean(data.draw(typed(text))) == expected
    # as exported (the Decimal itself into XLSX, its text into CSV) and read back
    assert widget.clean(widget.render(expected)) == expected
    assert widget.clean(str(expected)) == expected


@PURE
@given(column=columns_of(iv.IntegerWidget), number=st.integers(-(10**15), 10**15), data=st.data())
def test_a_whole_number_in_any_spelling_reads_as_that_number(column, number, data):
    _name, widget = column
    text = data.draw(written_number(Decimal(number))) + data.draw(
        st.sampled_from(["", *widget.suffixes])
    )
    assert widget.clean(data.draw(typed(text))) == number
    assert widget.clean(widget.render(number)) == number
    if abs(number) <= 2**53:  # exactly a float, as an XLSX number cell holds it
        assert widget.clean(float(number)) == number


@PURE
@given(
    day=st.dates(min_value=datetime.date(1000, 1, 1), max_value=datetime.date(9999, 12, 31)),
    data=st.data(),
)
def test_a_date_in_any_usual_spelling_reads_as_that_date(day, data):
    y, m, d = day.year, day.month, day.day
    spellings: list[Any] = [
        day.isoformat(),
        f"{y}/{m}/{d}",
        f"{y}.{m}.{d}",
        f"{y}年{m}月{d}日",
        f"{y} 年 {m} 月 {d} 日",
        f"{y:04d}{m:02d}{d:02d}",
        f"{day.isoformat()} 00:00:00",
        f"{day.isoformat()}T10:30",
    ]
    value = data.draw(st.sampled_from(spellings).flatmap(typed))
    natives: list[Any] = [day, datetime.datetime.combine(day, datetime.time(9, 30))]
    serial = (day - iv.EXCEL_EPOCH).days
    if 1 <= serial < 2958466:
        natives += [serial, float(serial)] + ([str(serial)] if len(str(serial)) == 5 else [])
    value = data.draw(st.sampled_from([value, *natives]))
    widget = iv.DateWidget()
    assert widget.clean(value) == day
    assert widget.clean(widget.render(day)) == day


@PURE
@given(column=columns_of(iv.ChoiceWidget), data=st.data())
def test_an_enumeration_reads_its_label_or_code_whatever_the_spacing_width_or_case(column, data):
    _name, widget = column
    code, label = data.draw(st.sampled_from(widget.choices))
    text = data.draw(st.sampled_from([str(label), str(code), str(code).upper()]))
    assert widget.clean(data.draw(typed(text, inner=WHITESPACE))) == code
    assert widget.clean(widget.render(code)) == code


@PURE
@given(answer=st.booleans(), data=st.data())
def test_yes_and_no_read_in_every_usual_spelling(answer, data):
    word = data.draw(st.sampled_from(sorted(iv.TRUE_WORDS if answer else iv.FALSE_WORDS)))
    word = data.draw(st.sampled_from([word, word.lower()]))
    widget = iv.BooleanWidget()
    assert widget.clean(data.draw(typed(word))) is answer
    assert widget.clean(widget.render(answer)) is answer
    assert widget.clean(int(answer)) is answer and widget.clean(answer) is answer


@PURE
@given(text=st.text(), max_length=st.integers(1, 20))
def test_text_is_trimmed_and_its_length_limit_is_named(text, max_length):
    widget = iv.TextWidget(max_length=max_length)
    trimmed = text.strip()
    if len(trimmed) > max_length:
        with pytest.raises(ValueError, match=f"不能超过{max_length}个字符"):
            widget.clean(text)
    else:
        assert widget.clean(text) == trimmed
        assert widget.clean(widget.render(trimmed)) == trimmed


@PURE
@given(value=st.one_of(st.text(), XLSX_VALUES))
@example(value="'=1+1")
@example(value="''")
def test_the_formula_escape_makes_any_text_inert_and_comes_off_exactly(value):
    escaped = iv.escape_formula(value)
    if isinstance(value, str):
        assert not escaped.startswith(iv.FORMULA_TRIGGERS)
        assert iv.unescape_formula(escaped) == value
    else:  # numbers, dates and booleans stay what they are, both ways
        assert escaped is value and iv.unescape_formula(value) is value


@PURE
@given(text=st.text())
@example(text="e \u0301")
@example(text="a¨")
def test_header_key_is_idempotent_and_has_no_whitespace(text):
    key = iv.header_key(text)
    assert iv.header_key(key) == key
    assert not re.search(r"\s", key)


# --- 2. read_table and the header row --------------------------------------------------------


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def read_or_refused(data: bytes) -> Table | None:
    """The table, checked for its own promises, or None when refused in Chinese."""
    try:
        table = read_table(data)
    except Refused as error:
        assert_chinese(error)
        return None
    assert table.headers and not iv.is_blank(table.headers[-1])
    numbers = [table.header_row] + [number for number, _cells in table.rows]
    assert table.rows and numbers == sorted(set(numbers))
    assert all(cells and not iv.is_blank(cells[-1]) for _number, cells in table.rows)
    return table


def as_read(rows: list[list[Any]]) -> list[tuple[int, list[Any]]]:
    """The non-blank rows of a sheet with their row numbers, trailing blank cells dropped."""
    kept = []
    for number, row in enumerate(rows, start=1):
        cells = ["" if cell is None else cell for cell in row]
        while cells and iv.is_blank(cells[-1]):
            cells.pop()
        if cells:
            kept.append((number, cells))
    return kept


PREFIXES = st.sampled_from(
    [b"", ZIP_MAGIC, b"PK", OLE2_MAGIC, codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE]
)
# Python's "utf-16" writes the byte order mark, as Excel's "Unicode 文本" does.
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"])
DELIMITERS = st.sampled_from([",", "\t", ";", "，"])


@FILES
@given(data=st.tuples(PREFIXES, st.binary(max_size=3000)).map(b"".join))
@example(data=b"PK\x03\x04" + b"\x00" * 100)
@example(data=codecs.BOM_UTF16_LE + b"\x00\xd8a\x00")
def test_any_bytes_are_read_as_a_table_or_refused_in_chinese(data):
    read_or_refused(data)


@FILES
@given(
    rows=st.lists(st.lists(st.text(max_size=12), max_size=6), max_size=6),
    encoding=ENCODINGS,
    delimiter=DELIMITERS,
)
def test_any_csv_text_in_any_encoding_is_read_as_a_table_or_refused(rows, encoding, delimiter):
    read_or_refused(csv_bytes(rows, encoding, delimiter))


def template_headers() -> list[str]:
    return [str(f.column_name) for f in ProjectResource(user=None).get_export_fields()]


@FILES
@given(
    rows=st.lists(st.lists(st.text(TYPED_TEXT_CHARACTERS | st.just("\r")), max_size=8), max_size=6),
    blank_lines=st.integers(0, 2),
    encoding=ENCODINGS,
    delimiter=DELIMITERS,
)
def test_a_csv_in_any_encoding_and_delimiter_reads_back_cell_for_cell(
    rows, blank_lines, encoding, delimiter
):
    headers = template_headers()[:8]
    written = [[]] * blank_lines + [headers] + [[iv.escape_formula(c) for c in r] for r in rows]
    table = read_or_refused(csv_bytes(written, encoding, delimiter))
    expected = as_read(written)
    if len(expected) == 1:
        assert table is None  # a header without data rows is refused
        return
    assert table is not None
    assert (table.header_row, table.headers) == expected[0]
    assert table.rows == expected[1:]
    # Chinese headers in GB18030 are never valid UTF-8, so the guess is always right
    labels = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8-BOM", "gb18030": "GB18030", "utf-16": "UTF-16"}
    assert table.encoding == labels[encoding]


XLSX_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from("\t\n"),
    max_size=12,
)
XLSX_CELLS = st.one_of(
    st.none(),
    XLSX_TEXT,
    st.integers(-(2**53), 2**53),
    # a spreadsheet keeps 15 significant digits, and so does openpyxl
    st.floats(-1e300, 1e300).map(lambda f: float(f"{f:.15g}")),
    st.booleans(),
)


@FILES
@given(rows=st.lists(st.lists(XLSX_CELLS, max_size=5), max_size=5))
def test_an_xlsx_reads_back_cell_for_cell(rows):
    book = Workbook()
    written = [[iv.escape_formula(c) for c in r] for r in rows]
    for row in written:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_or_refused(buffer.getvalue())
    expected = as_read(written)
    if len(expected) < 2:
        assert table is None
        return
    assert table is not None and table.format == "xlsx"
    read = as_read([[]] * (table.header_row - 1) + [table.headers])
    read += [(n, ["" if c is None else c for c in cells]) for n, cells in table.rows]
    assert read == expected


@dataclass
class HeaderRow:
    headers: list[str]
    chosen: list[str]  # template headers, as written before respelling
    unknown: list[str]


@st.composite
def header_rows(draw) -> HeaderRow:
    """The project template's headers, some missing, duplicated, reordered and respelled, with
    unknown and blank ones mixed in."""
    known = {iv.header_key(h) for h in template_headers()}
    chosen = draw(st.lists(st.sampled_from(template_headers()), max_size=30))
    # unknown headers cannot hold a delimiter: that splits the header row differently
    unknown = draw(
        st.lists(
            st.text(
                st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=",;，"),
                min_size=1,
                max_size=8,
            ).filter(lambda t: iv.header_key(t) and iv.header_key(t) not in known),
            max_size=2,
        )
    )
    # no tab around a header: the header line decides the delimiter, and a tab is one
    cells = [draw(typed(h, inner=INNER_SPACE, around=INNER_SPACE)) for h in chosen] + unknown
    cells += draw(st.lists(st.sampled_from(["", " ", "\u3000"]), max_size=2))
    return HeaderRow(draw(st.permutations(cells)), chosen, unknown)


@FILES
@given(row=header_rows(), encoding=ENCODINGS)
@example(row=HeaderRow(["PKU大学", "项目名称"], ["项目名称"], ["PKU大学"]), encoding="utf-8")
def test_a_header_row_maps_every_template_column_or_refuses_naming_each_problem(row, encoding):
    assume(any(not iv.is_blank(h) for h in row.headers))
    table = read_or_refused(csv_bytes([row.headers, ["x"] * len(row.headers)], encoding))
    assert table is not None
    resource = ProjectResource(user=None)
    required = [
        str(f.column_name)
        for f in resource.get_export_fields()
        if resource.importable(f) and f.required
    ]
    missing = [h for h in required if h not in row.chosen]
    duplicated = len(set(row.chosen)) < len(row.chosen)
    try:
        mapping = map_columns(resource, table.headers)
    except Refused as error:
        message = str(error)
        assert missing or duplicated or row.unknown, message
        assert ("缺少必填列" in message) == bool(missing)
        assert ("重复的列" in message) == duplicated
        assert ("无法识别的列" in message) == bool(row.unknown)
        for name in missing + [u.strip() for u in row.unknown]:
            assert name in message
        assert_chinese(message)
    else:
        assert not (missing or duplicated or row.unknown)
        assert sorted(str(f.column_name) for f in mapping.values()) == sorted(row.chosen)
        for index, resource_field in mapping.items():
            assert iv.header_key(table.headers[index]) == iv.header_key(resource_field.column_name)


# --- 3. the whole import ---------------------------------------------------------------------

PROJECT = "investment.project"
COLUMNS = ["项目编号", "项目名称", "开发区编码", "投资方", "投资方来源", "来源省份",
           "来源国家或地区", "服务首位产业", "产业链环节", "招商方式", "项目阶段",
           "计划总投资（万元）", "本年计划投资（万元）", "用地面积（亩）", "预计带动就业（人）",
           "项目负责人账号", "存在问题"]  # fmt: skip
CODE = "<existing project's code>"
# Not blank once trimmed: a visible character, then anything, whitespace around.
VISIBLE = st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"))
NAME = st.tuples(WHITESPACE, VISIBLE, st.text(TYPED_TEXT_CHARACTERS, max_size=40), WHITESPACE)
NAME = NAME.map("".join)


@dataclass
class ProjectRow:
    cells: dict[str, str]
    expected: dict[str, Any]  # the project's attributes once imported
    update: bool = False
    code_spelling: tuple[bool, bool, str, str] = (False, False, "", "")  # lower, wide, around


def spell_code(code: str, spelling: tuple[bool, bool, str, str]) -> str:
    lower, wide, before, after = spelling
    code = code.lower() if lower else code
    return before + (full_width(code) if wide else code) + after


@dataclass
class ProjectFile:
    rows: list[ProjectRow]
    columns: list[str]
    encoding: str
    mangled: list[tuple[int, str, str]] = field(default_factory=list)  # (row index, column, cell)

    def data(self, code: str) -> bytes:
        lines = [self.columns]
        for row in self.rows:
            cells = {k: v.replace(CODE, code) for k, v in row.cells.items()}
            if row.update and row.cells["项目编号"] == CODE:
                cells["项目编号"] = spell_code(code, row.code_spelling)
            lines.append([iv.escape_formula(cells[c]) for c in self.columns])
        return csv_bytes(lines, self.encoding)


@st.composite
def money(draw, amount: Decimal) -> str:
    unit = draw(st.sampled_from(["", "万元", "亿元", "元"]))
    number = {"亿元": amount / 10000, "元": amount * 10000}.get(unit, amount)
    return draw(typed(draw(written_number(number)) + draw(INNER_SPACE) + unit))


@st.composite
def label_of(draw, choices) -> tuple[str, str]:
    """(code, how the cell spells it) of a choice or of a blank cell ("", "")."""
    options = [(str(c), str(label)) for c, label in choices]
    code, label = draw(st.sampled_from([*options, ("", "")]))
    if not code:
        return "", ""
    return code, draw(typed(draw(st.sampled_from([label, code])), inner=INNER_SPACE))


@st.composite
def project_rows(draw, update: bool) -> ProjectRow:
    """A row the import accepts, in one of the many ways people fill it in."""
    total = draw(st.decimals(min_value=0, max_value=10**8, places=2))
    this_year = draw(st.none() | st.decimals(min_value=0, max_value=total, places=2))
    land_mu = draw(st.none() | st.decimals(min_value=0, max_value=10**6, places=2))
    jobs = draw(st.none() | st.integers(0, 10**6))
    name, investor, problems = draw(NAME), draw(NAME), draw(TYPED_TEXT)
    origin = draw(st.sampled_from(["", *OriginType.values]))
    origin_label = draw(typed(str(OriginType(origin).label))) if origin else ""
    domestic = origin in ("", OriginType.DOMESTIC)
    answer = draw(st.sampled_from(["", "是", "否", "Y", "n", "√", "×"]))
    chain, chain_cell = draw(label_of(ChainPosition.choices))
    mode, mode_cell = draw(label_of(PromotionMode.choices))
    stages = [("", ""), ("lead", "线索"), ("lead", "lead")]
    stage, stage_cell = draw(
        st.sampled_from(stages if update else [*stages, ("negotiating", "洽谈")])
    )
    cells = {
        "项目编号": CODE if update else "",
        "项目名称": name,
        "开发区编码": draw(typed("TZ-A")),
        "投资方": investor,
        "投资方来源": origin_label,
        "来源省份": draw(typed(draw(st.sampled_from(["贵州省", "520000"])))) if domestic else "",
        "来源国家或地区": "" if domestic else draw(NAME),
        "服务首位产业": draw(typed(answer)) if answer else "",
        "产业链环节": chain_cell,
        "招商方式": mode_cell,
        "项目阶段": draw(typed(stage_cell)) if stage_cell else "",
        "计划总投资（万元）": draw(money(total)),
        "本年计划投资（万元）": "" if this_year is None else draw(money(this_year)),
        "用地面积（亩）": "" if land_mu is None else draw(typed(f"{land_mu}亩")),
        "预计带动就业（人）": "" if jobs is None else draw(typed(f"{jobs:,}人")),
        "项目负责人账号": draw(st.sampled_from(["", "t_staff_a", "t_leader_a"])),
        "存在问题": problems,
    }
    expected = {
        "name": name.strip(),
        "investor_name": investor.strip(),
        "origin_type": origin or OriginType.DOMESTIC,
        "serves_leading_industry": answer in ("是", "Y", "√"),
        "chain_position": chain,
        "planned_investment": total,
        "planned_investment_this_year": this_year or Decimal(0),
        "land_mu": land_mu,
        "expected_jobs": jobs,
        "blocking_problems": problems.strip(),
        "stage": stage or "lead",
    }
    if mode or not update:
        expected["promotion_mode"] = mode or PromotionMode.OTHER
    spelling = (draw(st.booleans()), draw(st.booleans()), draw(WHITESPACE), draw(WHITESPACE))
    return ProjectRow(cells, expected, update, spelling)


# Cells that make a row wrong in the preview (a cell, the scope, the import's own rules)...
PREVIEW_MANGLES = [
    *[("项目编号", c) for c in ("XM-NOPE-1", CODE)],  # unknown; the updated project twice
    *[("项目名称", c) for c in ("", "   ", "名" * 151)],
    *[("开发区编码", c) for c in ("TZ-B", "TZ-A2X", "", "NOPE")],
    ("投资方", "\u3000"),
    *[("投资方来源", c) for c in ("火星", "签约")],
    *[("来源省份", c) for c in ("火星省", "TZ-A")],
    ("来源国家或地区", "国" * 51),
    *[("服务首位产业", c) for c in ("也许", "是否")],
    ("产业链环节", "顶游"),
    ("招商方式", "随便招商"),
    *[("项目阶段", c) for c in ("签约", "达产", "终止", "第三阶段")],
    *[
        ("计划总投资（万元）", c)
        for c in ("很多", "1e100", "-5", "1.234", "12%", "NaN", "1e999999999", "", "9" * 14)
    ],
    *[("本年计划投资（万元）", c) for c in ("abc", "1e-999999999")],
    *[("用地面积（亩）", c) for c in ("5平方米", "1e30", "-1")],
    *[("预计带动就业（人）", c) for c in ("1.5", "三十", "1e10", "-3", "1e999999999")],
    ("项目负责人账号", "nobody"),
]
# ... or only when confirmed (the service's rules across fields and records).
CONFIRM_MANGLES = [
    ("项目负责人账号", "t_staff_b"),  # not a member of zone A
    ("项目负责人账号", "t_outsider"),
    ("本年计划投资（万元）", "999999999"),  # more than the total
    ("来源国家或地区", "新加坡"),  # wrong for a domestic investor only
]


@st.composite
def project_files(draw) -> ProjectFile:
    """New projects and maybe an update of the existing one, in any column order and encoding;
    some cells mangled (wrong in the preview, wrong at confirm, or arbitrary text)."""
    rows = draw(st.lists(project_rows(update=False), min_size=1, max_size=5))
    if draw(st.booleans()):
        rows.insert(draw(st.integers(0, len(rows))), draw(project_rows(update=True)))
    file = ProjectFile(rows, draw(st.permutations(COLUMNS)), draw(ENCODINGS))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["preview", "confirm", "confirm", "text"]))
        index = draw(st.integers(0, len(rows) - 1))
        if kind == "text":
            column, cell = draw(st.sampled_from(COLUMNS)), draw(st.text(max_size=20))
        else:
            column, cell = draw(
                st.sampled_from(PREVIEW_MANGLES if kind == "preview" else CONFIRM_MANGLES)
            )
        rows[index].cells[column] = cell
        file.mangled.append((index, column, cell))
    return file


@contextlib.contextmanager
def rolled_back():
    """Run an example in a transaction that is rolled back: each starts from the same data."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def written() -> dict[str, Any]:
    """Everything an import may write (its own batch rows aside)."""
    return {
        "projects": list(Project.objects.order_by("pk").values()),
        "transitions": StageTransition.objects.count(),
        "history": ChangeRecord.objects.count(),
        "counters": list(ProjectCodeCounter.objects.order_by("pk").values_list("last")),
    }


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("项目.csv", data, "text/csv")


def import_through_functions(user, data: bytes):
    batch = start_import(user, PROJECT, upload(data))
    if batch.status == ImportBatch.Status.PREVIEWED and not batch.rows_error:
        batch = confirm_import(user, batch)
    return batch


def assert_errors_name_rows_and_columns(batch, data: bytes) -> None:
    if batch.status == ImportBatch.Status.REFUSED:
        assert_chinese(batch.message)
        return
    assert batch.errors, batch.message
    rows = {number for number, _cells in read_table(data).rows}
    headers = set(template_headers())
    for error in batch.errors:
        assert error["row"] in rows and error["column"] in headers, error
        assert_chinese(error["message"])


def assert_imported_as_written(file: ProjectFile, before: dict[str, Any], existing) -> None:
    known = {p["id"] for p in before["projects"]}
    created = list(Project.objects.exclude(pk__in=known).order_by("pk"))
    new_rows = [row for row in file.rows if not row.update]
    assert len(created) == len(new_rows)
    existing.refresh_from_db()
    pairs = list(zip(created, new_rows, strict=True))
    pairs += [(existing, row) for row in file.rows if row.update]
    for project, row in pairs:
        for name, value in row.expected.items():
            assert getattr(project, name) == value, (name, row.cells)
        assert project.zone.code == "TZ-A" and project.code.startswith("XM-TZ-A-")


def assert_pages_answer(client, user, data: bytes) -> None:
    """The upload view, the batch page and the confirm button never answer 500."""
    client.force_login(user)
    response = client.post(reverse("investment:project-import"), {"file": upload(data)})
    if not data:  # the form itself refuses an empty file
        assert response.status_code == 200
        return
    assert response.status_code == 302, response.status_code
    assert client.get(response["Location"]).status_code == 200
    batch_id = response["Location"].rsplit("id=", 1)[1]
    confirmed = client.post(reverse("zones:import-confirm"), {"id": batch_id})
    assert confirmed.status_code == 302
    assert client.get(confirmed["Location"]).status_code == 200


@pytest.fixture
def existing(cast):
    """A project of zone A in the 线索 stage, for the rows that update it."""
    return make_project(cast.staff_a, cast.zone_a, name="已有项目")


@WHOLE
@given(file=project_files())
def test_a_project_file_imports_whole_or_writes_nothing_and_never_errors(
    cast, existing, client, file
):
    with rolled_back():
        data = file.data(existing.code)
        before = written()
        batch = import_through_functions(cast.staff_a, data)
        event(f"{'mangled' if file.mangled else 'clean'} file: {batch.status}")
        if batch.status == ImportBatch.Status.CONFIRMED:
            counts = batch.rows_new, batch.rows_updated, batch.rows_unchanged
            assert sum(counts) == len(file.rows)
            assert Project.objects.count() == len(before["projects"]) + batch.rows_new
            if not file.mangled:
                assert_imported_as_written(file, before, existing)
        else:
            assert file.mangled, f"a clean file was not imported: {batch.errors or batch.message}"
            assert written() == before, "a refused or failed import wrote something"
            assert_errors_name_rows_and_columns(batch, data)
        assert_pages_answer(client, cast.staff_a, data)


@settings(WHOLE, max_examples=20)
@given(data=st.tuples(PREFIXES, st.binary(max_size=2000)).map(b"".join))
def test_any_uploaded_bytes_are_refused_with_a_page_not_a_server_error(cast, client, data):
    with rolled_back():
        before = written()
        batch = import_through_functions(cast.staff_a, data)
        assert batch.status == ImportBatch.Status.REFUSED
        assert_chinese(batch.message)
        assert written() == before
        assert_pages_answer(client, cast.staff_a, data)


# --- the bugs the properties found, pinned ---------------------------------------------------


@pytest.mark.parametrize("cell", ["1e100", "1e999999999", "9" * 30, float("inf"), 10**30])
def test_an_absurdly_large_number_is_a_cell_error_not_a_server_error(cell):
    from zones.units import MONEY

    with pytest.raises(ValueError, match="数值过大"):
        iv.AmountWidget("万元", MONEY.factors).clean(cell)
    with pytest.raises(ValueError, match="数值过大"):
        iv.IntegerWidget().clean(cell)


def test_a_vanishingly_small_amount_is_refused_for_its_decimals_not_read_as_zero():
    with pytest.raises(ValueError, match="最多保留2位小数"):
        iv.AmountWidget("万元").clean("1e-999999999")


def test_a_project_file_with_an_absurd_amount_previews_the_error_on_its_cell(cast):
    header = ["项目名称", "开发区编码", "投资方", "来源省份", "计划总投资（万元）"]
    data = csv_bytes([header, ["甲", "TZ-A", "甲公司", "贵州省", "1e999999999"]])
    batch = start_import(cast.staff_a, PROJECT, upload(data))
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "计划总投资（万元）")]
    assert "数值过大" in batch.errors[0]["message"]


def test_a_nul_byte_past_the_first_64_kb_refuses_the_file_instead_of_reaching_the_database(cast):
    header = ["项目名称", "开发区编码", "投资方", "来源省份", "计划总投资（万元）"]
    rows = [[f"项目{n}", "TZ-A", "甲公司", "贵州省", "100"] for n in range(3000)]
    data = csv_bytes([header, *rows, ["尾\x00项目", "TZ-A\x00", "甲公司", "贵州省", "100"]])
    assert len(data) > 65536
    with pytest.raises(Refused, match="二进制内容"):
        read_table(data)
    batch = start_import(cast.staff_a, PROJECT, upload(data))
    assert batch.status == ImportBatch.Status.REFUSED
    assert not Project.objects.exists()


def test_a_utf16_text_file_as_excel_saves_unicode_text_is_read():
    rows = [["项目名称", "计划总投资（万元）"], ["甲项目", "1.5亿元"]]
    table = read_table(csv_bytes(rows, "utf-16", "\t"))
    assert (table.encoding, table.headers, table.rows) == ("UTF-16", rows[0], [(2, rows[1])])


def test_a_tab_separated_file_with_blank_lines_above_its_header_is_split_at_its_tabs():
    rows = [[], [], ["项目名称", "计划总投资（万元）"], ["甲项目", "100"]]
    table = read_table(csv_bytes(rows, "utf-8", "\t"))
    assert (table.header_row, table.headers, table.rows) == (3, rows[2], [(4, rows[3])])


def test_a_csv_whose_first_header_starts_with_pk_is_read_as_csv_not_as_a_broken_zip():
    table = read_table(csv_bytes([["PKU校友", "项目名称"], ["甲", "乙"]]))
    assert table.format == "csv" and table.headers == ["PKU校友", "项目名称"]


def test_header_key_composes_a_mark_that_a_removed_space_separated():
    assert iv.header_key("e \u0301") == iv.header_key("é") == "\u00e9"


@pytest.mark.parametrize("text", ["1,5", "1，5", "12,34", "1,2345", "1.234,5", "1,234,56"])
def test_a_comma_that_does_not_group_thousands_is_an_error_not_a_silent_number(text):
    with pytest.raises(ValueError, match="千位分隔符"):
        iv.parse_decimal(text, unit="万元", factors={"万元": Decimal(1), "亿元": Decimal(10000)})


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,234", "1234"), ("-12,345.5", "-12345.5"), ("1,234,567.89万元", "1234567.89")],
)
def test_commas_grouping_thousands_are_read(text, expected):
    factors = {"万元": Decimal(1), "亿元": Decimal(10000)}
    assert iv.parse_decimal(text, unit="万元", factors=factors) == Decimal(expected)
