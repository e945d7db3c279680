"""Who may read and write talent records, through the pages and the API; nothing changes on
a refused request."""

from __future__ import annotations

import pytest
from django.urls import reverse

from devzone.models import ChangeRecord
from talent.models import TalentTeam, TrainingSession
from talent.views.kinds import KINDS
from tests.talent.world import make_rows

pytestmark = pytest.mark.django_db

API = {
    "cadre": "management-cadres",
    "entrepreneur": "entrepreneurs",
    "team": "talent-teams",
    "centre": "training-centres",
    "session": "training-sessions",
    "placement": "special-skills-placements",
    "award": "skill-awards",
}


def state(rows) -> list:
    return [type(r).objects.filter(pk=r.pk).values().first() for r in rows]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_staff_of_another_zone_get_404_on_pages_and_api_and_change_nothing(
    kind, cast, client_for, api_for
):
    rows = make_rows(cast.zone_a, 9000, "甲")
    row = next(r for r in rows if isinstance(r, kind.model))
    before = state(rows)
    client = client_for(cast.staff_b)
    for name in ("detail", "edit", "delete"):
        url = reverse(f"talent:{kind.name}-{name}", args=[row.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"zone": cast.zone_b.pk, "name": "越权"}).status_code == 404
    assert "甲" not in client.get(reverse(f"talent:{kind.name}-list")).content.decode()
    api = api_for(cast.staff_b)
    url = f"/api/v1/{API[kind.name]}/{row.pk}/"
    assert api.get(url).status_code == 404
    assert api.patch(url, {"name": "越权"}, format="json").status_code == 404
    assert api.delete(url).status_code == 404
    assert api.get(f"/api/v1/{API[kind.name]}/").json()["count"] == 0
    assert state(rows) == before
    assert not ChangeRecord.objects.exists()


@pytest.mark.parametrize("who", ["viewer_a", "province", "city", "supervisor"])
def test_read_only_roles_can_read_but_not_write(who, cast, client_for, api_for):
    rows = make_rows(cast.zone_a, 9000, "甲")
    team = next(r for r in rows if isinstance(r, TalentTeam))
    before = state(rows)
    user = getattr(cast, who)
    client = client_for(user)
    assert client.get(reverse("talent:team-detail", args=[team.pk])).status_code == 200
    assert client.get(reverse("talent:team-create")).status_code == 404
    assert client.post(reverse("talent:team-edit", args=[team.pk]), {}).status_code == 404
    assert client.post(reverse("talent:team-delete", args=[team.pk])).status_code == 404
    api = api_for(user)
    assert api.get(f"/api/v1/talent-teams/{team.pk}/").status_code == 200
    assert (
        api.patch(f"/api/v1/talent-teams/{team.pk}/", {"size": 99}, format="json").status_code
        == 403
    )
    assert api.delete(f"/api/v1/talent-teams/{team.pk}/").status_code == 403
    response = api.post(
        "/api/v1/training-sessions/",
        {"zone": cast.zone_a.pk, "trade": "焊工", "held_on": "2024-01-01", "trainees": 3},
        format="json",
    )
    assert response.status_code == 403
    assert state(rows) == before
    assert TrainingSession.objects.count() == 1
    assert not ChangeRecord.objects.exists()


def test_staff_cannot_create_in_another_zone_through_page_or_api(cast, client_for, api_for):
    payload = {"zone": cast.zone_b.pk, "trade": "焊工", "held_on": "2024-01-01", "trainees": 3,
               "certificates": 0}  # fmt: skip
    response = client_for(cast.staff_a).post(reverse("talent:session-create"), payload)
    assert response.status_code == 200
    assert "zone" in response.context["form"].errors
    response = api_for(cast.staff_a).post("/api/v1/training-sessions/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["zone"] == ["开发区不存在或无权操作。"]
    assert not TrainingSession.objects.exists()


def test_staff_cannot_move_a_record_to_another_zone_through_the_api(cast, api_for):
    rows = make_rows(cast.zone_a, 9000, "甲")
    team = next(r for r in rows if isinstance(r, TalentTeam))
    response = api_for(cast.staff_a).patch(
        f"/api/v1/talent-teams/{team.pk}/", {"zone": cast.zone_b.pk}, format="json"
    )
    assert response.status_code == 400
    team.refresh_from_db()
    assert team.zone_id == cast.zone_a.pk
