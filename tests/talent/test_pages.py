"""The talent pages: overview, per-zone page, lists, export, forms, detail with history."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from devzone.models import ChangeRecord
from talent.models import TalentTeam, TrainingSession
from talent.views.kinds import KINDS
from tests.factories import EnterpriseFactory, ZoneFactory
from tests.talent.helpers import award, centre, session, team
from tests.talent.world import make_rows

pytestmark = pytest.mark.django_db


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_zone_staff_are_taken_to_their_zones_talent_page(client_for, cast):
    response = client_for(cast.staff_a).get(reverse("talent:overview"))
    assert response.status_code == 302
    assert response["Location"] == reverse("talent:zone-overview", args=[cast.zone_a.pk])


def test_the_city_sees_its_zones_with_counts_per_team(client_for, cast):
    team(cast.zone_a, size=10)
    team(cast.zone_a, size=5)
    team(cast.zone_b, name="遵义团队")
    response = client_for(cast.city).get(reverse("talent:overview"))
    assert response.status_code == 200
    rows = {zone.pk: zone.talent for zone in response.context["page"]}
    assert set(rows) == {cast.zone_a.pk, cast.zone_a2.pk}
    assert rows[cast.zone_a.pk][2:4] == [2, 15]  # teams, team people
    assert response.context["totals"][2] == 2
    assert cast.zone_b.name not in response.content.decode()


def test_the_overview_filters_by_prefecture(client_for, cast):
    response = client_for(cast.province).get(reverse("talent:overview"), {"prefecture": "520300"})
    assert [z.pk for z in response.context["page"]] == [cast.zone_b.pk]


def test_the_overview_costs_the_same_queries_for_2_and_50_zones(client_for, cast):
    client = client_for(cast.city)
    url = reverse("talent:overview")
    before = count_queries(client, url)
    for _ in range(48):
        zone = ZoneFactory(prefecture=cast.zone_a.prefecture)
        team(zone)
        session(zone, held_on=timezone.localdate())
    assert count_queries(client, url) == before


def test_the_zone_page_shows_counts_and_the_trend_by_year(client_for, cast):
    today = timezone.localdate()
    team(cast.zone_a, introduced_on=today, size=6)
    session(cast.zone_a, held_on=today, trainees=40, certificates=35)
    session(cast.zone_a, held_on=today - datetime.timedelta(days=400), trainees=99)
    award(cast.zone_a, awarded_on=today)
    response = client_for(cast.viewer_a).get(reverse("talent:zone-overview", args=[cast.zone_a.pk]))
    assert response.status_code == 200
    cards = {str(card["label"]): card["value"] for card in response.context["cards"]}
    assert cards["高层次人才团队"] == 1
    assert cards["近12个月培训人次"] == 40
    this_year = response.context["trend"][-1]
    assert this_year["year"] == today.year
    assert (this_year["teams"], this_year["team_people"], this_year["awards"]) == (1, 6, 1)
    assert response.context["may_add"] is False


def test_another_zones_overview_is_a_404(client_for, cast):
    response = client_for(cast.staff_b).get(reverse("talent:zone-overview", args=[cast.zone_a.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_list_costs_the_same_queries_for_1_and_50_rows(kind, client_for, cast):
    client = client_for(cast.staff_a)
    url = reverse(f"talent:{kind.name}-list")
    make_rows(cast.zone_a, 9000, "甲")
    one = count_queries(client, url)
    for n in range(49):
        make_rows(cast.zone_a, 10000 + 20 * n, f"乙{n}")
    assert count_queries(client, url) == one


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_list_detail_and_form_renders_for_zone_staff(kind, client_for, cast):
    rows = make_rows(cast.zone_a, 9000, "甲")
    row = next(r for r in rows if isinstance(r, kind.model))
    client = client_for(cast.staff_a)
    for name, args in (("list", []), ("create", []), ("detail", [row.pk]), ("edit", [row.pk]),
                       ("delete", [row.pk])):  # fmt: skip
        response = client.get(reverse(f"talent:{kind.name}-{name}", args=args))
        assert response.status_code == 200, name
    assert "甲" in client.get(reverse(f"talent:{kind.name}-list")).content.decode()


def test_the_list_searches_filters_and_sorts(client_for, cast):
    team(cast.zone_a, name="甲团队", size=3)
    team(cast.zone_a, name="乙团队", size=30)
    client = client_for(cast.staff_a)
    url = reverse("talent:team-list")
    names = [row["cells"][0][0] for row in client.get(url, {"q": "乙"}).context["rows"]]
    assert names == ["乙团队"]
    names = [row["cells"][0][0] for row in client.get(url, {"sort": "-size"}).context["rows"]]
    assert names == ["乙团队", "甲团队"]
    assert client.get(url, {"zone": cast.zone_b.code}).context["rows"] == []


def test_the_export_holds_only_the_users_rows(client_for, cast):
    team(cast.zone_a, name="甲团队")
    team(cast.zone_b, name="乙团队")
    response = client_for(cast.staff_a).get(reverse("talent:team-export"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("开发区编码", "开发区", "团队名称")
    assert [r[2] for r in rows[1:]] == ["甲团队"]


def test_staff_record_a_team_through_the_form_and_see_its_history(client_for, cast):
    host = EnterpriseFactory(zone=cast.zone_a)
    client = client_for(cast.staff_a)
    response = client.post(
        reverse("talent:team-create"),
        {"zone": cast.zone_a.pk, "name": "表单团队", "leader": "赵军", "field": "大数据",
         "size": 5, "host_enterprise": host.pk, "introduced_on": "2024-01-02",
         "guidance_fund": "100", "venture_capital": "0", "serves_leading_industry": "on"},
    )  # fmt: skip
    created = TalentTeam.objects.get(name="表单团队")
    assert response.status_code == 302
    response = client.post(
        reverse("talent:team-edit", args=[created.pk]),
        {"zone": cast.zone_a.pk, "name": "表单团队", "leader": "赵军", "field": "大数据",
         "size": 7, "host_enterprise": host.pk, "introduced_on": "2024-01-02",
         "guidance_fund": "100", "venture_capital": "0"},
    )  # fmt: skip
    assert response.status_code == 302
    update = ChangeRecord.objects.get(object_id=created.pk, action="update")
    assert update.changes["size"] == [5, 7]
    assert update.changes["serves_leading_industry"] == [True, False]
    detail = client.get(reverse("talent:team-detail", args=[created.pk]))
    assert len(detail.context["history"]) == 2
    assert "变更记录" in detail.content.decode()


def test_the_form_shows_the_certificates_error_on_its_field(client_for, cast):
    response = client_for(cast.staff_a).post(
        reverse("talent:session-create"),
        {"zone": cast.zone_a.pk, "trade": "焊工", "held_on": "2024-01-02", "trainees": 5,
         "certificates": 9},
    )  # fmt: skip
    assert response.status_code == 200
    assert "不能多于培训人数" in " ".join(response.context["form"].errors["certificates"])
    assert not TrainingSession.objects.exists()


def test_the_forms_offer_only_enterprises_and_centres_of_the_users_zones(client_for, cast):
    mine, theirs = EnterpriseFactory(zone=cast.zone_a), EnterpriseFactory(zone=cast.zone_b)
    centre(cast.zone_b, name="遵义中心")
    client = client_for(cast.staff_a)
    form = client.get(reverse("talent:team-create")).context["form"]
    assert list(form.fields["host_enterprise"].queryset) == [mine]
    assert theirs not in form.fields["host_enterprise"].queryset
    form = client.get(reverse("talent:session-create")).context["form"]
    assert not form.fields["centre"].queryset.exists()


def test_deleting_through_the_page_removes_the_row(client_for, cast):
    row = team(cast.zone_a)
    response = client_for(cast.leader_a).post(reverse("talent:team-delete", args=[row.pk]))
    assert response.status_code == 302
    assert not TalentTeam.objects.filter(pk=row.pk).exists()
