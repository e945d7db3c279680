"""Enqueue Celery work only after the surrounding transaction commits, and never lose it.

A task enqueued inside a transaction could run before the row it needs is visible, or for a row
that is then rolled back. Services call ``enqueue_after_commit`` instead of ``task.delay``.

When the broker does not take the message (Redis stopped, restarting or unreachable), the call is
kept in the database as a ``PendingTask`` row (the outbox) and the request carries on: the user's
data is already committed and the page must not fail because a background job could not be
queued. ``flush_pending`` hands the kept calls to the broker once it is back; beat runs it every
``DEVZONE_PENDING_FLUSH_SECONDS`` and every worker runs it when it starts (devzone/celery.py).
Publishing gives up within a few seconds (the broker timeouts in settings.py), so a dead or hung
Redis costs a page seconds, not a hang.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

import redis.exceptions
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# What "the broker did not take the message" looks like: kombu wraps the transport's connection
# errors in OperationalError; the Redis client's own errors and bare socket errors (OSError covers
# refused connections and socket timeouts) are listed in case one escapes unwrapped.
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
)

# A flusher owns a claimed row this long; if it dies before deleting the row, another flusher
# sends it again after the lease (tasks are safe to run twice).
CLAIM_LEASE = timedelta(minutes=2)


def enqueue_after_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send ``task`` with JSON-serialisable ids once the current transaction commits; if the
    broker is unreachable then, keep the call in the outbox for ``flush_pending``."""
    transaction.on_commit(partial(Outbound(task.name).send, *args, **kwargs))


@dataclass(frozen=True)
class Outbound:
    """A task, by name, on its way to the broker: the on_commit callback is ``send`` with the
    task's arguments, so a captured callback shows which task and which ids it carries."""

    name: str

    def send(self, *args: Any, **kwargs: Any) -> bool:
        return send_or_keep(self.name, list(args), kwargs)


def send_or_keep(name: str, args: list[Any], kwargs: dict[str, Any]) -> bool:
    """Send the call now; on a broker error store it as a ``PendingTask``. True when sent."""
    try:
        _send(name, args, kwargs)
    except BROKER_ERRORS as exc:
        _keep(name, args, kwargs, exc)
        return False
    return True


def _send(name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    """Publish through the registered task (its own options) or, if unknown here, by name."""
    from devzone.celery import app

    task = app.tasks.get(name)
    if task is None:
        app.send_task(name, args=args, kwargs=kwargs)
    else:
        task.apply_async(args=args, kwargs=kwargs)


def _keep(name: str, args: list[Any], kwargs: dict[str, Any], exc: BaseException) -> None:
    from devzone.models import PendingTask

    error = _describe(exc)
    try:
        PendingTask.objects.create(
            task=name, args=args, kwargs=kwargs, attempts=1, last_error=error
        )
    except Exception:  # the database failed too: say loudly what was not queued
        logger.exception(
            "broker unreachable and the outbox could not be written: %s args=%r kwargs=%r "
            "was NOT queued (%s)",
            name,
            args,
            kwargs,
            error,
        )
        return
    logger.warning("broker unreachable: %s kept in the outbox for a later retry (%s)", name, error)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


# A kept call Celery refuses to send (wrong arguments, a task renamed since): left in the outbox
# with its error for an administrator to see, and tried again a day later.
SET_ASIDE = timedelta(days=1)


def flush_pending(*, limit: int = 1000) -> int:
    """Hand the kept calls to the broker, oldest first; return how many it accepted.

    Each row is claimed with a conditional UPDATE before it is sent, so two flushers (beat's
    and a starting worker's) never send the same row at once; a row is deleted only after the
    broker accepted its message. The first broker error stops the flush: the rest waits for the
    next one."""
    from devzone.models import PendingTask

    due = _due(timezone.now())
    sent = 0
    for pk in list(
        PendingTask.objects.filter(due).order_by("pk").values_list("pk", flat=True)[:limit]
    ):
        row = _claim(pk)
        if row is None:  # another flusher has it
            continue
        try:
            _send(row.task, row.args, row.kwargs)
        except BROKER_ERRORS as exc:
            PendingTask.objects.filter(pk=pk).update(claimed_until=None, last_error=_describe(exc))
            logger.warning("outbox flush stopped, the broker is still unreachable: %s", exc)
            break
        except Exception as exc:  # the call itself is wrong (arguments, name): never sendable
            PendingTask.objects.filter(pk=pk).update(
                claimed_until=timezone.now() + SET_ASIDE, last_error=_describe(exc)
            )
            logger.exception("outbox: %s %r cannot be sent, set aside", row.task, row.args)
            continue
        PendingTask.objects.filter(pk=pk).delete()
        sent += 1
    if sent:
        logger.info("outbox flush: %d kept task call(s) handed to the broker", sent)
    return sent


def _due(now) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def _claim(pk: int):
    from devzone.models import PendingTask

    now = timezone.now()
    claimed = PendingTask.objects.filter(_due(now), pk=pk).update(
        claimed_until=now + CLAIM_LEASE, attempts=F("attempts") + 1
    )
    return PendingTask.objects.filter(pk=pk).first() if claimed else None
