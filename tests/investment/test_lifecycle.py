"""The project stage lifecycle: every rule of ``investment.services.transition``."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from devzone.models import ChangeRecord
from investment import services
from investment.models import Project, ProjectStage, SigningPromise, StageTransition
from tests.factories import EnterpriseFactory, MembershipFactory, UserFactory
from tests.investment.helpers import PROMISES, days_ago, make_project, project_data

pytestmark = pytest.mark.django_db


def messages_of(error: ValidationError) -> str:
    return " ".join(m for ms in error.message_dict.values() for m in ms)


def test_creating_a_project_records_its_first_transition_and_history(cast):
    project = services.create_project(cast.staff_a, project_data(cast.zone_a))
    assert project.stage == ProjectStage.LEAD
    first = project.transitions.get()
    assert (first.from_stage, first.to_stage, first.user) == ("", ProjectStage.LEAD, cast.staff_a)
    assert ChangeRecord.objects.filter(object_id=project.pk, action="create").exists()


def test_project_codes_are_generated_unique_and_stable(cast):
    year = datetime.date.today().year
    a = services.create_project(cast.staff_a, project_data(cast.zone_a))
    b = services.create_project(cast.staff_a, project_data(cast.zone_a))
    assert a.code == f"XM-TZ-A-{year}-0001"
    assert b.code == f"XM-TZ-A-{year}-0002"
    services.update_project(cast.staff_a, a, {"name": "改名后的项目"})
    a.refresh_from_db()
    assert a.code == f"XM-TZ-A-{year}-0001"
    services.delete_project(cast.staff_a, b)
    d = services.create_project(cast.staff_a, project_data(cast.zone_a))
    assert d.code == f"XM-TZ-A-{year}-0003", "a deleted project's number is never reused"


@pytest.mark.postgres
def test_codes_stay_unique_when_projects_are_created_at_once(transactional_db):
    from tests.factories import ZoneFactory

    zone = ZoneFactory(code="TZ-RACE")
    staff = UserFactory(username="t_race_staff")
    MembershipFactory(user=staff, role="zone_staff", zone=zone)
    barrier = threading.Barrier(5)
    outcomes: list[object] = []

    def create():
        try:
            barrier.wait(timeout=10)
            outcomes.append(services.create_project(staff, project_data(zone)).code)
        except Exception as exc:  # the outcome under test
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(o, str) for o in outcomes), outcomes
    assert len(set(outcomes)) == 5


def test_moving_to_the_next_stage_needs_no_reason(cast):
    project = make_project(cast.staff_a, cast.zone_a)
    row = services.transition(
        cast.staff_a, project, ProjectStage.NEGOTIATING, days_ago(1), "见面洽谈"
    )
    project.refresh_from_db()
    assert project.stage == ProjectStage.NEGOTIATING
    assert (row.from_stage, row.to_stage, row.note) == ("lead", "negotiating", "见面洽谈")
    assert project.stage_since == days_ago(1)


def test_skipping_a_stage_needs_a_reason(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)
    with pytest.raises(ValidationError) as error:
        services.transition(cast.staff_a, project, ProjectStage.STARTED, days_ago(1))
    assert "跨阶段" in messages_of(error.value)
    assert "reason" in error.value.message_dict
    project.refresh_from_db()
    assert project.stage == ProjectStage.SIGNED
    services.transition(
        cast.staff_a, project, ProjectStage.STARTED, days_ago(1), reason="注册与开工同步办理"
    )
    project.refresh_from_db()
    assert project.stage == ProjectStage.STARTED


def test_moving_backwards_needs_a_reason(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.NEGOTIATING)
    count = StageTransition.objects.count()
    with pytest.raises(ValidationError) as error:
        services.transition(cast.staff_a, project, ProjectStage.LEAD, days_ago(1))
    assert "退回" in messages_of(error.value)
    assert StageTransition.objects.count() == count
    services.transition(cast.staff_a, project, ProjectStage.LEAD, days_ago(1), reason="投资方暂缓")
    project.refresh_from_db()
    assert project.stage == ProjectStage.LEAD


def test_terminating_needs_a_reason_from_any_stage(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.REGISTERED)
    with pytest.raises(ValidationError) as error:
        services.transition(cast.staff_a, project, ProjectStage.TERMINATED, days_ago(1))
    assert "终止原因" in messages_of(error.value)
    services.transition(
        cast.staff_a, project, ProjectStage.TERMINATED, days_ago(1), reason="资金链断裂"
    )
    project.refresh_from_db()
    assert (project.stage, project.terminated_reason) == ("terminated", "资金链断裂")


def test_a_terminated_project_is_reopened_only_with_a_reason(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.NEGOTIATING)
    services.transition(cast.staff_a, project, ProjectStage.TERMINATED, days_ago(5), reason="暂停")
    with pytest.raises(ValidationError) as error:
        services.transition(cast.staff_a, project, ProjectStage.NEGOTIATING, days_ago(1))
    assert "重新启动" in messages_of(error.value)
    services.transition(
        cast.staff_a, project, ProjectStage.NEGOTIATING, days_ago(1), reason="投资方恢复洽谈"
    )
    project.refresh_from_db()
    assert (project.stage, project.terminated_reason) == ("negotiating", "")


def test_signing_requires_every_promised_figure(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.NEGOTIATING)
    with pytest.raises(ValidationError) as error:
        services.transition(cast.staff_a, project, ProjectStage.SIGNED, days_ago(1))
    assert set(error.value.message_dict) == set(PROMISES)
    partial = dict(PROMISES, tax_per_mu=None)
    with pytest.raises(ValidationError) as error:
        services.transition(
            cast.staff_a, project, ProjectStage.SIGNED, days_ago(1), promises=partial
        )
    assert "承诺亩均税收" in messages_of(error.value)
    backwards = dict(PROMISES, planned_production_date=datetime.date(2025, 1, 1))
    with pytest.raises(ValidationError):
        services.transition(
            cast.staff_a, project, ProjectStage.SIGNED, days_ago(1), promises=backwards
        )
    assert not SigningPromise.objects.exists()
    row = services.transition(
        cast.staff_a, project, ProjectStage.SIGNED, days_ago(1), promises=PROMISES
    )
    assert row.promise.investment == PROMISES["investment"]
    assert row.promise.output_per_mu == PROMISES["output_per_mu"]


def test_skipping_past_signing_without_promises_on_file_requires_them(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.NEGOTIATING)
    with pytest.raises(ValidationError) as error:
        services.transition(
            cast.staff_a, project, ProjectStage.REGISTERED, days_ago(1), reason="补录"
        )
    assert "investment" in error.value.message_dict


def test_the_transition_date_may_not_be_in_the_future(cast):
    project = make_project(cast.staff_a, cast.zone_a)
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as error:
        services.transition(cast.staff_a, project, ProjectStage.NEGOTIATING, tomorrow)
    assert "不能晚于今天" in messages_of(error.value)


def test_the_transition_date_may_not_precede_the_previous_one(cast):
    project = make_project(cast.staff_a, cast.zone_a, start=30)
    with pytest.raises(ValidationError) as error:
        services.transition(cast.staff_a, project, ProjectStage.NEGOTIATING, days_ago(40))
    assert "不能早于上一次阶段变更" in messages_of(error.value)
    project.refresh_from_db()
    assert project.stage == ProjectStage.LEAD


def test_moving_to_the_current_stage_is_refused(cast):
    project = make_project(cast.staff_a, cast.zone_a)
    with pytest.raises(ValidationError):
        services.transition(cast.staff_a, project, ProjectStage.LEAD, days_ago(1))


def test_registration_may_link_an_enterprise_of_the_same_zone_only(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)
    foreign = EnterpriseFactory(zone=cast.zone_b)
    with pytest.raises(ValidationError) as error:
        services.transition(
            cast.staff_a, project, ProjectStage.REGISTERED, days_ago(1), enterprise=foreign
        )
    assert "enterprise" in error.value.message_dict
    own = EnterpriseFactory(zone=cast.zone_a)
    services.transition(cast.staff_a, project, ProjectStage.REGISTERED, days_ago(1), enterprise=own)
    project.refresh_from_db()
    assert project.enterprise == own


def test_stage_durations_are_derived_from_the_transitions(cast):
    project = services.create_project(
        cast.staff_a, project_data(cast.zone_a), start_date=days_ago(100)
    )
    services.transition(cast.staff_a, project, ProjectStage.NEGOTIATING, days_ago(70))
    services.transition(cast.staff_a, project, ProjectStage.SIGNED, days_ago(20), promises=PROMISES)
    services.transition(
        cast.staff_a, project, ProjectStage.NEGOTIATING, days_ago(10), reason="重谈"
    )
    durations = {row["stage"]: row["days"] for row in services.stage_durations(project)}
    assert durations == {"lead": 30, "negotiating": 50 + 10, "signed": 10}
    current = [row for row in services.stage_durations(project) if row["current"]]
    assert [row["stage"] for row in current] == ["negotiating"]


def test_viewers_supervisors_and_other_zones_cannot_transition(cast):
    project = make_project(cast.staff_a, cast.zone_a)
    for user in (cast.viewer_a, cast.province, cast.supervisor, cast.city, cast.staff_b):
        with pytest.raises(PermissionDenied):
            services.transition(user, project, ProjectStage.NEGOTIATING, days_ago(1))
    project.refresh_from_db()
    assert project.stage == ProjectStage.LEAD
    assert project.transitions.count() == 1


def test_staff_cannot_create_a_project_in_another_zone(cast):
    with pytest.raises(PermissionDenied):
        services.create_project(cast.staff_a, project_data(cast.zone_b))
    for user in (cast.viewer_a, cast.city, cast.province, cast.supervisor):
        with pytest.raises(PermissionDenied):
            services.create_project(user, project_data(cast.zone_a))
    assert not Project.objects.exists()


def test_the_lead_and_leader_must_belong_to_the_projects_zone(cast):
    with pytest.raises(ValidationError) as error:
        services.create_project(
            cast.staff_a, project_data(cast.zone_a, lead=cast.staff_b, responsible_leader=cast.city)
        )
    assert {"lead", "responsible_leader"} <= set(error.value.message_dict)
    assert "不是本开发区的人员" in messages_of(error.value)
    project = services.create_project(
        cast.staff_a,
        project_data(cast.zone_a, lead=cast.staff_a, responsible_leader=cast.leader_a),
    )
    assert project.lead == cast.staff_a
    stranger = UserFactory()
    MembershipFactory(user=stranger, role="zone_staff", zone=cast.zone_b)
    with pytest.raises(ValidationError):
        services.update_project(cast.staff_a, project, {"lead": stranger})
    project.refresh_from_db()
    assert project.lead == cast.staff_a


def test_origin_and_investment_figures_are_validated_in_chinese(cast):
    with pytest.raises(ValidationError) as error:
        services.create_project(
            cast.staff_a,
            project_data(
                cast.zone_a,
                origin_type="foreign",
                planned_investment_this_year=60000,
            ),
        )
    fields = error.value.message_dict
    assert "本年计划投资不能大于计划总投资" in " ".join(fields["planned_investment_this_year"])
    assert "origin_country" in fields and "origin_province" in fields
    with pytest.raises(ValidationError) as error:
        services.create_project(cast.staff_a, project_data(cast.zone_a, planned_investment=-1))
    assert "不能为负数" in messages_of(error.value)
    assert not Project.objects.exists()


def test_a_project_may_start_at_a_later_stage_with_its_promises(cast):
    with pytest.raises(ValidationError):
        services.create_project(
            cast.staff_a, project_data(cast.zone_a), start_stage=ProjectStage.STARTED
        )
    assert not Project.objects.exists()
    project = services.create_project(
        cast.staff_a,
        project_data(cast.zone_a),
        start_stage=ProjectStage.STARTED,
        start_date=days_ago(3),
        promises=PROMISES,
    )
    assert project.stage == ProjectStage.STARTED
    assert project.promises.count() == 1


def test_the_zone_of_a_project_cannot_be_changed(cast):
    project = make_project(cast.staff_a, cast.zone_a)
    with pytest.raises(ValidationError):
        services.update_project(cast.staff_a, project, {"zone": cast.zone_a2})
    project.refresh_from_db()
    assert project.zone == cast.zone_a


def test_every_transition_is_recorded_in_the_history(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)
    notes = list(
        ChangeRecord.objects.filter(object_id=project.pk, action="transition")
        .order_by("pk")
        .values_list("note", flat=True)
    )
    assert notes == ["阶段：线索 → 洽谈", "阶段：洽谈 → 签约"]
