"""Done-when of the foundation: the API's zone counts equal the policy paper's numbers.

Read through the public API as an integration would (token, pages of 500), not through the ORM.
"""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PAPER_BY_TYPE = {"high_tech": 11, "economic": 56, "industrial_park": 26, "bonded": 2}
PAPER_BY_PREFECTURE = {
    "贵阳市": 11,
    "遵义市": 15,
    "六盘水市": 9,
    "安顺市": 7,
    "毕节市": 9,
    "铜仁市": 12,
    "黔南州": 13,
    "黔东南州": 11,
    "黔西南州": 6,
    "贵安新区": 2,
}
# The paper's tiers add up to 94: the 95th zone (a bonded zone) has no output figure.
PAPER_BY_TIER = {
    "1000+": 1,
    "500-1000": 1,
    "300-500": 2,
    "200-300": 7,
    "100-200": 19,
    "50-100": 20,
    "<50": 44,
    None: 1,
}


@pytest.fixture
def province_api():
    call_command(
        "seed_demo", "--enterprises-per-zone", "1", "--password", "x" * 16, stdout=StringIO()
    )
    api = APIClient()
    response = api.post("/api/v1/auth/token/", {"username": "province", "password": "x" * 16})
    assert response.status_code == 200, response.content
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return api


def all_zones(api, query: str = "") -> list[dict]:
    rows, url = [], f"/api/v1/zones/?page_size=500{query}"
    while url:
        body = api.get(url).json()
        rows += body["results"]
        url = body["next"]
    return rows


def test_the_apis_zone_counts_by_type_prefecture_and_tier_are_the_papers(province_api):
    zones = all_zones(province_api)
    assert len(zones) == 95
    assert Counter(z["type"] for z in zones) == PAPER_BY_TYPE
    assert Counter(z["prefecture"] for z in zones) == PAPER_BY_PREFECTURE
    assert Counter(z["output_tier"] for z in zones) == PAPER_BY_TIER
    assert all(z["stage"] for z in zones)  # computed by the recompute that closes seed_demo


def test_the_apis_filters_give_the_same_counts(province_api):
    for zone_type, expected in PAPER_BY_TYPE.items():
        assert province_api.get(f"/api/v1/zones/?type={zone_type}").json()["count"] == expected
    for name, expected in PAPER_BY_PREFECTURE.items():
        assert province_api.get(f"/api/v1/zones/?prefecture={name}").json()["count"] == expected
    for tier, expected in PAPER_BY_TIER.items():
        if tier is not None:
            count = province_api.get("/api/v1/zones/", {"output_tier": tier}).json()["count"]
            assert count == expected, tier
