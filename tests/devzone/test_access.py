"""The scoping mechanism itself: each role sees exactly its scope, and nothing by accident."""

import pytest

from devzone.access import ensure_in_scope, get_scope
from tests.factories import EnterpriseFactory
from zones.models import Enterprise, Prefecture, Zone

pytestmark = pytest.mark.django_db


def visible_zone_codes(user, action="view"):
    return set(Zone.objects.for_user(user, action).values_list("code", flat=True))


def test_zone_staff_sees_only_their_zone(cast):
    assert visible_zone_codes(cast.staff_a) == {"TZ-A"}
    assert visible_zone_codes(cast.staff_b) == {"TZ-B"}


def test_city_supervisor_sees_the_zones_of_their_prefecture_only(cast):
    assert visible_zone_codes(cast.city) == {"TZ-A", "TZ-A2"}


def test_provincial_roles_and_admin_see_every_zone(cast):
    for user in (cast.province, cast.supervisor, cast.admin):
        assert visible_zone_codes(user) == {"TZ-A", "TZ-A2", "TZ-B"}


def test_outsider_and_anonymous_see_nothing(cast):
    from django.contrib.auth.models import AnonymousUser

    assert visible_zone_codes(cast.outsider) == set()
    assert visible_zone_codes(AnonymousUser()) == set()


def test_read_only_roles_cannot_write_anywhere(cast):
    for user in (cast.viewer_a, cast.province, cast.supervisor, cast.city):
        for action in ("add", "change", "delete", "import"):
            assert visible_zone_codes(user, action) == set(), (user.username, action)


def test_zone_viewer_may_view_and_export_their_zone(cast):
    assert visible_zone_codes(cast.viewer_a, "view") == {"TZ-A"}
    assert visible_zone_codes(cast.viewer_a, "export") == {"TZ-A"}


def test_enterprises_are_scoped_through_their_zone(cast):
    mine = EnterpriseFactory(zone=cast.zone_a)
    EnterpriseFactory(zone=cast.zone_b)
    assert list(Enterprise.objects.for_user(cast.staff_a, "change")) == [mine]


def test_zone_users_see_their_own_prefecture_as_reference_data(cast):
    names = set(Prefecture.objects.for_user(cast.staff_a).values_list("name", flat=True))
    assert names == {"贵阳市"}
    assert Prefecture.objects.for_user(cast.outsider).count() == 0


def test_ensure_in_scope_refuses_another_zones_record(cast):
    from django.core.exceptions import PermissionDenied

    theirs = EnterpriseFactory(zone=cast.zone_b)
    with pytest.raises(PermissionDenied):
        ensure_in_scope(theirs, cast.staff_a, "change")


def test_scope_is_loaded_in_one_query_and_cached(cast, django_assert_num_queries):
    user = type(cast.staff_a).objects.get(pk=cast.staff_a.pk)
    with django_assert_num_queries(1):  # the memberships of the user, with zone ancestry
        get_scope(user)
        get_scope(user)


def test_unknown_action_is_an_error_not_everything(cast):
    with pytest.raises(ValueError):
        Zone.objects.for_user(cast.admin, "fly")
