"""The answer to an error Django could not handle: Chinese, and 503 when the database is down."""

from __future__ import annotations

import json

from django.db import OperationalError

from devzone.errors import server_error


def _answer(rf, path, error):
    try:
        raise error
    except Exception:
        return server_error(rf.get(path))


def test_a_database_outage_is_a_503_page_with_a_retry_hint(rf):
    response = _answer(rf, "/projects/", OperationalError("connection refused"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "数据库暂时不可用" in response.content.decode()


def test_a_database_outage_under_the_api_is_a_503_in_json(rf):
    response = _answer(rf, "/api/v1/zones/", OperationalError("connection refused"))
    assert response.status_code == 503
    assert "数据库暂时不可用" in json.loads(response.content)["detail"]


def test_any_other_error_is_a_500_page_without_details(rf):
    response = _answer(rf, "/projects/", KeyError("secret_internal_name"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "服务器出错" in body and "secret_internal_name" not in body
