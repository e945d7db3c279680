"""Every write to platforms and service records: atomic, scope re-checked, history recorded.

The same-zone rules (host enterprise and served enterprise in the platform's zone) are model
validation, run by ``full_clean`` here; the scope rules (add/change/delete in the zone) are
checked before the write and re-checked after it inside the transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from devzone import history
from devzone.access import ensure_in_scope
from devzone.models import ChangeRecord
from platforms.models import Platform, ServiceRecord
from zones.models import Zone
from zones.services import facts_changed

PLATFORM_FIELDS = (
    "zone",
    "name",
    "kind",
    "sub_kind",
    "operator_type",
    "operator_name",
    "level",
    "established_on",
    "status",
    "serves_leading_industry",
    "host_enterprise",
    "description",
)
SERVICE_FIELDS = (
    "platform",
    "enterprise",
    "category",
    "service_type",
    "served_on",
    "outcome",
    "fee_wan",
    "free",
)

ACTION_WORDS = {
    "add": gettext_lazy("新增"),
    "change": gettext_lazy("修改"),
    "delete": gettext_lazy("删除"),
}


def _require_zone(user, zone: Zone | None, action: str) -> None:
    if zone is None:
        return  # full_clean names the missing zone
    if not Zone.objects.for_user(user, action).filter(pk=zone.pk).exists():
        raise PermissionDenied(
            _("您无权在该开发区%(action)s记录。") % {"action": ACTION_WORDS[action]}
        )


def _apply(instance, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    for key, value in data.items():
        if isinstance(value, str) and key not in ("description", "outcome"):
            value = value.strip()
        setattr(instance, key, value)


def _zone_or_none(platform: Platform) -> Zone | None:
    return platform.zone if platform.zone_id else None


# --- platforms ----------------------------------------------------------------------------


@transaction.atomic
def create_platform(user, data: dict[str, Any]) -> Platform:
    """Create a platform in a zone the user may add to; the chain segment is derived."""
    platform = Platform()
    _apply(platform, data, PLATFORM_FIELDS)
    _require_zone(user, _zone_or_none(platform), "add")
    platform.full_clean()
    platform.save()
    ensure_in_scope(platform, user, "add")
    history.record(
        user,
        platform,
        ChangeRecord.Action.CREATE,
        after=history.snapshot(platform),
        zone_id=platform.zone_id,
    )
    facts_changed(platform.zone_id, reason="platforms")
    return platform


@transaction.atomic
def update_platform(user, platform: Platform, data: dict[str, Any]) -> Platform:
    """Change a platform. Moving it to another zone needs the right to add there, and is refused
    once it has service records (they were delivered to the old zone's enterprises)."""
    ensure_in_scope(platform, user, "change")
    before = history.snapshot(platform)
    old_zone_id = platform.zone_id
    _apply(platform, data, PLATFORM_FIELDS)
    if platform.zone_id != old_zone_id:
        _require_zone(user, _zone_or_none(platform), "add")
        if ServiceRecord.objects.filter(platform_id=platform.pk).exists():
            raise ValidationError({"zone": _("该平台已有服务记录，不能更换所在开发区。")})
    platform.full_clean()
    platform.save()
    ensure_in_scope(platform, user, "change")
    history.record(
        user,
        platform,
        ChangeRecord.Action.UPDATE,
        before=before,
        after=history.snapshot(platform),
        zone_id=platform.zone_id,
    )
    facts_changed(platform.zone_id, reason="platforms")
    return platform


@transaction.atomic
def delete_platform(user, platform: Platform) -> None:
    """Delete a platform without service records; with records, stop it (停运) instead."""
    ensure_in_scope(platform, user, "delete")
    if ServiceRecord.objects.filter(platform_id=platform.pk).exists():
        raise ValidationError(
            _("该平台已有服务记录，不能删除；如已不再运营，请将运营状态改为“停运”。")
        )
    history.record(
        user,
        platform,
        ChangeRecord.Action.DELETE,
        before=history.snapshot(platform),
        zone_id=platform.zone_id,
    )
    facts_changed(platform.zone_id, reason="platforms")
    platform.delete()


# --- service records ----------------------------------------------------------------------


def _require_platform(user, record: ServiceRecord, action: str) -> None:
    if record.platform_id:
        _require_zone(user, record.platform.zone, action)


@transaction.atomic
def create_service_record(user, data: dict[str, Any]) -> ServiceRecord:
    """Record a service a platform of the user's zone delivered to an enterprise of that zone."""
    record = ServiceRecord()
    _apply(record, data, SERVICE_FIELDS)
    _require_platform(user, record, "add")
    record.full_clean()
    record.save()
    ensure_in_scope(record, user, "add")
    history.record(
        user,
        record,
        ChangeRecord.Action.CREATE,
        after=history.snapshot(record),
        zone_id=record.platform.zone_id,
    )
    facts_changed(record.platform.zone_id, reason="platforms")
    return record


@transaction.atomic
def update_service_record(user, record: ServiceRecord, data: dict[str, Any]) -> ServiceRecord:
    ensure_in_scope(record, user, "change")
    before = history.snapshot(record)
    old_platform_id = record.platform_id
    _apply(record, data, SERVICE_FIELDS)
    if record.platform_id != old_platform_id:
        _require_platform(user, record, "add")
    record.full_clean()
    record.save()
    ensure_in_scope(record, user, "change")
    history.record(
        user,
        record,
        ChangeRecord.Action.UPDATE,
        before=before,
        after=history.snapshot(record),
        zone_id=record.platform.zone_id,
    )
    facts_changed(record.platform.zone_id, reason="platforms")
    return record


@transaction.atomic
def delete_service_record(user, record: ServiceRecord) -> None:
    ensure_in_scope(record, user, "delete")
    history.record(
        user,
        record,
        ChangeRecord.Action.DELETE,
        before=history.snapshot(record),
        zone_id=record.platform.zone_id,
    )
    facts_changed(record.platform.zone_id, reason="platforms")
    record.delete()
