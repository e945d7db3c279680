"""seed_demo adds supervision items of every colour and exemptions in the zones with accounts."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from investment import services
from investment.models import Exemption, SupervisionItem, WarningColour

pytestmark = pytest.mark.django_db


def test_the_demo_has_items_of_every_colour_full_loops_and_exemptions(db):
    call_command(
        "seed_demo", "--enterprises-per-zone", "1", "--history-months", "1", stdout=StringIO()
    )
    users = dict(get_user_model().objects.values_list("username", "pk"))
    items = list(SupervisionItem.objects.with_colour().select_related("zone"))
    assert {i.colour for i in items} == set(WarningColour.values)
    assert {i.raised_by_id for i in items} == {users["supervisor"], users["city"]}
    guiyang = [i for i in items if i.zone.code == "DEMO-520100-01"]
    assert {i.assignee_id for i in guiyang} == {users["leader"], users["staff"]}
    assert any(i.source == "instruction" and i.start_colour == "red" for i in items)
    assert any(i.source == "instruction" and i.start_colour == "yellow" for i in items)
    closed = [i for i in items if i.status == "closed"]
    assert closed and all(
        [s.kind for s in i.steps.order_by("at", "pk")][-3:] == ["feedback", "review", "close"]
        for i in closed
    )
    for item in items:  # every step follows the loop from the status before it
        previous = ""
        for step in item.steps.order_by("at", "pk"):
            assert step.from_status == previous
            previous = step.to_status
        assert previous == item.status
        assert item.reopened_count == item.steps.filter(kind="return").count()
    assert set(Exemption.objects.values_list("status", flat=True)) == {
        "approved",
        "rejected",
        "pending",
    }
    for exemption in Exemption.objects.filter(status="approved"):
        assert exemption.decided_by_id != exemption.requested_by_id
    # the demo accounts can carry the loop on
    waiting = next(i for i in guiyang if i.status == "assigned")
    leader = get_user_model().objects.get(username="leader")
    services.supervision_step(leader, waiting, "acknowledge")
