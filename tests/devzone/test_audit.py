"""The audit trail (留痕): every sign-in, write, export and download is on record with who, when
and from where; administrators search it; nobody edits it, not even through SQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from devzone import audit
from devzone.models import AuditEvent, ChangeRecord
from tests.conftest import PASSWORD
from tests.investment.helpers import make_project

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"


def events(kind=None, **filters):
    rows = AuditEvent.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.filter(**filters))


def test_a_sign_in_is_recorded_with_the_address_and_browser(client, cast):
    client.post(
        "/accounts/login/",
        {"username": "t_staff_a", "password": PASSWORD},
        REMOTE_ADDR=ADDRESS,
        HTTP_USER_AGENT="Mozilla/5.0 test",
    )
    (event,) = events(AuditEvent.Kind.LOGIN)
    assert event.user == cast.staff_a and event.username == "t_staff_a"
    assert event.ip == ADDRESS and event.user_agent == "Mozilla/5.0 test"


def test_a_failed_sign_in_is_recorded_with_the_username_tried(client, cast):
    client.post(
        "/accounts/login/", {"username": "t_staff_a", "password": "guess"}, REMOTE_ADDR=ADDRESS
    )
    (event,) = events(AuditEvent.Kind.LOGIN_FAILED)
    assert event.user is None and event.username == "t_staff_a" and event.ip == ADDRESS
    assert "guess" not in str(event.detail) + event.summary


def test_a_lockout_and_a_sign_out_are_recorded(client, cast):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "t_staff_b", "password": "x"})
    assert events(AuditEvent.Kind.LOCKED_OUT, username="t_staff_b")
    client.force_login(cast.staff_a)
    client.post("/accounts/logout/")
    assert events(AuditEvent.Kind.LOGOUT, username="t_staff_a")


def test_a_write_is_recorded_and_the_changed_record_carries_the_same_address(client, cast):
    from tests.investment.helpers import project_data

    client.force_login(cast.staff_a)
    data = project_data(cast.zone_a)
    form = {k: getattr(v, "pk", v) for k, v in data.items()}
    response = client.post(reverse("investment:project-create"), form, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302
    (write,) = events(AuditEvent.Kind.WRITE)
    assert write.user == cast.staff_a and write.ip == ADDRESS
    assert write.method == "POST" and write.path == reverse("investment:project-create")
    assert write.status == 302
    change = ChangeRecord.objects.get(action=ChangeRecord.Action.CREATE)
    assert change.user == cast.staff_a and change.ip == ADDRESS


def test_a_refused_write_to_another_zone_is_recorded_too(client, cast):
    project = make_project(cast.staff_b, cast.zone_b)
    client.force_login(cast.staff_a)
    response = client.post(reverse("investment:project-delete", args=[project.pk]))
    assert response.status_code == 404
    (write,) = events(AuditEvent.Kind.WRITE)
    assert write.username == "t_staff_a" and write.status == 404


def test_an_export_is_recorded_with_its_file_name(client, cast):
    make_project(cast.staff_a, cast.zone_a)
    client.force_login(cast.staff_a)
    response = client.get(reverse("investment:project-export"), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    (event,) = events(AuditEvent.Kind.EXPORT)
    assert event.summary.endswith(".xlsx") and event.ip == ADDRESS
    assert event.path == reverse("investment:project-export")


def test_an_api_write_with_a_token_is_recorded_under_the_token_user(client, cast):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=cast.staff_a)
    client.delete(
        "/api/v1/projects/999999/", HTTP_AUTHORIZATION=f"Token {token.key}", REMOTE_ADDR=ADDRESS
    )
    (event,) = events(AuditEvent.Kind.WRITE)
    assert event.user == cast.staff_a and event.method == "DELETE" and event.status == 404


def test_reading_pages_is_not_recorded(client, cast):
    client.force_login(cast.staff_a)
    before = AuditEvent.objects.count()
    client.get("/projects/")
    client.get("/")
    assert AuditEvent.objects.count() == before


def test_a_methodology_activation_is_recorded_with_who(cast):
    from zones import methodology

    active = methodology.active_methodology()
    derived = methodology.derive_version(cast.admin, active, "2099.1")
    methodology.activate(derived, user=cast.admin)
    summaries = [e.summary for e in events(AuditEvent.Kind.METHODOLOGY, user=cast.admin)]
    assert "derived 2099.1 from " + active.version in summaries
    assert "activated 2099.1" in summaries


# --- nobody edits it ------------------------------------------------------------------------


def test_an_event_cannot_be_changed_or_deleted_through_the_orm(cast):
    event = audit.log(AuditEvent.Kind.SECURITY, user=cast.staff_a, summary="original")
    event.summary = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "original"


def test_the_database_refuses_an_update_even_in_raw_sql(cast):
    event = audit.log(AuditEvent.Kind.SECURITY, user=cast.staff_a, summary="original")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE devzone_auditevent SET summary = %s WHERE id = %s", ["rewritten", event.pk]
        )
    assert AuditEvent.objects.get(pk=event.pk).summary == "original"


@pytest.mark.postgres
def test_postgresql_refuses_a_delete_even_in_raw_sql(cast):
    event = audit.log(AuditEvent.Kind.SECURITY, user=cast.staff_a, summary="original")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM devzone_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_deleting_a_user_keeps_their_events_and_name(cast):
    audit.log(AuditEvent.Kind.SECURITY, user=cast.outsider, summary="kept")
    user_id = cast.outsider.pk
    cast.outsider.delete()
    event = AuditEvent.objects.get(summary="kept")
    assert event.user_id == user_id and event.username == "t_outsider"


# --- administrators search it ---------------------------------------------------------------


def test_an_administrator_searches_the_trail_by_username_and_address(client, cast):
    audit.log(AuditEvent.Kind.SECURITY, user=cast.staff_a, summary="needle-a")
    audit.log(AuditEvent.Kind.SECURITY, user=cast.staff_b, summary="needle-b")
    client.force_login(cast.admin)
    url = reverse("admin:devzone_auditevent_changelist")
    page = client.get(url, {"q": "t_staff_a"}).content.decode()
    assert "needle-a" in page and "needle-b" not in page


@pytest.mark.parametrize("who", ["province", "supervisor", "city", "staff_a", "outsider"])
def test_nobody_but_administrators_reads_the_trail(client, cast, who):
    user = getattr(cast, who)
    user.is_staff = True  # even with admin-site access
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    response = client.get(reverse("admin:devzone_auditevent_changelist"))
    assert response.status_code in (302, 403)


def test_not_even_an_administrator_adds_changes_or_deletes_an_event(client, cast):
    event = audit.log(AuditEvent.Kind.SECURITY, user=cast.staff_a, summary="original")
    client.force_login(cast.admin)
    assert client.get(reverse("admin:devzone_auditevent_add")).status_code == 403
    client.post(reverse("admin:devzone_auditevent_change", args=[event.pk]), {"summary": "x"})
    client.post(reverse("admin:devzone_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert AuditEvent.objects.get(pk=event.pk).summary == "original"
