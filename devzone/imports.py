"""One import machinery for every app: upload → preview → confirm, all or nothing.

An app makes a django-import-export ``ModelResource`` import-capable by mixing in
``BatchImportMixin`` and declaring, in ``resources.py``:

- its columns as fields with the widgets of ``devzone.imports_values`` (Chinese amounts, dates,
  是/否, labels; ``ImportField(required=True, help_text=...)`` for the template's 填写说明) —
  read-only fields are exported and tolerated on import, never written;
- ``import_name`` (``"<app>.<thing>"``), ``import_title``, ``import_key`` (the attributes of the
  natural key) and the URL names of its upload and template pages;
- ``import_existing(keys)`` (the existing records for a batch of keys: one query per batch, not
  scoped, so that "exists but not yours" is an error instead of a duplicate),
  ``import_zone(values, instance)`` and ``import_write(user, values, instance)`` (the app's
  service: validation, scope re-check and history are the forms').

``start_import`` stores the file as an ``ImportBatch`` and validates it (no writes);
``confirm_import`` re-reads the stored file, re-validates it against the database as it is now
and writes every row in one transaction, or nothing. Validation is batched: lookups are
prefetched per column and existing records per 500 keys, so the preview's query count grows
with batches, not rows. The formula escape of every export lives here too
(``FormulaSafeExportMixin``), and the importer undoes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export import fields

from devzone import audit, history
from devzone.access import get_scope
from devzone.imports_bulk import RowsInvalid
from devzone.imports_read import MAX_BYTES, Refused, Table, oversize_message, read_table
from devzone.imports_values import (
    display,
    escape_formula,
    header_key,
    is_blank,
    unescape_formula,
)
from devzone.text import join

CHUNK = 500
MAX_STORED_ERRORS = 1000
MAX_STORED_PREVIEW = 1000
SOURCE_LANGUAGE = "zh-hans"


class ImportField(fields.Field):
    """A column that can be imported, with what the template's 填写说明 says about it.

    ``required`` columns must be present in the header and filled on every row (mark the
    natural key's columns required unless a blank is a valid key part, like a yearly row's
    month).
    """

    def __init__(self, *args, required: bool = False, help_text: str = "", unit: str = "", **kw):
        super().__init__(*args, **kw)
        self.required = required
        self.help_text = help_text
        self.unit = unit


class FormulaSafeExportMixin:
    """Every exported text cell that a spreadsheet would run as a formula gets a ``'`` prefix."""

    def export_resource(self, instance, selected_fields=None, **kwargs):
        row = super().export_resource(instance, selected_fields=selected_fields, **kwargs)
        return [escape_formula(value) for value in row]


class BatchImportMixin:
    """The hooks an app's resource implements for ``start_import``/``confirm_import``."""

    import_name: str = ""
    import_title: str = ""
    import_key: tuple[str, ...] = ()
    import_url_name: str = ""
    template_url_name: str = ""
    list_url_name: str = ""

    def importable(self, resource_field) -> bool:
        return not resource_field.readonly and resource_field.attribute is not None

    def import_existing(self, keys: list[tuple]) -> dict[tuple, models.Model]:
        raise NotImplementedError

    def import_zone(self, values: dict[str, Any], instance: models.Model | None):
        zone = values.get("zone")
        return zone if zone is not None else getattr(instance, "zone", None)

    def import_write(self, user, values: dict[str, Any], instance: models.Model | None):
        raise NotImplementedError

    def import_new_instance(self) -> models.Model:
        return self._meta.model()

    def import_record_zone(self, instance: models.Model):
        """The zone an existing record belongs to (for the ``change`` scope check)."""
        return instance.zone

    def import_resolve(self, rows: list[dict[str, Any]]) -> dict[int, dict[str, str]]:
        """Turn references that need more than one cell (a platform named within its zone, a
        centre within its zone…) into objects, for all rows at once (one query per batch).

        Edits ``rows`` (the parsed values of each row) in place; returns the errors as
        ``{row index: {attribute: message}}``.
        """
        return {}

    def import_check(self, values: dict[str, Any], instance: models.Model | None) -> dict:
        """Rules of the import itself beyond the model's (``{attribute: message}``, no query)."""
        return {}

    # A resource whose service has a bulk form sets this to a callable
    # ``(user, rows: list[tuple[values, instance | None]]) -> None``; it must keep every rule of
    # ``import_write`` and raise ``devzone.imports_bulk.RowsInvalid`` naming the failing rows.
    import_write_bulk = None

    def import_key_label(self, key: tuple) -> str:
        return " / ".join(display(getattr(part, "code", part)) for part in key if part is not None)


# An ``import_existing`` result for a key that names more than one stored record.
AMBIGUOUS = object()


# --- registry -------------------------------------------------------------------------------

_REGISTRY: dict[str, type] = {}


def register(resource_class: type) -> type:
    """Class decorator: make a resource reachable by its ``import_name`` (batch pages, admin)."""
    _REGISTRY[resource_class.import_name] = resource_class
    return resource_class


def resource_class_for(name: str) -> type:
    """The resource registered as ``name``; its app's ``resources`` module is loaded on demand."""
    if name not in _REGISTRY and "." in name:
        with contextlib.suppress(ImportError):
            importlib.import_module(f"{name.split('.', 1)[0]}.resources")
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(f"no import resource named {name!r}") from None


def resource_title(name: str) -> str:
    try:
        return str(resource_class_for(name).import_title)
    except LookupError:
        return name


# --- validation -----------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class PlannedRow:
    row: int
    action: str  # new, update, unchanged
    key: tuple
    values: dict[str, Any]
    instance: models.Model | None
    changes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    zone_ids: set[int] = field(default_factory=set)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})


def _headers_of(resource_field) -> set[str]:
    names = {header_key(str(resource_field.column_name))}
    with translation.override(SOURCE_LANGUAGE):
        names.add(header_key(str(resource_field.column_name)))
    return names


def map_columns(resource, headers: list[Any]) -> dict[int, Any]:
    """Column index → resource field; unknown, duplicate or missing required columns refuse."""
    known: dict[str, Any] = {}
    for resource_field in resource.get_export_fields():
        for name in _headers_of(resource_field):
            known.setdefault(name, resource_field)
    mapping: dict[int, Any] = {}
    unknown, duplicate, seen = [], [], set()
    for index, header in enumerate(headers):
        if is_blank(header):
            continue
        resource_field = known.get(header_key(str(header)))
        if resource_field is None:
            unknown.append(display(header).strip())
        elif id(resource_field) in seen:
            duplicate.append(display(header).strip())
        else:
            seen.add(id(resource_field))
            mapping[index] = resource_field
    required = [
        f
        for f in resource.get_export_fields()
        if resource.importable(f) and getattr(f, "required", False)
    ]
    missing = [str(f.column_name) for f in required if id(f) not in seen]
    problems = []
    if unknown:
        problems.append(_("无法识别的列：%(cols)s") % {"cols": join(unknown)})
    if duplicate:
        problems.append(_("重复的列：%(cols)s") % {"cols": join(duplicate)})
    if missing:
        problems.append(_("缺少必填列：%(cols)s") % {"cols": join(missing)})
    if problems:
        raise Refused(
            "；".join(problems)
            + _("。请使用导入模板的表头（%(title)s）。") % {"title": resource.import_title}
        )
    return mapping


def _model_errors(error: ValidationError) -> list[tuple[str, str]]:
    if hasattr(error, "error_dict"):
        return [(name, " ".join(map(str, errs))) for name, errs in error.message_dict.items()]
    return [(NON_FIELD_ERRORS, " ".join(map(str, error.messages)))]


def _allowed(scope, action: str, zone) -> bool:
    """Whether the scope covers ``zone`` (loaded with its prefecture) for ``action``; no query."""
    return zone is not None and scope.covers_zone(
        action, zone.pk, zone.prefecture_id, zone.prefecture.province_id
    )


def _clone(instance: models.Model) -> models.Model:
    """A detached copy to validate changes on, sharing no related-object cache."""
    clone = type(instance)(
        **{f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    )
    clone._state.adding = False
    return clone


def validate(resource, user, table: Table) -> Plan:
    """Check every row of ``table`` as ``user`` would write it; write nothing."""
    mapping = map_columns(resource, table.headers)
    columns = [(i, f) for i, f in mapping.items() if resource.importable(f)]
    header_of = {f.attribute: str(f.column_name) for f in resource.get_export_fields()}
    key_header = header_of.get(resource.import_key[0], "") if resource.import_key else ""
    plan = Plan()
    scope = get_scope(user)

    def cell(cells, index):
        return unescape_formula(cells[index]) if index < len(cells) else None

    for index, resource_field in columns:
        if hasattr(resource_field.widget, "prefetch"):
            resource_field.widget.prefetch(cell(cells, index) for _n, cells in table.rows)

    headers = {index: str(field.column_name) for index, field in columns}
    cleaned_rows: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    for number, cells in table.rows:
        values: dict[str, Any] = {}
        raw: dict[str, Any] = {}
        ok = True
        for index, resource_field in columns:
            value = cell(cells, index)
            raw[resource_field.attribute] = value
            header = headers[index]
            try:
                cleaned = resource_field.widget.clean(value)
            except ValueError as error:
                plan.errors.append(RowError(number, header, display(value), str(error)))
                ok = False
                continue
            required = getattr(resource_field, "required", False)
            if required and is_blank(cleaned):
                plan.errors.append(RowError(number, header, "", _("必填，不能为空。")))
                ok = False
                continue
            values[resource_field.attribute] = cleaned
        if ok:
            cleaned_rows.append((number, values, raw))

    resolve_errors = resource.import_resolve([values for _n, values, _r in cleaned_rows])
    parsed: list[tuple[int, dict[str, Any], tuple, dict[str, Any]]] = []
    seen_keys: dict[tuple, int] = {}
    for index, (number, values, raw) in enumerate(cleaned_rows):
        if index in resolve_errors:
            for name, message in resolve_errors[index].items():
                header = header_of.get(name, name)
                plan.errors.append(RowError(number, header, display(raw.get(name)), message))
            continue
        key = tuple(values.get(name) for name in resource.import_key)
        if all(is_blank(part) for part in key):  # a new record whose key the service generates
            parsed.append((number, values, key, raw))
            continue
        if key in seen_keys:
            plan.errors.append(
                RowError(
                    number,
                    key_header,
                    resource.import_key_label(key),
                    _("与第%(row)d行重复（同一记录在文件中出现了两次）。")
                    % {"row": seen_keys[key]},
                )
            )
            continue
        seen_keys[key] = number
        parsed.append((number, values, key, raw))

    existing: dict[tuple, models.Model] = {}
    keys = [key for _n, _v, key, _r in parsed]
    for start in range(0, len(keys), CHUNK):
        existing.update(resource.import_existing(keys[start : start + CHUNK]))

    fk_names = {f.name for f in resource._meta.model._meta.concrete_fields if f.is_relation}
    for number, values, key, raw in parsed:
        instance = existing.get(key)
        if instance is AMBIGUOUS:
            plan.errors.append(
                RowError(
                    number,
                    key_header,
                    resource.import_key_label(key),
                    _("已有多条记录与此行相同，无法确定要更新哪一条；请在页面上修改。"),
                )
            )
            continue
        zone = resource.import_zone(values, instance)
        zone_header = header_of.get("zone", key_header)
        action = "change" if instance is not None else "add"
        if not (_allowed(scope, action, zone) and _allowed(scope, "import", zone)):
            plan.errors.append(
                RowError(
                    number,
                    zone_header,
                    display(raw.get("zone", getattr(zone, "code", ""))),
                    _("您无权向该开发区导入数据，或该开发区不存在。"),
                )
            )
            continue
        if instance is not None and not _allowed(
            scope, "change", resource.import_record_zone(instance)
        ):
            plan.errors.append(
                RowError(
                    number,
                    key_header,
                    resource.import_key_label(key),
                    _("该记录已登记在其他开发区，不在您可修改的范围内。"),
                )
            )
            continue
        candidate = _clone(instance) if instance is not None else resource.import_new_instance()
        for name, value in values.items():
            setattr(candidate, name, value)
        exclude = [
            f.name
            for f in candidate._meta.concrete_fields
            if f.name not in values or f.name in fk_names
        ]
        try:
            candidate.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
            problems = resource.import_check(values, instance)
            if problems:
                raise ValidationError(problems)
        except ValidationError as error:
            for name, message in _model_errors(error):
                header = header_of.get(name, key_header if name == NON_FIELD_ERRORS else name)
                plan.errors.append(RowError(number, header, display(raw.get(name)), message))
            continue
        plan.zone_ids.add(zone.pk)
        if instance is None:
            plan.rows.append(PlannedRow(number, "new", key, values, None))
            continue
        before, after = history.snapshot(instance), history.snapshot(candidate)
        changed = history.diff(before, after)
        attname_header = {
            f.attname: header_of.get(f.name, f.name) for f in candidate._meta.concrete_fields
        }
        headers = [attname_header.get(name, name) for name in changed]
        plan.rows.append(
            PlannedRow(number, "update" if changed else "unchanged", key, values, instance, headers)
        )
    plan.errors.sort(key=lambda e: (e.row, e.column))
    return plan


class _Abort(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors


def _row_errors(row: int, error: Exception, header_of: dict[str, str]) -> list[RowError]:
    if isinstance(error, PermissionDenied):
        return [RowError(row, header_of.get("zone", ""), "", _("无权写入该记录。"))]
    return [
        RowError(row, header_of.get(name, ""), "", message)
        for name, message in _model_errors(error)
    ]


def _write_bulk(resource, user, rows: list[PlannedRow], header_of: dict[str, str]) -> None:
    """The resource's bulk service, all changed rows at once; its row errors name file rows."""
    try:
        resource.import_write_bulk(user, [(r.values, r.instance) for r in rows])
    except RowsInvalid as invalid:
        errors: list[RowError] = []
        for index, error in sorted(invalid.errors.items()):
            errors.extend(_row_errors(rows[index].row, error, header_of))
        raise _Abort(errors) from invalid
    except (ValidationError, PermissionDenied) as error:
        raise _Abort(_row_errors(rows[0].row if rows else 0, error, header_of)) from error
    except IntegrityError as error:
        raise _Abort(
            [RowError(0, "", "", _("与已有记录冲突（可能刚被他人修改），请重新上传。"))]
        ) from error


def write(resource, user, plan: Plan) -> None:
    """Write every changed row through the app's service; the first failure rolls back all.

    A resource with ``import_write_bulk`` gets every changed row in one call (its bulk service
    keeps the per-row service's rules, with queries per batch instead of per row).
    """
    header_of = {f.attribute: str(f.column_name) for f in resource.get_export_fields()}
    changed = [row for row in plan.rows if row.action != "unchanged"]
    if resource.import_write_bulk is not None:
        with transaction.atomic():
            _write_bulk(resource, user, changed, header_of)
        return
    with transaction.atomic():
        for row in plan.rows:
            if row.action == "unchanged":
                continue
            try:  # the service is atomic itself: no savepoint of our own per row
                resource.import_write(user, row.values, row.instance)
            except ValidationError as error:
                raise _Abort(
                    [
                        RowError(row.row, header_of.get(name, ""), "", message)
                        for name, message in _model_errors(error)
                    ]
                ) from error
            except PermissionDenied as error:
                raise _Abort(
                    [RowError(row.row, header_of.get("zone", ""), "", _("无权写入该记录。"))]
                ) from error
            except IntegrityError as error:
                raise _Abort(
                    [
                        RowError(
                            row.row, "", "", _("与已有记录冲突（可能刚被他人修改），请重新上传。")
                        )
                    ]
                ) from error


# --- batches --------------------------------------------------------------------------------


def may_import(user) -> bool:
    return get_scope(user).allows_anywhere("import")


def _store_plan(batch, plan: Plan) -> None:
    batch.zone_ids = sorted(plan.zone_ids)
    batch.rows_new = plan.count("new")
    batch.rows_updated = plan.count("update")
    batch.rows_unchanged = plan.count("unchanged")
    batch.rows_error = plan.error_rows
    batch.errors = [e.as_dict() for e in plan.errors[:MAX_STORED_ERRORS]]


def _preview_rows(resource, plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "row": r.row,
            "action": r.action,
            "key": resource.import_key_label(r.key),
            "changes": r.changes,
        }
        for r in plan.rows[:MAX_STORED_PREVIEW]
    ]


def start_import(user, name: str, upload) -> Any:
    """Store ``upload`` as an ImportBatch and preview it: ``previewed`` or ``refused``."""
    from devzone.models import ImportBatch

    if not may_import(user):
        raise PermissionDenied(_("您没有导入数据的权限。"))
    resource = resource_class_for(name)(user=user)
    batch = ImportBatch(
        user=user,
        resource=name,
        original_name=os.path.basename(str(getattr(upload, "name", "") or ""))[:255] or "-",
        size=getattr(upload, "size", 0) or 0,
        status=ImportBatch.Status.PREVIEWED,
    )
    if batch.size > MAX_BYTES:
        batch.status = ImportBatch.Status.REFUSED
        batch.message = oversize_message(batch.size)
        batch.save()
        return batch
    data = upload.read(MAX_BYTES + 1)
    batch.size = len(data)
    batch.sha256 = hashlib.sha256(data).hexdigest()
    try:
        table = read_table(data)
        batch.file_format, batch.encoding = table.format, table.encoding
        batch.rows_total = len(table.rows)
        plan = validate(resource, user, table)
    except Refused as error:
        batch.status = ImportBatch.Status.REFUSED
        batch.message = str(error)
    else:
        _store_plan(batch, plan)
        batch.preview = _preview_rows(resource, plan)
    if len(data) <= MAX_BYTES:
        batch.file.save("upload", ContentFile(data), save=False)
    batch.save()
    return batch


def confirm_import(user, batch) -> Any:
    """Re-validate the stored file and write all of it in one transaction, or nothing.

    Only the uploader confirms, once, a batch previewed without errors.
    """
    from devzone.models import AuditEvent, ImportBatch

    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk, user=user)
        if batch.status != ImportBatch.Status.PREVIEWED:
            raise ValidationError(_("该批次已处理，不能再次确认。"))
        if batch.rows_error:
            raise ValidationError(_("该批次有错误，请修改文件后重新上传。"))
        resource = resource_class_for(batch.resource)(user=user)
        with batch.file.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
        if hashlib.sha256(data).hexdigest() != batch.sha256:
            raise ValidationError(_("已保存的文件与上传时不一致，请重新上传。"))
        try:
            plan = validate(resource, user, read_table(data))
        except Refused as error:
            batch.status, batch.message = ImportBatch.Status.FAILED, str(error)
            batch.save()
            return batch
        _store_plan(batch, plan)
        if plan.errors:
            batch.status = ImportBatch.Status.FAILED
            batch.message = _("数据已变化，重新校验发现错误，未写入任何数据。")
        else:
            try:
                write(resource, user, plan)
            except _Abort as abort:
                batch.status = ImportBatch.Status.FAILED
                batch.message = _("写入时出错，整个文件未写入。")
                batch.errors = [e.as_dict() for e in abort.errors]
                batch.rows_error = len({e.row for e in abort.errors})
            else:
                batch.status = ImportBatch.Status.CONFIRMED
                batch.confirmed_at = timezone.now()
                batch.message = ""
        batch.preview = _preview_rows(resource, plan)
        batch.save()
    audit.log(
        AuditEvent.Kind.IMPORT,
        user=user,
        summary=f"{batch.resource} {batch.original_name}: {batch.get_status_display()}"[:300],
        detail={
            "batch": batch.pk,
            "status": batch.status,
            "rows_new": batch.rows_new,
            "rows_updated": batch.rows_updated,
            "rows_error": batch.rows_error,
            "sha256": batch.sha256,
        },
    )
    return batch


def import_file(user, name: str, upload) -> Any:
    """Upload and confirm in one call (scripts, tests); returns the batch."""
    batch = start_import(user, name, upload)
    if batch.status == batch.Status.PREVIEWED and not batch.rows_error:
        batch = confirm_import(user, batch)
    return batch


def batches_for(user) -> Iterable[Any]:
    """The user's own import batches, newest first."""
    from devzone.models import ImportBatch

    return ImportBatch.objects.filter(user=user).order_by("-created_at", "-pk")
