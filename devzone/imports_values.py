"""Cell values as people type them in Chinese spreadsheets, and the formula escape of exports.

The widgets here are django-import-export widgets, so one declaration in an app's
``resources.py`` serves the export, django-import-export's own ``import_data`` and the batch
importer of ``devzone.imports``. ``clean`` raises ``ValueError`` with a Chinese message that
says what was expected; the importer puts it next to the row and column.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from import_export import widgets

from devzone.text import join

# A spreadsheet runs a cell as a formula (or a DDE command) when its text starts with one of
# these; the full-width forms are normalised to the ASCII ones by some spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
ESCAPE = "'"


def escape_formula(value: Any) -> Any:
    """Make a text cell inert: prefix ``'`` to text a spreadsheet would run as a formula.

    Text that already looks escaped (``'`` followed by a trigger or another ``'``) is prefixed
    too, so that ``unescape_formula`` is an exact inverse. Numbers, dates and booleans are
    returned unchanged (they stay numbers).
    """
    if isinstance(value, str) and value and (value[0] in FORMULA_TRIGGERS or _looks_escaped(value)):
        return ESCAPE + value
    return value


def _looks_escaped(text: str) -> bool:
    return (
        len(text) > 1 and text[0] == ESCAPE and (text[1] in FORMULA_TRIGGERS or text[1] == ESCAPE)
    )


def unescape_formula(value: Any) -> Any:
    """The inverse of ``escape_formula`` for text read back from a file."""
    if isinstance(value, str) and _looks_escaped(value):
        return value[1:]
    return value


def normalize(text: str) -> str:
    """Full-width letters, digits and punctuation to their ASCII forms (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def header_key(text: Any) -> str:
    """The form in which two column headers are compared: NFKC, no whitespace at all.

    Normalised again once the whitespace is gone: a removed space lets a combining mark compose
    with the letter before it (``e``, a space, U+0301 → ``é``), so a key is its own key.
    """
    return unicodedata.normalize("NFKC", re.sub(r"\s+", "", normalize(str(text or ""))))


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def display(value: Any) -> str:
    """A cell value as it appears in an error message."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class TextWidget(widgets.CharWidget):
    """Text: trimmed; a number typed into a text column keeps its digits (no ``.0``)."""

    def __init__(self, max_length: int | None = None, upper: bool = False):
        super().__init__(coerce_to_string=True, allow_blank=True)
        self.max_length = max_length
        self.upper = upper

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, datetime.datetime):
            value = display(value)
        text = str(value).strip()
        if self.upper:
            text = normalize(text).upper()
        if self.max_length and len(text) > self.max_length:
            raise ValueError(
                _("不能超过%(n)d个字符（当前%(m)d个）。") % {"n": self.max_length, "m": len(text)}
            )
        return text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# No figure of ours has more integer digits than this; beyond it a cell (``1e999``, a pasted
# identity number, an XLSX ``<v>1E400</v>`` read as infinity) is a mistake, and the decimal
# arithmetic below would overflow instead of answering.
MAX_INTEGER_DIGITS = 20


def _in_range(number: Decimal) -> Decimal:
    if number.is_nan():
        raise ValueError(_("无法识别为数字。"))
    if number.is_infinite() or (number and number.adjusted() >= MAX_INTEGER_DIGITS):
        raise ValueError(_("数值过大：整数部分不能超过%(n)d位。") % {"n": MAX_INTEGER_DIGITS})
    return number


_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+")


def _parse_number(
    value: Any, unit: str, factors: dict[str, Decimal] | None
) -> tuple[Decimal | None, bool]:
    """The number and whether a unit suffix converted it (see ``parse_decimal``)."""
    if is_blank(value):
        return None, False
    if isinstance(value, bool):
        raise ValueError(_("应为数字。"))
    if isinstance(value, int):
        return _in_range(Decimal(value)), False
    if isinstance(value, float):
        return _in_range(Decimal(repr(value))), False
    if isinstance(value, Decimal):
        return _in_range(value), False
    text = normalize(str(value)).replace("，", ",").replace(" ", "")
    if "," in text:
        # a comma only groups thousands: "1,5" is a typo for 1.5 or 15, never silently 15
        head = re.split(r"[^\d,+-]", text, maxsplit=1)[0]
        if not _GROUPED.fullmatch(head):
            raise ValueError(
                _("逗号只能作千位分隔符（每三位数字一个，如 1,234,567.89），请检查数字。")
            )
        text = text.replace(",", "")
    factor = Decimal(1)
    if text.endswith("%"):
        text = text[:-1]
        if unit != "%":
            if unit:
                raise ValueError(_("该列单位为%(unit)s，不能填写百分数。") % {"unit": unit})
            factor = Decimal("0.01")
    else:
        # the longest suffix first: 万元 before 元
        for suffix in sorted(factors or {}, key=len, reverse=True):
            if suffix and text.endswith(suffix):
                text, factor = text[: -len(suffix)], (factors or {})[suffix]
                break
    if not _NUMBER.match(text):
        accepted = join(u for u in (factors or {}) if u)
        hint = _("（可带单位：%(units)s）") % {"units": accepted} if accepted else ""
        raise ValueError(_("无法识别为数字%(hint)s。") % {"hint": hint})
    try:
        number = _in_range(Decimal(text))
    except InvalidOperation as error:
        raise ValueError(_("无法识别为数字。")) from error
    # no product when nothing converts: a context multiplication would round a tiny number
    # such as 1e-999999999 to 0 instead of letting the column's places refuse it
    return (number * factor, True) if factor != 1 else (number, False)


def parse_decimal(value: Any, *, unit: str = "", factors: dict[str, Decimal] | None = None):
    """``1,234.5``, ``１２３４．５``, ``1234.5万元``, ``12.5%`` … → Decimal in ``unit``.

    ``factors`` maps each accepted unit suffix to its multiplier into ``unit``; a ``%`` suffix
    is accepted when the unit is ``%`` (kept) or a plain ratio (divided by 100).
    """
    return _parse_number(value, unit, factors)[0]


class AmountWidget(widgets.DecimalWidget):
    """A decimal column with a canonical unit and the other units it converts from.

    More decimals than the column keeps are an error, except after a unit conversion
    (``1234元`` → 0.1234 万元), which is rounded half up to the column's places.
    """

    def __init__(self, unit: str = "", factors: dict[str, Decimal] | None = None, places=2):
        super().__init__(coerce_to_string=False)
        self.unit = unit
        self.factors = dict(factors or {unit: Decimal(1)})
        self.places = places

    def clean(self, value, row=None, **kwargs):
        number, converted = _parse_number(value, self.unit, self.factors)
        if number is None:
            return None
        quantum = Decimal(1).scaleb(-self.places)
        rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
        if rounded != number and not converted:
            raise ValueError(_("最多保留%(n)d位小数。") % {"n": self.places})
        return rounded

    def render(self, value, obj=None, **kwargs):
        return value


class IntegerWidget(widgets.IntegerWidget):
    """Whole numbers; ``2025年`` and ``3月`` are read as 2025 and 3."""

    def __init__(self, suffixes: Sequence[str] = ()):
        super().__init__(coerce_to_string=False)
        self.suffixes = tuple(suffixes)

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, str):
            value = normalize(value)
            for suffix in self.suffixes:
                value = value.removesuffix(suffix)
        number = parse_decimal(value)
        if number is None or number != number.to_integral():
            raise ValueError(_("应为整数。"))
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return value


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse_date(value: Any) -> datetime.date | None:
    """``2025-03-01``, ``2025/3/1``, ``2025年3月1日``, ``2025.3.1``, ``20250301``, a date cell
    or an Excel serial number (days since 1899-12-30)."""
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        serial = float(value)
        if 1 <= serial < 2958466 and serial == int(serial):
            return EXCEL_EPOCH + datetime.timedelta(days=int(serial))
        raise ValueError(_("无法识别为日期。"))
    text = normalize(str(value))
    match = _DATE.match(text)
    try:
        if match:
            return datetime.date(*(int(g) for g in match.groups()))
        if re.fullmatch(r"\d{8}", text):
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if re.fullmatch(r"\d{5}", text):
            return EXCEL_EPOCH + datetime.timedelta(days=int(text))
    except ValueError as error:
        raise ValueError(_("日期不存在。")) from error
    raise ValueError(_("无法识别为日期，请写作 2025-03-01、2025/3/1 或 2025年3月1日。"))


class DateWidget(widgets.DateWidget):
    def __init__(self):
        super().__init__(format="%Y-%m-%d", coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        return parse_date(value)

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%Y-%m-%d") if value else ""


TRUE_WORDS = {"是", "Y", "YES", "TRUE", "T", "1", "√", "✓", "✔", "对", "真"}
FALSE_WORDS = {"否", "N", "NO", "FALSE", "F", "0", "×", "✗", "✘", "错", "假"}


def parse_bool(value: Any) -> bool:
    """是/否, Y/N, TRUE/FALSE, 1/0, √/×; a blank cell is 否."""
    if is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    text = normalize(display(value)).upper()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(_("应填写“是”或“否”。"))


class BooleanWidget(widgets.BooleanWidget):
    allowed = ("是", "否")

    def __init__(self):
        super().__init__(coerce_to_string=True)

    def clean(self, value, row=None, **kwargs):
        return parse_bool(value)

    def render(self, value, obj=None, **kwargs):
        return _("是") if value else _("否")


class ChoiceWidget(widgets.Widget):
    """An enumeration, read by its Chinese label or by its code; written as the label."""

    def __init__(self, choices: Iterable[tuple[str, Any]]):
        super().__init__(coerce_to_string=True)
        self.choices = [(code, label) for code, label in choices]
        self._keys: dict[str | None, dict[str, Any]] = {}  # per language: typed key -> code

    def _lookup(self) -> dict[str, Any]:
        """Every accepted spelling of each choice in the active language (labels are lazy)."""
        language = get_language()
        keys = self._keys.get(language)
        if keys is None:
            keys = {}
            for code, label in self.choices:
                keys.setdefault(header_key(str(label)).lower(), code)
                keys.setdefault(str(code).lower(), code)
            self._keys[language] = keys
        return keys

    @property
    def allowed(self) -> list[str]:
        return [str(label) for _code, label in self.choices]

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return ""
        keys = self._lookup()
        key = header_key(display(value)).lower()
        if key in keys:
            return keys[key]
        raise ValueError(_("可选值为：%(values)s。") % {"values": join(self.allowed)})

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class LookupWidget(widgets.Widget):
    """A foreign key named by its code or its name; written as ``render_field``.

    ``prefetch`` loads the whole (small) table or the rows named in a column once, so that a
    batch import costs one query for the column rather than one per row.
    """

    def __init__(
        self,
        model,
        keys: Sequence[str] = ("code", "name"),
        render_field: str = "name",
        not_found: str | None = None,
        listed: bool = True,
        select_related: Sequence[str] = (),
    ):
        super().__init__(coerce_to_string=True)
        self.model = model
        self.keys = tuple(keys)
        self.render_field = render_field
        self.not_found = not_found
        self.listed = listed  # whether the template lists every value (small tables only)
        self.select_related = tuple(select_related)
        self._cache: dict[str, Any] | None = None

    def queryset(self):
        queryset = self.model._default_manager.all()
        return queryset.select_related(*self.select_related) if self.select_related else queryset

    def _index(self, objects) -> dict[str, Any]:
        index: dict[str, Any] = {}
        for obj in objects:
            for key in self.keys:
                index.setdefault(header_key(getattr(obj, key)).lower(), obj)
        return index

    def prefetch(self, values: Iterable[Any]) -> None:
        wanted = {normalize(display(v)) for v in values if not is_blank(v)}
        if self.listed:
            self._cache = self._index(self.queryset())
            return
        from django.db.models import Q

        self._cache = {}
        wanted_list = sorted(wanted)
        for start in range(0, len(wanted_list), 500):
            chunk = wanted_list[start : start + 500]
            q = Q()
            for key in self.keys:
                q |= Q(**{f"{key}__in": chunk})
            self._cache.update(self._index(self.queryset().filter(q)))

    def reset(self) -> None:
        self._cache = None

    @property
    def allowed(self) -> list[str]:
        if not self.listed:
            return []
        return [str(getattr(o, self.render_field)) for o in self.queryset()]

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        key = header_key(display(value)).lower()
        if self._cache is None:
            self._cache = self._index(self.queryset())
        obj = self._cache.get(key)
        if obj is None:
            message = self.not_found or _("找不到“%(value)s”。")
            raise ValueError(message % {"value": display(value)})
        return obj

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(getattr(value, self.render_field))
