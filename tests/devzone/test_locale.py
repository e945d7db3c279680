"""Chinese first: the browser's language does not switch the UI; the language switch does."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_english_browser_still_gets_the_chinese_login_page(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


def test_choosing_english_with_the_language_switch_sticks(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = client.get("/accounts/login/")
    assert response.headers["Content-Language"] == "en"


def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies["django_language"] = "xx"
    response = client.get("/accounts/login/")
    assert response.headers["Content-Language"] == "zh-hans"
