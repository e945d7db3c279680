"""Enqueue Celery work only after the surrounding transaction commits.

A task enqueued inside a transaction could run before the row it needs is visible, or for a row
that is then rolled back. Services call ``enqueue_after_commit`` instead of ``task.delay``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction


def enqueue_after_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send ``task`` with JSON-serialisable ids once the current transaction commits."""
    transaction.on_commit(partial(task.delay, *args, **kwargs))
