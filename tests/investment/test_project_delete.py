"""Deleting a project from its page (/projects/<pk>/delete/): a confirmation that says what
goes with it, then ``services.delete_project``; only the zone's staff and leader (``delete``),
everyone else a 404 with nothing changed; the history row of the deletion stays."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from devzone.models import ChangeRecord
from investment import services
from investment.models import (
    Exemption,
    Milestone,
    ProgressReport,
    Project,
    ProjectStage,
    StageTransition,
    SupervisionItem,
)
from tests.investment.helpers import days_ago, make_project
from tests.investment.supervision_helpers import make_overdue, raise_item
from tests.investment.test_milestones_reports import month_back

pytestmark = pytest.mark.django_db

MODELS = (Project, StageTransition, Milestone, ProgressReport, SupervisionItem, Exemption)


def snapshot() -> dict:
    return {model.__name__: sorted(map(str, model.objects.values())) for model in MODELS}


def full_project(cast, zone=None, staff=None, *, supervised: bool = False) -> Project:
    """A signed project with two milestones and a report; ``supervised`` adds an overdue
    supervision item with an exemption request."""
    zone, staff = zone or cast.zone_a, staff or cast.staff_a
    project = make_project(staff, zone, stage=ProjectStage.SIGNED, name="待删除的项目")
    for title in ("拿地", "开工"):
        services.create_milestone(staff, project, {"title": title, "planned_date": days_ago(-30)})
    year, month = month_back(1)
    services.submit_report(
        staff, project, year, month, {"investment_this_month": 10, "progress": "推进中"}
    )
    if supervised:
        item = make_overdue(raise_item(cast.supervisor, zone, assignee=staff, project=project))
        services.request_exemption(staff, {"item": item, "reason": "客观原因"})
    return project


def delete_history(project_pk: int):
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Project),
        object_id=project_pk,
        action=ChangeRecord.Action.DELETE,
    )


@pytest.mark.parametrize("who", ["staff_a", "leader_a"])
def test_the_zone_deletes_its_project_after_seeing_what_goes_with_it(client_for, cast, who):
    project = full_project(cast)
    other = make_project(cast.staff_a, cast.zone_a, name="保留的项目")
    client = client_for(getattr(cast, who))
    url = reverse("investment:project-delete", args=[project.pk])
    page = client.get(url).content.decode()
    for text in ("项目节点 2 个", "进展月报 1 份"):
        assert text in page, text
    assert project.code in page

    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("investment:project-list")
    assert f"已删除招商项目“待删除的项目”（{project.code}）" in response.content.decode()
    assert not Project.objects.filter(pk=project.pk).exists()
    for model in (StageTransition, Milestone, ProgressReport):
        assert not model.objects.filter(project_id=project.pk).exists(), model
    assert Project.objects.filter(pk=other.pk).exists()
    record = delete_history(project.pk).get()
    assert record.user == getattr(cast, who) and record.zone_id == cast.zone_a.pk
    assert record.changes["code"] == [project.code, None]


@pytest.mark.parametrize(
    "who", ["viewer_a", "staff_b", "supervisor", "city", "province", "outsider"]
)
def test_others_get_404_and_nothing_is_deleted(client_for, cast, who):
    project = full_project(cast, supervised=True)
    before = snapshot()
    client = client_for(getattr(cast, who))
    url = reverse("investment:project-delete", args=[project.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert snapshot() == before
    assert not delete_history(project.pk).exists()


def test_the_delete_button_shows_only_for_those_who_may_delete(client_for, cast):
    project = make_project(cast.staff_a, cast.zone_a)
    url = reverse("investment:project-delete", args=[project.pk])
    detail = reverse("investment:project-detail", args=[project.pk])
    for who in ("staff_a", "leader_a", "admin"):
        assert url in client_for(getattr(cast, who)).get(detail).content.decode(), who
    for who in ("viewer_a", "supervisor", "city", "province"):
        assert url not in client_for(getattr(cast, who)).get(detail).content.decode(), who


@pytest.mark.parametrize("who", ["staff_a", "leader_a"])
def test_a_project_under_supervision_cannot_be_deleted_by_the_zone(client_for, cast, who):
    """Supervision items and exemption requests are accountability records: the zone may
    terminate such a project but not erase it with them."""
    project = full_project(cast, supervised=True)
    before = snapshot()
    url = reverse("investment:project-delete", args=[project.pk])
    page = client_for(getattr(cast, who)).get(url).content.decode()
    assert "督办事项 1 项" in page and "容错免责申请 1 份" in page

    response = client_for(getattr(cast, who)).post(url)

    assert response.status_code == 200
    assert "该项目已有督办事项或容错免责申请，不能删除" in response.content.decode()
    assert snapshot() == before
    assert not delete_history(project.pk).exists()


def test_a_milestone_exemption_also_keeps_the_project(cast):
    project = make_project(cast.staff_a, cast.zone_a)
    milestone = services.create_milestone(
        cast.staff_a, project, {"title": "拿地", "planned_date": days_ago(40)}
    )
    services.request_exemption(cast.staff_a, {"milestone": milestone, "reason": "规划调整"})
    with pytest.raises(ValidationError):
        services.delete_project(cast.staff_a, project)
    assert Project.objects.filter(pk=project.pk).exists()


def test_get_does_not_delete(client_for, cast):
    project = full_project(cast)
    before = snapshot()
    assert (
        client_for(cast.staff_a)
        .get(reverse("investment:project-delete", args=[project.pk]))
        .status_code
        == 200
    )
    assert snapshot() == before
