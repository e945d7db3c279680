"""The OpenAPI 3 schema and the offline Swagger UI."""

import re

import pytest
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

RESOURCES = ("prefectures", "zones", "enterprises", "indicators")


def fetch_schema() -> dict:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_is_a_valid_openapi_3_document():
    schema = fetch_schema()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on an invalid document


def test_schema_lists_the_four_resources_and_the_token_endpoint():
    paths = fetch_schema()["paths"]
    for resource in RESOURCES:
        assert f"/api/v1/{resource}/" in paths
        assert f"/api/v1/{resource}/{{id}}/" in paths
    assert "post" in paths["/api/v1/auth/token/"]


def test_read_only_resources_offer_no_write_methods():
    paths = fetch_schema()["paths"]
    for resource in ("prefectures", "zones"):
        assert set(paths[f"/api/v1/{resource}/"]) == {"get"}
        assert set(paths[f"/api/v1/{resource}/{{id}}/"]) == {"get"}


def test_schema_documents_the_unit_of_every_indicator_field():
    from zones.units import INDICATOR_FIELDS

    props = fetch_schema()["components"]["schemas"]["Indicator"]["properties"]
    assert "万元" in props["gross_industrial_output"]["description"]
    assert "亩" in props["land_idle_mu"]["description"]
    assert "吨标准煤" in props["energy_use_tce"]["description"]
    for spec in INDICATOR_FIELDS:
        assert props[spec.name]["description"], spec.name


def test_schema_generation_has_no_warnings():
    from io import StringIO

    from django.core.management import call_command

    # --fail-on-warn exits non-zero on any warning or error of the generator.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null", stderr=StringIO()
    )


def test_docs_page_is_html_that_loads_only_local_assets():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"https?://", html), re.findall(r"https?://\S+", html)
