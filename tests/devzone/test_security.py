"""Sign-in security: password rules, throttling, session lifetime, two factors, CSP.

Each rule is tried the way an attacker or a careless user would: wrong passwords in a row, a
session left open, a second factor skipped by typing another URL, a token asked for without the
second factor, a replayed code.
"""

from __future__ import annotations

import time

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from devzone import twofactor
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def sign_in(client, username, password=PASSWORD, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def code_of(device: TOTPDevice, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def wait_out_throttle(user) -> None:
    """django-otp makes a device wait 1, 2, 4... seconds after each wrong code: let it pass."""
    from django_otp.plugins.otp_static.models import StaticDevice

    earlier = timezone.now() - timezone.timedelta(minutes=10)
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(throttling_failure_timestamp=earlier)


def enable_two_factor(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name=twofactor.TOTP_NAME, confirmed=True)
    return device, twofactor.new_recovery_codes(user)


# --- passwords ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("new_password", "reason"),
    [
        ("Short-pw-11", "至少需要 12 个字符"),
        ("password1234", "这个密码太常见了"),
        ("384920175638", "密码只包含数字"),
    ],
)
def test_a_weak_new_password_is_refused_with_the_reason(client, cast, new_password, reason):
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    assert reason in response.content.decode()
    cast.staff_a.refresh_from_db()
    assert cast.staff_a.check_password(PASSWORD)


def test_a_strong_new_password_is_saved_and_the_user_stays_signed_in(client, cast):
    client.force_login(cast.staff_a)
    new = "梧桐山-river-2031"
    response = client.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    cast.staff_a.refresh_from_db()
    assert cast.staff_a.check_password(new)
    assert client.get("/").status_code == 200


def test_the_password_change_needs_the_old_password(client, cast):
    client.force_login(cast.staff_a)
    new = "梧桐山-river-2031"
    client.post(
        reverse("password-change"),
        {"old_password": "not-the-password", "new_password1": new, "new_password2": new},
    )
    cast.staff_a.refresh_from_db()
    assert cast.staff_a.check_password(PASSWORD)


def _configured_hashers(settings) -> None:
    """The project's PASSWORD_HASHERS (the test session swaps in MD5 for speed)."""
    from devzone import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_passwords_are_stored_with_argon2id_at_owasp_parameters(cast, settings):
    _configured_hashers(settings)
    cast.staff_a.set_password("梧桐山-river-2031")
    cast.staff_a.save()
    cast.staff_a.refresh_from_db()
    algorithm, variant, version, parameters, _salt, _hash = cast.staff_a.password.split("$")
    assert (algorithm, variant, version) == ("argon2", "argon2id", "v=19")
    assert parameters == "m=19456,t=2,p=1"
    assert cast.staff_a.check_password("梧桐山-river-2031")
    assert not cast.staff_a.check_password("梧桐山-river-2032")


@pytest.mark.parametrize(
    "old_hasher",
    [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",  # Django's 100 MiB × 8 lanes
    ],
)
def test_a_password_stored_before_signs_in_and_is_rehashed_with_argon2id(
    client, cast, settings, old_hasher
):
    from django.utils.module_loading import import_string

    _configured_hashers(settings)
    hasher = import_string(old_hasher)()
    old = hasher.encode(PASSWORD, hasher.salt())
    type(cast.staff_a).objects.filter(pk=cast.staff_a.pk).update(password=old)
    assert sign_in(client, cast.staff_a.username).status_code == 302
    cast.staff_a.refresh_from_db()
    assert cast.staff_a.password != old
    assert cast.staff_a.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


# --- throttling -----------------------------------------------------------------------------


def test_five_failures_lock_that_username_at_that_address_even_for_the_right_password(client, cast):
    for _ in range(5):
        assert sign_in(client, "t_staff_a", "wrong-password").status_code in (200, 429)
    response = sign_in(client, "t_staff_a")
    assert response.status_code == 429
    assert "登录已暂停" in response.content.decode()
    assert "15 分钟" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock_and_a_success_clears_the_count(client, cast):
    for _ in range(4):
        sign_in(client, "t_staff_a", "wrong-password")
    assert sign_in(client, "t_staff_a").status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "t_staff_a", "wrong-password")
    assert sign_in(client, "t_staff_a").status_code == 302


def test_a_lockout_holds_only_for_that_username_and_address(client, cast):
    for _ in range(5):
        sign_in(client, "t_staff_a", "wrong-password", address="10.0.0.9")
    assert sign_in(client, "t_staff_a", address="10.0.0.9").status_code == 429
    assert sign_in(client, "t_staff_b", address="10.0.0.9").status_code == 302
    client.logout()
    assert sign_in(client, "t_staff_a", address="10.0.0.10").status_code == 302


def test_the_lockout_ends_after_fifteen_minutes(client, cast):
    for _ in range(5):
        sign_in(client, "t_staff_a", "wrong-password")
    assert sign_in(client, "t_staff_a").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=16))
    assert sign_in(client, "t_staff_a").status_code == 302


def test_the_api_token_endpoint_is_throttled_too(client, cast):
    url = reverse("api-token")
    for _ in range(5):
        client.post(url, {"username": "t_staff_a", "password": "wrong"}, REMOTE_ADDR="10.0.0.2")
    response = client.post(
        url, {"username": "t_staff_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )
    assert response.status_code == 429
    assert "token" not in response.json()


# --- session lifetime -----------------------------------------------------------------------


def _age_session(client, *, idle_seconds: int = 0, since_sign_in: int = 0) -> None:
    client.get("/")  # the middleware stamps the session
    session = client.session
    now = int(time.time())
    session["dz_seen"] = now - idle_seconds
    session["dz_started"] = now - max(since_sign_in, idle_seconds)
    session.save()


def test_a_session_idle_for_more_than_thirty_minutes_ends(client, cast):
    client.force_login(cast.staff_a)
    _age_session(client, idle_seconds=31 * 60)
    response = client.get("/projects/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    page = client.get(response.url)
    assert "30 分钟未操作" in page.content.decode()


def test_a_session_used_within_thirty_minutes_goes_on(client, cast):
    client.force_login(cast.staff_a)
    _age_session(client, idle_seconds=29 * 60, since_sign_in=5 * 3600)
    assert client.get("/projects/").status_code == 200
    assert time.time() - client.session["dz_seen"] < 5  # the request counted as activity


def test_a_session_ends_twelve_hours_after_sign_in_however_active(client, cast):
    client.force_login(cast.staff_a)
    _age_session(client, idle_seconds=10, since_sign_in=12 * 3600 + 60)
    response = client.get("/projects/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_session_cookies_are_http_only_and_same_site(client, cast):
    response = sign_in(client, "t_staff_a")
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 12 * 3600


# --- two factors ----------------------------------------------------------------------------


def test_an_administrator_must_set_up_two_factors_before_anything_else(client, cast, settings):
    settings.DEVZONE_2FA_REQUIRED = True
    assert sign_in(client, "t_admin").status_code == 302
    for url in ("/", "/projects/", "/cockpit/", "/admin/", "/reports/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("two-factor-setup")), url
    api = client.get("/api/v1/zones/")
    assert api.status_code == 403
    assert "双因素" in api.json()["detail"]


@pytest.mark.parametrize("role", ["admin", "province", "supervisor"])
def test_strong_roles_must_use_two_factors_in_production_and_others_need_not(cast, settings, role):
    settings.DEVZONE_2FA_REQUIRED = True
    assert twofactor.must_use(getattr(cast, role))
    for other in ("city", "leader_a", "staff_a", "viewer_a", "outsider"):
        assert not twofactor.must_use(getattr(cast, other))
    settings.DEVZONE_2FA_REQUIRED = False
    assert not twofactor.must_use(getattr(cast, role))


def test_setting_up_two_factors_shows_a_qr_code_and_recovery_codes_once(client, cast):
    client.force_login(cast.staff_a)
    page = client.get(reverse("two-factor-setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "two-factor-secret" in html
    device = twofactor.pending_setup(cast.staff_a)
    assert device is not None and not device.confirmed
    wrong = client.post(reverse("two-factor-setup"), {"code": "000000"})
    assert "验证码不正确" in wrong.content.decode()
    assert not twofactor.is_enabled(cast.staff_a)
    wait_out_throttle(cast.staff_a)
    done = client.post(reverse("two-factor-setup"), {"code": code_of(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in done.content.decode() for code in codes)
    assert twofactor.is_enabled(cast.staff_a)
    assert twofactor.recovery_codes_left(cast.staff_a) == 10


def test_with_two_factors_the_password_alone_reaches_only_the_verification_page(client, cast):
    device, _codes = enable_two_factor(cast.staff_a)
    assert sign_in(client, "t_staff_a").status_code == 302
    response = client.get("/projects/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("two-factor-verify"))
    assert client.get("/api/v1/projects/").status_code == 403
    wrong = client.post(reverse("two-factor-verify"), {"code": "123456", "next": "/projects/"})
    assert wrong.status_code == 200
    assert client.get("/projects/").status_code == 302
    wait_out_throttle(cast.staff_a)
    right = client.post(
        reverse("two-factor-verify"), {"code": code_of(device), "next": "/projects/"}
    )
    assert right.status_code == 302 and right.url == "/projects/"
    assert client.get("/projects/").status_code == 200


def test_a_code_cannot_be_used_twice(client, cast):
    device, _codes = enable_two_factor(cast.staff_a)
    code = code_of(device)
    assert twofactor.check_code(cast.staff_a, code) is not None
    assert twofactor.check_code(cast.staff_a, code) is None


def test_after_a_wrong_code_even_the_right_one_waits(cast):
    device, _codes = enable_two_factor(cast.staff_a)
    assert twofactor.check_code(cast.staff_a, "000000") is None
    assert twofactor.check_code(cast.staff_a, code_of(device)) is None  # throttled
    wait_out_throttle(cast.staff_a)
    assert twofactor.check_code(cast.staff_a, code_of(device)) is not None


def test_a_recovery_code_signs_in_once(client, cast):
    _device, codes = enable_two_factor(cast.staff_a)
    sign_in(client, "t_staff_a")
    response = client.post(reverse("two-factor-verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get("/projects/").status_code == 200
    assert twofactor.recovery_codes_left(cast.staff_a) == 9
    assert twofactor.check_code(cast.staff_a, codes[0]) is None


def test_verification_does_not_redirect_to_another_site(client, cast):
    device, _codes = enable_two_factor(cast.staff_a)
    sign_in(client, "t_staff_a")
    response = client.post(
        reverse("two-factor-verify"), {"code": code_of(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response.url == "/"


def test_a_required_user_cannot_turn_two_factors_off(client, cast, settings):
    settings.DEVZONE_2FA_REQUIRED = True
    device, _codes = enable_two_factor(cast.province)
    sign_in(client, "t_province")
    client.post(reverse("two-factor-verify"), {"code": code_of(device)})
    response = client.post(
        reverse("two-factor"), {"action": "disable", "code": code_of(device, 1)}, follow=True
    )
    assert "不能关闭" in response.content.decode()
    assert twofactor.is_enabled(cast.province)


def test_an_optional_user_turns_two_factors_off_with_a_code(client, cast):
    device, codes = enable_two_factor(cast.staff_a)
    sign_in(client, "t_staff_a")
    client.post(reverse("two-factor-verify"), {"code": codes[0]})
    refused = client.post(reverse("two-factor"), {"action": "disable", "code": "000000"})
    assert "验证码不正确" in refused.content.decode()
    assert twofactor.is_enabled(cast.staff_a)
    wait_out_throttle(cast.staff_a)
    client.post(reverse("two-factor"), {"action": "disable", "code": code_of(device)})
    assert not twofactor.is_enabled(cast.staff_a)


def test_an_api_token_needs_the_second_factor_when_it_is_on(client, cast):
    url = reverse("api-token")
    device, _codes = enable_two_factor(cast.staff_a)
    without = client.post(url, {"username": "t_staff_a", "password": PASSWORD})
    assert without.status_code == 400
    assert "otp_code" in str(without.json())
    wrong = client.post(url, {"username": "t_staff_a", "password": PASSWORD, "otp_code": "1"})
    assert wrong.status_code == 400
    wait_out_throttle(cast.staff_a)
    right = client.post(
        url, {"username": "t_staff_a", "password": PASSWORD, "otp_code": code_of(device)}
    )
    assert right.status_code == 200 and right.json()["token"]


def test_a_required_user_without_two_factors_gets_no_api_token(client, cast, settings):
    settings.DEVZONE_2FA_REQUIRED = True
    response = client.post(reverse("api-token"), {"username": "t_province", "password": PASSWORD})
    assert response.status_code == 400
    assert "先在网页上开启" in str(response.json())
    assert client.post(
        reverse("api-token"), {"username": "t_staff_a", "password": PASSWORD}
    ).json()["token"]


def test_a_token_issued_before_a_role_needed_two_factors_stops_working(client, cast, settings):
    """A zone user gets a token on the password alone, then is given a provincial role (or
    production switches two-factor sign-in on): the old token no longer opens the API."""
    from zones.models import Membership

    settings.DEVZONE_2FA_REQUIRED = True
    token = client.post(reverse("api-token"), {"username": "t_staff_a", "password": PASSWORD})
    auth = {"HTTP_AUTHORIZATION": f"Token {token.json()['token']}"}
    assert client.get("/api/v1/zones/", **auth).status_code == 200
    province_role = Membership.objects.get(user=cast.province)
    Membership.objects.create(
        user=cast.staff_a, role=province_role.role, province=province_role.province
    )

    refused = client.get("/api/v1/zones/", **auth)
    assert refused.status_code in (401, 403)
    assert "先在网页上开启双因素认证" in refused.json()["detail"]


def test_turning_two_factors_on_revokes_tokens_issued_on_the_password_alone(client, cast):
    from rest_framework.authtoken.models import Token

    old = client.post(reverse("api-token"), {"username": "t_staff_a", "password": PASSWORD})
    auth = {"HTTP_AUTHORIZATION": f"Token {old.json()['token']}"}
    assert client.get("/api/v1/zones/", **auth).status_code == 200
    client.force_login(cast.staff_a)
    client.get(reverse("two-factor-setup"))
    device = TOTPDevice.objects.get(user=cast.staff_a, confirmed=False)
    client.post(reverse("two-factor-setup"), {"code": code_of(device)})
    assert twofactor.is_enabled(cast.staff_a)
    client.logout()

    assert not Token.objects.filter(user=cast.staff_a).exists()
    assert client.get("/api/v1/zones/", **auth).status_code in (401, 403)
    wait_out_throttle(cast.staff_a)
    new = client.post(
        reverse("api-token"),
        {"username": "t_staff_a", "password": PASSWORD, "otp_code": code_of(device, 1)},
    )
    auth = {"HTTP_AUTHORIZATION": f"Token {new.json()['token']}"}
    assert client.get("/api/v1/zones/", **auth).status_code == 200


def test_the_embedded_demo_leaves_two_factors_optional(cast, settings):
    settings.DEVZONE_2FA_REQUIRED = False
    assert not twofactor.needs_second_factor(cast.admin)


# --- headers --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", LOGIN, "/api/docs/", "/healthz"])
def test_every_response_has_a_content_security_policy_without_inline_script(client, cast, url):
    client.force_login(cast.staff_a)
    policy = client.get(url)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
