"""Projects written by the import machinery: ``create_project``/``update_project`` in bulk.

``bulk_import_projects(user, rows)`` keeps every rule of the per-row services — add scope in the
zone of a new project and change scope in the zone of an updated one, the model's validation
and the cross-field rules (origin, this year's plan within the total, the lead and the
responsible leader members of the zone, the enterprise of the same zone), generated codes taken
from the zone's counter in file order, the first stage transition of a new project, the re-check
after write and one history row per created or changed project — with queries per batch of 500
rows and per zone instead of about ten a row. Any failing row raises
``devzone.imports_bulk.RowsInvalid`` naming each failing row; nothing is written then.

The stage is not the import's: a new project starts at ``start_stage`` (the first stage when
not given), and an update never changes the stage, the zone or the code.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from devzone import history
from devzone import imports_bulk as bulk
from devzone.models import ChangeRecord
from investment.models import (
    PIPELINE,
    STAGE_INDEX,
    Project,
    ProjectCodeCounter,
    ProjectStage,
    StageTransition,
)
from investment.services.projects import (
    PROJECT_FIELDS,
    _clean_promises,
    _validate_project,
    apply_fields,
)
from zones.models import Membership, Zone
from zones.services import facts_changed


def project_data(values: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """An import row's values as the services' ``data`` and the start stage of a new project."""
    data = {k: v for k, v in values.items() if k in PROJECT_FIELDS}
    return data, values.get("stage") or ProjectStage.LEAD


def _members(projects: list[Project]) -> set[tuple[int, int]]:
    """(user id, zone id) of the memberships the leads and leaders need: one query."""
    users = {p.lead_id for p in projects} | {p.responsible_leader_id for p in projects}
    users.discard(None)
    if not users:
        return set()
    zones = {p.zone_id for p in projects}
    return set(
        Membership.objects.filter(user_id__in=users, zone_id__in=zones).values_list(
            "user_id", "zone_id"
        )
    )


def _clean(project: Project, members: set[tuple[int, int]]) -> ValidationError | None:
    """``_clean_project`` without its per-row queries (foreign keys are loaded objects)."""
    errors: dict[str, list] = {}
    found = bulk.clean_each([project], exclude=["code"])
    if found:
        errors.update(found[0].message_dict)
    lead, leader = project.lead, project.responsible_leader
    project.lead = project.responsible_leader = None  # checked below, from the batch's rows
    try:
        _validate_project(project)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    finally:
        project.lead, project.responsible_leader = lead, leader
    for name, person in (("lead", lead), ("responsible_leader", leader)):
        if person is not None and project.zone_id and (person.pk, project.zone_id) not in members:
            errors.setdefault(name, []).append(
                _("%(name)s 不是本开发区的人员，请选择本开发区的用户。")
                % {"name": person.get_full_name() or person.get_username()}
            )
    return ValidationError(errors) if errors else None


def _allowed_zones(user, action: str, zone_ids: set[int]) -> set[int]:
    return set(
        Zone.objects.for_user(user, action).filter(pk__in=zone_ids).values_list("pk", flat=True)
    )


def _assign_codes(projects: list[Project], year: int) -> None:
    """The zone counters' next numbers, in order; the zones and counters are locked first."""
    by_zone: dict[int, list[Project]] = {}
    for project in projects:
        by_zone.setdefault(project.zone_id, []).append(project)
    if not by_zone:
        return
    list(Zone.objects.select_for_update().filter(pk__in=by_zone).values_list("pk", flat=True))
    for zone_id, rows in by_zone.items():  # three queries per zone
        counter, _created = ProjectCodeCounter.objects.select_for_update().get_or_create(
            zone_id=zone_id, year=year
        )
        ProjectCodeCounter.objects.filter(pk=counter.pk).update(last=F("last") + len(rows))
        counter.refresh_from_db(fields=["last"])
        first = counter.last - len(rows) + 1
        for offset, project in enumerate(rows):
            project.code = f"XM-{project.zone.code}-{year}-{first + offset:04d}"


@transaction.atomic
def bulk_import_projects(user, rows: list[tuple[dict[str, Any], Project | None]]) -> list[Project]:
    """Create (rows without an instance) or update many projects; see the module docstring.

    Each row's values are an import row's (``project_data`` splits off the start stage).
    """
    errors: dict[int, Exception] = {}
    today = timezone.localdate()
    stored = bulk.lock(Project, [i.pk for _v, i in rows if i is not None])
    projects: list[Project] = []
    befores: list[dict[str, Any] | None] = []
    for index, (values, instance) in enumerate(rows):
        data, start_stage = project_data(values)
        if instance is None:
            project = Project(stage=start_stage, stage_since=today)
            befores.append(None)
            if start_stage not in PIPELINE:
                bulk.add_error(
                    errors,
                    index,
                    ValidationError(
                        {"start_stage": _("初始阶段无效：项目只能从线索至达产中的某一阶段开始。")}
                    ),
                )
            elif STAGE_INDEX[start_stage] >= STAGE_INDEX[ProjectStage.SIGNED]:
                try:
                    _clean_promises(None)  # a signed project needs its promises: refused here
                except ValidationError as error:
                    bulk.add_error(errors, index, error)
        else:
            project = stored.get(instance.pk)
            if project is None:
                bulk.add_error(errors, index, ValidationError(_("该项目已被删除，请重新上传。")))
                project = Project()
            befores.append(history.snapshot(project))
            zone = data.pop("zone", None)
            if zone is not None and zone.pk != project.zone_id:
                bulk.add_error(
                    errors, index, ValidationError({"zone": _("项目创建后不能更换所属开发区。")})
                )
        try:
            apply_fields(project, data, PROJECT_FIELDS)
        except ValidationError as error:
            bulk.add_error(errors, index, error)
        projects.append(project)

    zone_ids = {p.zone_id for p in projects if p.zone_id}
    allowed = {a: _allowed_zones(user, a, zone_ids) for a in ("add", "change")}
    denied = PermissionDenied(_("您无权在该开发区新增或修改招商项目。"))
    members = _members(projects)
    for index, (project, before) in enumerate(zip(projects, befores, strict=True)):
        if project.zone_id not in allowed["add" if before is None else "change"]:
            bulk.add_error(errors, index, denied)
            continue
        error = _clean(project, members)
        if error is not None:
            bulk.add_error(errors, index, error)
    if errors:
        raise bulk.RowsInvalid(errors)

    created = [p for p, b in zip(projects, befores, strict=True) if b is None]
    _assign_codes(created, today.year)
    bulk.insert(Project, created)
    StageTransition.objects.bulk_create(
        [
            StageTransition(
                project=p, from_stage="", to_stage=p.stage, date=p.stage_since, user=user
            )
            for p in created
        ],
        batch_size=bulk.CHUNK,
    )
    afters = [history.snapshot(p) for p in projects]  # codes assigned: the rows as written
    changed = [
        (p, bulk.changed_attnames(b, a))
        for p, b, a in zip(projects, befores, afters, strict=True)
        if b is not None
    ]
    bulk.update(Project, changed)
    bulk.recheck_scope(Project, user, "add", [p.pk for p in created])
    bulk.recheck_scope(Project, user, "change", [p.pk for p, _c in changed])
    bulk.record_history(
        user,
        (
            (
                p,
                ChangeRecord.Action.CREATE if b is None else ChangeRecord.Action.UPDATE,
                b,
                a,
                p.zone_id,
                "",
            )
            for p, b, a in zip(projects, befores, afters, strict=True)
        ),
    )
    facts_changed(*{p.zone_id for p in projects}, reason="import")
    return projects
