"""The leaders' dashboards in Debian's chromium, driven by Playwright, against a live server."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from investment.models import Project, ProjectStage
from tests.browser.helpers import sign_in
from tests.factories import IndicatorFactory, ensure_scoring_reference_data
from tests.investment.helpers import make_project
from zones.models import Zone, ZoneScore
from zones.recompute import previous_month, recompute

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scored(cast):
    """Three zones with output, indicators and a few projects, scored for last month."""
    ensure_scoring_reference_data()
    last_year = previous_month().year - 1
    for zone, output, projects in (
        (cast.zone_a, Decimal("2500000"), 3),
        (cast.zone_a2, Decimal("900000"), 1),
        (cast.zone_b, Decimal("400000"), 2),
    ):
        Zone.objects.filter(pk=zone.pk).update(latest_output=output, latest_output_year=last_year)
        IndicatorFactory(
            zone=zone,
            year=last_year,
            gross_industrial_output=output,
            tax_revenue=output / 20,
            fixed_asset_investment=output / 4,
        )
        for i in range(projects):
            stage = ProjectStage.SIGNED if i % 2 == 0 else ProjectStage.NEGOTIATING
            make_project(cast.admin, zone, stage=stage)
    recompute(previous_month())
    return previous_month()


def chart_values(page, chart_id: str) -> dict[str, str]:
    marks = page.locator(f"svg#{chart_id} g.dz-mark")
    return {
        marks.nth(i).get_attribute("data-label"): marks.nth(i).get_attribute("data-value")
        for i in range(marks.count())
    }


def test_province_sees_the_cockpit_and_its_chart_matches_the_api(page, live_server, cast, scored):
    sign_in(page, live_server, cast.province.username)
    page.click("#nav-cockpit")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/cockpit/")
    assert page.inner_text("#stat-zones").strip() == str(Zone.objects.count())
    assert page.locator("svg.dz-chart").count() >= 12
    for chart_id in ("stages", "quadrant", "by-type", "founding", "map", "funnel", "capacities"):
        assert page.locator(f"svg#{chart_id}").count() == 1, chart_id

    shown = chart_values(page, "stages")
    api = page.request.get(f"{live_server.url}/api/v1/cockpit/").json()
    assert shown == {row["label"]: str(row["n"]) for row in api["stages"]}
    stored = ZoneScore.objects.filter(period=scored).values_list("stage", flat=True)
    assert sum(int(v) for v in shown.values()) == len(stored) == 3
    projects = Project.objects.exclude(stage=ProjectStage.TERMINATED).count()
    assert page.inner_text("#stat-projects").strip() == str(projects)
    assert api["headline"]["projects"] == projects


def test_clicking_a_quadrant_dot_opens_that_zone(page, live_server, cast, scored):
    sign_in(page, live_server, cast.province.username)
    page.goto(f"{live_server.url}/cockpit/")
    dot = page.locator("svg#quadrant a").first
    href = dot.get_attribute("href")
    zone_pk = int(href.rstrip("/").split("/")[-2])
    dot.locator("circle, path, rect").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/zones/{zone_pk}/dashboard/")
    assert page.inner_text("#dashboard-title").strip() == Zone.objects.get(pk=zone_pk).name
    assert page.locator("svg#radar").count() == 1


def test_staff_see_only_their_zone_and_the_cockpit_is_refused(page, live_server, cast, scored):
    sign_in(page, live_server, cast.staff_a.username)
    assert page.locator("#nav-cockpit").count() == 0
    body = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    assert cast.zone_a.name in body
    assert cast.zone_b.name not in body
    response = page.goto(f"{live_server.url}/cockpit/")
    assert response.status == 403
    response = page.goto(f"{live_server.url}/zones/{cast.zone_a.pk}/dashboard/")
    assert response.status == 200
    assert page.locator("svg#radar g.dz-mark").count() > 0
    response = page.goto(f"{live_server.url}/zones/{cast.zone_b.pk}/dashboard/")
    assert response.status == 404


def test_a_chart_downloads_as_png_and_as_svg(page, live_server, cast, scored, tmp_path):
    sign_in(page, live_server, cast.province.username)
    page.goto(f"{live_server.url}/cockpit/")
    with page.expect_download() as download:
        page.click("button[data-dz-png='chart-stages']")
    png = tmp_path / "stages.png"
    download.value.save_as(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 2000
    response = page.request.get(f"{live_server.url}/cockpit/?chart=stages")
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert 'id="stages"' in response.text()


def test_staff_fix_a_project_form_error_and_the_project_is_saved(page, live_server, cast):
    sign_in(page, live_server, cast.staff_a.username)
    page.goto(f"{live_server.url}/projects/new/")
    page.fill("input[name=name]", "浏览器测试锂电池项目")
    page.fill("input[name=investor_name]", "浏览器测试投资有限公司")
    page.select_option("select[name=origin_type]", "domestic")
    page.select_option("select[name=origin_province]", label="广东省")
    page.fill("input[name=planned_investment]", "10000")
    page.fill("input[name=planned_investment_this_year]", "20000")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    assert "不能大于计划总投资" in page.inner_text("body")
    assert not Project.objects.filter(name="浏览器测试锂电池项目").exists()

    page.fill("input[name=planned_investment_this_year]", "5000")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    project = Project.objects.get(name="浏览器测试锂电池项目")
    assert project.zone == cast.zone_a
    assert page.url.endswith(f"/projects/{project.pk}/")
    assert project.created_at.date() <= datetime.date.today()
