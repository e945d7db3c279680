"""Number helpers shared by the pure scoring modules (no Django, no app: the scoring modules
import only this). Results are JSON-safe so that they can be stored in JSON fields."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any


def plain(value: Any) -> Any:
    """JSON-safe: Decimals as strings with no trailing zeros, others unchanged."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def to_decimal(value: Any) -> Decimal:
    """A Decimal of ``value`` (through ``str``, so 0.1 stays 0.1)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def is_finite_number(value: Any) -> bool:
    """An int or float that is finite; booleans are not numbers here."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
