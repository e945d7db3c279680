"""Roles, scopes and the one scoping mechanism: ``for_user(user, action)``.

Every page, form, API view, export, import and report starts from
``Model.objects.for_user(user, action)``. A user's scope is the union of their memberships; each
membership gives a role at one level (everything, a province, a prefecture or a zone). A model
says how it reaches a zone through ``scope_paths``; the queryset filters in one query. Another
zone's object is therefore simply absent, and views turn that into a 404.

This module imports no app: the membership model is named by ``settings.DEVZONE_MEMBERSHIP_MODEL``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("系统管理员")
    PROVINCIAL_LEADER = "provincial_leader", _("省级领导")
    PROVINCIAL_SUPERVISOR = "provincial_supervisor", _("省级督查")
    CITY_SUPERVISOR = "city_supervisor", _("市州督查")
    ZONE_LEADER = "zone_leader", _("开发区一把手")
    ZONE_STAFF = "zone_staff", _("园区工作人员")
    ZONE_VIEWER = "zone_viewer", _("园区只读用户")


class Level(models.TextChoices):
    EVERYTHING = "everything", _("全部")
    PROVINCE = "province", _("省")
    PREFECTURE = "prefecture", _("市州")
    ZONE = "zone", _("开发区")


class Action(models.TextChoices):
    VIEW = "view", _("查看")
    ADD = "add", _("新增")
    CHANGE = "change", _("修改")
    DELETE = "delete", _("删除")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    SUPERVISE = "supervise", _("督查")


ALL_ACTIONS = frozenset(Action.values)
ZONE_WRITE = frozenset({"view", "add", "change", "delete", "export", "import"})
READ_ONLY = frozenset({"view", "export"})

ROLE_LEVEL: dict[str, str] = {
    Role.ADMINISTRATOR: Level.EVERYTHING,
    Role.PROVINCIAL_LEADER: Level.PROVINCE,
    Role.PROVINCIAL_SUPERVISOR: Level.PROVINCE,
    Role.CITY_SUPERVISOR: Level.PREFECTURE,
    Role.ZONE_LEADER: Level.ZONE,
    Role.ZONE_STAFF: Level.ZONE,
    Role.ZONE_VIEWER: Level.ZONE,
}

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: ALL_ACTIONS,
    Role.PROVINCIAL_LEADER: READ_ONLY,
    Role.PROVINCIAL_SUPERVISOR: READ_ONLY | {"supervise"},
    Role.CITY_SUPERVISOR: READ_ONLY | {"supervise"},
    Role.ZONE_LEADER: ZONE_WRITE,
    Role.ZONE_STAFF: ZONE_WRITE,
    Role.ZONE_VIEWER: READ_ONLY,
}


@dataclass(frozen=True)
class ScopePaths:
    """How a model reaches the hierarchy: ORM lookups to its zone, prefecture and province ids.

    A level left as None cannot be reached from the model (a prefecture has no zone). With
    ``zone_ancestors`` a zone-level grant also admits the zone's prefecture and province, so that
    zone staff can read the reference rows above their zone.
    """

    zone: str | None = None
    prefecture: str | None = None
    province: str | None = None
    zone_ancestors: bool = False


@dataclass
class Scope:
    """What one user may do where, loaded once per request from their memberships."""

    roles: frozenset[str] = frozenset()
    everything: set[str] = field(default_factory=set)
    provinces: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    prefectures: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    zones: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    zone_prefectures: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    zone_provinces: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    prefecture_provinces: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def allows_anywhere(self, action: str) -> bool:
        return bool(
            action in self.everything
            or self.provinces.get(action)
            or self.prefectures.get(action)
            or self.zones.get(action)
        )

    def covers_zone(self, action: str, zone_id: int, prefecture_id: int, province_id: int) -> bool:
        """The same rule as ``q`` for one zone whose ancestry is already loaded (no query)."""
        return bool(
            action in self.everything
            or zone_id in self.zones.get(action, ())
            or prefecture_id in self.prefectures.get(action, ())
            or province_id in self.provinces.get(action, ())
        )

    def q(self, action: str, paths: ScopePaths) -> Q:
        """A filter admitting exactly the rows this scope may ``action``; never everything by
        accident: an empty scope yields a filter that matches nothing."""
        if action not in ALL_ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if action in self.everything:
            return Q()
        q = Q(pk__in=[])
        if paths.province and self.provinces.get(action):
            q |= Q(**{f"{paths.province}__in": sorted(self.provinces[action])})
        if paths.prefecture and self.prefectures.get(action):
            q |= Q(**{f"{paths.prefecture}__in": sorted(self.prefectures[action])})
        if paths.zone and self.zones.get(action):
            q |= Q(**{f"{paths.zone}__in": sorted(self.zones[action])})
        if paths.zone_ancestors:
            if paths.prefecture and self.zone_prefectures.get(action):
                q |= Q(**{f"{paths.prefecture}__in": sorted(self.zone_prefectures[action])})
            if paths.province and not paths.prefecture:  # the model is a province
                ancestors = self.zone_provinces.get(action, set()) | self.prefecture_provinces.get(
                    action, set()
                )
                if ancestors:
                    q |= Q(**{f"{paths.province}__in": sorted(ancestors)})
        return q


def membership_model() -> type[models.Model]:
    return apps.get_model(settings.DEVZONE_MEMBERSHIP_MODEL)


def get_scope(user) -> Scope:
    """The user's scope, cached on the user object for the rest of the request (one query)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, "_devzone_scope", None)
    if cached is not None:
        return cached
    scope = Scope()
    roles: set[str] = set()
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
        scope.everything |= ALL_ACTIONS
    rows = (
        membership_model()
        .objects.filter(user_id=user.pk)
        .values_list(
            "role",
            "province_id",
            "prefecture_id",
            "prefecture__province_id",
            "zone_id",
            "zone__prefecture_id",
            "zone__prefecture__province_id",
        )
    )
    for role, prov, pref, pref_prov, zone, zone_pref, zone_prov in rows:
        roles.add(role)
        actions = ROLE_ACTIONS.get(role, frozenset())
        level = ROLE_LEVEL.get(role)
        for action in actions:
            if level == Level.EVERYTHING:
                scope.everything.add(action)
            elif level == Level.PROVINCE and prov:
                scope.provinces[action].add(prov)
            elif level == Level.PREFECTURE and pref:
                scope.prefectures[action].add(pref)
                scope.prefecture_provinces[action].add(pref_prov)
            elif level == Level.ZONE and zone:
                scope.zones[action].add(zone)
                scope.zone_prefectures[action].add(zone_pref)
                scope.zone_provinces[action].add(zone_prov)
    scope.roles = frozenset(roles)
    user._devzone_scope = scope
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope after the user's memberships changed."""
    if hasattr(user, "_devzone_scope"):
        del user._devzone_scope


class ScopedQuerySet(models.QuerySet):
    """Base queryset of every zone-owned model. Subclasses set ``scope_paths``."""

    scope_paths: ScopePaths = ScopePaths()

    def for_user(self, user, action: str = "view"):
        return self.filter(get_scope(user).q(action, self.scope_paths))


def ensure_in_scope(instance: models.Model, user, action: str) -> None:
    """Re-check after write: raise PermissionDenied when ``instance`` is outside the scope.

    Called inside the service's transaction, so the write rolls back with the exception.
    """
    manager = type(instance)._default_manager
    if not manager.all().for_user(user, action).filter(pk=instance.pk).exists():
        raise PermissionDenied(_("该记录不在您的权限范围内。"))


def zone_allows(user, action: str, zone) -> bool:
    """Whether ``user`` may ``action`` in ``zone`` (loaded with its prefecture), without a query.

    For showing or hiding buttons; the write itself is always re-checked by the service.
    """
    return get_scope(user).covers_zone(
        action, zone.pk, zone.prefecture_id, zone.prefecture.province_id
    )


def role_labels(user) -> list[str]:
    labels = dict(Role.choices)
    return [str(labels[r]) for r in Role.values if r in get_scope(user).roles]


class ScopedViewMixin:
    """For class-based views: ``get_queryset`` goes through ``for_user`` with ``scope_action``.

    A view of another zone's object therefore raises 404 from ``get_object``.
    """

    scope_action: str = "view"
    model: type[models.Model]

    def get_base_queryset(self):
        return self.model._default_manager.all()

    def get_queryset(self):
        return self.get_base_queryset().for_user(self.request.user, self.scope_action)


def access_context(request) -> dict[str, object]:
    """Template context: what the signed-in user may do, for menus and buttons."""
    user = getattr(request, "user", None)
    scope = get_scope(user)
    return {
        "access": {
            "roles": role_labels(user) if scope.roles else [],
            "can": {a: scope.allows_anywhere(a) for a in ALL_ACTIONS},
            "is_admin": Role.ADMINISTRATOR in scope.roles,
            # the dashboards: the provincial cockpit, or the prefectures a city supervisor sees
            "cockpit": "view" in scope.everything or bool(scope.provinces.get("view")),
            "prefecture_dashboards": sorted(scope.prefectures.get("view", ())),
        }
    }


def allowed_zone_ids(user, action: str) -> Iterable[int] | None:
    """None means every zone; otherwise the explicit zone ids granted at zone level."""
    scope = get_scope(user)
    if action in scope.everything:
        return None
    return scope.zones.get(action, set())
