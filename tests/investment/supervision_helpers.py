"""Builders for the supervision tests: real services, the shared cast."""

from __future__ import annotations

import datetime

from django.utils import timezone

from investment import services
from investment.models import SupervisionItem

STEP_SIDE = {
    "acknowledge": "zone",
    "start": "zone",
    "feedback": "zone",
    "review": "supervisor",
    "return": "supervisor",
    "close": "supervisor",
}


def raise_item(supervisor, zone, *, assignee, days: int = 10, **extra) -> SupervisionItem:
    data = {
        "zone": zone,
        "title": "督促加快项目开工",
        "description": "请于期限内完成开工准备并反馈。",
        "deadline": timezone.localdate() + datetime.timedelta(days=days),
        "assignee": assignee,
    }
    data.update(extra)
    return services.raise_item(supervisor, data)


def walk(item, zone_user, supervisor, until: str) -> SupervisionItem:
    """Take the loop's steps in order up to and including ``until``."""
    for kind in ("acknowledge", "start", "feedback", "review", "close"):
        user = zone_user if STEP_SIDE[kind] == "zone" else supervisor
        services.supervision_step(user, item, kind, feedback="已办理" if kind == "feedback" else "")
        if kind == until:
            break
    item.refresh_from_db()
    return item


def make_overdue(item, days: int = 2) -> SupervisionItem:
    SupervisionItem.objects.filter(pk=item.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=days)
    )
    item.refresh_from_db()
    return item
