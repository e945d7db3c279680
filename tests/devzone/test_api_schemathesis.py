"""Every API operation answers as its OpenAPI schema (/api/schema/) says, checked by schemathesis.

Zone A's staff user (the cast) calls the API with a DRF token, in a world of rows in zone A: an
enterprise, an indicator, a project with its milestone, report, supervision item, exemption and
score, one row of each talent record, a platform and a service record. Every response must be no
server error, with a status code, a content type and a body the schema documents.

The fuzzing test generates requests for every operation (positive and negative data). Path ids
are mostly drawn from the rows the user can see and the body's foreign keys from the world's
rows, so that detail routes, writes and actions reach real rows and pass the scope checks instead
of all ending in 404s and 400s. Each example runs in a savepoint rolled back afterwards: every
example starts from the same world, and a DELETE does not starve the operations after it. The
run is bounded and derandomized, so CI repeats the same requests.

Random bodies rarely pass the domain rules, so a second test sends each writable resource a
valid create, replace, partial update and delete, to check the success bodies against the schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from devzone.wsgi import application
from zones.validators import build_credit_code

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# The resource of each path (its first segment under /api/v1/) and the model of its {id}.
ROUTE_MODELS = {
    "prefectures": "zones.Prefecture",
    "zones": "zones.Zone",
    "enterprises": "zones.Enterprise",
    "indicators": "zones.ZoneIndicator",
    "projects": "investment.Project",
    "milestones": "investment.Milestone",
    "progress-reports": "investment.ProgressReport",
    "supervision-items": "investment.SupervisionItem",
    "exemptions": "investment.Exemption",
    "management-cadres": "talent.ManagementCadre",
    "entrepreneurs": "talent.Entrepreneur",
    "talent-teams": "talent.TalentTeam",
    "training-centres": "talent.TrainingCentre",
    "training-sessions": "talent.TrainingSession",
    "special-skills-placements": "talent.SpecialSkillsPlacement",
    "skill-awards": "talent.SkillAward",
    "platforms": "platforms.Platform",
    "service-records": "platforms.ServiceRecord",
}

# Primary keys of the world's rows start here: far above any sequence value a test reaches, so a
# row the API creates never collides with one of them.
BASE_PK = 900_000
MARKER = "模式测试"


@pytest.fixture
def _connection_kept_across_requests():
    """The WSGI handler closes the database connection at the start and end of each request,
    which would drop the test's transaction; Django's test client disconnects the same signal."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(cast) -> dict[str, dict[str, list]]:
    """Rows of every resource in zone A (the apps' world makers of the URL scoping walk), and
    the values zone A's staff may use: ``ids`` per resource, ``refs`` per foreign key field."""
    from tests.factories import EnterpriseFactory, IndicatorFactory
    from tests.investment.world import make_rows as investment_rows
    from tests.platforms.world import make_rows as platform_rows
    from tests.talent.world import make_rows as talent_rows

    zone = cast.zone_a
    EnterpriseFactory(pk=BASE_PK + 1, zone=zone, name=f"{MARKER}企业有限公司")
    IndicatorFactory(pk=BASE_PK + 2, zone=zone, year=2024)
    investment_rows(zone, BASE_PK + 20, MARKER)
    talent_rows(zone, BASE_PK + 40, MARKER)
    platform_rows(zone, BASE_PK + 60, MARKER)
    return {"ids": _visible_ids(cast.staff_a), "refs": _references(cast.zone_a)}


def _visible_ids(user) -> dict[str, list[int]]:
    from django.apps import apps

    ids = {}
    for resource, label in ROUTE_MODELS.items():
        model = apps.get_model(label)
        ids[resource] = sorted(model.objects.for_user(user, "view").values_list("pk", flat=True))
        assert ids[resource], f"the world has no {resource} row zone A's staff can see"
    return ids


def _references(zone) -> dict[str, list]:
    """Values for the foreign keys of request bodies, keyed by field name."""
    from investment.models import Milestone, Project, SupervisionItem
    from platforms.models import Platform
    from talent.models import TrainingCentre
    from zones.models import Enterprise

    def ids(model) -> list[int]:
        return sorted(model.objects.filter(pk__gte=BASE_PK).values_list("pk", flat=True))

    enterprises = ids(Enterprise)
    people = sorted(zone.memberships.values_list("user_id", flat=True))
    return {
        "zone": [zone.pk],
        "enterprise": enterprises,
        "host_enterprise": enterprises,
        "project": ids(Project),
        "milestone": ids(Milestone),
        "item": ids(SupervisionItem),
        "platform": ids(Platform),
        "centre": ids(TrainingCentre),
        "owner": people,
        "lead": people,
        "responsible_leader": people,
        "assignee": people,
        "industry": ["aluminium"],
        "origin_province": ["520000"],
    }


def _resource_of(path: str) -> str:
    return path.removeprefix("/api/v1/").split("/", 1)[0]


@pytest.fixture
def token(cast) -> str:
    return Token.objects.create(user=cast.staff_a).key


@pytest.fixture
def api_schema(world, _connection_kept_across_requests):
    """The schema as the app serves it, with the world's ids offered for ids and foreign keys."""
    config = schemathesis.Config.from_dict(
        {
            "generation": {
                # The token is sent with every request; generated credentials would only show
                # that a wrong token is refused, which tests/devzone/test_api_auth.py does.
                "with-security-parameters": False,
            },
            # The coverage phase sends hundreds of boundary cases per operation (over ten minutes
            # for the API); the fuzzing phase's bounded examples keep the run to minutes.
            "phases": {"coverage": {"enabled": False}},
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=config)

    @schema.hook
    def before_generate_path_parameters(context, strategy):
        operation = context.operation
        if operation is None or "{id}" not in operation.path:
            return strategy
        ids = world["ids"][_resource_of(operation.path)]
        real = st.sampled_from(ids).map(lambda pk: {"id": pk})
        # Most cases on a real row: a generated integer is nearly always a 404.
        return st.integers(0, 3).flatmap(lambda n: strategy if n == 0 else real)

    @schema.hook
    def flatmap_body(context, body):
        if not isinstance(body, dict):
            return st.just(body)
        refs = world["refs"]
        keys = [key for key in body if key in refs]
        if not keys:
            return st.just(body)
        picked = st.fixed_dictionaries(
            {key: st.sampled_from([*refs[key], body[key]]) for key in keys}
        )
        return picked.map(lambda values: {**body, **values})

    return schema


def _call_and_validate(case, token: str):
    """One request in a savepoint rolled back afterwards, its response checked against the
    schema (a failing check raises with the request to reproduce it)."""
    with transaction.atomic():
        response = case.call_and_validate(
            headers={"Authorization": f"Token {token}"}, checks=CHECKS
        )
        transaction.set_rollback(True)
    return response


lazy_schema = schemathesis.pytest.from_fixture("api_schema")


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@lazy_schema.parametrize()
def test_every_operation_answers_as_its_schema_says(case, token):
    _call_and_validate(case, token)


# --- valid writes ---------------------------------------------------------------------------


def _days_ago(days: int) -> str:
    return str(timezone.localdate() - timezone.timedelta(days=days))


def _in_days(days: int) -> str:
    return str(timezone.localdate() + timezone.timedelta(days=days))


# A valid body for each writable resource: ``world`` → (create/replace body, partial update).
VALID_WRITES: dict[str, Callable[[dict], tuple[dict, dict]]] = {
    "enterprises": lambda w: (
        {"zone": w["zone"][0], "name": f"{MARKER}新铝材有限公司",
         "credit_code": build_credit_code("520100", 990_001), "industry": "aluminium",
         "chain_position": "midstream", "land_area_mu": 120.5, "above_designated_size": True},
        {"land_area_mu": 80},
    ),
    "indicators": lambda w: (
        {"zone": w["zone"][0], "period_kind": "year", "year": 2020, "tax_revenue": 10},
        {"gross_industrial_output": 1000},
    ),
    "projects": lambda w: (
        {"zone": w["zone"][0], "name": f"{MARKER}新项目", "investor_name": "接口投资有限公司",
         "origin_type": "foreign", "origin_country": "新加坡", "promotion_mode": "intermediary",
         "planned_investment": 20000, "planned_investment_this_year": 2000,
         "industry": "aluminium", "lead": w["lead"][0]},
        {"blocking_problems": "用地指标待落实"},
    ),
    "milestones": lambda w: (
        {"project": w["project"][0], "title": f"{MARKER}完成环评", "planned_date": _in_days(60)},
        {"note": "已提交材料"},
    ),
    "progress-reports": lambda w: (
        {"project": w["project"][0], "year": timezone.localdate().year,
         "month": timezone.localdate().month, "investment_this_month": 5,
         "progress": f"{MARKER}主体施工"},
        {"problems": "雨季影响工期"},
    ),
    "management-cadres": lambda w: (
        {"zone": w["zone"][0], "name": "王强", "post": "招商局局长", "education": "master",
         "appointed_on": "2023-03-01", "training_hours": 24},
        {"training_hours": 40},
    ),
    "entrepreneurs": lambda w: (
        {"zone": w["zone"][0], "name": "李明", "enterprise": w["enterprise"][0],
         "title": "总经理", "activity_year": 2024, "activities_attended": 2},
        {"activities_attended": 3},
    ),
    "talent-teams": lambda w: (
        {"zone": w["zone"][0], "name": f"{MARKER}团队", "leader": "周杰", "field": "电子信息",
         "size": 6, "host_enterprise": w["enterprise"][0], "introduced_on": "2024-05-01",
         "guidance_fund": 300, "venture_capital": 1200.5, "serves_leading_industry": True},
        {"size": 7},
    ),
    "training-centres": lambda w: (
        {"zone": w["zone"][0], "name": f"{MARKER}实训基地", "operator": "职业技术学院",
         "trades": "焊工、电工", "annual_capacity": 200},
        {"annual_capacity": 250},
    ),
    "training-sessions": lambda w: (
        {"zone": w["zone"][0], "centre": w["centre"][0], "trade": "焊工",
         "held_on": "2024-05-02", "trainees": 20, "certificates": 18},
        {"certificates": 19},
    ),
    "special-skills-placements": lambda w: (
        {"zone": w["zone"][0], "name": "赵刚", "trade": "钳工", "year": 2024},
        {"trade": "车工"},
    ),
    "skill-awards": lambda w: (
        {"zone": w["zone"][0], "name": "陈红", "award": "技能大赛一等奖", "level": "provincial",
         "awarded_on": "2024-06-01", "amount": 2},
        {"amount": 3},
    ),
    "platforms": lambda w: (
        {"zone": w["zone"][0], "name": f"{MARKER}铝产业研究院", "kind": "iur",
         "sub_kind": "industry_research_institute", "operator_type": "university",
         "level": "national", "established_on": "2019-09-01", "status": "operating",
         "serves_leading_industry": True},
        {"description": "产学研合作"},
    ),
    "service-records": lambda w: (
        {"platform": w["platform"][0], "enterprise": w["enterprise"][-1], "category": "testing",
         "service_type": "出厂检测", "served_on": _days_ago(10), "outcome": "取得检测报告"},
        {"outcome": "取得检测报告并整改"},
    ),
}  # fmt: skip


@pytest.fixture
def send(api_schema, token) -> Callable[..., Any]:
    """Send one request of an operation with given data; the response is checked as above."""

    def call(method: str, path: str, **data: Any):
        if "body" in data:
            data["media_type"] = "application/json"
        case = api_schema[path][method].Case(**data)
        return case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)

    return call


@pytest.mark.parametrize("resource", sorted(VALID_WRITES))
def test_valid_writes_answer_with_the_bodies_the_schema_documents(resource, world, send):
    body, change = VALID_WRITES[resource](world["refs"])
    collection, detail = f"/api/v1/{resource}/", f"/api/v1/{resource}/{{id}}/"

    created = send("POST", collection, body=body)
    assert created.status_code == 201, created.text
    row = {"id": created.json()["id"]}
    replaced = send("PUT", detail, path_parameters=row, body=body)
    assert replaced.status_code == 200, replaced.text
    changed = send("PATCH", detail, path_parameters=row, body=change)
    assert changed.status_code == 200, changed.text
    assert {key: changed.json()[key] for key in change} == change
    assert send("GET", detail, path_parameters=row).json() == changed.json()
    assert send("DELETE", detail, path_parameters=row).status_code == 204
    assert send("GET", detail, path_parameters=row).status_code == 404


def test_valid_actions_answer_with_the_bodies_the_schema_documents(world, send):
    project = {"id": world["refs"]["project"][0]}
    item = {"id": world["refs"]["item"][0]}

    moved = send(
        "POST",
        "/api/v1/projects/{id}/transition/",
        path_parameters=project,
        body={"to_stage": "terminated", "date": _days_ago(0), "reason": "投资方撤资"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["stage"] == "terminated"
    acknowledged = send(
        "POST",
        "/api/v1/supervision-items/{id}/step/",
        path_parameters=item,
        body={"step": "acknowledge", "note": "已签收"},
    )
    assert acknowledged.status_code == 200, acknowledged.text
    assert acknowledged.json()["steps"][-1]["kind"] == "acknowledge"


# --- defects the fuzzing found, pinned ----------------------------------------------------------


def test_an_id_that_is_no_integer_is_the_apis_json_404(send):
    response = send("GET", "/api/v1/enterprises/{id}/", path_parameters={"id": "0.5"})
    assert response.status_code == 404
    assert response.headers["content-type"][0].startswith("application/json")


def test_an_accountability_period_in_year_zero_is_a_400(send):
    response = send("GET", "/api/v1/accountability/", query={"period": "0000-01"})
    assert response.status_code == 400
    assert "period" in response.json()
