"""Building blocks of the bulk services that the import machinery's confirm step calls.

A per-record service costs about eight queries a row (zone check, foreign-key and unique
checks, insert, scope re-check, history). A bulk service keeps every one of those guarantees
with queries per batch of ``CHUNK`` rows and per zone instead:

- the zone checks: one ``Zone.objects.for_user(user, action).filter(pk__in=...)`` per action;
- ``clean_each``: the model's ``full_clean`` in memory — foreign keys are objects the importer
  looked up (their existence is not queried again), uniqueness is checked per batch by
  ``check_unique`` and the database's check constraints hold at insert;
- ``lock``: the stored rows being updated, locked and re-read (the history's "before");
- ``insert`` / ``update``: ``bulk_create`` / one ``UPDATE ... FROM (VALUES ...)`` a batch of the
  changed columns only;
- ``recheck_scope``: the re-check after write, one count per batch;
- ``record_history``: the ``ChangeRecord`` rows ``devzone.history.record`` would write, in one
  ``bulk_create``.

Everything runs inside the caller's transaction: a ``RowsInvalid`` (the failing rows, by their
index in the input) or any other error rolls the whole batch back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, models, router
from django.utils import timezone
from django.utils.translation import gettext as _

from devzone import history

CHUNK = 500
# Rows per UPDATE ... FROM (VALUES ...), fewer when the database's parameter limit says so.
UPDATE_CHUNK = 500


class RowsInvalid(Exception):
    """Rows a bulk service refuses: ``errors`` maps each row's index in the input to its
    ``ValidationError`` or ``PermissionDenied``."""

    def __init__(self, errors: dict[int, Exception]):
        super().__init__(f"{len(errors)} invalid rows")
        self.errors = dict(errors)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def add_error(errors: dict[int, Exception], index: int, error: Exception) -> None:
    """Merge ``error`` into the row's errors; a PermissionDenied replaces validation errors."""
    current = errors.get(index)
    if current is None or (
        isinstance(error, PermissionDenied) and not isinstance(current, PermissionDenied)
    ):
        errors[index] = error
        return
    if isinstance(current, PermissionDenied) or isinstance(error, PermissionDenied):
        return
    merged = _as_dict(current)
    for name, messages in _as_dict(error).items():
        merged.setdefault(name, []).extend(messages)
    errors[index] = ValidationError(merged)


def _as_dict(error: ValidationError) -> dict[str, list]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"__all__": list(error.messages)}


def clean_each(
    instances: Sequence[models.Model], exclude: Sequence[str] = ()
) -> dict[int, ValidationError]:
    """``full_clean`` of every instance without queries: foreign keys are checked for presence
    only (the importer resolved them to loaded objects), uniqueness and constraints elsewhere."""
    errors: dict[int, ValidationError] = {}
    for index, instance in enumerate(instances):
        fks = [f for f in instance._meta.concrete_fields if f.is_relation]
        missing = {
            f.name: [f.error_messages["null"]]
            for f in fks
            if not f.null and getattr(instance, f.attname) is None and f.name not in exclude
        }
        try:
            instance.full_clean(
                exclude=[*exclude, *(f.name for f in fks)],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            errors[index] = ValidationError({**missing, **_as_dict(error)})
            continue
        if missing:
            errors[index] = ValidationError(missing)
    return errors


def check_unique(
    model: type[models.Model], instances: Sequence[models.Model], field_name: str
) -> dict[int, ValidationError]:
    """The unique check of ``field_name``, one query per batch, within the input too."""
    errors: dict[int, ValidationError] = {}
    seen: dict[Any, int] = {}
    for batch_start in range(0, len(instances), CHUNK):
        batch = instances[batch_start : batch_start + CHUNK]
        values = [getattr(i, field_name) for i in batch if getattr(i, field_name) not in (None, "")]
        taken = dict(
            model._default_manager.filter(**{f"{field_name}__in": values}).values_list(
                field_name, "pk"
            )
        )
        for offset, instance in enumerate(batch):
            index = batch_start + offset
            value = getattr(instance, field_name)
            if value in (None, ""):
                continue
            owner = taken.get(value)
            if (owner is not None and owner != instance.pk) or value in seen:
                errors[index] = ValidationError(
                    {field_name: [instance.unique_error_message(model, (field_name,))]}
                )
            seen.setdefault(value, index)
    return errors


def lock(model: type[models.Model], pks: Sequence[int], *related: str) -> dict[int, models.Model]:
    """The stored rows ``pks``, locked for the rest of the transaction (one query a batch)."""
    rows: dict[int, models.Model] = {}
    for batch in chunks(list(pks)):
        queryset = model._default_manager.select_for_update().filter(pk__in=batch)
        if related:
            queryset = queryset.select_related(*related)
        rows.update({row.pk: row for row in queryset})
    return rows


def insert(model: type[models.Model], instances: list[models.Model]) -> None:
    """``bulk_create`` in batches; the primary keys are set on the instances."""
    model._default_manager.bulk_create(instances, batch_size=CHUNK)
    if instances and instances[0].pk is None:  # a backend that cannot return ids
        raise RuntimeError("bulk insert did not return primary keys")


def update(model: type[models.Model], changed: list[tuple[models.Model, set[str]]]) -> None:
    """Write the columns that changed in each batch, plus ``auto_now`` stamps, with one
    ``UPDATE ... FROM (VALUES ...)`` a batch (PostgreSQL and SQLite ≥ 3.33 both have it).

    Django's ``bulk_update`` builds a ``CASE WHEN pk = … THEN …`` per column and row, which costs
    more Python time than the write itself at import sizes; the values go through each field's
    ``get_db_prep_save`` exactly as ``bulk_update`` would send them.
    """
    now = timezone.now()
    stamp = [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    per_row = len(model._meta.concrete_fields)
    size = max(1, min(UPDATE_CHUNK, _max_params(model) // per_row))
    for batch in chunks(changed, size):
        names: set[str] = set()
        for instance, attnames in batch:
            for field in stamp:
                setattr(instance, field.attname, now)
            names |= attnames
        fields = [f for f in model._meta.concrete_fields if f.attname in names or f in stamp]
        fields = [f for f in fields if not f.primary_key]
        if fields:
            _update_from_values(model, [i for i, _a in batch], fields)


def _max_params(model: type[models.Model]) -> int:
    """How many parameters one statement may carry on the model's database."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65_535


def _update_from_values(
    model: type[models.Model], instances: Sequence[models.Model], fields: Sequence[models.Field]
) -> None:
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    columns = [pk, *fields]
    typed = connection.vendor == "postgresql"  # VALUES columns need types there
    cell = [f"%s::{f.db_type(connection)}" if typed else "%s" for f in columns]
    row_sql = "(" + ", ".join(cell) + ")"
    params: list[Any] = []
    for instance in instances:
        params.append(pk.get_db_prep_save(instance.pk, connection))
        for field in fields:
            params.append(field.get_db_prep_save(getattr(instance, field.attname), connection))
    table = quote(model._meta.db_table)
    # The VALUES columns are named column1, column2, ... on both databases; column1 is the pk.
    assignments = ", ".join(f"{quote(f.column)} = v.column{n}" for n, f in enumerate(fields, 2))
    sql = (
        f"UPDATE {table} SET {assignments} "
        f"FROM (VALUES {', '.join([row_sql] * len(instances))}) AS v "
        f"WHERE {table}.{quote(pk.column)} = v.column1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != len({i.pk for i in instances}):
            raise RuntimeError(f"bulk update of {model.__name__} wrote {cursor.rowcount} rows")


def recheck_scope(model: type[models.Model], user, action: str, pks: Sequence[int]) -> None:
    """The re-check after write (``ensure_in_scope``), one count per batch."""
    for batch in chunks(list(pks)):
        inside = model._default_manager.all().for_user(user, action).filter(pk__in=batch).count()
        if inside != len(set(batch)):
            raise PermissionDenied(_("该记录不在您的权限范围内。"))


def record_history(
    user,
    entries: Iterable[tuple[models.Model, str, dict | None, dict | None, int | None, str]],
) -> int:
    """What ``history.record`` writes for each ``(instance, action, before, after, zone_id,
    note)``, in one ``bulk_create``; an update that changed nothing writes nothing."""
    from devzone.models import ChangeRecord

    rows = []
    for instance, action, before, after, zone_id, note in entries:
        changes = history.diff(before, after)
        if action == ChangeRecord.Action.UPDATE and not changes and not note:
            continue
        rows.append(
            ChangeRecord(
                content_type=ContentType.objects.get_for_model(type(instance)),
                object_id=instance.pk,
                object_repr=str(instance)[:200],
                zone_id=zone_id,
                action=action,
                user=user if getattr(user, "is_authenticated", False) else None,
                changes=changes,
                note=note,
            )
        )
    ChangeRecord.objects.bulk_create(rows, batch_size=CHUNK)
    return len(rows)


def changed_attnames(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return set(history.diff(before, after))
