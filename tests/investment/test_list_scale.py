"""The project list and API at national scale: the capped page count, the zone filter for a
national scope, and the indexes the list's queries rely on (bench/projects_national.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from devzone.pages import CappedPaginator, apply_sort
from investment import selectors
from investment.filters import ProjectFilter
from investment.forms import zone_members
from investment.models import Project, ProjectStage
from investment.views import projects as project_views
from tests.investment.helpers import make_project
from zones.models import Zone

pytestmark = pytest.mark.django_db

POSTGRES_ONLY_INDEXES = {
    "project_since_desc",
    "project_investment_desc",
    "project_name_trgm",
    "project_code_trgm",
    "project_investor_trgm",
}
PORTABLE_INDEXES = {"milestone_open_by_project", "project_planned_investment", "project_zone_pk"}


def five_projects(cast):
    for i in range(5):
        make_project(cast.staff_a, cast.zone_a, name=f"规模测试项目{i}", lead=cast.staff_a)


def list_page(client, **params):
    response = client.get(reverse("investment:project-list"), params)
    assert response.status_code == 200
    return response


def test_above_the_cap_the_list_says_how_many_at_least_and_stops_its_pages_there(
    client_for, cast, monkeypatch
):
    five_projects(cast)
    monkeypatch.setattr(project_views, "PROJECT_COUNT_CAP", 3)
    response = list_page(client_for(cast.staff_a))
    page = response.context["page"]
    assert isinstance(page.paginator, CappedPaginator)
    assert (page.paginator.count, page.paginator.capped, len(page)) == (3, True, 3)
    assert "共 3+ 条，当前第 1–3 条，请筛选以缩小范围" in response.content.decode()


def test_at_or_below_the_cap_the_list_shows_the_exact_total(client_for, cast, monkeypatch):
    five_projects(cast)
    monkeypatch.setattr(project_views, "PROJECT_COUNT_CAP", 5)
    response = list_page(client_for(cast.staff_a))
    assert (response.context["page"].paginator.count, len(response.context["page"])) == (5, 5)
    html = response.content.decode()
    assert "共 5 条，当前第 1–5 条" in html and "5+" not in html
    # a filter brings a capped list back under the cap, with its exact total
    monkeypatch.setattr(project_views, "PROJECT_COUNT_CAP", 3)
    make_project(cast.staff_a, cast.zone_a, name="规模测试签约项目", stage=ProjectStage.SIGNED)
    filtered = list_page(client_for(cast.staff_a), stage="signed")
    assert filtered.context["page"].paginator.count == 1
    assert not filtered.context["page"].paginator.capped


def test_a_capped_list_costs_the_same_queries_as_an_exact_one(client_for, cast, monkeypatch):
    five_projects(cast)
    client = client_for(cast.staff_a)
    url = reverse("investment:project-list")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    exact = queries()
    monkeypatch.setattr(project_views, "PROJECT_COUNT_CAP", 3)
    assert queries() == exact


def test_the_api_count_stays_exact_above_the_page_cap(api_for, cast, monkeypatch):
    five_projects(cast)
    monkeypatch.setattr(project_views, "PROJECT_COUNT_CAP", 3)
    body = api_for(cast.staff_a).get("/api/v1/projects/").json()
    assert (body["count"], len(body["results"])) == (5, 5)


def test_a_national_scope_filters_by_zone_code_in_a_text_field(client_for, cast, monkeypatch):
    make_project(cast.staff_a, cast.zone_a, name="甲区项目", lead=cast.staff_a)
    make_project(cast.staff_b, cast.zone_b, name="乙区项目")
    client = client_for(cast.province)
    assert list_page(client).context["filter_fields"][1].field.widget.input_type == "select"

    monkeypatch.setattr(project_views, "ZONE_SELECT_LIMIT", 1)  # the province sees 3 zones
    response = list_page(client)
    zone_field = response.context["filter_fields"][1]
    assert zone_field.name == "zone" and zone_field.field.widget.input_type == "text"
    assert 'placeholder="开发区编码"' in response.content.decode()
    assert "测试开发区A（TZ-A）" not in response.content.decode()  # no dropdown option
    # the lead dropdown still lists the people of the zones in scope
    lead_choices = dict(response.context["filter_fields"][6].field.widget.choices)
    assert str(cast.staff_a.pk) in lead_choices and str(cast.staff_b.pk) in lead_choices
    # and the text field filters like the dropdown did
    names = [p.name for p in list_page(client, zone=cast.zone_b.code).context["page"]]
    assert names == ["乙区项目"]


def test_zone_members_takes_zone_ids_or_a_queryset_of_them(cast):
    by_ids = list(zone_members([cast.zone_a.pk]))
    by_query = list(zone_members(Zone.objects.filter(pk=cast.zone_a.pk).values("pk")))
    assert by_ids == by_query
    assert {cast.leader_a, cast.staff_a, cast.viewer_a} <= set(by_ids)
    assert cast.staff_b not in by_ids


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        return {
            name
            for table in ("investment_project", "investment_milestone")
            for name in connection.introspection.get_constraints(cursor, table)
        }


def test_the_postgresql_only_indexes_exist_on_postgresql_and_are_skipped_on_sqlite():
    names = _index_names()
    assert names >= PORTABLE_INDEXES
    if connection.vendor == "postgresql":
        assert names >= POSTGRES_ONLY_INDEXES
    else:
        assert not POSTGRES_ONLY_INDEXES & names


def _plan(queryset, *, ordered: bool = True) -> str:
    """The plan PostgreSQL picks when reading the whole table (and sorting it) is ruled out."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if ordered:
            cursor.execute("SET LOCAL enable_sort = off")
    return queryset.explain()


def _sorted_list(user, **params):
    request = RequestFactory().get("/projects/", params)
    filterset = ProjectFilter(params, queryset=selectors.projects_for(user))
    rows, _headers = apply_sort(request, filterset.qs, project_views.PROJECT_COLUMNS, "-since")
    return rows[:50]


@pytest.mark.postgres
def test_the_lists_orders_and_search_can_use_their_indexes_on_postgresql(cast):
    make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)
    assert "project_since_desc" in _plan(_sorted_list(cast.admin))
    assert "project_investment_desc" in _plan(_sorted_list(cast.admin, sort="-investment"))
    # the API's ordering (DRF adds pk) on the portable index
    api_order = Project.objects.order_by("-planned_investment", "pk")[:50]
    assert "project_planned_investment" in _plan(api_order)
    # icontains compares UPPER(column): the trigram indexes are on the same expressions
    search = ProjectFilter({"q": "测试新能源"}, queryset=Project.objects.all()).qs.order_by()
    plan = _plan(search, ordered=False)
    assert all(f"project_{name}_trgm" in plan for name in ("name", "code", "investor"))
