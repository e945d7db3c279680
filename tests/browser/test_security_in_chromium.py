"""The security headers and the two-factor sign-in as a browser lives them (Debian's chromium)."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import TOTP

from devzone import twofactor
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/cockpit/",
    "/zones/",
    "/projects/",
    "/accountability/",
    "/reports/",
    "/accounts/two-factor/",
    "/api/docs/",
    "/admin/",
    "/admin/devzone/auditevent/",
]


def test_no_page_breaks_the_content_security_policy(page, live_server, cast):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(f"{page.url}: {message.text}")
        if "Content Security Policy" in message.text
        else None,
    )
    page.on("pageerror", lambda error: violations.append(f"{page.url}: {error}"))
    sign_in(page, live_server, cast.admin.username)
    for path in PAGES:
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
    assert violations == []
    # Swagger UI still draws the API documentation with its script served as a file.
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector("#swagger-ui .information-container", timeout=15_000)


def test_a_provincial_leader_sets_up_two_factors_at_first_sign_in(
    page, live_server, cast, settings
):
    settings.DEVZONE_2FA_REQUIRED = True
    sign_in(page, live_server, cast.province.username)
    assert "/accounts/two-factor/setup/" in page.url
    assert page.locator("#two-factor-qr svg").count() == 1
    secret = page.locator("#two-factor-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    code = TOTP(key).token()
    page.fill("input[name=code]", f"{code:06d}")
    page.get_by_role("button", name="开启").click()
    page.wait_for_load_state("networkidle")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="我已保存，继续").click()
    page.goto(f"{live_server.url}/cockpit/")
    assert page.locator("h1").first.inner_text()
    assert "/accounts/two-factor/" not in page.url

    # Next time: password, then a recovery code (the phone is lost).
    page.context.clear_cookies()
    sign_in(page, live_server, cast.province.username)
    assert "/accounts/two-factor/verify/" in page.url
    page.fill("input[name=code]", codes[0])
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state("networkidle")
    assert "/accounts/two-factor/" not in page.url
    assert twofactor.recovery_codes_left(cast.province) == 9
