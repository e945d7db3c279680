"""The accountability board (问责评价榜) and the drill-down behind each score.

The board lists the stored scores of one kind of subject (zones, zone leaders, project leads,
prefectures) for one month, sortable, with colour, score, components and movement, exported to
XLSX with the same filters and order. The drill-down shows how a score was made: each
component's score, weight and figures, and the milestones, reports and supervision items that
produced it (read back by the ids the recompute stored; each list scoped to the user).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from devzone.pages import DataTable, page_links, paginate, style_form, table_xlsx
from investment.models import (
    AccountabilityScore,
    Milestone,
    Project,
    ScoreColour,
    SubjectKind,
    SupervisionItem,
)
from investment.scoring_params import COMPONENTS
from zones import dashboards
from zones.methodology import active_methodology

COMPONENT_LABELS = {
    "milestones_on_time": _("节点按期完成"),
    "overdue_penalty": _("逾期扣分"),
    "reports_on_time": _("月报按时报送"),
    "investment_progress": _("投资完成进度"),
    "items_closed_on_time": _("督办事项按期办结"),
}
ID_LABELS = {
    "on_time": _("按期"),
    "late": _("逾期"),
    "exempted": _("已免责"),
    "overdue": _("逾期未完成"),
    "not_overdue": _("未逾期"),
    "missing": _("未报送"),
    "projects": _("纳入计算的项目"),
    "no_plan": _("无年度计划"),
    "no_completion": _("无完成投资记录"),
    "red": _("红色事项"),
}
# What the stored ids of each component point at.
ID_KIND = {
    "milestones_on_time": "milestone",
    "overdue_penalty": "milestone",
    "reports_on_time": "project",
    "investment_progress": "project",
    "items_closed_on_time": "item",
}
SORTS = {
    "rank": (F("rank").asc(nulls_last=True), "subject_key"),
    "-rank": (F("rank").desc(nulls_last=True), "subject_key"),
    "score": (F("score").asc(nulls_last=True), "subject_key"),
    "-score": (F("score").desc(nulls_last=True), "subject_key"),
    "movement": (F("movement").asc(nulls_last=True), "subject_key"),
    "-movement": (F("movement").desc(nulls_last=True), "subject_key"),
}


class BoardFilterForm(forms.Form):
    period = forms.ChoiceField(required=False, label=_("评价月份"))
    kind = forms.ChoiceField(choices=SubjectKind.choices, required=False, label=_("评价对象"))
    colour = forms.ChoiceField(required=False, label=_("颜色"))
    q = forms.CharField(required=False, max_length=50, label=_("搜索"))

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(f"{p:%Y-%m}", f"{p:%Y-%m}") for p in periods]
        self.fields["colour"].choices = [("", _("全部颜色")), *ScoreColour.choices]
        style_form(self, compact=True)
        self.fields["q"].widget.attrs["placeholder"] = _("姓名或开发区")


def _rows(request) -> tuple[BoardFilterForm, dict[str, Any], Any]:
    periods = dashboards.periods()
    query = request.GET.copy()
    query.setdefault("kind", SubjectKind.ZONE)  # the select shows the tab that is open
    form = BoardFilterForm(query, periods=periods)
    form.is_valid()
    data = form.cleaned_data  # the valid fields only: a stale month keeps the other filters
    period = dashboards.resolve_period(data.get("period"), periods)
    kind = data.get("kind") or SubjectKind.ZONE
    sort = request.GET.get("sort", "rank")
    sort = sort if sort in SORTS else "rank"
    rows = AccountabilityScore.objects.none()
    methodology = active_methodology()
    if period is not None and methodology is not None:
        rows = (
            AccountabilityScore.objects.for_user(request.user)
            .filter(period=period, methodology=methodology, subject_kind=kind)
            .select_related("user", "zone", "prefecture")
            .order_by(*SORTS[sort])
        )
        if data.get("colour"):
            rows = rows.filter(colour=data["colour"])
        if data.get("q"):
            term = data["q"]
            rows = rows.filter(
                Q(zone__name__icontains=term)
                | Q(prefecture__name__icontains=term)
                | Q(user__first_name__icontains=term)
                | Q(user__last_name__icontains=term)
                | Q(user__username__icontains=term)
            )
    chosen = {"period": period, "kind": kind, "sort": sort, "methodology": methodology}
    return form, chosen, rows


def subject_name(row: AccountabilityScore) -> str:
    if row.subject_kind == SubjectKind.ZONE and row.zone:
        return row.zone.name
    if row.subject_kind == SubjectKind.PREFECTURE and row.prefecture:
        return row.prefecture.name
    if row.user:
        return row.user.get_full_name() or row.user.get_username()
    return row.subject_key


def _component_scores(row: AccountabilityScore) -> list[Any]:
    return [(row.components.get(code) or {}).get("score") for code in COMPONENTS]


def board_table(rows) -> DataTable:
    return DataTable(
        "accountability",
        str(_("问责评价榜")),
        [
            _("名次"),
            _("评价对象"),
            _("所在开发区"),
            _("市州"),
            _("评分"),
            _("颜色"),
            *[COMPONENT_LABELS[c] for c in COMPONENTS],
            _("较上月"),
            _("名次变化"),
        ],
        [
            [
                r.rank,
                subject_name(r),
                r.zone.name if r.zone else "—",
                r.prefecture.name if r.prefecture else "—",
                r.score,
                r.get_colour_display() if r.colour else "—",
                *[float(v) if v is not None else None for v in _component_scores(r)],
                r.movement,
                r.rank_movement,
            ]
            for r in rows
        ],
    )


@login_required
def accountability_board(request):
    """Queries: scope (1), periods (1), methodology (1), count (1), the page (1)."""
    form, chosen, rows = _rows(request)
    if request.GET.get("export") is not None:
        label = dict(SubjectKind.choices)[chosen["kind"]]
        stem = f"accountability-{chosen['kind']}"
        if chosen["period"]:
            stem += f"-{chosen['period']:%Y-%m}"
        table = board_table(rows)
        return table_xlsx(DataTable(table.key, f"{label}问责评分", table.columns, table.rows), stem)
    page = paginate(request, rows)
    for row in page:
        row.name = subject_name(row)
        row.component_scores = _component_scores(row)
        row.movement_abs = abs(row.movement) if row.movement is not None else None
        row.rank_movement_abs = abs(row.rank_movement) if row.rank_movement is not None else None
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    return render(
        request,
        "investment/accountability_board.html",
        {
            "form": form,
            "chosen": chosen,
            "page": page,
            "page_links": page_links(page),
            "components": [COMPONENT_LABELS[c] for c in COMPONENTS],
            "base_query": query.urlencode(),
            "kinds": SubjectKind.choices,
        },
    )


@login_required
def accountability_detail(request, pk: int):
    """One score and the records behind it. Queries: scope (1), the row (1), milestones,
    projects and items named by its components (1 each, scoped)."""
    user = request.user
    row = get_object_or_404(
        AccountabilityScore.objects.for_user(user).select_related(
            "user", "zone", "prefecture", "methodology"
        ),
        pk=pk,
    )
    wanted: dict[str, set[int]] = {"milestone": set(), "project": set(), "item": set()}
    for code in COMPONENTS:
        for ids in ((row.components.get(code) or {}).get("ids") or {}).values():
            wanted[ID_KIND[code]].update(int(i) for i in ids)
    milestones = {
        m.pk: m
        for m in Milestone.objects.for_user(user)
        .filter(pk__in=wanted["milestone"])
        .select_related("project", "owner")
    }
    projects = {
        p.pk: p
        for p in Project.objects.for_user(user)
        .filter(pk__in=wanted["project"])
        .select_related("zone", "lead")
    }
    items = {
        i.pk: i
        for i in SupervisionItem.objects.for_user(user)
        .filter(pk__in=wanted["item"])
        .select_related("zone", "assignee")
    }
    records = {"milestone": milestones, "project": projects, "item": items}
    components = []
    for code in COMPONENTS:
        part = row.components.get(code) or {}
        groups = []
        for key, ids in (part.get("ids") or {}).items():
            found = [records[ID_KIND[code]].get(int(i)) for i in ids]
            groups.append(
                {
                    "key": key,
                    "label": ID_LABELS.get(key, key),
                    "count": len(ids),
                    "records": [r for r in found if r is not None],
                    "hidden": sum(1 for r in found if r is None),
                }
            )
        components.append(
            {
                "code": code,
                "label": COMPONENT_LABELS[code],
                "score": part.get("score"),
                "missing": part.get("missing", part.get("score") is None),
                "weight": part.get("weight"),
                "effective_weight": part.get("effective_weight"),
                "figures": part.get("figures") or {},
                "kind": ID_KIND[code],
                "groups": groups,
            }
        )
    return render(
        request,
        "investment/accountability_detail.html",
        {"row": row, "name": subject_name(row), "components": components},
    )
