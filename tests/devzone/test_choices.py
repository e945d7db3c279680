"""The display labels of choice fields (devzone/choices.py): the same answers as Django's own
method, in the language of the moment, for every model of the project's apps."""

from __future__ import annotations

from functools import partialmethod

import pytest
from django.apps import apps
from django.db.models import Model
from django.utils import translation

from devzone import choices
from investment.models import Project, ProjectStage, PromotionMode


def test_labels_follow_the_active_language():
    project = Project(stage=ProjectStage.SIGNED, promotion_mode=PromotionMode.RESIDENT)
    with translation.override("zh-hans"):
        assert project.get_stage_display() == "签约"
        assert project.get_promotion_mode_display() == "驻地招商"
    with translation.override("en"):
        assert project.get_stage_display() == "Signed"
        assert project.get_promotion_mode_display() == "Resident-office promotion"
    with translation.override("zh-hans"):
        assert project.get_stage_display() == "签约"


def test_an_unknown_or_empty_value_shows_itself_as_django_does():
    project = Project(stage="not-a-stage", promotion_mode="")
    assert project.get_stage_display() == "not-a-stage"
    assert project.get_promotion_mode_display() == Model._get_FIELD_display(
        project, Project._meta.get_field("promotion_mode")
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_project_choice_field_answers_as_djangos_method(language):
    checked = 0
    with translation.override(language):
        for model in apps.get_models():
            if model._meta.app_label not in choices.PROJECT_APPS:
                continue
            for field in model._meta.concrete_fields:
                if not field.choices:
                    continue
                method = getattr(model, f"get_{field.name}_display")
                assert not isinstance(method, partialmethod), f"{model.__name__}.{field.name}"
                for value, _label in [*field.flatchoices, ("no-such-value", "")]:
                    instance = model(**{field.attname: value})
                    assert method(instance) == Model._get_FIELD_display(instance, field)
                    checked += 1
    assert checked > 200
