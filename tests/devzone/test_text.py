"""Lists inside sentences follow the language: 甲、乙 in Chinese, "a, b" in English — also in
texts built once at import time, such as a column's help text in the import template."""

from __future__ import annotations

from django.utils import translation

from devzone.imports_values import ChoiceWidget
from devzone.text import join, join_lazy
from zones.resources import IndicatorResource


def test_join_uses_the_list_separator_of_the_language():
    with translation.override("zh-hans"):
        assert join(["甲", "乙", "丙"]) == "甲、乙、丙"
    with translation.override("en"):
        assert join(["a", "b", "c"]) == "a, b, c"
        assert join([]) == ""


def test_a_lazy_join_is_joined_in_the_language_of_each_use():
    text = join_lazy(("万", "亿"))
    with translation.override("en"):
        assert str(text) == "万, 亿"
    with translation.override("zh-hans"):
        assert str(text) == "万、亿"


def test_an_import_error_lists_the_allowed_values_in_english_with_commas():
    widget = ChoiceWidget([("a", "境内"), ("b", "港澳台")])
    with translation.override("en"):
        try:
            widget.clean("火星")
        except ValueError as error:
            message = str(error)
    assert "、" not in message
    assert ", " in message


def test_a_column_help_text_built_at_import_follows_the_language_of_the_request():
    fields = IndicatorResource().get_import_fields()
    field = next(f for f in fields if "可带单位" in str(getattr(f, "help_text", "")))
    with translation.override("en"):
        english = str(field.help_text)
    with translation.override("zh-hans"):
        chinese = str(field.help_text)
    assert "units allowed: " in english and "、" not in english and "；" not in english
    assert "；可带单位：" in chinese and "、" in chinese
