"""An enterprise that other records point to stays in its zone (the records belong there)."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import EnterpriseFactory
from tests.talent.helpers import team
from zones import services

pytestmark = pytest.mark.django_db


def test_an_enterprise_hosting_a_talent_team_cannot_move_to_another_zone(cast):
    enterprise = EnterpriseFactory(zone=cast.zone_a)
    team(cast.zone_a, host_enterprise=enterprise)
    with pytest.raises(ValidationError) as error:
        services.update_enterprise(cast.admin, enterprise, {"zone": cast.zone_a2})
    assert "不能迁移到其他开发区" in str(error.value.message_dict["zone"])
    enterprise.refresh_from_db()
    assert enterprise.zone == cast.zone_a


def test_an_enterprise_nothing_points_to_can_move_within_the_users_scope(cast):
    enterprise = EnterpriseFactory(zone=cast.zone_a)
    services.update_enterprise(cast.admin, enterprise, {"zone": cast.zone_a2})
    enterprise.refresh_from_db()
    assert enterprise.zone == cast.zone_a2
