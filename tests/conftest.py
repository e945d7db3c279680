"""The shared cast of test users and the rule that CI never skips a service test.

The cast (one per role, as Healthchecks' alice/bob/charlie): an administrator, a provincial
leader and supervisor, a city supervisor of 贵阳市, zone A's leader, staff and viewer (zone A is
in 贵阳市), zone B's staff (zone B is in 遵义市) and an outsider with no role at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

PASSWORD = "correct-horse-battery"

# When CI sets these, tests that need the service must run: a skip is a failure.
SERVICE_ENV = {"postgres": "DATABASE_URL", "redis": "REDIS_URL"}


def _services_required() -> bool:
    return os.environ.get("DEVZONE_REQUIRE_SERVICES", "") == "1"


def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker, env in SERVICE_ENV.items():
            if item.get_closest_marker(marker) and not os.environ.get(env, "").startswith(
                ("postgres", "redis")
            ):
                item.add_marker(pytest.mark.skip(reason=f"needs {env} pointing at a real {marker}"))


_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _services_required() and _skipped:
        print(f"\nDEVZONE_REQUIRE_SERVICES=1 but {len(_skipped)} test(s) were skipped:")
        for nodeid in _skipped:
            print(f"  {nodeid}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@dataclass
class Cast:
    admin: object
    province: object
    supervisor: object
    city: object
    leader_a: object
    staff_a: object
    viewer_a: object
    staff_b: object
    outsider: object
    zone_a: object
    zone_a2: object
    zone_b: object

    def everyone(self) -> dict[str, object]:
        return {
            name: getattr(self, name)
            for name in (
                "admin",
                "province",
                "supervisor",
                "city",
                "leader_a",
                "staff_a",
                "viewer_a",
                "staff_b",
                "outsider",
            )
        }


@pytest.fixture
def cast(db) -> Cast:
    """Zone A and A2 in 贵阳市, zone B in 遵义市, and one user per role."""
    from tests.factories import MembershipFactory, UserFactory, ZoneFactory, guizhou, prefecture

    gy, zy = prefecture("贵阳市"), prefecture("遵义市")
    zone_a = ZoneFactory(code="TZ-A", name="测试开发区A", prefecture=gy)
    zone_a2 = ZoneFactory(code="TZ-A2", name="测试开发区A2", prefecture=gy)
    zone_b = ZoneFactory(code="TZ-B", name="测试开发区B", prefecture=zy)

    def user(username, role=None, **scope):
        u = UserFactory(username=username, password=PASSWORD)
        if role:
            MembershipFactory(user=u, role=role, **scope)
        return u

    admin = user("t_admin", "administrator")
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    return Cast(
        admin=admin,
        province=user("t_province", "provincial_leader", province=guizhou()),
        supervisor=user("t_supervisor", "provincial_supervisor", province=guizhou()),
        city=user("t_city", "city_supervisor", prefecture=gy),
        leader_a=user("t_leader_a", "zone_leader", zone=zone_a),
        staff_a=user("t_staff_a", "zone_staff", zone=zone_a),
        viewer_a=user("t_viewer_a", "zone_viewer", zone=zone_a),
        staff_b=user("t_staff_b", "zone_staff", zone=zone_b),
        outsider=user("t_outsider"),
        zone_a=zone_a,
        zone_a2=zone_a2,
        zone_b=zone_b,
    )


@pytest.fixture
def client_for(client):
    """Log the Django test client in as one member of the cast."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_for():
    """A DRF APIClient authenticated as a given user (session auth)."""
    from rest_framework.test import APIClient

    def make(user):
        api = APIClient()
        api.force_authenticate(user=user)
        return api

    return make
