"""Change history (留痕): who changed which record, when, and which fields from what to what.

Services call ``record`` explicitly after every create, update, delete or state change (no
signals); detail pages show ``history_for(instance)``. The rows are written in the service's
transaction, so a rolled-back write leaves no history either. Nobody edits them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from devzone import audit


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value (dates as ISO strings, decimals as strings)."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 30.00 and 30 are the same figure
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "name") and hasattr(value, "url"):  # a FieldFile
        return value.name or None
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance`` (foreign keys as ids), JSON-safe."""
    names = fields or [
        f.attname
        for f in instance._meta.concrete_fields
        if f.attname not in ("id", "created_at", "updated_at")
    ]
    return {name: _plain(getattr(instance, name)) for name in names}


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value differs."""
    before, after = before or {}, after or {}
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def record(
    user,
    instance: models.Model,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    zone_id: int | None = None,
    note: str = "",
):
    """Write one history row; an update that changed nothing writes nothing and returns None."""
    from devzone.models import ChangeRecord

    changes = diff(before, after)
    if action == ChangeRecord.Action.UPDATE and not changes and not note:
        return None
    return ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        zone_id=zone_id,
        action=action,
        user=user if getattr(user, "is_authenticated", False) else None,
        ip=audit.current_ip(),
        changes=changes,
        note=note,
    )


def history_for(instance: models.Model):
    """The history of one record, newest first, with the users joined (one query)."""
    from devzone.models import ChangeRecord

    return (
        ChangeRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(type(instance)), object_id=instance.pk
        )
        .select_related("user")
        .order_by("-at", "-pk")
    )


def _label(model: type[models.Model], attname: str) -> str:
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return str(field.verbose_name)
    return attname


def history_rows(instance: models.Model, limit: int = 100) -> list[dict[str, Any]]:
    """The record's history for a detail page: each change with its fields' labels."""
    model = type(instance)
    rows = []
    for change in history_for(instance)[:limit]:
        rows.append(
            {
                "at": change.at,
                "user": change.user,
                "action": change.get_action_display(),
                "note": change.note,
                "changes": [
                    (_label(model, name), old, new)
                    for name, (old, new) in sorted(change.changes.items())
                ],
            }
        )
    return rows
