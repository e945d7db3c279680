"""Every write to the zone registry: atomic, scope re-checked, summaries refreshed explicitly."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from devzone import history
from devzone.access import ensure_in_scope
from devzone.models import ChangeRecord
from zones.models import Enterprise, PeriodKind, Zone, ZoneIndicator
from zones.units import INDICATOR_FIELD_NAMES, output_tier

ENTERPRISE_FIELDS = (
    "zone",
    "name",
    "credit_code",
    "industry",
    "industry_detail",
    "chain_position",
    "chain_link",
    "land_area_mu",
    "above_designated_size",
    "established_on",
    "production_started_on",
    "land_grading",
    "test_national_competitiveness",
    "test_headquarters_in_zone",
    "test_local_division_of_labour",
    "leading_tests_recorded_on",
    "leading_tests_note",
)


def _require_zone(user, zone: Zone, action: str) -> None:
    if not Zone.objects.for_user(user, action).filter(pk=zone.pk).exists():
        raise PermissionDenied(_("您无权在该开发区%(action)s记录。") % {"action": _(action)})


def _apply(instance, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    for key, value in data.items():
        setattr(instance, key, value)


@transaction.atomic
def create_enterprise(user, data: dict[str, Any]) -> Enterprise:
    """Create an enterprise in a zone the user may add to; validate every field first."""
    enterprise = Enterprise()
    _apply(enterprise, data, ENTERPRISE_FIELDS)
    if enterprise.credit_code:
        enterprise.credit_code = enterprise.credit_code.strip().upper()
    _require_zone(user, enterprise.zone, "add")
    _check_chain_link(enterprise)
    enterprise.full_clean()
    enterprise.save()
    ensure_in_scope(enterprise, user, "add")
    history.record(
        user,
        enterprise,
        ChangeRecord.Action.CREATE,
        after=history.snapshot(enterprise),
        zone_id=enterprise.zone_id,
    )
    facts_changed(enterprise.zone_id)
    return enterprise


@transaction.atomic
def update_enterprise(user, enterprise: Enterprise, data: dict[str, Any]) -> Enterprise:
    """Change an enterprise; moving it to another zone needs the right to add there too."""
    ensure_in_scope(enterprise, user, "change")
    # The stored row, not the instance: a ModelForm has already written its data onto it.
    before = history.snapshot(Enterprise.objects.select_for_update().get(pk=enterprise.pk))
    _apply(enterprise, data, ENTERPRISE_FIELDS)
    if enterprise.credit_code:
        enterprise.credit_code = enterprise.credit_code.strip().upper()
    if enterprise.zone_id != before["zone_id"]:
        _refuse_move_with_dependents(enterprise)
    _check_chain_link(enterprise)
    enterprise.full_clean()
    enterprise.save()
    ensure_in_scope(enterprise, user, "change")
    history.record(
        user,
        enterprise,
        ChangeRecord.Action.UPDATE,
        before=before,
        after=history.snapshot(enterprise),
        zone_id=enterprise.zone_id,
    )
    facts_changed(enterprise.zone_id, before["zone_id"])
    return enterprise


def _check_chain_link(enterprise: Enterprise) -> None:
    """A chain link must be one of the zone's leading industry's chain; it sets the segment."""
    link = enterprise.chain_link
    if link is None:
        return
    if enterprise.zone.leading_industry_id != link.template.industry_id:
        raise ValidationError(
            {"chain_link": _("所选环节不属于本开发区首位产业的产业链，请重新选择。")}
        )
    if enterprise.chain_position and enterprise.chain_position != link.segment:
        raise ValidationError(
            {
                "chain_position": _("产业链位置与所选具体环节不一致：该环节属于%(segment)s。")
                % {"segment": link.get_segment_display()}
            }
        )
    enterprise.chain_position = link.segment


def _refuse_move_with_dependents(enterprise: Enterprise) -> None:
    """An enterprise that other records point to (services it received, teams it hosts, projects
    it became) stays in its zone: those records belong to that zone. Checked through the model's
    reverse relations, so apps added later are covered without this module knowing them."""
    for relation in Enterprise._meta.get_fields(include_hidden=True):  # related_name="+" too
        if relation.is_relation and relation.auto_created and not relation.concrete:
            model = relation.related_model
            if model._default_manager.filter(**{relation.field.name: enterprise.pk}).exists():
                raise ValidationError(
                    {
                        "zone": _("该企业已有关联的%(what)s记录，不能迁移到其他开发区。")
                        % {"what": model._meta.verbose_name}
                    }
                )


@transaction.atomic
def delete_enterprise(user, enterprise: Enterprise) -> None:
    ensure_in_scope(enterprise, user, "delete")
    history.record(
        user,
        enterprise,
        ChangeRecord.Action.DELETE,
        before=history.snapshot(enterprise),
        zone_id=enterprise.zone_id,
    )
    facts_changed(enterprise.zone_id)
    enterprise.delete()


class DuplicatePeriod(ValidationError):
    """The zone already has figures for this period; ``existing`` is that row (to offer editing)."""

    def __init__(self, existing: ZoneIndicator) -> None:
        self.existing = existing
        super().__init__(
            _("%(zone)s %(period)s的指标已存在，不能重复录入；请编辑已有记录。")
            % {"zone": existing.zone, "period": existing.period_label},
            code="duplicate_period",
        )


@transaction.atomic
def save_indicator(
    user,
    zone: Zone,
    period_kind: str,
    year: int,
    month: int | None,
    values: dict[str, Any],
    *,
    instance: ZoneIndicator | None = None,
) -> ZoneIndicator:
    """Create a zone's figures for one period, or change ``instance``; values in canonical units.

    One row per zone and period: creating a period that exists, or moving a row onto one, raises
    ``DuplicatePeriod`` instead of overwriting figures someone else entered. The zone's output
    summary is refreshed in the same transaction.
    """
    unknown = set(values) - set(INDICATOR_FIELD_NAMES)
    if unknown:
        raise ValidationError(_("未知指标：%(f)s") % {"f": ", ".join(sorted(unknown))})
    if instance is None:
        _require_zone(user, zone, "add")
        instance = ZoneIndicator()
        action = "add"
    else:
        ensure_in_scope(instance, user, "change")
        _require_zone(user, zone, "change")
        action = "change"
    old_zone = instance.zone if instance.pk else None
    before = (
        history.snapshot(ZoneIndicator.objects.select_for_update().get(pk=instance.pk))
        if instance.pk
        else None
    )
    instance.zone = zone
    instance.period_kind = period_kind
    instance.year = year
    instance.month = month
    for key, value in values.items():
        setattr(instance, key, value)
    instance.full_clean(validate_unique=False, validate_constraints=False)
    # Lock the zone row: two people saving the same new period at once queue here, and the
    # second one then finds the first one's row instead of tripping the unique constraint.
    Zone.objects.select_for_update().filter(pk=zone.pk).exists()
    existing = (
        ZoneIndicator.objects.select_for_update()
        .select_related("zone")
        .filter(zone=zone, period_kind=period_kind, year=year, month=month)
        .exclude(pk=instance.pk)
        .first()
    )
    if existing is not None:
        raise DuplicatePeriod(existing)
    instance.save()
    ensure_in_scope(instance, user, action)
    history.record(
        user,
        instance,
        ChangeRecord.Action.CREATE if before is None else ChangeRecord.Action.UPDATE,
        before=before,
        after=history.snapshot(instance),
        zone_id=zone.pk,
    )
    refresh_zone_summary(zone)
    facts_changed(zone.pk)
    if old_zone is not None and old_zone.pk != zone.pk:
        refresh_zone_summary(old_zone)
        facts_changed(old_zone.pk)
    return instance


@transaction.atomic
def delete_indicator(user, indicator: ZoneIndicator) -> None:
    ensure_in_scope(indicator, user, "delete")
    zone = indicator.zone
    history.record(
        user,
        indicator,
        ChangeRecord.Action.DELETE,
        before=history.snapshot(indicator),
        zone_id=zone.pk,
    )
    indicator.delete()
    refresh_zone_summary(zone)
    facts_changed(zone.pk)


def facts_changed(*zone_ids: int, reason: str = "") -> None:
    """The zones' scoring facts changed: recompute them after commit (coalesced per zone)."""
    from zones.tasks import request_zones_recompute

    request_zones_recompute([z for z in zone_ids if z], triggered_by=reason or "change")


def refresh_zone_summary(zone: Zone) -> None:
    """Recompute the zone's latest annual output and its tier from its annual indicators."""
    latest = (
        ZoneIndicator.objects.filter(
            zone=zone, period_kind=PeriodKind.YEAR, gross_industrial_output__isnull=False
        )
        .order_by("-year")
        .values_list("year", "gross_industrial_output")
        .first()
    )
    year, output = latest if latest else (None, None)
    Zone.objects.filter(pk=zone.pk).update(
        latest_output=output, latest_output_year=year, output_tier=output_tier(output)
    )
    zone.latest_output, zone.latest_output_year = output, year
    zone.output_tier = output_tier(output)


# --- bulk (the import machinery's confirm step) ----------------------------------------------


@transaction.atomic
def bulk_import_enterprises(user, rows: list[tuple[dict[str, Any], Enterprise | None]]) -> None:
    """``create_enterprise`` (row without instance) / ``update_enterprise`` for many rows at once.

    The same rules and the same writes — add scope in the zone of a new enterprise, change
    scope in the zone of an updated one (before and after), ``full_clean``, a unique credit
    code, the move guard for enterprises that other records point to, the re-check after write
    and one history row per created or changed enterprise — with queries per batch of 500 rows
    and per action instead of per row. Foreign keys must be loaded objects (the importer's
    lookups). Any failing row raises ``devzone.imports_bulk.RowsInvalid`` naming every failing
    row by its index; nothing is written then.
    """
    from devzone import imports_bulk as bulk

    errors: dict[int, Exception] = {}
    stored = bulk.lock(Enterprise, [i.pk for _d, i in rows if i is not None])
    objects: list[Enterprise] = []
    befores: list[dict[str, Any] | None] = []
    for index, (data, instance) in enumerate(rows):
        enterprise = Enterprise() if instance is None else stored.get(instance.pk)
        if enterprise is None:  # deleted since the preview
            bulk.add_error(errors, index, ValidationError(_("该企业已被删除，请重新上传。")))
            enterprise = Enterprise()
        befores.append(history.snapshot(enterprise) if instance is not None else None)
        try:
            _apply(enterprise, data, ENTERPRISE_FIELDS)
        except ValidationError as error:
            bulk.add_error(errors, index, error)
        if enterprise.credit_code:
            enterprise.credit_code = enterprise.credit_code.strip().upper()
        objects.append(enterprise)

    zone_ids = {e.zone_id for e in objects if e.zone_id} | {
        b["zone_id"] for b in befores if b is not None
    }
    allowed = {
        action: set(
            Zone.objects.for_user(user, action).filter(pk__in=zone_ids).values_list("pk", flat=True)
        )
        for action in ("add", "change")
    }
    denied = PermissionDenied(_("您无权在该开发区%(action)s记录。") % {"action": _("change")})
    for index, (enterprise, before) in enumerate(zip(objects, befores, strict=True)):
        if before is None:
            if enterprise.zone_id and enterprise.zone_id not in allowed["add"]:
                bulk.add_error(
                    errors,
                    index,
                    PermissionDenied(_("您无权在该开发区%(action)s记录。") % {"action": _("add")}),
                )
        elif before["zone_id"] not in allowed["change"] or (
            enterprise.zone_id and enterprise.zone_id not in allowed["change"]
        ):
            bulk.add_error(errors, index, denied)
        elif enterprise.zone_id != before["zone_id"]:
            try:
                _refuse_move_with_dependents(enterprise)  # one query per moved enterprise
            except ValidationError as error:
                bulk.add_error(errors, index, error)
    for index, error in bulk.clean_each(objects).items():
        bulk.add_error(errors, index, error)
    for index, error in bulk.check_unique(Enterprise, objects, "credit_code").items():
        bulk.add_error(errors, index, error)
    if errors:
        raise bulk.RowsInvalid(errors)

    created = [e for e, b in zip(objects, befores, strict=True) if b is None]
    afters = [history.snapshot(e) for e in objects]
    changed = [
        (e, bulk.changed_attnames(b, a))
        for e, b, a in zip(objects, befores, afters, strict=True)
        if b is not None
    ]
    bulk.insert(Enterprise, created)
    bulk.update(Enterprise, changed)
    bulk.recheck_scope(Enterprise, user, "add", [e.pk for e in created])
    bulk.recheck_scope(Enterprise, user, "change", [e.pk for e, _c in changed])
    bulk.record_history(
        user,
        (
            (
                e,
                ChangeRecord.Action.CREATE if b is None else ChangeRecord.Action.UPDATE,
                b,
                a,
                e.zone_id,
                "",
            )
            for e, b, a in zip(objects, befores, afters, strict=True)
        ),
    )
    facts_changed(*{e.zone_id for e in objects}, *{b["zone_id"] for b in befores if b})
