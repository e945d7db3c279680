"""talent.services: validation in Chinese naming the field, the same-zone rule, scope, history."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from devzone.models import ChangeRecord
from talent import services
from talent.models import (
    Entrepreneur,
    ManagementCadre,
    TalentTeam,
    TrainingCentre,
    TrainingSession,
)
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 3, 1)


def team_data(zone, **extra):
    data = {
        "zone": zone,
        "name": "新材料创新团队",
        "leader": "王伟",
        "field": "新材料",
        "size": 8,
        "introduced_on": DAY,
        "guidance_fund": Decimal("500"),
        "venture_capital": Decimal("0"),
        "serves_leading_industry": True,
    }
    data.update(extra)
    return data


def session_data(zone, **extra):
    data = {"zone": zone, "trade": "焊工", "held_on": DAY, "trainees": 30, "certificates": 20}
    data.update(extra)
    return data


def messages(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict[field])


def test_staff_creates_a_team_and_the_creation_is_in_the_history(cast):
    team = services.create_record(cast.staff_a, TalentTeam, team_data(cast.zone_a))
    change = ChangeRecord.objects.get(object_id=team.pk, content_type__model="talentteam")
    assert change.action == ChangeRecord.Action.CREATE
    assert change.user == cast.staff_a
    assert change.zone_id == cast.zone_a.pk
    assert change.changes["name"] == [None, "新材料创新团队"]


def test_an_update_records_the_old_and_new_values(cast):
    team = services.create_record(cast.staff_a, TalentTeam, team_data(cast.zone_a))
    services.update_record(cast.leader_a, team, {"size": 12})
    change = ChangeRecord.objects.filter(object_id=team.pk, action="update").get()
    assert change.changes == {"size": [8, 12]}
    assert change.user == cast.leader_a


def test_a_delete_is_recorded_before_the_row_goes(cast):
    team = services.create_record(cast.staff_a, TalentTeam, team_data(cast.zone_a))
    pk = team.pk
    services.delete_record(cast.staff_a, team)
    assert not TalentTeam.objects.filter(pk=pk).exists()
    assert ChangeRecord.objects.filter(object_id=pk, action="delete").count() == 1


def test_certificates_above_trainees_are_refused_naming_the_field(cast):
    with pytest.raises(ValidationError) as caught:
        services.create_record(
            cast.staff_a, TrainingSession, session_data(cast.zone_a, trainees=10, certificates=11)
        )
    assert "取得证书人数（11）不能多于培训人数（10）" in messages(caught.value, "certificates")
    assert not TrainingSession.objects.exists()
    assert not ChangeRecord.objects.exists()


def test_a_future_date_is_refused(cast):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.create_record(
            cast.staff_a, TalentTeam, team_data(cast.zone_a, introduced_on=tomorrow)
        )
    assert "日期不能晚于今天" in messages(caught.value, "introduced_on")
    with pytest.raises(ValidationError) as caught:
        services.create_record(
            cast.staff_a, TrainingSession, session_data(cast.zone_a, held_on=tomorrow)
        )
    assert "held_on" in caught.value.message_dict


def test_negative_money_and_empty_teams_are_refused(cast):
    with pytest.raises(ValidationError) as caught:
        services.create_record(
            cast.staff_a,
            TalentTeam,
            team_data(cast.zone_a, guidance_fund=Decimal("-1"), size=0),
        )
    assert "不能为负数" in messages(caught.value, "guidance_fund")
    assert "至少为1" in messages(caught.value, "size")


def test_a_host_enterprise_of_another_zone_is_refused(cast):
    other = EnterpriseFactory(zone=cast.zone_a2)
    with pytest.raises(ValidationError) as caught:
        services.create_record(
            cast.admin, TalentTeam, team_data(cast.zone_a, host_enterprise=other)
        )
    assert "依托企业必须属于本开发区" in messages(caught.value, "host_enterprise")
    assert not TalentTeam.objects.exists()


def test_an_entrepreneur_must_belong_to_an_enterprise_of_the_zone(cast):
    mine, theirs = EnterpriseFactory(zone=cast.zone_a), EnterpriseFactory(zone=cast.zone_b)
    data = {"zone": cast.zone_a, "name": "李明", "title": "董事长", "activity_year": 2024,
            "activities_attended": 2}  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        services.create_record(cast.staff_a, Entrepreneur, {**data, "enterprise": theirs})
    assert "所在企业必须属于本开发区" in messages(caught.value, "enterprise")
    person = services.create_record(cast.staff_a, Entrepreneur, {**data, "enterprise": mine})
    assert person.enterprise == mine


def test_a_session_centre_of_another_zone_is_refused(cast):
    centre = TrainingCentre.objects.create(
        zone=cast.zone_b, name="遵义中心", operator="学院", trades="焊工", annual_capacity=100
    )
    with pytest.raises(ValidationError) as caught:
        services.create_record(
            cast.admin, TrainingSession, session_data(cast.zone_a, centre=centre)
        )
    assert "培训中心必须属于本开发区" in messages(caught.value, "centre")


def test_training_centre_trades_are_normalised_and_required(cast):
    data = {"zone": cast.zone_a, "name": "中心", "operator": "学院", "annual_capacity": 100}
    centre = services.create_record(
        cast.staff_a, TrainingCentre, {**data, "trades": "焊工, 电工，焊工、 钳工"}
    )
    assert centre.trades == "焊工、电工、钳工"
    assert centre.trade_list == ["焊工", "电工", "钳工"]
    with pytest.raises(ValidationError) as caught:
        services.create_record(cast.staff_a, TrainingCentre, {**data, "trades": " ，、"})
    assert "请至少填写一个培训工种" in messages(caught.value, "trades")


def test_staff_cannot_create_in_another_zone(cast):
    with pytest.raises(PermissionDenied):
        services.create_record(cast.staff_a, TalentTeam, team_data(cast.zone_b))
    assert not TalentTeam.objects.exists()
    assert not ChangeRecord.objects.exists()


@pytest.mark.parametrize("who", ["viewer_a", "province", "city", "supervisor", "outsider"])
def test_read_only_roles_cannot_write(who, cast):
    user = getattr(cast, who)
    with pytest.raises(PermissionDenied):
        services.create_record(user, TalentTeam, team_data(cast.zone_a))
    team = services.create_record(cast.staff_a, TalentTeam, team_data(cast.zone_a))
    with pytest.raises(PermissionDenied):
        services.update_record(user, team, {"size": 99})
    with pytest.raises(PermissionDenied):
        services.delete_record(user, team)
    team.refresh_from_db()
    assert team.size == 8
    assert TalentTeam.objects.count() == 1


def test_moving_a_record_to_a_zone_the_user_cannot_add_to_is_refused(cast):
    cadre = services.create_record(
        cast.staff_a,
        ManagementCadre,
        {"zone": cast.zone_a, "name": "张敏", "post": "主任", "education": "master",
         "appointed_on": DAY, "training_hours": 20},
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.update_record(cast.staff_a, cadre, {"zone": cast.zone_b})
    assert ManagementCadre.objects.get(pk=cadre.pk).zone_id == cast.zone_a.pk


def test_unknown_fields_are_refused(cast):
    with pytest.raises(ValidationError):
        services.create_record(cast.staff_a, TalentTeam, team_data(cast.zone_a, secret=1))


def test_a_centre_with_sessions_cannot_be_deleted(cast):
    centre = TrainingCentre.objects.create(
        zone=cast.zone_a, name="中心", operator="学院", trades="焊工", annual_capacity=100
    )
    services.create_record(cast.staff_a, TrainingSession, session_data(cast.zone_a, centre=centre))
    with pytest.raises(ValidationError):
        services.delete_record(cast.staff_a, centre)
    assert TrainingCentre.objects.filter(pk=centre.pk).exists()
    assert not ChangeRecord.objects.filter(action="delete").exists()
