"""Each user chooses whether to receive the monthly reports; administrators add addresses."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from zones import report_mail
from zones.models import ReportPreference

pytestmark = pytest.mark.django_db

URL = reverse("zones:report-preferences")


def test_staff_opt_out_of_the_report_mails(client_for, cast):
    client = client_for(cast.staff_a)
    assert client.get(URL).status_code == 200

    response = client.post(URL, {})  # the checkbox left unticked

    assert response.status_code == 302
    assert ReportPreference.objects.get(user=cast.staff_a).receive is False


def test_a_non_administrator_cannot_add_recipients(client_for, cast):
    client = client_for(cast.staff_a)
    assert "extra_recipients" not in client.get(URL).content.decode()

    client.post(URL, {"receive": "on", "extra_recipients": "outsider@example.test"})

    preference = ReportPreference.objects.get(user=cast.staff_a)
    assert preference.receive is True
    assert preference.extra_recipients == ""


def test_an_administrator_adds_addresses_one_per_line(client_for, cast):
    client = client_for(cast.admin)

    client.post(
        URL, {"receive": "on", "extra_recipients": " office@example.test \n\nboss@example.test"}
    )

    assert ReportPreference.objects.get(user=cast.admin).extra_recipients == (
        "office@example.test\nboss@example.test"
    )


def test_a_bad_address_is_refused_naming_its_line_and_nothing_is_saved(client_for, cast):
    client = client_for(cast.admin)

    response = client.post(
        URL, {"receive": "on", "extra_recipients": "ok@example.test\nnot-an-address"}
    )

    assert response.status_code == 200
    assert "第 2 行“not-an-address”不是有效的邮箱地址" in response.content.decode()
    assert ReportPreference.objects.get(user=cast.admin).extra_recipients == ""


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_an_administrators_addresses_receive_the_province_reports(cast, tmp_path, settings):
    from tests.zones.test_report_pages import stored_report

    settings.MEDIA_ROOT = tmp_path
    ReportPreference.objects.create(user=cast.admin, extra_recipients="office@example.test")
    report = stored_report(
        "province", cast.zone_a.prefecture.province_id, datetime.date(2026, 1, 1)
    )

    emails = {r["email"] for r in report_mail.recipients(report)}

    assert "office@example.test" in emails
