"""seed_demo adds a plausible investment pipeline to every demo zone."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Max, Min
from django.utils import timezone

from investment import selectors, services
from investment.models import (
    ACTIVE_STAGES,
    Milestone,
    MilestoneReschedule,
    ProgressReport,
    Project,
    ProjectStage,
    PromotionMode,
    StageTransition,
)
from tests.investment.helpers import project_data
from zones.models import Zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    out = StringIO()
    call_command("seed_demo", "--enterprises-per-zone", "1", "--history-months", "1", stdout=out)
    return out.getvalue()


def test_the_demo_pipeline_covers_every_zone_stage_and_mode(seeded):
    today = timezone.localdate()
    assert Project.objects.count() >= 2000
    assert set(Project.objects.values_list("stage", flat=True)) == set(ProjectStage.values)
    assert set(Project.objects.values_list("promotion_mode", flat=True)) == set(
        PromotionMode.values
    )
    assert not Zone.objects.filter(is_demo=True, projects__isnull=True).exists()
    assert len({p.code for p in Project.objects.only("code")}) == Project.objects.count()
    # bigger zones have more projects
    by_tier = dict(
        Project.objects.values_list("zone__output_tier").annotate(n=Count("id")).order_by()
    )
    zones_by_tier = dict(
        Zone.objects.filter(is_demo=True)
        .values_list("output_tier")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert by_tier["1000+"] / zones_by_tier["1000+"] > by_tier["<50"] / zones_by_tier["<50"]

    span = StageTransition.objects.aggregate(first=Min("date"), last=Max("date"))
    assert span["last"] <= today
    assert span["first"] >= today - datetime.timedelta(days=3 * 366)
    assert "investment: " in seeded


def test_every_demo_project_follows_the_lifecycle_rules(seeded):
    for project in Project.objects.prefetch_related("transitions", "promises"):
        rows = sorted(project.transitions.all(), key=lambda t: (t.date, t.pk))
        assert rows[0].from_stage == "" and rows[-1].to_stage == project.stage
        assert all(a.date <= b.date for a, b in zip(rows, rows[1:], strict=False))
        if project.stage == ProjectStage.TERMINATED:
            assert rows[-1].reason and project.terminated_reason
        stages = [r.to_stage for r in rows]
        if any(
            s in stages
            for s in ("signed", "registered", "started", "in_production", "full_capacity")
        ):
            assert project.promises.all(), project.code
        durations = services.stage_durations(project, rows)
        assert sum(d["days"] for d in durations) == (timezone.localdate() - rows[0].date).days


def test_demo_milestones_and_reports_include_overdue_late_and_missing(seeded):
    today = timezone.localdate()
    assert Milestone.objects.overdue().exists()
    assert Milestone.objects.filter(status="done", actual_date__isnull=False).exists()
    assert not Milestone.objects.filter(status="done", actual_date__isnull=True).exists()
    assert MilestoneReschedule.objects.exists()
    active = Project.objects.filter(stage__in=ACTIVE_STAGES)
    reported = ProgressReport.objects.filter(project__in=active)
    assert reported.values("project").distinct().count() >= active.count() * 0.8
    assert reported.values("project").annotate(n=Count("id")).aggregate(m=Max("n"))["m"] == 12
    assert not ProgressReport.objects.exclude(project__stage__in=ACTIVE_STAGES).exists()
    late = [r for r in ProgressReport.objects.all()[:3000] if r.is_late]
    assert late
    year, month = selectors.previous_month(today)
    assert selectors.reports_owed(Zone.objects.filter(is_demo=True), year, month).exists()
    # the cumulative rule holds for consecutive demo reports
    for project_id in active.values_list("pk", flat=True)[:100]:
        rows = list(ProgressReport.objects.filter(project_id=project_id).order_by("year", "month"))
        for a, b in zip(rows, rows[1:], strict=False):
            if b.year * 12 + b.month == a.year * 12 + a.month + 1:
                assert b.investment_cumulative == a.investment_cumulative + b.investment_this_month


def test_the_demo_names_only_the_demo_zones_own_people_and_creates_no_user(seeded):
    User = get_user_model()
    assert User.objects.count() == 8
    led = Project.objects.filter(lead__isnull=False)
    assert led.filter(lead__username="staff").exists()
    from zones.models import Membership

    members = set(Membership.objects.filter(zone__isnull=False).values_list("user_id", "zone_id"))
    assert set(led.values_list("lead_id", "zone_id")) <= members
    leaders = Project.objects.filter(responsible_leader__isnull=False)
    assert set(leaders.values_list("responsible_leader__username", flat=True)) == {"leader"}


def test_a_project_created_after_the_demo_gets_the_next_free_code(seeded):
    staff = get_user_model().objects.get(username="staff")
    zone = staff.memberships.get().zone
    project = services.create_project(staff, project_data(zone))
    assert Project.objects.filter(code=project.code).count() == 1
