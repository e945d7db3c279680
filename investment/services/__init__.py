"""Every write of the investment app: atomic, validated in Chinese, scope re-checked, recorded.

The stage of a project changes only through ``transition``; milestone dates only through
``reschedule_milestone`` (or an update that carries a reason); monthly reports keep the
cumulative rule documented on ``ProgressReport``; supervision items move only through
``supervision_step``. The functions live in four modules (projects and their lifecycle,
milestones, reports, supervision and exemptions) and are all importable from here.
"""

from investment.services.evidence import (
    attach_evidence,
    delete_evidence,
    max_evidence_bytes,
    max_evidence_files,
    may_change_evidence,
    remove_files_after_commit,
)
from investment.services.milestones import (
    complete_milestone,
    create_milestone,
    delete_milestone,
    reschedule_milestone,
    update_milestone,
)
from investment.services.projects import (
    MILESTONE_FIELDS,
    PROJECT_FIELDS,
    PROMISE_FIELDS,
    REPORT_FIELDS,
    create_project,
    delete_project,
    next_project_code,
    stage_durations,
    transition,
    update_project,
)
from investment.services.reports import delete_report, submit_report, update_report
from investment.services.supervision import (
    EXEMPTION_FIELDS,
    ITEM_FIELDS,
    STEP_RULES,
    allowed_steps,
    decide_exemption,
    milestone_missed,
    raise_item,
    request_exemption,
    supervision_step,
    update_item,
)

__all__ = [
    "attach_evidence",
    "delete_evidence",
    "max_evidence_bytes",
    "max_evidence_files",
    "may_change_evidence",
    "remove_files_after_commit",
    "EXEMPTION_FIELDS",
    "ITEM_FIELDS",
    "STEP_RULES",
    "allowed_steps",
    "decide_exemption",
    "milestone_missed",
    "raise_item",
    "request_exemption",
    "supervision_step",
    "update_item",
    "MILESTONE_FIELDS",
    "PROJECT_FIELDS",
    "PROMISE_FIELDS",
    "REPORT_FIELDS",
    "complete_milestone",
    "create_milestone",
    "create_project",
    "delete_milestone",
    "delete_project",
    "delete_report",
    "next_project_code",
    "reschedule_milestone",
    "stage_durations",
    "submit_report",
    "transition",
    "update_milestone",
    "update_project",
    "update_report",
]
