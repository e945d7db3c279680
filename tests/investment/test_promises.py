"""Promise versus result wired to the database: the recompute reviews producing projects
against their signing promises, stores one review per project and raises one supervision item
(承诺兑现核查) per project falling short — once, however many runs follow.

The month reviewed is January of last year, so that a production date 13 months before its
end (31 December three years ago) leaves a complete year in production (two years ago) whose
figures are the latest before the period's year; every date is in the past, as the services
require. Promises (tests.investment.helpers.PROMISES): 300 output and 20 tax per mu; the
enterprise has 10 mu.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from devzone.models import ChangeRecord
from investment import services
from investment.models import (
    ProjectStage,
    PromiseReview,
    StepKind,
    SupervisionItem,
    SupervisionSource,
)
from investment.promises import review_promises
from tests.factories import EnterpriseFactory, MembershipFactory, UserFactory, ZoneFactory
from tests.factories import prefecture as make_prefecture
from tests.investment.helpers import PROMISES, project_data
from tests.investment.supervision_helpers import raise_item
from zones.methodology import active_methodology, create_default_version, derive_version
from zones.models import EnterpriseAnnual
from zones.recompute import StepContext, month_end, recompute

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
PERIOD = datetime.date(YEAR - 1, 1, 1)
PERIOD_END = month_end(PERIOD)  # 31 January of last year
FIGURES_YEAR = YEAR - 2  # the latest year before the period's year
THIRTEEN_MONTHS = datetime.date(YEAR - 3, 12, 31)  # 13 months before PERIOD_END
ELEVEN_MONTHS = datetime.date(YEAR - 2, 2, 28)  # 11 months before PERIOD_END


@pytest.fixture
def methodology(db):
    return active_methodology() or create_default_version()


def producing_project(
    user, zone, *, since=THIRTEEN_MONTHS, output="3000", tax="100", annual=True, **extra
):
    """A project in production since ``since`` whose enterprise (10 mu) had ``output`` and
    ``tax`` (万元) in FIGURES_YEAR (nothing recorded when ``annual`` is False)."""
    enterprise = EnterpriseFactory(zone=zone, land_area_mu=Decimal("10"))
    if annual:
        EnterpriseAnnual.objects.create(
            enterprise=enterprise, year=FIGURES_YEAR, output=Decimal(output), tax=Decimal(tax)
        )
    return services.create_project(
        user,
        project_data(zone, enterprise=enterprise, **extra),
        start_stage=ProjectStage.IN_PRODUCTION,
        start_date=since,
        promises=PROMISES,
    )


def context(methodology, zone_ids=None) -> StepContext:
    return StepContext(PERIOD, PERIOD_END, methodology, zone_ids, None)


def promise_items(project=None):
    items = SupervisionItem.objects.filter(source=SupervisionSource.PROMISE)
    return items.filter(project=project) if project is not None else items


def test_a_shortfall_after_thirteen_months_raises_one_item_to_the_zone_leader(cast, methodology):
    project = producing_project(cast.staff_a, cast.zone_a, name="承诺核查电池项目")

    recompute(PERIOD)

    item = promise_items().get()
    assert item.project == project and item.zone == cast.zone_a
    assert item.assignee == cast.leader_a and item.raised_by is None
    assert item.status == "assigned" and item.get_source_display() == "承诺兑现核查"
    assert item.deadline == timezone.localdate() + datetime.timedelta(days=30)
    assert item.title == "承诺兑现核查：承诺核查电池项目"
    assert f"于{THIRTEEN_MONTHS.isoformat()}投产" in item.description
    assert "已投产13个月" in item.description
    assert f"{FIGURES_YEAR}年实际数据（企业用地10亩）" in item.description
    assert "亩均产值：承诺300万元/亩，实际300万元/亩，为承诺的100%。" in item.description
    assert "亩均税收：承诺20万元/亩，实际10万元/亩，为承诺的50%。低于60%。" in item.description
    step = item.steps.get()
    assert step.kind == StepKind.ASSIGN and step.user is None and step.to_status == "assigned"
    record = ChangeRecord.objects.get(object_id=item.pk, content_type__model="supervisionitem")
    assert record.user is None and record.action == "create" and record.zone_id == cast.zone_a.pk
    review = PromiseReview.objects.get(project=project)
    assert review.status == "shortfall" and review.item == item and review.raised_at
    assert review.months_in_production == 13 and review.detail["tax_ratio"] == "0.5"

    recompute(PERIOD)  # the nightly run again: nothing new

    assert promise_items().count() == 1
    assert PromiseReview.objects.get(project=project).item == item


def test_a_closed_follow_up_is_not_raised_again(cast, methodology):
    producing_project(cast.staff_a, cast.zone_a)
    review_promises(context(methodology))
    item = promise_items().get()
    SupervisionItem.objects.filter(pk=item.pk).delete()  # even an item removed by hand

    outcome = review_promises(context(methodology))

    assert outcome.raised == [] and not promise_items().exists()


def test_eleven_months_in_production_raises_nothing(cast, methodology):
    project = producing_project(cast.staff_a, cast.zone_a, since=ELEVEN_MONTHS)

    recompute(PERIOD)

    assert not promise_items().exists()
    review = PromiseReview.objects.get(project=project)
    assert review.status == "not_due" and review.months_in_production == 11


def test_exactly_the_minimum_share_is_not_below_it(cast, methodology):
    project = producing_project(cast.staff_a, cast.zone_a, tax="120")  # 12 per mu: 60%

    recompute(PERIOD)

    assert not promise_items().exists()
    review = PromiseReview.objects.get(project=project)
    assert review.status == "met" and review.detail["tax_ratio"] == "0.6"


def test_missing_annual_figures_raise_nothing_and_are_reported_as_missing(cast, methodology):
    project = producing_project(cast.staff_a, cast.zone_a, annual=False)

    outcome = review_promises(context(methodology))

    assert outcome.missing == [project.pk] and outcome.raised == []
    assert not promise_items().exists()
    review = PromiseReview.objects.get(project=project)
    assert review.status == "missing" and review.detail["missing"] == ["annual"]
    assert review.note == "数据缺失：落地企业没有上一年度及以前的年度产值、税收数据。"


def test_figures_of_the_period_year_are_not_used(cast, methodology):
    project = producing_project(cast.staff_a, cast.zone_a, annual=False)
    EnterpriseAnnual.objects.create(
        enterprise=project.enterprise, year=PERIOD.year, output=Decimal(1), tax=Decimal(1)
    )

    review_promises(context(methodology))

    assert PromiseReview.objects.get(project=project).status == "missing"
    assert not promise_items().exists()


def test_without_a_zone_leader_the_project_responsible_leader_takes_the_item(cast, methodology):
    responsible = UserFactory(username="t_responsible_a2")
    MembershipFactory(user=responsible, role="zone_staff", zone=cast.zone_a2)
    project = producing_project(cast.admin, cast.zone_a2, responsible_leader=responsible)

    review_promises(context(methodology))

    assert promise_items(project).get().assignee == responsible


def test_with_nobody_to_take_it_no_item_is_raised_until_a_leader_is_appointed(cast, methodology):
    project = producing_project(cast.admin, cast.zone_a2)

    outcome = review_promises(context(methodology))

    assert outcome.unassigned == [project.pk] and not promise_items().exists()
    review = PromiseReview.objects.get(project=project)
    assert review.status == "shortfall" and review.item is None and review.raised_at is None
    assert review.note == "未交办：开发区没有一把手，项目也没有本开发区的责任领导。"

    leader = UserFactory(username="t_leader_a2")
    MembershipFactory(user=leader, role="zone_leader", zone=cast.zone_a2)
    outcome = review_promises(context(methodology))

    assert promise_items(project).get().assignee == leader
    assert outcome.unassigned == [] and PromiseReview.objects.get(project=project).note == ""


def test_an_inactive_zone_leader_is_passed_over(cast, methodology):
    cast.leader_a.is_active = False
    cast.leader_a.save(update_fields=["is_active"])
    project = producing_project(cast.staff_a, cast.zone_a, responsible_leader=cast.staff_a)

    review_promises(context(methodology))

    assert promise_items(project).get().assignee == cast.staff_a


def test_the_item_is_scoped_like_any_other_item(client_for, cast, methodology):
    producing_project(cast.staff_a, cast.zone_a, name="承诺核查可见项目")
    review_promises(context(methodology))
    item = promise_items().get()
    inbox = reverse("investment:supervision-inbox")
    detail = reverse("investment:supervision-detail", args=[item.pk])

    for user in (cast.city, cast.supervisor, cast.leader_a, cast.staff_a):
        assert "承诺兑现核查：承诺核查可见项目" in client_for(user).get(inbox).content.decode()
        page = client_for(user).get(detail)
        assert page.status_code == 200
        assert "系统（承诺兑现核查）" in page.content.decode()  # the issuer of a system item
    assert "承诺核查可见项目" not in client_for(cast.staff_b).get(inbox).content.decode()
    assert client_for(cast.staff_b).get(detail).status_code == 404
    body = client_for(cast.city).get(inbox + "?source=promise").content.decode()
    assert "承诺核查可见项目" in body


def test_the_zone_leader_acknowledges_the_item_like_any_other(cast, methodology):
    producing_project(cast.staff_a, cast.zone_a)
    review_promises(context(methodology))
    item = promise_items().get()

    services.supervision_step(cast.leader_a, item, StepKind.ACKNOWLEDGE)

    item.refresh_from_db()
    assert item.status == "acknowledged"


def test_nobody_raises_a_promise_item_by_hand(cast):
    before = SupervisionItem.objects.count()
    with pytest.raises(ValidationError) as error:
        raise_item(cast.supervisor, cast.zone_a, assignee=cast.leader_a, source="promise")
    assert "由系统自动交办" in str(error.value)
    assert SupervisionItem.objects.count() == before


def test_the_minimum_months_come_from_the_methodology(cast, methodology):
    derived = derive_version(None, methodology, "promise-test")
    derived.parameters["promise"] = {"min_months_in_production": 14}
    derived.save()
    producing_project(cast.staff_a, cast.zone_a)

    review_promises(context(derived))

    assert not promise_items().exists()
    review_promises(context(methodology))
    assert promise_items().count() == 1


def test_a_version_stored_without_the_promise_section_uses_the_defaults(cast, methodology):
    derived = derive_version(None, methodology, "promise-old")
    derived.parameters.pop("promise", None)
    derived.save()
    producing_project(cast.staff_a, cast.zone_a)

    review_promises(context(derived))

    assert promise_items().count() == 1


def test_a_run_of_an_older_month_leaves_a_newer_review_alone(cast, methodology):
    project = producing_project(cast.staff_a, cast.zone_a)
    review_promises(context(methodology))
    older = StepContext(
        datetime.date(YEAR - 2, 1, 1),
        month_end(datetime.date(YEAR - 2, 1, 1)),
        methodology,
        None,
        None,
    )

    review_promises(older)

    review = PromiseReview.objects.get(project=project)
    assert review.period == PERIOD and review.status == "shortfall"


def test_a_partial_run_reviews_only_its_zones(cast, methodology):
    producing_project(cast.staff_a, cast.zone_a)
    producing_project(cast.staff_b, cast.zone_b)

    review_promises(context(methodology, [cast.zone_b.pk]))

    assert list(PromiseReview.objects.values_list("project__zone_id", flat=True)) == [
        cast.zone_b.pk
    ]


def _zones_with_a_shortfall(n: int, admin):
    zones = []
    pref = make_prefecture("贵阳市")
    for _ in range(n):
        zone = ZoneFactory(prefecture=pref)
        MembershipFactory(user=UserFactory(), role="zone_leader", zone=zone)
        producing_project(admin, zone)
        producing_project(admin, zone, tax="300")  # met
        zones.append(zone.pk)
    return zones


def test_the_step_costs_the_same_queries_for_two_zones_and_for_six(cast, methodology):
    two = _zones_with_a_shortfall(2, cast.admin)
    six = _zones_with_a_shortfall(6, cast.admin)
    ContentType.objects.get_for_model(SupervisionItem)  # cached for the process afterwards

    with CaptureQueriesContext(connection) as small:
        first = review_promises(context(methodology, two))
    with CaptureQueriesContext(connection) as large:
        second = review_promises(context(methodology, six))
    with CaptureQueriesContext(connection) as again:
        third = review_promises(context(methodology, six))

    assert len(first.raised) == 2 and len(second.raised) == 6 and third.raised == []
    # facts, stored reviews, members, upsert; claim, projects, members, items, steps, history,
    # link (and the savepoints of the review and of the raise)
    assert len(small) == len(large)
    # facts, stored reviews, upsert, the savepoint and its release
    assert len(again) == 5
