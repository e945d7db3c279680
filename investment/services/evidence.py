"""Evidence files (佐证材料): attach one to a milestone, a progress report or an exemption
request, or delete one. Atomic, scope-checked, recorded; the stored file never outlives a failed
write, and a deleted row's file is removed once the deletion is committed.

Who may attach or delete: whoever may edit the target — the zone's leader and staff (``change``
on the milestone or report; for an exemption, the zone's side that requested it) and
administrators. Supervisors and read-only users may only view and download. An exemption's
evidence is fixed once the request is decided: the supervisor decided on what was there.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from devzone import history
from devzone.access import ensure_in_scope
from devzone.models import ChangeRecord
from devzone.uploads import check_upload
from investment.models import Evidence, Exemption, ExemptionStatus, Milestone, ProgressReport

Target = Milestone | ProgressReport | Exemption


def max_evidence_bytes() -> int:
    return int(getattr(settings, "DEVZONE_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))


def max_evidence_files() -> int:
    return int(getattr(settings, "DEVZONE_EVIDENCE_MAX_FILES", 20))


def target_field(target: Target) -> str:
    """The Evidence field that points at ``target``."""
    if isinstance(target, Milestone):
        return "milestone"
    if isinstance(target, ProgressReport):
        return "report"
    if isinstance(target, Exemption):
        return "exemption"
    raise TypeError(f"evidence cannot be attached to {type(target).__name__}")


def target_zone_id(target: Target) -> int:
    if isinstance(target, Exemption):
        return target.zone_id
    return target.project.zone_id


def target_label(target: Target) -> str:
    """What the target is, for messages: 节点“…”, 2025年3月进展月报, 容错免责申请."""
    if isinstance(target, Milestone):
        return _("节点“%(t)s”") % {"t": target.title}
    if isinstance(target, ProgressReport):
        return _("%(p)s进展月报") % {"p": target.period_label}
    return _("容错免责申请")


def decided_exemption(target: Target) -> bool:
    return isinstance(target, Exemption) and target.status != ExemptionStatus.PENDING


def may_change_evidence(user, target: Target) -> bool:
    """Whether ``user`` may attach evidence to ``target`` or delete its evidence (one query)."""
    if decided_exemption(target):
        return False
    return type(target).objects.filter(pk=target.pk).for_user(user, "change").exists()


def _require_editor(user, target: Target) -> None:
    if not type(target).objects.filter(pk=target.pk).for_user(user, "change").exists():
        raise PermissionDenied(_("只有该开发区的负责人或工作人员才能增删佐证材料。"))
    if decided_exemption(target):
        raise ValidationError(
            {
                "file": _("该容错免责申请已审核（%(s)s），不能再增删佐证材料。")
                % {"s": target.get_status_display()}
            }
        )


def _record(user, evidence: Evidence, action: str, before, target: Target, note: str) -> None:
    """History of the evidence row itself, and a note on the target, so that the change shows
    where people look (the project's timeline, the exemption's history)."""
    zone_id = evidence.zone_id
    after = history.snapshot(evidence) if action != ChangeRecord.Action.DELETE else None
    history.record(user, evidence, action, before=before, after=after, zone_id=zone_id)
    history.record(user, target, ChangeRecord.Action.UPDATE, zone_id=zone_id, note=note)


def attach_evidence(user, target: Target, uploaded_file, description: str = "") -> Evidence:
    """Check ``uploaded_file`` by its content (``devzone.uploads.check_upload``), store it under
    a generated name and record it against ``target``.

    Refused with ``ValidationError({"file": [...]})``: a file of a kind not allowed, too large,
    whose content disagrees with its extension, or beyond the per-target count
    (``DEVZONE_EVIDENCE_MAX_FILES``). If anything fails after the file was stored, the file is
    removed again; nothing is half-written.
    """
    field = target_field(target)
    target.refresh_from_db()
    _require_editor(user, target)
    try:
        checked = check_upload(uploaded_file, max_bytes=max_evidence_bytes())
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    description = (description or "").strip()
    if len(description) > 200:
        raise ValidationError({"description": _("说明不能超过 200 个字。")})
    stored: list[str] = []
    try:
        with transaction.atomic():
            evidence = _store(user, target, field, uploaded_file, checked, description, stored)
    except BaseException:
        for name in stored:
            Evidence._meta.get_field("file").storage.delete(name)
        raise
    return evidence


def _store(user, target, field, uploaded_file, checked, description, stored) -> Evidence:
    # Lock the target so that two uploads at once cannot both pass the count.
    type(target).objects.select_for_update().filter(pk=target.pk).exists()
    existing = Evidence.objects.filter(**{field: target}).count()
    limit = max_evidence_files()
    if existing >= limit:
        raise ValidationError(
            {
                "file": _(
                    "“%(name)s”未上传：%(target)s已有 %(n)d 份佐证材料，"
                    "超过数量上限（%(max)d 份）。"
                )
                % {
                    "name": checked.original_name,
                    "target": target_label(target),
                    "n": existing,
                    "max": limit,
                }
            }
        )
    evidence = Evidence(
        zone_id=target_zone_id(target),
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        description=description,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        **{field: target},
    )
    uploaded_file.seek(0)
    evidence.file.save(checked.original_name, uploaded_file, save=False)
    stored.append(evidence.file.name)
    evidence.full_clean()
    evidence.save()
    ensure_in_scope(evidence, user, "add")
    _record(
        user,
        evidence,
        ChangeRecord.Action.CREATE,
        None,
        target,
        _("上传佐证材料“%(name)s”") % {"name": evidence.original_name},
    )
    return evidence


@transaction.atomic
def delete_evidence(user, evidence: Evidence) -> None:
    """Delete one evidence file: by whoever may edit its target. The stored file is removed
    after the deletion commits (a rolled-back deletion keeps it)."""
    ensure_in_scope(evidence, user, "delete")
    evidence.refresh_from_db()
    target = evidence.target
    _require_editor(user, target)
    before = history.snapshot(evidence)
    name = evidence.file.name
    storage = evidence.file.storage
    _record(
        user,
        evidence,
        ChangeRecord.Action.DELETE,
        before,
        target,
        _("删除佐证材料“%(name)s”") % {"name": evidence.original_name},
    )
    evidence.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def remove_files_after_commit(evidence) -> None:
    """For services that delete a milestone, report, exemption or project (the rows cascade):
    call with the targets' evidence queryset before deleting, and the stored files are removed
    once the deletion commits."""
    storage = Evidence._meta.get_field("file").storage
    names = [name for name in evidence.values_list("file", flat=True) if name]
    if names:
        transaction.on_commit(lambda: [storage.delete(name) for name in names])
