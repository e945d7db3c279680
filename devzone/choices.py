"""``get_FOO_display`` without the per-call cost, for every model of the project's apps.

Django's generated method builds a dict of all the field's choices on every call, hashing each
lazy label on the way, which translates it: a project list page calls it a hundred times and
spent about a sixth of its CPU there. The method installed here builds the value → label dict
once per field and keeps the labels lazy, so each call translates only the label it returns, in
the language of the request. Same result as Django's: the label for a known value, the value
itself otherwise; a value that cannot be a dict key (a list) goes through Django's method.
"""

from __future__ import annotations

from functools import partialmethod

from django.apps import apps
from django.db import models
from django.utils.encoding import force_str

PROJECT_APPS = ("devzone", "zones", "investment", "talent", "platforms")


def display_method(field: models.Field):
    """The ``get_<field>_display`` method for ``field`` (choices given as a fixed list)."""
    labels = dict(field.flatchoices)  # the labels stay lazy: translated at each call

    def get_display(self) -> str:
        value = getattr(self, field.attname)
        try:
            label = labels.get(value, value)
        except TypeError:  # unhashable value
            return self._get_FIELD_display(field)
        return force_str(label, strings_only=True)

    get_display.__name__ = f"get_{field.name}_display"
    return get_display


def install(app_labels: tuple[str, ...] = PROJECT_APPS) -> int:
    """Replace Django's generated display methods of those apps' models; return how many.

    A model's own ``get_FOO_display`` stays, and so do choices computed by a callable (they may
    change between calls)."""
    installed = 0
    for model in apps.get_models():
        if model._meta.app_label not in app_labels:
            continue
        for field in model._meta.concrete_fields:
            name = f"get_{field.name}_display"
            if not field.choices or not isinstance(field.choices, list | tuple):
                continue
            if not isinstance(model.__dict__.get(name), partialmethod):
                continue
            setattr(model, name, display_method(field))
            installed += 1
    return installed
