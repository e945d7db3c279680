"""Token and session authentication of the API; anonymous callers get nothing."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import PASSWORD
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def test_user_obtains_a_token_with_json_credentials_and_uses_it(cast):
    api = APIClient()
    response = api.post(TOKEN_URL, {"username": "t_staff_a", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=cast.staff_a).key == token

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    zones = api.get("/api/v1/zones/").json()
    assert [z["code"] for z in zones["results"]] == ["TZ-A"]


def test_user_obtains_the_same_token_with_form_credentials(cast):
    api = APIClient()
    first = api.post(TOKEN_URL, {"username": "t_staff_a", "password": PASSWORD})
    second = api.post(TOKEN_URL, {"username": "t_staff_a", "password": PASSWORD})
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()


def test_bad_password_gets_400_with_a_clear_message_and_no_token(cast):
    response = APIClient().post(
        TOKEN_URL, {"username": "t_staff_a", "password": "wrong-password"}, format="json"
    )
    assert response.status_code == 400
    assert "用户名或密码错误" in response.json()["non_field_errors"][0]
    assert "token" not in response.json()
    assert not Token.objects.filter(user=cast.staff_a).exists()


def test_missing_credentials_name_the_missing_field(cast):
    response = APIClient().post(TOKEN_URL, {"username": "t_staff_a"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"password"}


def test_inactive_user_gets_no_token(cast):
    cast.staff_a.is_active = False
    cast.staff_a.save(update_fields=["is_active"])
    response = APIClient().post(
        TOKEN_URL, {"username": "t_staff_a", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert not Token.objects.filter(user=cast.staff_a).exists()


def test_token_of_a_deactivated_user_stops_working(cast):
    token = Token.objects.create(user=cast.staff_a)
    cast.staff_a.is_active = False
    cast.staff_a.save(update_fields=["is_active"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/zones/").status_code in (401, 403)


def test_invalid_token_is_refused(cast):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api.get("/api/v1/zones/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail"}


def test_session_login_works_for_the_api(cast, client):
    client.force_login(cast.staff_a)
    response = client.get("/api/v1/zones/")
    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    "url", ["/api/v1/prefectures/", "/api/v1/zones/", "/api/v1/enterprises/", "/api/v1/indicators/"]
)
def test_anonymous_gets_no_data(cast, url):
    EnterpriseFactory(zone=cast.zone_a)
    response = APIClient().get(url)
    assert response.status_code in (401, 403)
    body = response.json()
    assert set(body) == {"detail"}


def test_anonymous_cannot_create(cast):
    from zones.models import Enterprise

    response = APIClient().post(
        "/api/v1/enterprises/", {"zone": cast.zone_a.pk, "name": "x"}, format="json"
    )
    assert response.status_code in (401, 403)
    assert not Enterprise.objects.exists()


def test_outsider_with_no_role_sees_empty_lists(cast, api_for):
    EnterpriseFactory(zone=cast.zone_a)
    api = api_for(cast.outsider)
    for url in ("/api/v1/prefectures/", "/api/v1/zones/", "/api/v1/enterprises/"):
        assert api.get(url).json()["count"] == 0, url
