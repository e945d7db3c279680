"""The report archive pages: who sees, downloads, rebuilds and resends which report.

Reports here are rows with a tiny valid PDF file (building real ones is ``test_reports``' job):
a zone's staff see their zone's reports only, another zone's report is a 404 like any object
outside one's scope; a city supervisor sees the prefecture's report and its zones'; provincial
roles see the province's. Rebuilding needs the ``supervise`` action on the report's scope,
resending a mail is for administrators; each refusal is also checked to have changed nothing.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import guizhou, prefecture
from zones import report_tasks, reports
from zones.methodology import active_methodology
from zones.models import DeliveryStatus, Report, ReportDelivery, ReportKind, ReportStatus
from zones.recompute import previous_month

pytestmark = pytest.mark.django_db


def tiny_pdf() -> bytes:
    """A valid one-page PDF (catalogue, pages, page, cross-reference table)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


TINY_PDF = tiny_pdf()


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def period() -> datetime.date:
    return previous_month(previous_month(timezone.localdate()))


def months_back(period: datetime.date, n: int) -> datetime.date:
    index = period.year * 12 + period.month - 1 - n
    return datetime.date(index // 12, index % 12 + 1, 1)


def stored_report(kind: str, pk: int, period: datetime.date, **fields) -> Report:
    """A finished report row with a small PDF file, as ``reports.generate`` leaves one."""
    report = reports.report_row(kind, pk, period, active_methodology())
    report.file.save("report.pdf", ContentFile(TINY_PDF), save=False)
    values = {
        "status": ReportStatus.DONE,
        "size": len(TINY_PDF),
        "pages": 1,
        "figures": {"month_label": reports.month_label(period), "narrative": []},
        "started_at": timezone.now(),
        "finished_at": timezone.now(),
        "attempts": 1,
        **fields,
    }
    for name, value in values.items():
        setattr(report, name, value)
    report.save()
    return report


@pytest.fixture
def archive(cast, period):
    """The month's reports: zone A, A2 and B, 贵阳市 and 遵义市, and the province."""
    return {
        "zone_a": stored_report(ReportKind.ZONE, cast.zone_a.pk, period),
        "zone_a2": stored_report(ReportKind.ZONE, cast.zone_a2.pk, period),
        "zone_b": stored_report(ReportKind.ZONE, cast.zone_b.pk, period),
        "guiyang": stored_report(ReportKind.PREFECTURE, prefecture("贵阳市").pk, period),
        "zunyi": stored_report(ReportKind.PREFECTURE, prefecture("遵义市").pk, period),
        "province": stored_report(ReportKind.PROVINCE, guizhou().pk, period),
    }


def listed(client, **params) -> set[int]:
    response = client.get(reverse("zones:report-list"), params)
    assert response.status_code == 200
    return {report.pk for report in response.context["page"].object_list}


def download(client, report: Report):
    return client.get(reverse("zones:report-download", args=[report.pk]))


# --- seeing and downloading -----------------------------------------------------------------


def test_staff_of_zone_a_download_their_zones_report(client_for, cast, archive):
    client = client_for(cast.staff_a)

    response = download(client, archive["zone_a"])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    assert body == TINY_PDF


def test_staff_of_zone_a_see_their_zones_report_only(client_for, cast, archive):
    client = client_for(cast.staff_a)

    assert listed(client) == {archive["zone_a"].pk}
    detail = client.get(reverse("zones:report-detail", args=[archive["zone_a"].pk]))
    assert detail.status_code == 200


def test_staff_of_zone_b_get_404_for_zone_as_report(client_for, cast, archive):
    client = client_for(cast.staff_b)
    report = archive["zone_a"]

    assert download(client, report).status_code == 404
    assert client.get(reverse("zones:report-detail", args=[report.pk])).status_code == 404
    assert report.pk not in listed(client)
    assert listed(client) == {archive["zone_b"].pk}


def test_zone_staff_get_404_for_their_prefectures_and_provinces_reports(client_for, cast, archive):
    client = client_for(cast.staff_a)

    for key in ("guiyang", "province", "zone_a2"):
        assert download(client, archive[key]).status_code == 404, key


def test_city_supervisor_sees_the_prefectures_reports_but_not_the_provinces(
    client_for, cast, archive
):
    client = client_for(cast.city)

    assert listed(client) == {archive[k].pk for k in ("zone_a", "zone_a2", "guiyang")}
    assert download(client, archive["guiyang"]).status_code == 200
    assert download(client, archive["zone_a2"]).status_code == 200
    for key in ("province", "zunyi", "zone_b"):
        assert download(client, archive[key]).status_code == 404, key


def test_provincial_roles_see_every_report_of_the_province(client_for, cast, archive):
    for user in (cast.province, cast.supervisor):
        client = client_for(user)
        assert listed(client) == {r.pk for r in archive.values()}, user
        assert download(client, archive["province"]).status_code == 200


def test_an_outsider_sees_no_report_and_an_anonymous_visitor_must_sign_in(
    client, client_for, cast, archive
):
    url = reverse("zones:report-download", args=[archive["zone_a"].pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert reverse("login") in anonymous["Location"]

    outsider = client_for(cast.outsider)
    assert listed(outsider) == set()
    assert download(outsider, archive["zone_a"]).status_code == 404


def test_a_report_not_yet_built_cannot_be_downloaded(client_for, cast, period):
    queued = reports.report_row(ReportKind.ZONE, cast.zone_a.pk, period, active_methodology())
    client = client_for(cast.staff_a)

    assert download(client, queued).status_code == 404
    assert listed(client) == {queued.pk}


# --- filters and queries --------------------------------------------------------------------


def test_the_list_filters_by_month_and_kind(client_for, cast, archive, period):
    earlier = months_back(period, 1)
    old_a = stored_report(ReportKind.ZONE, cast.zone_a.pk, earlier)
    old_guiyang = stored_report(ReportKind.PREFECTURE, prefecture("贵阳市").pk, earlier)
    client = client_for(cast.city)

    assert listed(client, month=f"{earlier:%Y-%m}") == {old_a.pk, old_guiyang.pk}
    assert listed(client, month=f"{period:%Y-%m}") == {
        archive[k].pk for k in ("zone_a", "zone_a2", "guiyang")
    }
    assert listed(client, kind=ReportKind.PREFECTURE) == {archive["guiyang"].pk, old_guiyang.pk}
    assert listed(client, month=f"{earlier:%Y-%m}", kind=ReportKind.ZONE) == {old_a.pk}
    assert listed(client, q="A2") == {archive["zone_a2"].pk}


def list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("zones:report-list"))
    assert response.status_code == 200
    return len(queries)


def test_the_lists_query_count_is_the_same_for_1_and_10_reports(client_for, cast, period):
    client = client_for(cast.province)
    first = stored_report(ReportKind.ZONE, cast.zone_a.pk, period)
    ReportDelivery.objects.create(report=first, email="a@example.test")
    one = list_queries(client)
    for n in range(1, 10):
        report = stored_report(ReportKind.ZONE, cast.zone_a.pk, months_back(period, n))
        ReportDelivery.objects.create(
            report=report, email="a@example.test", status=DeliveryStatus.SENT
        )
    assert len(listed(client)) == 10

    assert list_queries(client) == one


# --- regenerate -----------------------------------------------------------------------------


def regenerate(client, report: Report):
    return client.post(reverse("zones:report-regenerate", args=[report.pk]))


def test_a_provincial_supervisor_queues_a_rebuild_of_the_report(
    client_for, cast, archive, django_capture_on_commit_callbacks
):
    report = archive["province"]
    client = client_for(cast.supervisor)

    with django_capture_on_commit_callbacks() as callbacks:
        response = regenerate(client, report)

    assert response.status_code == 302
    assert response["Location"] == reverse("zones:report-detail", args=[report.pk])
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED
    assert len(callbacks) == 1
    task = callbacks[0]
    assert task.func.__self__.name == report_tasks.generate_report.name
    # the province, the month, no mails, who asked
    assert task.args == (
        ReportKind.PROVINCE,
        guizhou().pk,
        report.period.isoformat(),
        False,
        "regenerate by t_supervisor",
    )


def test_a_city_supervisor_queues_a_rebuild_of_a_zone_of_the_prefecture(
    client_for, cast, archive, django_capture_on_commit_callbacks
):
    client = client_for(cast.city)

    with django_capture_on_commit_callbacks() as callbacks:
        assert regenerate(client, archive["zone_a"]).status_code == 302
        assert regenerate(client, archive["zone_b"]).status_code == 404

    assert len(callbacks) == 1
    statuses = dict(Report.objects.values_list("pk", "status"))
    assert statuses[archive["zone_a"].pk] == ReportStatus.QUEUED
    assert statuses[archive["zone_b"].pk] == ReportStatus.DONE


def test_rebuilding_is_refused_to_roles_without_supervise(
    client_for, cast, archive, django_capture_on_commit_callbacks
):
    """Zone staff and leaders edit their zone but do not supervise it; the provincial leader
    reads the province's reports (read-only role)."""
    cases = [(cast.staff_a, "zone_a"), (cast.leader_a, "zone_a"), (cast.province, "province")]
    for user, key in cases:
        client = client_for(user)
        with django_capture_on_commit_callbacks() as callbacks:
            assert regenerate(client, archive[key]).status_code == 403, user
        assert callbacks == [], user

    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.DONE}


def test_a_rebuild_request_does_not_reset_a_running_report(
    client_for, cast, archive, django_capture_on_commit_callbacks
):
    report = archive["zone_a"]
    assert reports.claim(report, "worker-task")
    client = client_for(cast.supervisor)

    with django_capture_on_commit_callbacks():
        assert regenerate(client, report).status_code == 302

    report.refresh_from_db()
    assert (report.status, report.claimed_by) == (ReportStatus.RUNNING, "worker-task")


# --- resend ---------------------------------------------------------------------------------


@pytest.fixture
def failed_delivery(cast, archive) -> ReportDelivery:
    return ReportDelivery.objects.create(
        report=archive["zone_a"],
        user=cast.leader_a,
        email=cast.leader_a.email,
        status=DeliveryStatus.FAILED,
        attempts=5,
        last_error="SMTPDataError: (550, b'refused')",
    )


def resend(client, delivery: ReportDelivery):
    return client.post(reverse("zones:delivery-resend", args=[delivery.pk]))


def test_an_administrator_resends_a_failed_delivery(
    client_for, cast, failed_delivery, django_capture_on_commit_callbacks
):
    client = client_for(cast.admin)

    with django_capture_on_commit_callbacks() as callbacks:
        response = resend(client, failed_delivery)

    assert response.status_code == 302
    assert response["Location"] == reverse("zones:report-detail", args=[failed_delivery.report_id])
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == DeliveryStatus.PENDING
    assert (failed_delivery.attempts, failed_delivery.last_error) == (0, "")
    assert failed_delivery.next_attempt_at is None
    assert len(callbacks) == 1
    assert callbacks[0].func.__self__.name == report_tasks.send_delivery.name
    assert callbacks[0].args == (failed_delivery.pk,)


def test_only_administrators_may_resend(
    client_for, cast, failed_delivery, django_capture_on_commit_callbacks
):
    for user in (cast.supervisor, cast.province, cast.city, cast.leader_a, cast.staff_a):
        client = client_for(user)
        with django_capture_on_commit_callbacks() as callbacks:
            assert resend(client, failed_delivery).status_code == 403, user
        assert callbacks == []

    failed_delivery.refresh_from_db()
    assert (failed_delivery.status, failed_delivery.attempts) == (DeliveryStatus.FAILED, 5)


def test_get_on_the_post_only_endpoints_is_405_and_changes_nothing(
    client_for, cast, archive, failed_delivery
):
    client = client_for(cast.admin)

    regenerate_url = reverse("zones:report-regenerate", args=[archive["zone_a"].pk])
    resend_url = reverse("zones:delivery-resend", args=[failed_delivery.pk])
    assert client.get(regenerate_url).status_code == 405
    assert client.get(resend_url).status_code == 405

    archive["zone_a"].refresh_from_db()
    failed_delivery.refresh_from_db()
    assert archive["zone_a"].status == ReportStatus.DONE
    assert failed_delivery.status == DeliveryStatus.FAILED
