"""The talent API: routes, fields, validation through the services, filters, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from devzone.models import ChangeRecord
from talent.models import TalentTeam, TrainingSession
from tests.factories import EnterpriseFactory
from tests.talent.helpers import centre, team
from tests.talent.world import make_rows

pytestmark = pytest.mark.django_db

ROUTES = ("management-cadres", "entrepreneurs", "talent-teams", "training-centres",
          "training-sessions", "special-skills-placements", "skill-awards")  # fmt: skip


def test_staff_record_a_team_and_a_session_through_the_api(cast, api_for):
    api = api_for(cast.staff_a)
    host = EnterpriseFactory(zone=cast.zone_a)
    response = api.post(
        "/api/v1/talent-teams/",
        {"zone": cast.zone_a.pk, "name": "接口团队", "leader": "周杰", "field": "电子信息",
         "size": 6, "host_enterprise": host.pk, "introduced_on": "2024-05-01",
         "guidance_fund": 300, "venture_capital": 1200.5, "serves_leading_industry": True},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["zone_code"] == cast.zone_a.code
    assert body["venture_capital"] == 1200.5
    assert ChangeRecord.objects.filter(object_id=body["id"], action="create").exists()
    response = api.post(
        "/api/v1/training-sessions/",
        {"zone": cast.zone_a.pk, "trade": "焊工", "held_on": "2024-05-02", "trainees": 20,
         "certificates": 18},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert api.get("/api/v1/training-sessions/").json()["count"] == 1


def test_the_api_names_the_field_of_a_domain_error(cast, api_for):
    api = api_for(cast.staff_a)
    response = api.post(
        "/api/v1/training-sessions/",
        {"zone": cast.zone_a.pk, "trade": "焊工", "held_on": "2024-05-02", "trainees": 2,
         "certificates": 3},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "不能多于培训人数" in response.json()["certificates"][0]
    other = centre(cast.zone_a2)
    response = api_for(cast.admin).post(
        "/api/v1/training-sessions/",
        {"zone": cast.zone_a.pk, "centre": other.pk, "trade": "焊工", "held_on": "2024-05-02",
         "trainees": 2},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["centre"] == ["培训中心必须属于本开发区。"]
    assert not TrainingSession.objects.exists()


def test_a_linked_enterprise_outside_the_scope_reads_as_missing(cast, api_for):
    theirs = EnterpriseFactory(zone=cast.zone_b)
    response = api_for(cast.staff_a).post(
        "/api/v1/entrepreneurs/",
        {"zone": cast.zone_a.pk, "name": "李明", "enterprise": theirs.pk, "title": "总经理",
         "activity_year": 2024, "activities_attended": 1},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["enterprise"] == ["企业不存在或无权操作。"]


def test_the_api_filters_by_zone_and_searches(cast, api_for):
    team(cast.zone_a, name="甲团队")
    team(cast.zone_a2, name="乙团队")
    api = api_for(cast.city)
    assert api.get("/api/v1/talent-teams/").json()["count"] == 2
    result = api.get("/api/v1/talent-teams/", {"zone": cast.zone_a2.code}).json()["results"]
    assert [r["name"] for r in result] == ["乙团队"]
    result = api.get("/api/v1/talent-teams/", {"search": "甲"}).json()["results"]
    assert [r["name"] for r in result] == ["甲团队"]
    result = api.get("/api/v1/talent-teams/", {"ordering": "-name"}).json()["results"]
    assert [r["name"] for r in result] == ["甲团队", "乙团队"]


def test_staff_delete_through_the_api(cast, api_for):
    row = team(cast.zone_a)
    assert api_for(cast.staff_a).delete(f"/api/v1/talent-teams/{row.pk}/").status_code == 204
    assert not TalentTeam.objects.exists()


@pytest.mark.parametrize("route", ROUTES)
def test_every_api_list_costs_the_same_queries_for_1_and_50_rows(route, cast, api_for):
    api = api_for(cast.staff_a)
    make_rows(cast.zone_a, 9000, "甲")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(f"/api/v1/{route}/").status_code == 200
        return len(ctx.captured_queries)

    queries()  # the first request also loads the user's scope, cached on the user object
    one = queries()  # count, page
    for n in range(49):
        make_rows(cast.zone_a, 10000 + 20 * n, f"乙{n}")
    assert queries() == one
