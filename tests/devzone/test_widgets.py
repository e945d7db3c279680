"""Form widgets render through the project's template engine (FORM_RENDERER), where
templates/django/forms/widgets/select.html inlines the options: the markup must stay Django's."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting, get_default_renderer

from investment.forms import ProjectCreateForm


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "请选择"), ("a", "甲 & <乙>"), ("b", '"丙"')])
    grouped = forms.ChoiceField(
        choices=[("东部", [("x", "上海"), ("y", "江苏")]), ("西部", [("z", "贵州")]), ("w", "其他")]
    )
    many = forms.MultipleChoiceField(choices=[(1, "一"), (2, "二"), (3, "三")])
    numbers = forms.TypedChoiceField(choices=[(1, "一"), (2, "二")], coerce=int)


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_the_project_renders_widgets_with_its_own_templates():
    assert isinstance(get_default_renderer(), TemplatesSetting)


@pytest.mark.parametrize(
    "data",
    [None, {"plain": "a", "grouped": "z", "many": ["1", "3"], "numbers": "2"}],
    ids=["unbound", "bound"],
)
def test_selects_render_as_djangos_templates_do(data):
    form = Sample(data=data)
    form.fields["plain"].widget.attrs.update({"class": "form-select", "required": True})
    form.fields["grouped"].widget.attrs["disabled"] = False
    ours = squeeze(form.render())
    form.renderer = DjangoTemplates()
    theirs = squeeze(form.render())
    assert ours == theirs
    assert '<option value="a" selected>甲 &amp; &lt;乙&gt;</option>' in ours or data is None
    assert '<optgroup label="东部">' in ours


@pytest.mark.django_db
def test_the_project_form_renders_as_with_djangos_templates(cast):
    form = ProjectCreateForm(user=cast.staff_a, zone_action="add")
    ours = squeeze(str(form))
    form.renderer = DjangoTemplates()
    assert ours == squeeze(str(form))
