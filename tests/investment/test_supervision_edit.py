"""Correcting a supervision item after it was raised (issue 3): only a supervisor of the zone,
only while open; a new deadline needs a reason, keeps the old one in the history and moves the
warning colour by itself. Through the service, the page and the API."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from devzone.models import ChangeRecord
from investment import selectors, services
from investment.models import SupervisionItem, WarningColour
from tests.investment.helpers import make_project
from tests.investment.supervision_helpers import make_overdue, raise_item, walk

pytestmark = pytest.mark.django_db
ITEMS = "/api/v1/supervision-items/"


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def state(item) -> dict:
    return SupervisionItem.objects.filter(pk=item.pk).values().get()


def history(item):
    return ChangeRecord.objects.filter(object_id=item.pk, content_type__model="supervisionitem")


def colour_of(user, item) -> str:
    return selectors.items_for(user).get(pk=item.pk).colour


def test_a_supervisor_corrects_title_content_assignee_and_project(cast):
    project = make_project(cast.staff_a, cast.zone_a)
    item = raise_item(cast.city, cast.zone_a, assignee=cast.staff_a)
    saved = services.update_item(
        cast.city,
        item,
        {
            "title": "  更正后的督办事项 ",
            "description": "更正后的内容",
            "assignee": cast.leader_a,
            "project": project,
        },
    )
    row = state(saved)
    assert row["title"] == "更正后的督办事项" and row["description"] == "更正后的内容"
    assert row["assignee_id"] == cast.leader_a.pk and row["project_id"] == project.pk
    change = history(item).get(action=ChangeRecord.Action.UPDATE)
    assert change.changes["assignee_id"] == [cast.staff_a.pk, cast.leader_a.pk]
    assert change.user == cast.city and change.note == ""


def test_a_new_deadline_needs_a_reason_and_the_old_one_stays_in_the_history(cast):
    item = raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a, days=5)
    old = item.deadline
    before = state(item)
    with pytest.raises(ValidationError) as error:
        services.update_item(cast.supervisor, item, {"deadline": in_days(20)}, reason="  ")
    assert "reason" in error.value.message_dict
    assert state(item) == before and not history(item).filter(action="update").exists()

    services.update_item(cast.supervisor, item, {"deadline": in_days(20)}, reason="用地手续延后")
    assert state(item)["deadline"] == in_days(20)
    change = history(item).get(action=ChangeRecord.Action.UPDATE)
    assert change.changes["deadline"] == [old.isoformat(), in_days(20).isoformat()]
    assert old.isoformat() in change.note and "用地手续延后" in change.note


def test_an_unchanged_deadline_needs_no_reason(cast):
    item = raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a)
    services.update_item(cast.supervisor, item, {"deadline": item.deadline, "title": "只改标题"})
    assert state(item)["title"] == "只改标题"


def test_the_warning_colour_follows_the_new_deadline(cast):
    yellow = make_overdue(raise_item(cast.city, cast.zone_a, assignee=cast.staff_a), days=2)
    red = make_overdue(raise_item(cast.city, cast.zone_a, assignee=cast.staff_a), days=20)
    calm = raise_item(cast.city, cast.zone_a, assignee=cast.staff_a, days=30)
    assert [colour_of(cast.city, i) for i in (yellow, red, calm)] == ["yellow", "red", "none"]

    services.update_item(cast.city, yellow, {"deadline": in_days(10)}, reason="延期")
    services.update_item(cast.city, red, {"deadline": in_days(10)}, reason="延期")
    services.update_item(cast.city, calm, {"deadline": in_days(1)}, reason="提前")
    assert [colour_of(cast.city, i) for i in (yellow, red, calm)] == ["none", "none", "blue"]
    for item in (yellow, red, calm):
        item.refresh_from_db()
        assert item.colour_on() == colour_of(cast.city, item)


def test_a_new_deadline_does_not_lower_a_leaders_instruction_or_a_return(cast):
    instruction = raise_item(
        cast.city,
        cast.zone_a,
        assignee=cast.staff_a,
        source="instruction",
        instruction_leader="张副省长",
        start_colour=WarningColour.RED,
    )
    returned = walk(
        raise_item(cast.city, cast.zone_a, assignee=cast.staff_a), cast.staff_a, cast.city, "review"
    )
    services.supervision_step(cast.city, returned, "return", note="请补充材料")
    for item in (instruction, returned):
        services.update_item(cast.city, item, {"deadline": in_days(60)}, reason="延期")
        assert colour_of(cast.city, item) == "red"


def test_a_deadline_in_the_past_an_outsider_assignee_or_a_foreign_project_is_refused(cast):
    item = raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a)
    other_project = make_project(cast.staff_b, cast.zone_b)
    before = state(item)
    for data, field in (
        ({"deadline": in_days(-1)}, "deadline"),
        ({"assignee": cast.staff_b}, "assignee"),
        ({"project": other_project}, "project"),
        ({"zone": cast.zone_a2}, "zone"),
        ({"status": "closed"}, None),
    ):
        with pytest.raises(ValidationError) as error:
            services.update_item(cast.supervisor, item, data, reason="调整")
        if field:
            assert field in error.value.message_dict, data
    assert state(item) == before


def test_a_closed_item_cannot_be_edited(cast):
    item = walk(
        raise_item(cast.city, cast.zone_a, assignee=cast.staff_a), cast.staff_a, cast.city, "close"
    )
    before = state(item)
    with pytest.raises(ValidationError) as error:
        services.update_item(cast.city, item, {"title": "办结后修改"})
    assert "已办结" in str(error.value)
    assert state(item) == before


@pytest.mark.parametrize("who", ["staff_a", "leader_a", "viewer_a", "province", "staff_b"])
def test_the_zone_and_read_only_roles_cannot_edit_through_the_service(cast, who):
    item = raise_item(cast.city, cast.zone_a, assignee=cast.staff_a)
    before = state(item)
    with pytest.raises(PermissionDenied):
        services.update_item(getattr(cast, who), item, {"title": "越权修改"})
    assert state(item) == before and not history(item).filter(action="update").exists()


# --- the page ------------------------------------------------------------------------------


def test_the_detail_page_links_the_edit_page_only_for_supervisors_of_an_open_item(client_for, cast):
    item = raise_item(cast.city, cast.zone_a, assignee=cast.staff_a)
    edit_url = reverse("investment:supervision-edit", args=[item.pk])
    detail = reverse("investment:supervision-detail", args=[item.pk])
    for who in ("city", "supervisor", "admin"):
        assert edit_url in client_for(getattr(cast, who)).get(detail).content.decode(), who
    for who in ("staff_a", "leader_a", "viewer_a", "province"):
        assert edit_url not in client_for(getattr(cast, who)).get(detail).content.decode(), who
    walk(item, cast.staff_a, cast.city, "close")
    assert edit_url not in client_for(cast.city).get(detail).content.decode()
    response = client_for(cast.city).get(edit_url)
    assert response.status_code == 302 and response.url == detail


def test_a_supervisor_moves_the_deadline_on_the_page_and_the_history_shows_it(client_for, cast):
    item = make_overdue(raise_item(cast.city, cast.zone_a, assignee=cast.staff_a), days=3)
    old = item.deadline
    client = client_for(cast.city)
    url = reverse("investment:supervision-edit", args=[item.pk])
    assert client.get(url).status_code == 200
    data = {
        "title": item.title,
        "description": item.description,
        "project": "",
        "deadline": in_days(15).isoformat(),
        "assignee": cast.leader_a.pk,
        "reason": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "修改办理时限须填写调整原因" in response.content.decode()
    assert state(item)["deadline"] == old

    response = client.post(url, {**data, "reason": "企业申请延期"})
    assert response.status_code == 302
    row = state(item)
    assert row["deadline"] == in_days(15) and row["assignee_id"] == cast.leader_a.pk
    page = client.get(reverse("investment:supervision-detail", args=[item.pk])).content.decode()
    assert "企业申请延期" in page and old.isoformat() in page
    assert 'id="item-colour">正常' in page


@pytest.mark.parametrize(
    "who", ["staff_a", "leader_a", "viewer_a", "province", "staff_b", "outsider"]
)
def test_others_get_404_on_the_edit_page_and_nothing_changes(client_for, cast, who):
    item = raise_item(cast.city, cast.zone_a, assignee=cast.staff_a)
    before = state(item)
    client = client_for(getattr(cast, who))
    url = reverse("investment:supervision-edit", args=[item.pk])
    assert client.get(url).status_code == 404
    data = {"title": "越权", "description": "越权", "deadline": in_days(40).isoformat()}
    response = client.post(url, {**data, "assignee": cast.staff_a.pk, "reason": "越权"})
    assert response.status_code == 404
    assert state(item) == before


# --- the API -------------------------------------------------------------------------------


def test_a_supervisor_patches_an_item_through_the_api(api_for, cast):
    item = make_overdue(raise_item(cast.city, cast.zone_a, assignee=cast.staff_a), days=2)
    api = api_for(cast.city)
    url = f"{ITEMS}{item.pk}/"
    response = api.patch(url, {"deadline": in_days(9).isoformat()}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = api.patch(
        url,
        {"deadline": in_days(9).isoformat(), "reason": "延期", "title": "接口更正"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "接口更正" and body["deadline"] == in_days(9).isoformat()
    assert body["colour"] == "none"
    assert history(item).get(action="update").note.endswith("延期")


def test_the_api_refuses_other_keys_a_put_and_a_closed_item(api_for, cast):
    item = raise_item(cast.city, cast.zone_a, assignee=cast.staff_a)
    api = api_for(cast.city)
    url = f"{ITEMS}{item.pk}/"
    before = state(item)
    response = api.patch(url, {"zone": cast.zone_a2.pk, "status": "closed"}, format="json")
    assert response.status_code == 400 and "status" in str(response.json())
    assert api.put(url, {"title": "整体替换"}, format="json").status_code == 405
    response = api.patch(url, {"assignee": cast.staff_b.pk}, format="json")
    assert response.status_code == 400 and "assignee" in response.json()
    assert state(item) == before
    walk(item, cast.staff_a, cast.city, "close")
    before = state(item)
    response = api.patch(url, {"title": "办结后修改"}, format="json")
    assert response.status_code == 400 and state(item) == before


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("staff_a", 403),
        ("leader_a", 403),
        ("viewer_a", 403),
        ("province", 403),
        ("staff_b", 404),
        ("outsider", 404),
    ],
)
def test_others_cannot_patch_an_item_and_nothing_changes(api_for, cast, who, code):
    item = raise_item(cast.city, cast.zone_a, assignee=cast.staff_a)
    before = state(item)
    response = api_for(getattr(cast, who)).patch(
        f"{ITEMS}{item.pk}/",
        {"title": "越权修改", "deadline": in_days(50).isoformat(), "reason": "x"},
        format="json",
    )
    assert response.status_code == code
    assert state(item) == before and not history(item).filter(action="update").exists()
