"""Every write to the talent records: atomic, scope-checked, validated, recorded in the history.

The rules are the same for the seven record types, so one create/update/delete carries them and
each type names the fields a caller may set (``FIELDS``). The pages and the API call
``create_record(user, Model, data)``, ``update_record`` and ``delete_record``.

- create: the user must be allowed to add in the record's zone;
- update: the user must be allowed to change the record where it is, and to add in the zone it
  is moved to;
- delete: the user must be allowed to delete in the record's zone;
- every write runs ``full_clean`` (Chinese messages naming the field, the same-zone rule for
  linked enterprises and centres) and is re-checked against the scope after saving, inside the
  transaction, so a refused write leaves nothing behind.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from devzone import history
from devzone.access import ensure_in_scope
from devzone.models import ChangeRecord
from talent.models import (
    Entrepreneur,
    ManagementCadre,
    SkillAward,
    SpecialSkillsPlacement,
    TalentTeam,
    TrainingCentre,
    TrainingSession,
    ZoneRecord,
)
from zones.models import Zone
from zones.services import facts_changed

FIELDS: dict[type[ZoneRecord], tuple[str, ...]] = {
    ManagementCadre: (
        "zone",
        "name",
        "post",
        "education",
        "appointed_on",
        "training_hours",
        "is_active",
    ),
    Entrepreneur: ("zone", "name", "enterprise", "title", "activity_year", "activities_attended"),
    TalentTeam: (
        "zone",
        "name",
        "leader",
        "field",
        "size",
        "host_enterprise",
        "introduced_on",
        "guidance_fund",
        "venture_capital",
        "serves_leading_industry",
    ),
    TrainingCentre: ("zone", "name", "operator", "trades", "annual_capacity"),
    TrainingSession: ("zone", "centre", "trade", "held_on", "trainees", "certificates"),
    SpecialSkillsPlacement: ("zone", "name", "trade", "year", "status"),
    SkillAward: ("zone", "name", "award", "level", "awarded_on", "amount"),
}

ACTION_WORDS = {"add": "新增", "change": "修改", "delete": "删除"}


def _require_zone(user, zone: Zone | None, action: str) -> None:
    if zone is None:
        raise ValidationError({"zone": _("请选择开发区。")})
    if not Zone.objects.for_user(user, action).filter(pk=zone.pk).exists():
        raise PermissionDenied(
            _("您无权在该开发区%(action)s记录。") % {"action": _(ACTION_WORDS[action])}
        )


def _apply(instance: ZoneRecord, data: dict[str, Any]) -> None:
    allowed = FIELDS[type(instance)]
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    for key, value in data.items():
        setattr(instance, key, value)


@transaction.atomic
def create_record(user, model: type[ZoneRecord], data: dict[str, Any]) -> ZoneRecord:
    """Create a talent record in a zone the user may add to; validate every field first."""
    instance = model()
    _apply(instance, data)
    _require_zone(user, instance.zone if instance.zone_id else None, "add")
    instance.full_clean()
    instance.save()
    ensure_in_scope(instance, user, "add")
    history.record(
        user,
        instance,
        ChangeRecord.Action.CREATE,
        after=history.snapshot(instance),
        zone_id=instance.zone_id,
    )
    facts_changed(instance.zone_id, reason="talent")
    return instance


@transaction.atomic
def update_record(user, instance: ZoneRecord, data: dict[str, Any]) -> ZoneRecord:
    """Change a record; moving it to another zone needs the right to add there as well."""
    ensure_in_scope(instance, user, "change")
    before = history.snapshot(instance)
    old_zone_id = instance.zone_id
    _apply(instance, data)
    if instance.zone_id != old_zone_id:
        _require_zone(user, instance.zone if instance.zone_id else None, "add")
    instance.full_clean()
    instance.save()
    ensure_in_scope(instance, user, "change")
    history.record(
        user,
        instance,
        ChangeRecord.Action.UPDATE,
        before=before,
        after=history.snapshot(instance),
        zone_id=instance.zone_id,
    )
    facts_changed(instance.zone_id, reason="talent")
    return instance


@transaction.atomic
def delete_record(user, instance: ZoneRecord) -> None:
    """Delete a record; a training centre that still has sessions is refused with a message."""
    ensure_in_scope(instance, user, "delete")
    history.record(
        user,
        instance,
        ChangeRecord.Action.DELETE,
        before=history.snapshot(instance),
        zone_id=instance.zone_id,
    )
    facts_changed(instance.zone_id, reason="talent")
    try:
        instance.delete()
    except ProtectedError as error:
        raise ValidationError(_("该记录仍被其他记录引用（如培训班次），不能删除。")) from error
