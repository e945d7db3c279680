"""Filter types shared by the lists of every app (pages and API). Imports no app.

A ``NumberFilter`` takes any decimal, which some lookups cannot take: a year outside 1..9999
makes the date lookup raise ``ValueError`` and an id beyond 64 bits makes SQLite raise
``OverflowError``, both when the query runs (a 500). These take whole numbers in range only, so
another value is a form error (a 400 in the API).
"""

from __future__ import annotations

import django_filters
from django import forms


class YearFilter(django_filters.NumberFilter):
    """A calendar year for a ``__year`` lookup on a date: a whole number from 1 to 9999."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """A row's id for a foreign key column: a whole number from 1 to 2**63 - 1."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)
