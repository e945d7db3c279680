"""Lists inside sentences, in the language of the moment."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.functional import lazy
from django.utils.translation import pgettext


def join(items: Iterable[object]) -> str:
    """The items as a list inside a sentence: 甲、乙、丙 in Chinese, "a, b, c" in English."""
    return pgettext("list separator", "、").join(str(item) for item in items)


# For texts built once (a field's help text) and shown in each request's language; give it a
# tuple, not a generator: it is joined again at every use.
join_lazy = lazy(join, str)
