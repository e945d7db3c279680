"""Emailing the monthly reports: who receives which report, and each mail sent exactly once.

Mail goes through Django's real SMTP backend to a real SMTP server (aiosmtpd) on loopback that
records what it accepted and can refuse a recipient or a message, so "sent" in these tests
means a server said 250, and the messages are read back as a mail client would (MIME decoded).
Reports are rows with a tiny valid PDF file; building real ones is ``test_reports``' job.
"""

from __future__ import annotations

import datetime
import email
import socket
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import MembershipFactory, UserFactory, guizhou, prefecture
from zones import report_mail, reports
from zones.methodology import active_methodology
from zones.models import (
    DeliveryStatus,
    Report,
    ReportDelivery,
    ReportKind,
    ReportPreference,
    ReportStatus,
)
from zones.recompute import previous_month

pytestmark = pytest.mark.django_db

TINY_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
NARRATIVE = ["本月新签约项目 1 个，无项目开工，无项目投产。", "无逾期未完成的项目节点。"]


# --- a real SMTP server on loopback ---------------------------------------------------------


@dataclass
class Mailbox:
    """An aiosmtpd handler: keeps the messages it accepted; refuses the recipients in
    ``refuse_rcpt`` (or every recipient with "*") and, with ``refuse_data``, every message."""

    accepted: list[tuple[list[str], bytes]] = field(default_factory=list)
    refuse_rcpt: set[str] = field(default_factory=set)
    refuse_data: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "*" in self.refuse_rcpt or address in self.refuse_rcpt:
            return "550 refused"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return "550 refused"
        with self.lock:
            self.accepted.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def messages(self) -> list[tuple[list[str], EmailMessage]]:
        with self.lock:
            return [
                (to, email.message_from_bytes(raw, policy=policy.default))
                for to, raw in self.accepted
            ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_smtp(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10


@pytest.fixture
def smtp(settings):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    use_smtp(settings, controller.port)
    yield mailbox
    controller.stop()


# --- reports --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def period() -> datetime.date:
    return previous_month(previous_month(timezone.localdate()))


def stored_report(kind: str, pk: int, period: datetime.date, **fields) -> Report:
    """A finished report row with a small PDF file, as ``reports.generate`` leaves one."""
    report = reports.report_row(kind, pk, period, active_methodology())
    report.file.save("report.pdf", ContentFile(TINY_PDF), save=False)
    values = {
        "status": ReportStatus.DONE,
        "size": len(TINY_PDF),
        "pages": 1,
        "figures": {"month_label": reports.month_label(period), "narrative": NARRATIVE},
        "finished_at": timezone.now(),
        **fields,
    }
    for name, value in values.items():
        setattr(report, name, value)
    report.save()
    return report


@pytest.fixture
def zone_report(cast, period) -> Report:
    return stored_report(ReportKind.ZONE, cast.zone_a.pk, period)


def addresses(report: Report) -> set[str]:
    return {r["email"] for r in report_mail.recipients(report)}


def deliveries(report: Report) -> dict[str, ReportDelivery]:
    return {d.email: d for d in ReportDelivery.objects.filter(report=report)}


# --- recipients -----------------------------------------------------------------------------


def test_a_zone_report_goes_to_the_zones_leader_and_staff(cast, zone_report):
    no_email = UserFactory(username="t_staff_a_no_mail", email="")
    MembershipFactory(user=no_email, role="zone_staff", zone=cast.zone_a)

    assert addresses(zone_report) == {cast.leader_a.email, cast.staff_a.email}
    reasons = {r["email"]: r["reason"] for r in report_mail.recipients(zone_report)}
    assert reasons == {cast.leader_a.email: "开发区一把手", cast.staff_a.email: "园区工作人员"}


def test_a_prefecture_report_goes_to_its_city_supervisor(cast, period):
    guiyang = stored_report(ReportKind.PREFECTURE, prefecture("贵阳市").pk, period)
    zunyi = stored_report(ReportKind.PREFECTURE, prefecture("遵义市").pk, period)

    assert addresses(guiyang) == {cast.city.email}
    assert addresses(zunyi) == set()


def test_a_province_report_goes_to_the_provincial_leader_and_supervisor(cast, period):
    report = stored_report(ReportKind.PROVINCE, guizhou().pk, period)

    assert addresses(report) == {cast.province.email, cast.supervisor.email}


def test_a_user_who_opted_out_gets_nothing(cast, zone_report):
    ReportPreference.objects.create(
        user=cast.staff_a, receive=False, extra_recipients="assistant@example.test"
    )

    assert addresses(zone_report) == {cast.leader_a.email}


def test_a_users_extra_recipients_get_what_the_user_gets(cast, zone_report, period):
    ReportPreference.objects.create(
        user=cast.leader_a,
        extra_recipients="secretary@example.test\nSECRETARY@example.test\n  office@example.test",
    )
    zone_b = stored_report(ReportKind.ZONE, cast.zone_b.pk, period)

    assert addresses(zone_report) == {
        cast.leader_a.email,
        cast.staff_a.email,
        "secretary@example.test",
        "office@example.test",
    }
    assert "secretary@example.test" not in addresses(zone_b)


def test_an_administrators_extra_recipients_get_the_province_report(cast, zone_report, period):
    ReportPreference.objects.create(user=cast.admin, extra_recipients="office@gz.example.test")
    province = stored_report(ReportKind.PROVINCE, guizhou().pk, period)

    assert addresses(province) == {
        cast.province.email,
        cast.supervisor.email,
        "office@gz.example.test",
    }
    assert "office@gz.example.test" not in addresses(zone_report)


def test_planning_twice_adds_no_second_delivery(cast, zone_report):
    assert report_mail.plan_deliveries(zone_report) == 2

    assert report_mail.plan_deliveries(zone_report) == 0
    assert ReportDelivery.objects.filter(report=zone_report).count() == 2


def test_a_report_not_built_is_not_planned(cast, period):
    report = reports.report_row(ReportKind.ZONE, cast.zone_a.pk, period, active_methodology())

    assert report_mail.plan_deliveries(report) == 0
    assert not ReportDelivery.objects.exists()


# --- sending --------------------------------------------------------------------------------


def parts(message: EmailMessage) -> dict[str, list[EmailMessage]]:
    found: dict[str, list[EmailMessage]] = {}
    for part in message.walk():
        if not part.is_multipart():
            found.setdefault(part.get_content_type(), []).append(part)
    return found


def test_send_report_mails_each_recipient_once_with_the_pdf(smtp, cast, zone_report, period):
    outcome = report_mail.send_report(zone_report)

    assert outcome == "sent 2"
    received = smtp.messages()
    assert sorted(to for recipients, _m in received for to in recipients) == sorted(
        [cast.leader_a.email, cast.staff_a.email]
    )
    month = reports.month_label(period)
    rows = deliveries(zone_report)
    for (to,), message in received:
        # Django folds the encoded subject onto a continuation line ("Subject: \r\n =?utf-8?b?…");
        # Python's parser keeps the fold's space, a mail client drops it
        assert message["Subject"].strip() == f"【月度督查通报】测试开发区A {month}"
        assert message["To"] == to
        found = parts(message)
        text = found["text/plain"][0].get_content()
        html = found["text/html"][0].get_content()
        assert NARRATIVE[0] in text and NARRATIVE[0] in html
        assert "通报全文见附件" in text
        (pdf,) = found["application/pdf"]
        assert pdf.get_filename() == f"测试开发区A-{period:%Y-%m}-月度督查通报.pdf"
        assert pdf.get_content() == TINY_PDF
        row = rows[to]
        assert row.status == DeliveryStatus.SENT
        assert row.sent_at is not None and row.attempts == 1
        assert message["Message-ID"] == row.message_id
    to_leader = next(m for (to,), m in received if to == cast.leader_a.email)
    assert "t_leader_a：您好！" in parts(to_leader)["text/plain"][0].get_content()


def test_running_send_report_again_sends_nothing_more(smtp, cast, zone_report):
    report_mail.send_report(zone_report)

    assert report_mail.send_report(zone_report) == "无待发送邮件"
    assert len(smtp.accepted) == 2


def test_a_large_report_goes_as_a_link(smtp, settings, cast, zone_report):
    settings.DEVZONE_REPORT_ATTACH_MAX_BYTES = 1
    settings.DEVZONE_BASE_URL = "https://devzone.example.test"

    report_mail.send_report(zone_report)

    link = "https://devzone.example.test" + reverse("zones:report-download", args=[zone_report.pk])
    assert len(smtp.messages()) == 2
    for _to, message in smtp.messages():
        found = parts(message)
        assert "application/pdf" not in found
        assert link in found["text/plain"][0].get_content()
        assert f'href="{link}"' in found["text/html"][0].get_content()
    assert all(d.as_link for d in deliveries(zone_report).values())


@pytest.mark.parametrize("refusal", ["rcpt", "data"])
def test_a_refusing_server_puts_the_delivery_back_to_pending_with_a_later_attempt(
    smtp, cast, zone_report, refusal
):
    if refusal == "rcpt":
        smtp.refuse_rcpt.add("*")
    else:
        smtp.refuse_data = True
    report_mail.plan_deliveries(zone_report)
    delivery = deliveries(zone_report)[cast.leader_a.email]

    assert report_mail.send_delivery(delivery.pk) == "retry"

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now()
    assert "refused" in delivery.last_error
    assert delivery.sent_at is None and delivery.message_id == ""
    assert smtp.accepted == []
    # not due yet: a second call (another worker, the sweeper) does not send it
    assert report_mail.send_delivery(delivery.pk) == "skipped"
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_a_server_that_is_down_is_retried_later(settings, cast, zone_report):
    use_smtp(settings, free_port())  # nothing listens there
    report_mail.plan_deliveries(zone_report)

    assert report_mail.send_report(zone_report) == "retry 2"

    for delivery in deliveries(zone_report).values():
        assert delivery.status == DeliveryStatus.PENDING
        assert delivery.last_error
        assert delivery.next_attempt_at > timezone.now()


def make_due(delivery: ReportDelivery) -> None:
    ReportDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_after_the_last_attempt_the_delivery_is_failed_until_resent(
    smtp, settings, cast, zone_report
):
    settings.DEVZONE_REPORT_MAX_ATTEMPTS = 2
    smtp.refuse_data = True
    report_mail.plan_deliveries(zone_report)
    delivery = deliveries(zone_report)[cast.staff_a.email]

    assert report_mail.send_delivery(delivery.pk) == "retry"
    make_due(delivery)
    assert report_mail.send_delivery(delivery.pk) == DeliveryStatus.FAILED

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)
    assert delivery.next_attempt_at is None
    assert "refused" in delivery.last_error
    assert report_mail.send_delivery(delivery.pk) == "skipped"  # failed stays failed

    report_mail.resend(delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.PENDING,
        0,
        "",
    )
    smtp.refuse_data = False
    assert report_mail.send_delivery(delivery.pk) == DeliveryStatus.SENT
    assert [to for to, _m in smtp.messages()] == [[cast.staff_a.email]]


def test_a_delivery_is_claimed_by_one_caller_only(cast, zone_report):
    report_mail.plan_deliveries(zone_report)
    delivery = deliveries(zone_report)[cast.leader_a.email]

    assert [report_mail.claim(delivery.pk), report_mail.claim(delivery.pk)] == [True, False]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENDING, 1)


def test_a_delivery_another_worker_is_sending_is_not_sent_again(smtp, cast, zone_report):
    report_mail.plan_deliveries(zone_report)
    delivery = deliveries(zone_report)[cast.leader_a.email]
    assert report_mail.claim(delivery.pk)

    assert report_mail.send_delivery(delivery.pk) == "skipped"
    assert smtp.accepted == []


def test_nothing_is_marked_sent_that_the_server_did_not_accept(smtp, cast, zone_report):
    smtp.refuse_rcpt.add(cast.staff_a.email)

    outcome = report_mail.send_report(zone_report)

    assert outcome == "retry 1, sent 1"
    assert [to for to, _m in smtp.messages()] == [[cast.leader_a.email]]
    statuses = {email: d.status for email, d in deliveries(zone_report).items()}
    assert statuses == {
        cast.leader_a.email: DeliveryStatus.SENT,
        cast.staff_a.email: DeliveryStatus.PENDING,
    }
