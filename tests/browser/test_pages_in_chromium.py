"""The pages as a person uses them, in Debian's chromium driven by Playwright."""

from __future__ import annotations

import pytest

from tests.browser.helpers import sign_in
from tests.factories import EnterpriseFactory
from zones.models import Enterprise
from zones.validators import build_credit_code

# Transactional: the live server runs in another thread. The factories reload the migrations'
# reference rows after each flush (tests/factories.py).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_zone_staff_signs_in_and_sees_only_their_zone(page, live_server, cast):
    sign_in(page, live_server, cast.staff_a.username)
    page.goto(f"{live_server.url}/zones/")
    table = page.inner_text("table")
    assert cast.zone_a.name in table
    assert cast.zone_b.name not in table
    response = page.goto(f"{live_server.url}/zones/{cast.zone_b.pk}/")
    assert response.status == 404


def test_provincial_leader_sees_every_zone(page, live_server, cast):
    sign_in(page, live_server, cast.province.username)
    page.goto(f"{live_server.url}/zones/")
    table = page.inner_text("table")
    for zone in (cast.zone_a, cast.zone_a2, cast.zone_b):
        assert zone.name in table


def test_staff_fixes_a_wrong_credit_code_and_the_enterprise_is_saved_once(page, live_server, cast):
    sign_in(page, live_server, cast.staff_a.username)
    page.goto(f"{live_server.url}/enterprises/new/")
    good = build_credit_code("520100", 777)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    page.fill("input[name=name]", "浏览器测试企业有限公司")
    page.fill("input[name=credit_code]", bad)
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    assert "校验位错误" in page.inner_text("body")
    assert not Enterprise.objects.filter(name="浏览器测试企业有限公司").exists()

    page.fill("input[name=credit_code]", good)
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    saved = Enterprise.objects.get(name="浏览器测试企业有限公司")
    assert saved.zone == cast.zone_a
    assert saved.credit_code == good


def test_viewer_has_no_edit_buttons_and_cannot_open_the_form(page, live_server, cast):
    enterprise = EnterpriseFactory(zone=cast.zone_a)
    sign_in(page, live_server, cast.viewer_a.username)
    page.goto(f"{live_server.url}/enterprises/{enterprise.pk}/")
    assert enterprise.name in page.inner_text("body")
    assert page.locator(f"a[href='/enterprises/{enterprise.pk}/edit/']").count() == 0
    response = page.goto(f"{live_server.url}/enterprises/{enterprise.pk}/edit/")
    assert response.status == 404


def test_the_page_loads_no_asset_from_outside_this_server(page, live_server, cast):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, live_server, cast.province.username)
    page.goto(f"{live_server.url}/zones/")
    page.wait_for_load_state("networkidle")
    assert requested
    assert all(url.startswith(live_server.url) for url in requested), requested
    css = page.evaluate(
        "getComputedStyle(document.querySelector('.navbar')).getPropertyValue('display')"
    )
    assert css == "flex"  # Bootstrap's stylesheet was served locally and applied


@pytest.mark.parametrize("width", [1280, 1920])
def test_an_administrators_menu_fits_one_row_and_no_label_breaks(page, live_server, cast, width):
    """At a laptop's 1280 px the longest menu (an administrator's) is one row of whole labels;
    a label broken across two lines ("开 / 发区") is what this guards against."""
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, cast.admin.username)
    page.goto(f"{live_server.url}/zones/")
    links = page.eval_on_selector_all(
        ".dz-navbar .nav-link",
        """els => els.map(e => {
            const box = e.getBoundingClientRect();
            const line = parseFloat(getComputedStyle(e).lineHeight);
            return {text: e.textContent.trim(), top: Math.round(box.top),
                    lines: Math.round((e.clientHeight - parseFloat(getComputedStyle(e).paddingTop)
                                       - parseFloat(getComputedStyle(e).paddingBottom)) / line)};
        })""",
    )
    assert len(links) >= 12, links
    assert {link["lines"] for link in links} == {1}, links
    assert len({link["top"] for link in links}) == 1, links
    icon = page.locator("link[rel=icon]").get_attribute("href")
    response = page.request.get(f"{live_server.url}{icon}")
    assert response.status == 200 and response.headers["content-type"] == "image/svg+xml"
