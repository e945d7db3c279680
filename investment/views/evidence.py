"""Evidence files (佐证材料): the page listing a milestone's, a progress report's or an
exemption's files with the upload form, the download and the delete action.

A target is looked up in the user's view scope (another zone's is a 404); attaching and
deleting are re-checked by the services (a read-only user gets 403). Downloads are always
attachments with the stored content type and ``nosniff``; MEDIA_URL serves nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from devzone.access import zone_allows
from devzone.pages import apply_validation_error
from investment import selectors, services
from investment.forms import EvidenceForm
from investment.models import Evidence, Exemption, ExemptionStatus, Milestone, ProgressReport
from investment.services.evidence import target_field, target_label


def evidence_rows(user, target) -> list[Evidence]:
    """The target's files with their uploaders (one query, whatever their number)."""
    return list(
        Evidence.objects.for_user(user, "view")
        .filter(**{target_field(target): target})
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )


def _zone_of(target):
    return target.zone if isinstance(target, Exemption) else target.project.zone


def may_change(user, target) -> bool:
    """For showing the form and the delete buttons (no query: the zone is loaded with the
    target); the services check again."""
    if isinstance(target, Exemption) and target.status != ExemptionStatus.PENDING:
        return False
    return zone_allows(user, "change", _zone_of(target))


def evidence_section(user, target, form: EvidenceForm | None = None) -> dict[str, object]:
    """Context of templates/investment/_evidence.html for ``target``."""
    allowed = may_change(user, target)
    names = {"milestone": "investment:milestone-evidence", "report": "investment:report-evidence"}
    return {
        "evidence_list": evidence_rows(user, target),
        "evidence_form": (form or EvidenceForm()) if allowed else None,
        "evidence_may_change": allowed,
        "evidence_upload_url": names.get(target_field(target), "investment:exemption-evidence"),
        "evidence_target": target,
    }


def add_evidence_counts(milestones, reports) -> None:
    """Set ``evidence_count`` on each milestone and report of a project page (one query)."""
    counts: dict[tuple[str, int], int] = {}
    milestone_ids, report_ids = [m.pk for m in milestones], [r.pk for r in reports]
    if milestone_ids or report_ids:
        rows = (
            Evidence.objects.filter(Q(milestone__in=milestone_ids) | Q(report__in=report_ids))
            .order_by()
            .values("milestone_id", "report_id")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            if row["milestone_id"]:
                counts["m", row["milestone_id"]] = row["n"]
            else:
                counts["r", row["report_id"]] = row["n"]
    for m in milestones:
        m.evidence_count = counts.get(("m", m.pk), 0)
    for r in reports:
        r.evidence_count = counts.get(("r", r.pk), 0)


def _back(target):
    if isinstance(target, Milestone):
        return redirect("investment:milestone-evidence", pk=target.pk)
    if isinstance(target, ProgressReport):
        return redirect("investment:report-evidence", pk=target.pk)
    return redirect("investment:exemption-detail", pk=target.pk)


def _page(request, target, project):
    """GET: the list and the form; POST: attach the uploaded file (403 for read-only users)."""
    user = request.user
    form = None
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                evidence = services.attach_evidence(
                    user,
                    target,
                    form.cleaned_data["file"],
                    form.cleaned_data.get("description") or "",
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                message = gettext("已上传佐证材料“%(name)s”。")
                messages.success(request, message % {"name": evidence.original_name})
                return _back(target)
    return render(
        request,
        "investment/evidence.html",
        {
            "target": target,
            "target_label": target_label(target),
            "project": project,
            "is_exemption": isinstance(target, Exemption),
            **evidence_section(user, target, form),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_evidence(request, pk: int):
    milestone = get_object_or_404(selectors.milestones_for(request.user), pk=pk)
    return _page(request, milestone, milestone.project)


@login_required
@require_http_methods(["GET", "POST"])
def report_evidence(request, pk: int):
    report = get_object_or_404(selectors.reports_for(request.user), pk=pk)
    return _page(request, report, report.project)


@login_required
@require_http_methods(["GET", "POST"])
def exemption_evidence(request, pk: int):
    exemption = get_object_or_404(selectors.exemptions_for(request.user), pk=pk)
    return _page(request, exemption, None)


@login_required
@require_safe
def evidence_download(request, pk: int):
    """The stored bytes as an attachment named with the sanitised original name."""
    evidence = get_object_or_404(Evidence.objects.for_user(request.user, "view"), pk=pk)
    try:
        handle = evidence.file.storage.open(evidence.file.name, "rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def evidence_delete(request, pk: int):
    evidence = get_object_or_404(
        Evidence.objects.for_user(request.user, "view").select_related(
            "milestone", "report", "exemption"
        ),
        pk=pk,
    )
    target, name = evidence.target, evidence.original_name
    try:
        services.delete_evidence(request.user, evidence)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, gettext("已删除佐证材料“%(name)s”。") % {"name": name})
    return _back(target)
