"""Each monthly report built once and each mail sent once when things go wrong: a worker killed
in the middle of the month's batch, a second beat firing at the same time, a task delivered
twice.

The first two tests run real ``celery -A devzone worker`` subprocesses on Redis (a private key
prefix), writing to this test's database and mailing through a real SMTP server (aiosmtpd) on
loopback that records every message it accepted, so "sent once" is counted where a recipient
would count it. They build real PDFs: a worker spends its time rendering, so that is where a
kill lands. The third runs the task in this process, as a worker would, with a stub renderer.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone

from tests.conftest import _database_url_of, _use_broker, wait_until
from tests.factories import (
    MembershipFactory,
    UserFactory,
    ensure_scoring_reference_data,
    guizhou,
    prefecture,
)
from tests.zones.test_report_mail import Mailbox, free_port, use_smtp
from zones import report_tasks, reports
from zones.models import DeliveryStatus, Report, ReportDelivery, ReportKind, ReportStatus
from zones.recompute import previous_month, recompute

# --- the month: four zones' worth of reports and their recipients ---------------------------


@dataclass
class Month:
    """A scored past month and the mails its reports must produce: {(address, subject)}."""

    period: datetime.date
    scopes: set[str]
    mails: set[tuple[str, str]]


@pytest.fixture
def month(cast) -> Month:
    """Zones A, A2 (贵阳市) and B (遵义市) with leaders and staff, one staff member working in
    both A2 and B (two reports, one mail each); 贵阳市's city supervisor; the province's leader
    and supervisor. 遵义市 has no city supervisor: its report is built and mailed to no one."""
    ensure_scoring_reference_data()
    leader_a2 = UserFactory(username="t_leader_a2")
    MembershipFactory(user=leader_a2, role="zone_leader", zone=cast.zone_a2)
    shared = UserFactory(username="t_staff_a2_b")
    MembershipFactory(user=shared, role="zone_staff", zone=cast.zone_a2)
    MembershipFactory(user=shared, role="zone_staff", zone=cast.zone_b)
    period = previous_month(previous_month(timezone.localdate()))
    recompute(period)

    label = reports.month_label(period)

    def subject(scope: str) -> str:
        return f"【月度督查通报】{scope} {label}"

    gy, zy, gz = prefecture("贵阳市"), prefecture("遵义市"), guizhou()
    receives = {
        cast.zone_a.name: [cast.leader_a, cast.staff_a],
        cast.zone_a2.name: [leader_a2, shared],
        cast.zone_b.name: [cast.staff_b, shared],
        gy.name: [cast.city],
        zy.name: [],
        gz.name: [cast.province, cast.supervisor],
    }
    assert all(user.email for users in receives.values() for user in users)
    return Month(
        period=period,
        scopes={
            *(f"zone:{z.pk}" for z in (cast.zone_a, cast.zone_a2, cast.zone_b)),
            f"prefecture:{gy.pk}",
            f"prefecture:{zy.pk}",
            f"province:{gz.pk}",
        },
        mails={(u.email, subject(scope)) for scope, users in receives.items() for u in users},
    )


# --- a real SMTP server on loopback ---------------------------------------------------------


@dataclass
class SmtpServer:
    mailbox: Mailbox
    port: int

    def received(self) -> Counter[tuple[str, str]]:
        """How many messages each (recipient, subject) got."""
        return Counter(
            (to, message["Subject"].strip())
            for recipients, message in self.mailbox.messages()
            for to in recipients
        )

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for _to, message in self.mailbox.messages()]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield SmtpServer(mailbox, controller.port)
    controller.stop()


# --- real workers on a private Redis prefix -------------------------------------------------


@dataclass
class Workers:
    """``celery -A devzone worker`` subprocesses on Redis under a private key prefix, all with
    the same var folder (so the second worker finds the first one's files) and mail settings.

    Modelled on ``celery_worker_process`` (tests/conftest.py), which takes no extra
    environment (EMAIL_URL here) and stops its workers only at the end of the test; this one
    can SIGKILL one in the middle and tell when the broker has nothing left to do."""

    tmp_path: Path
    env: dict[str, str]
    prefix: str
    redis: object
    started: list[tuple[subprocess.Popen, Path]] = field(default_factory=list)

    @property
    def media(self) -> Path:
        return self.tmp_path / "var" / "media"

    def start(self, *, concurrency: int = 1) -> subprocess.Popen:
        number = len(self.started) + 1
        log = self.tmp_path / f"worker-{number}.log"
        command = [
            *(sys.executable, "-m", "celery", "-A", "devzone", "worker", "-l", "info"),
            *("--concurrency", str(concurrency), "--without-gossip", "--without-mingle"),
            *("--hostname", f"{self.prefix}{number}@%h"),
        ]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=Path(__file__).resolve().parents[2],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append((process, log))
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool processes: no shutdown, nothing acked or restored."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def unacked(self) -> set[bytes]:
        """Delivery tags of the messages a worker took and has not acknowledged."""
        return set(self.redis.hkeys(f"{self.prefix}unacked"))

    def idle(self, *, ignore: Collection[bytes] = ()) -> bool:
        """No message waiting and none being worked on (every task acks late), twice half a
        second apart (a message just popped is in neither list for an instant). ``ignore``: the
        tags a killed worker left unacknowledged (the broker gives them back after its
        visibility timeout, an hour)."""
        for attempt in range(2):
            if attempt:
                time.sleep(0.5)
            waiting = sum(
                self.redis.llen(key) for key in self.redis.scan_iter(f"{self.prefix}celery*")
            )
            if waiting or self.unacked() - set(ignore):
                return False
        return True


@pytest.fixture
def workers(transactional_db, tmp_path, smtp_server) -> Iterator[Workers]:
    import redis

    from devzone.celery import app

    saved = (app.conf.broker_url, dict(app.conf.broker_transport_options or {}))
    prefix = f"devzone-test-{uuid.uuid4().hex[:10]}:"
    redis_url = os.environ["REDIS_URL"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "devzone.settings",
        "PYTHONUNBUFFERED": "1",
        "DEVZONE_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": _database_url_of(connection.settings_dict),
        "DEVZONE_BROKER_PREFIX": prefix,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
    }
    # this process sends to the same private queue
    _use_broker(app, redis_url, {"visibility_timeout": 3600, "global_keyprefix": prefix})
    client = redis.Redis.from_url(redis_url)
    pool = Workers(tmp_path=tmp_path, env=env, prefix=prefix, redis=client)

    yield pool

    for process, _log in pool.started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process, log in pool.started:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        print(f"--- {log.name} ---\n" + log.read_text(errors="replace")[-3000:])
    _use_broker(app, *saved)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


# --- what "exactly once" means at the end of a month ----------------------------------------


def month_finished(month: Month, smtp: SmtpServer) -> bool:
    """Every report done, every delivery sent and the server holding as many messages; a
    failed report stops the wait at once, with its error."""
    rows = Report.objects.filter(period=month.period)
    failed = rows.filter(status=ReportStatus.FAILED).values_list("scope_key", "error").first()
    assert failed is None, f"report {failed[0]} failed:\n{failed[1]}"
    return (
        rows.count() == len(month.scopes)
        and not rows.exclude(status=ReportStatus.DONE).exists()
        and ReportDelivery.objects.filter(status=DeliveryStatus.SENT).count() == len(month.mails)
        and len(smtp.mailbox.accepted) >= len(month.mails)
    )


def assert_each_report_once(month: Month, media: Path) -> None:
    rows = list(Report.objects.filter(period=month.period))
    assert sorted(r.scope_key for r in rows) == sorted(month.scopes)  # one row per scope
    for report in rows:
        assert report.status == ReportStatus.DONE, report.scope_key
        assert (media / report.file.name).read_bytes().startswith(b"%PDF-"), report.scope_key


def assert_each_mail_once(month: Month, smtp: SmtpServer) -> None:
    """Each recipient got each of their reports exactly once, and nothing else."""
    received = smtp.received()
    assert dict.fromkeys(month.mails, 1) == dict(received)
    deliveries = ReportDelivery.objects.all()
    assert {d.status for d in deliveries} == {DeliveryStatus.SENT}
    ids = smtp.message_ids()
    assert len(set(ids)) == len(ids) == len(month.mails)
    assert sorted(ids) == sorted(d.message_id for d in deliveries)


# --- a worker killed mid-batch --------------------------------------------------------------


@pytest.mark.celery
@pytest.mark.redis
def test_a_worker_killed_while_rendering_and_a_second_beat_leave_each_report_and_mail_once(
    workers, month, smtp_server
):
    """The kill lands while the first report renders, before any mail: the realistic case, a
    worker spends its time in WeasyPrint. The one window the design cannot close is a kill
    between the SMTP server's "250 accepted" and the row marked sent: the delivery stays
    ``sending``, the sweeper puts it back to pending after 15 minutes and it goes out again
    with the same Message-ID (``<report-<id>-delivery-<id>@devzone>``), which only a mail
    server that drops duplicate Message-IDs can absorb. This test does not aim there, so it
    asserts no duplicate at all."""
    first = workers.start()
    report_tasks.monthly_reports.delay(month.period.isoformat(), True)

    victim = wait_until(
        lambda: Report.objects.filter(period=month.period, status=ReportStatus.RUNNING).first(),
        timeout=90,
        interval=0.05,
        what="the first report to start building",
    )
    workers.kill(first)
    victim.refresh_from_db()
    dead_task = victim.claimed_by
    assert victim.status == ReportStatus.RUNNING  # the kill landed mid-build, before any mail
    assert smtp_server.mailbox.accepted == []
    assert not ReportDelivery.objects.exists()
    dead = workers.unacked()  # the killed task's message: Redis hands it back only in an hour

    # a second beat fires for the same month while the batch is broken ...
    report_tasks.monthly_reports.delay(month.period.isoformat(), True)

    # ... and a new worker builds everything the queue still holds ...
    workers.start()
    wait_until(lambda: workers.idle(ignore=dead), timeout=120, what="the new worker to finish")
    running = Report.objects.filter(period=month.period, status=ReportStatus.RUNNING)
    assert list(running.values_list("pk", "claimed_by")) == [(victim.pk, dead_task)]
    assert not Report.objects.filter(period=month.period, status=ReportStatus.QUEUED).exists()

    # ... and a later sweep (the claim is now older than STALE_CLAIM) picks up the dead one
    long_ago = timezone.now() - reports.STALE_CLAIM - datetime.timedelta(minutes=1)
    running.update(started_at=long_ago)
    report_tasks.report_sweeper.delay()
    wait_until(
        lambda: month_finished(month, smtp_server), timeout=120, what="every report and mail"
    )
    wait_until(lambda: workers.idle(ignore=dead), timeout=60, what="the queue to drain")

    assert_each_report_once(month, workers.media)
    assert_each_mail_once(month, smtp_server)
    victim.refresh_from_db()
    assert victim.claimed_by not in ("", dead_task)  # rebuilt by the sweeper's task


# --- a second beat at the same time ---------------------------------------------------------


@pytest.mark.celery
@pytest.mark.redis
def test_two_monthly_runs_at_the_same_time_build_each_report_and_send_each_mail_once(
    workers, month, smtp_server
):
    # both runs wait in the queue before the worker starts: its two processes take one each
    report_tasks.monthly_reports.delay(month.period.isoformat(), True)
    report_tasks.monthly_reports.delay(month.period.isoformat(), True)
    workers.start(concurrency=2)

    wait_until(
        lambda: month_finished(month, smtp_server), timeout=120, what="every report and mail"
    )
    wait_until(workers.idle, timeout=60, what="the queue to drain")

    assert_each_report_once(month, workers.media)
    assert_each_mail_once(month, smtp_server)
    assert {
        r.scope_key: r.attempts for r in Report.objects.filter(period=month.period)
    } == dict.fromkeys(month.scopes, 1)
    assert set(ReportDelivery.objects.values_list("attempts", flat=True)) == {1}


# --- the same task delivered twice ----------------------------------------------------------

STUB_PDF = b"%PDF-1.4\n% stub\n%%EOF\n"


@pytest.mark.django_db
def test_the_same_task_delivered_twice_builds_the_report_and_sends_its_mails_once(
    cast, month, smtp_server, settings, tmp_path, monkeypatch
):
    """``generate_report`` run twice with one task id, in this process as a worker runs it;
    the mails it enqueues are sent here too, at once."""
    settings.MEDIA_ROOT = tmp_path / "media"
    use_smtp(settings, smtp_server.port)
    builds: list[int] = []

    def render(report: Report) -> tuple[bytes, int]:
        builds.append(report.pk)
        return STUB_PDF, 1

    monkeypatch.setattr(reports, "render", render)
    monkeypatch.setattr(
        report_tasks.send_delivery,
        "delay",
        lambda delivery_id: report_tasks.send_delivery.apply(args=[delivery_id]),
    )
    parents: list[tuple] = []
    monkeypatch.setattr(report_tasks.generate_report, "delay", lambda *a: parents.append(a))
    report_tasks.plan_month(month.period)

    for _delivery in range(2):
        report_tasks.generate_report.apply(
            args=[ReportKind.ZONE, cast.zone_a.pk, month.period.isoformat(), True, "beat"],
            task_id="the-same-task-id",
        )

    report = Report.objects.get(period=month.period, zone=cast.zone_a)
    assert len(builds) == 1
    assert (report.status, report.attempts, report.claimed_by) == (
        ReportStatus.DONE,
        1,
        "the-same-task-id",
    )
    assert parents == []  # zone A2 is still queued: 贵阳市's report waits
    ours = {m for m in month.mails if m[1].startswith(f"【月度督查通报】{cast.zone_a.name} ")}
    assert dict(smtp_server.received()) == dict.fromkeys(ours, 1)
    assert set(ReportDelivery.objects.values_list("status", "attempts")) == {
        (DeliveryStatus.SENT, 1)
    }
