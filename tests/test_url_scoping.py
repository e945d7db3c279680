"""Every URL of the project, tried by each role of the cast against a zone outside its scope.

The list of URLs is generated from the URL configuration, so a view added later is covered
without anyone remembering to add it here: a pattern this walk does not know how to fill fails
the test until it is taught (or exempted with a reason).

For each (user, foreign zone) pair:
- every list-like URL (no arguments) read by the user shows nothing of the foreign zone (HTML,
  JSON and XLSX bodies are searched for the zone's marker text);
- every URL with a ``pk`` is requested with the primary keys of the foreign zone's objects: GET,
  POST, PUT, PATCH and DELETE all answer 404 (or 405 where the method does not exist), and the
  foreign zone's rows are unchanged afterwards;
- every list URL that accepts POST, given the foreign zone's id, creates nothing there.
A positive control makes sure the 404s are not vacuous: the foreign zone's own staff can GET at
least one of those pk URLs.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import EnterpriseFactory, IndicatorFactory
from zones.models import Enterprise, Prefecture, Zone, ZoneIndicator

pytestmark = pytest.mark.django_db

# Patterns that hold no zone data, each with the reason it needs no scoping.
EXEMPT_PREFIXES = {
    "admin/": "Django admin: administrators only (tests/zones/test_admin.py)",
    "api/schema/": "OpenAPI schema: describes the API, holds no rows",
    "api/docs/": "Swagger UI page: static",
    "api/v1/auth/token/": "token endpoint: holds no zone data (tests/devzone/test_api_auth.py)",
    "healthz": "health check: service state only",
    "i18n/": "language switch",
    "accounts/login/": "login form",
    "accounts/logout/": "logout",
}


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def project_routes():
    routes = []
    for route, pattern in walk(get_resolver().url_patterns):
        if any(route.startswith(p) for p in EXEMPT_PREFIXES):
            continue
        routes.append((route, pattern))
    return routes


def fill(route: str, pk: int | None) -> str:
    """A concrete URL for a route: ``pk`` in both path-converter and DRF-regex forms."""
    import re

    value = "" if pk is None else str(pk)
    url = re.sub(r"\(\?P<pk>[^)]*\)", value, route).replace("<int:pk>", value)
    return "/" + url.replace("^", "").replace("$", "")


def route_args(route: str) -> set[str]:
    import re

    names = set(re.findall(r"<(?:\w+:)?(\w+)>", route)) | set(re.findall(r"\(\?P<(\w+)>", route))
    return names


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":  # an XLSX workbook
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return content.decode("utf-8", errors="replace")


def _move_zone(zone: Zone, pk: int) -> Zone:
    """Give a cast zone a primary key of its own range, memberships included."""
    from zones.models import Membership

    moved = Zone.objects.get(pk=zone.pk)
    old_pk, moved.pk, moved.code = moved.pk, pk, f"{zone.code}-W"
    moved.name = f"{zone.name}-W"
    moved.save(force_insert=True)
    Membership.objects.filter(zone_id=old_pk).update(zone=moved)
    Zone.objects.filter(pk=old_pk).delete()
    return moved


# Each app's tests may add rows to the foreign zones through ``tests/<app>/world.py``, which
# defines ``make_rows(zone, base_pk, marker) -> list[Model]`` (rows of that app in ``zone``, with
# primary keys in ``base_pk + OFFSET[app] + 0..19`` and ``marker`` in a visible text field).
# The walk then tries those pks on every URL as well.
OFFSET = {"zones": 1, "investment": 20, "talent": 40, "platforms": 60}


def app_world_makers():
    import importlib
    from pathlib import Path

    makers = []
    for app, offset in OFFSET.items():
        if app == "zones" or not (Path(__file__).parent / app / "world.py").exists():
            continue
        makers.append((offset, importlib.import_module(f"tests.{app}.world").make_rows))
    return makers


def _report_rows(zone, marker: str) -> list:
    """The zone's monthly report (pk zone.pk + 3, a small PDF naming the marker) and one
    delivery of it (pk zone.pk + 4)."""
    import datetime

    from django.core.files.base import ContentFile

    from zones.methodology import active_methodology
    from zones.models import Report, ReportDelivery, ReportStatus, scope_key

    report = Report(
        pk=zone.pk + 3,
        kind="zone",
        scope_key=scope_key("zone", zone.pk),
        zone=zone,
        prefecture=zone.prefecture,
        province=zone.prefecture.province,
        period=datetime.date(2026, 1, 1),
        methodology=active_methodology(),
        status=ReportStatus.DONE,
        figures={"narrative": [marker]},
    )
    content = b"%PDF-1.4\n%" + marker.encode() + b"\ntrailer\n<<>>\n%%EOF\n"
    report.file.save("report.pdf", ContentFile(content), save=False)
    report.size = len(content)
    report.save(force_insert=True)
    delivery = ReportDelivery.objects.create(
        pk=zone.pk + 4, report=report, email=f"{zone.pk}@example.test", reason=marker
    )
    return [report, delivery]


@pytest.fixture
def world(cast):
    """Marker rows in zones A and B, with primary keys in ranges no other row shares.

    Zones and every app's rows get pks from separate high ranges, so a pk of the foreign zone's
    rows can never be the pk of a row the user may see (prefectures keep their small pks).
    """
    cast.zone_a = _move_zone(cast.zone_a, 100_000)
    cast.zone_b = _move_zone(cast.zone_b, 200_000)
    cast.zone_a2 = _move_zone(cast.zone_a2, 300_000)
    rows: dict[str, list] = {"A": [], "B": []}
    for key, zone, marker in (("A", cast.zone_a, "泄露标记A"), ("B", cast.zone_b, "泄露标记B")):
        Zone.objects.filter(pk=zone.pk).update(name=f"{marker}开发区")
        zone.refresh_from_db()
        rows[key].append(EnterpriseFactory(pk=zone.pk + 1, zone=zone, name=f"{marker}企业有限公司"))
        rows[key].append(
            IndicatorFactory(pk=zone.pk + 2, zone=zone, year=2024, tax_revenue=Decimal("98765.43"))
        )
        rows[key] += _report_rows(zone, marker)
        for offset, make_rows in app_world_makers():
            rows[key] += make_rows(zone, zone.pk + offset, marker)
    return {
        "A": {"zone": cast.zone_a, "marker": "泄露标记A", "owner": cast.staff_a, "rows": rows["A"]},
        "B": {"zone": cast.zone_b, "marker": "泄露标记B", "owner": cast.staff_b, "rows": rows["B"]},
    }


def foreign_pks(foreign: dict) -> list[int]:
    zone = foreign["zone"]
    return sorted({zone.pk, zone.prefecture_id, *(row.pk for row in foreign["rows"])})


def visible_pks(user, models) -> set[int]:
    pks: set[int] = set()
    for model in models:
        pks |= set(model.objects.for_user(user, "view").values_list("pk", flat=True))
    return pks


def snapshot(foreign: dict) -> dict[str, object]:
    """Every row of the foreign zone (zone, enterprises, indicators, each app's rows)."""
    zone = foreign["zone"]
    state = {
        "zone": Zone.objects.filter(pk=zone.pk).values().first(),
        "enterprises": sorted(map(str, Enterprise.objects.filter(zone=zone).values())),
        "indicators": sorted(map(str, ZoneIndicator.objects.filter(zone=zone).values())),
    }
    for row in foreign["rows"]:
        model = type(row)
        state[f"{model._meta.label}:{row.pk}"] = model.objects.filter(pk=row.pk).values().first()
    return state


# (member of the cast, the zone outside their scope)
PAIRS = [
    ("staff_b", "A"),
    ("outsider", "A"),
    ("staff_a", "B"),
    ("leader_a", "B"),
    ("viewer_a", "B"),
    ("city", "B"),
]


@pytest.mark.parametrize(("who", "target"), PAIRS)
def test_no_role_reaches_another_zones_rows_through_any_url(who, target, cast, world, client):
    user = getattr(cast, who)
    foreign = world[target]
    zone = foreign["zone"]
    pks = foreign_pks(foreign)
    models = {Zone, Enterprise, ZoneIndicator, Prefecture, *(type(r) for r in foreign["rows"])}
    assert not set(pks) & visible_pks(user, models), "test setup: a foreign pk is also visible"
    before = snapshot(foreign)
    client.force_login(user)

    unknown = []
    for route, _pattern in project_routes():
        args = route_args(route)
        if args - {"pk"}:
            unknown.append(route)
            continue
        if not args:
            url = fill(route, None)
            response = client.get(url)
            assert response.status_code in (200, 302, 403, 404, 405), (url, response.status_code)
            if response.status_code == 200:
                assert foreign["marker"] not in body_text(response), f"{url} leaks zone {target}"
            for payload in ({"zone": zone.pk}, {"zone": zone.pk, "name": "越权企业"}):
                response = client.post(url, payload)
                assert response.status_code in (302, 400, 403, 404, 405, 200), (url, response)
            continue
        for pk in pks:
            url = fill(route, pk)
            for method in ("get", "post", "put", "patch", "delete"):
                response = (
                    getattr(client, method)(url, {"zone": zone.pk}, content_type="application/json")
                    if method in ("put", "patch")
                    else getattr(client, method)(url)
                )
                assert response.status_code in (404, 405), (
                    f"{who} {method.upper()} {url} -> {response.status_code}"
                )
    assert not unknown, f"routes with arguments this walk cannot fill: {unknown}"
    assert snapshot(foreign) == before, f"{who} changed zone {target}'s rows"


@pytest.mark.parametrize("target", ["A", "B"])
def test_the_zones_own_staff_can_open_its_detail_urls(target, cast, world, client):
    """Positive control for the walk above: the 404s come from scoping, not from broken URLs.

    A page only supervisors use (correcting a supervision item) is opened by a supervisor of
    the zone when the zone's staff find nothing there.
    """
    foreign = world[target]
    pks = foreign_pks(foreign)
    for route, _pattern in project_routes():
        if route_args(route) != {"pk"}:
            continue
        for user in (foreign["owner"], cast.supervisor):
            client.force_login(user)
            codes = [client.get(fill(route, pk)).status_code for pk in pks]
            if 200 in codes:
                break
        assert 200 in codes or set(codes) == {405}, f"{route}: owner got {codes}"


def test_every_route_is_either_walked_or_exempt_for_a_reason():
    routes = [route for route, _ in walk(get_resolver().url_patterns)]
    walked = {route for route, _ in project_routes()}
    for route in routes:
        if route not in walked:
            assert any(route.startswith(p) for p in EXEMPT_PREFIXES), route
    assert len(walked) >= 10
