"""Demo accounts (one per role) and the check that the database holds nothing but demo data."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _

from devzone.access import Role
from devzone.text import join
from zones.models import Membership, Prefecture, Province, Zone

# username, display name, role, scope ("province", "prefecture", "zone", "zone2" or None)
ACCOUNTS = (
    ("admin", "演示系统管理员", Role.ADMINISTRATOR, None),
    ("province", "演示省级领导", Role.PROVINCIAL_LEADER, "province"),
    ("supervisor", "演示省级督查", Role.PROVINCIAL_SUPERVISOR, "province"),
    ("city", "演示贵阳市督查", Role.CITY_SUPERVISOR, "prefecture"),
    ("leader", "演示园区一把手", Role.ZONE_LEADER, "zone"),
    ("staff", "演示园区工作人员", Role.ZONE_STAFF, "zone"),
    ("viewer", "演示园区只读用户", Role.ZONE_VIEWER, "zone"),
    ("staff2", "演示遵义园区工作人员", Role.ZONE_STAFF, "zone2"),
)
DEMO_USERNAMES = tuple(a[0] for a in ACCOUNTS)
ACCOUNT_ZONE = "DEMO-520100-01"  # the 1992 贵阳 high-tech zone
ACCOUNT_ZONE2 = "DEMO-520300-01"  # 遵义's oldest zone


class DemoRefused(Exception):
    """The database holds data that is not demo data: loading would mix the two."""


def check_database() -> str:
    """``"empty"`` or ``"loaded"``; raise DemoRefused when anything non-demo is present."""
    User = get_user_model()
    real_zones = Zone.objects.filter(is_demo=False).count()
    others = list(
        User.objects.exclude(username__in=DEMO_USERNAMES)
        .order_by("username")
        .values_list("username", flat=True)[:5]
    )
    if real_zones or others:
        what = []
        if real_zones:
            what.append(_("%(n)d 个非演示开发区") % {"n": real_zones})
        if others:
            what.append(_("非演示用户（%(names)s）") % {"names": join(others)})
        raise DemoRefused(
            _("数据库中已有非演示数据：%(what)s。演示数据只能加载到空数据库，未写入任何数据。")
            % {"what": "；".join(what)}
            + " The database holds non-demo data; demo data loads only into an empty database."
            " Nothing was written."
        )
    return "loaded" if Zone.objects.exists() else "empty"


def create_accounts(password: str, log: Callable[[str], None]) -> int:
    """The demo accounts and their memberships; an existing account keeps its own password."""
    User = get_user_model()
    guizhou = Province.objects.get(code="520000")
    scope = {
        "province": {"province": guizhou},
        "prefecture": {"prefecture": Prefecture.objects.get(code="520100")},
        "zone": {"zone": Zone.objects.get(code=ACCOUNT_ZONE)},
        "zone2": {"zone": Zone.objects.get(code=ACCOUNT_ZONE2)},
        None: {},
    }
    hashed = make_password(password)  # one hash: the demo accounts share one known password
    for username, display, role, where in ACCOUNTS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.password = hashed
        else:
            log(_("账号 %(u)s 已存在，保留其原密码。") % {"u": username})
        user.first_name = display
        user.email = f"{username}@demo.devzone.local"
        user.is_active = True
        if role == Role.ADMINISTRATOR:
            user.is_superuser = user.is_staff = True
        user.save()
        Membership.objects.get_or_create(user=user, role=role, **scope[where])
    return len(ACCOUNTS)
