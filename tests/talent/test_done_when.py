"""Issue 4's done-when, through the pages as a zone's staff would do it.

Staff record a high-level team, a training session and a platform with two service records and
see them in the zone's talent overview and platform coverage; staff of another zone get 404 on
every page and API route of those records.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from platforms.models import Platform, ServiceRecord
from talent.models import TalentTeam, TrainingSession
from tests.factories import EnterpriseFactory
from tests.platforms.factories import days_ago

pytestmark = pytest.mark.django_db


def test_staff_record_talent_and_a_platform_and_another_zone_sees_none_of_it(client_for, cast):
    client = client_for(cast.staff_a)
    host, firm = EnterpriseFactory.create_batch(2, zone=cast.zone_a)
    posts = [
        (
            "talent:team-create",
            {"zone": cast.zone_a.pk, "name": "新材料高层次人才团队", "leader": "赵军",
             "field": "新材料", "size": 6, "host_enterprise": host.pk,
             "introduced_on": "2024-05-06", "guidance_fund": "300", "venture_capital": "150",
             "serves_leading_industry": "on"},
        ),
        (
            "talent:session-create",
            {"zone": cast.zone_a.pk, "trade": "焊工", "held_on": days_ago(20).isoformat(),
             "trainees": 30, "certificates": 24},
        ),
        (
            "platforms:platform-create",
            {"zone": cast.zone_a.pk, "name": "铝材检验检测公共服务平台", "kind": "professional",
             "sub_kind": "testing_inspection", "operator_type": "market", "level": "provincial",
             "established_on": "2021-06-01", "status": "operating"},
        ),
    ]  # fmt: skip
    for name, data in posts:
        response = client.post(reverse(name), data)
        assert response.status_code == 302, (
            name,
            response.context and response.context["form"].errors,
        )
    team = TalentTeam.objects.get()
    session = TrainingSession.objects.get()
    platform = Platform.objects.get()
    for enterprise in (host, firm):
        response = client.post(
            reverse("platforms:service-create"),
            {"platform": platform.pk, "enterprise": enterprise.pk, "category": "testing",
             "service_type": "出厂检测", "served_on": days_ago(10).isoformat(), "fee_wan": "0",
             "free": "on"},
        )  # fmt: skip
        assert response.status_code == 302
    records = list(ServiceRecord.objects.order_by("pk"))
    assert len(records) == 2

    overview = client.get(reverse("talent:zone-overview", args=[cast.zone_a.pk]))
    cards = {card["kind"]: card["value"] for card in overview.context["cards"]}
    assert cards["team"] == 1
    assert cards["session"] == 30  # trainees in the last 12 months
    coverage = client.get(reverse("platforms:coverage-detail", args=[cast.zone_a.pk]))
    assert "铝材检验检测公共服务平台" in coverage.content.decode()
    assert f'data-platform="{platform.pk}" data-enterprises="2"' in coverage.content.decode()

    other = client_for(cast.staff_b)
    for url in (
        reverse("talent:team-detail", args=[team.pk]),
        reverse("talent:session-detail", args=[session.pk]),
        reverse("talent:zone-overview", args=[cast.zone_a.pk]),
        reverse("platforms:platform-detail", args=[platform.pk]),
        reverse("platforms:coverage-detail", args=[cast.zone_a.pk]),
        f"/api/v1/talent-teams/{team.pk}/",
        f"/api/v1/training-sessions/{session.pk}/",
        f"/api/v1/platforms/{platform.pk}/",
        f"/api/v1/service-records/{records[0].pk}/",
    ):
        assert other.get(url).status_code == 404, url
    listing = other.get("/api/v1/talent-teams/").json()
    assert listing["count"] == 0
