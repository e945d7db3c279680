"""Monthly report tasks (thin: ids in, a domain function, the outcome on the rows).

- ``zones.monthly_reports`` (beat, 08:00 on the 1st): plans the month — one report row per
  zone (queued), prefecture and province (waiting) — and enqueues one task per zone.
- ``zones.generate_report``: builds one report (``zones.reports.generate``), plans its
  deliveries and enqueues them; then, when it was the last zone of its prefecture (or the last
  prefecture of its province), moves the parent from waiting to queued by a conditional update
  and enqueues it: only the task that wins that update does, so no chord over thousands of
  tasks and no parent built twice.
- ``zones.send_delivery``: claims and sends one mail (``zones.report_mail``).
- ``zones.report_sweeper`` (beat, every few minutes): re-enqueues what a lost message or a dead
  worker left behind — queued or abandoned reports, deliveries due for a retry.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from devzone.jobs import enqueue_after_commit
from zones import report_mail, reports
from zones.methodology import active_methodology
from zones.models import (
    DeliveryStatus,
    Prefecture,
    Province,
    Report,
    ReportDelivery,
    ReportKind,
    ReportStatus,
    Zone,
    scope_key,
)
from zones.recompute import previous_month

UNFINISHED = (ReportStatus.WAITING, ReportStatus.QUEUED, ReportStatus.RUNNING)


def plan_month(
    period: datetime.date, *, triggered_by: str = "beat", rebuild: bool = False
) -> list[int]:
    """The month's report rows and the zones whose reports to enqueue.

    Missing rows are created (zones queued, prefectures and provinces waiting); failed ones are
    tried again. A finished report is left alone — a second beat, even hours later, builds
    nothing twice — unless ``rebuild`` (a person re-running the month): then every report that
    is not running goes back to queued / waiting. Queries: a handful, for any zone count."""
    methodology = active_methodology()
    zones = list(Zone.objects.values_list("pk", "prefecture_id", "prefecture__province_id"))
    prefectures = list(
        Prefecture.objects.filter(zones__isnull=False).distinct().values_list("pk", "province_id")
    )
    provinces = list(
        Province.objects.filter(prefectures__zones__isnull=False)
        .distinct()
        .values_list("pk", flat=True)
    )
    rows = [
        Report(
            kind=ReportKind.ZONE,
            scope_key=scope_key(ReportKind.ZONE, pk),
            zone_id=pk,
            prefecture_id=pref,
            province_id=prov,
            status=ReportStatus.QUEUED,
            triggered_by=triggered_by,
        )
        for pk, pref, prov in zones
    ]
    rows += [
        Report(
            kind=ReportKind.PREFECTURE,
            scope_key=scope_key(ReportKind.PREFECTURE, pk),
            prefecture_id=pk,
            province_id=prov,
            status=ReportStatus.WAITING,
            triggered_by=triggered_by,
        )
        for pk, prov in prefectures
    ]
    rows += [
        Report(
            kind=ReportKind.PROVINCE,
            scope_key=scope_key(ReportKind.PROVINCE, pk),
            province_id=pk,
            status=ReportStatus.WAITING,
            triggered_by=triggered_by,
        )
        for pk in provinces
    ]
    for row in rows:
        row.period, row.methodology = period, methodology
    Report.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    month = Report.objects.filter(period=period, methodology=methodology)
    again = ~Q(status=ReportStatus.RUNNING) if rebuild else Q(status=ReportStatus.FAILED)
    month.filter(again, kind=ReportKind.ZONE).update(
        status=ReportStatus.QUEUED, queued_at=timezone.now()
    )
    month.filter(again).exclude(kind=ReportKind.ZONE).update(status=ReportStatus.WAITING)
    return list(
        month.filter(kind=ReportKind.ZONE, status=ReportStatus.QUEUED).values_list(
            "zone_id", flat=True
        )
    )


@shared_task(name="zones.monthly_reports", ignore_result=True)
def monthly_reports(period: str | None = None, send: bool = True, rebuild: bool = False) -> None:
    month = datetime.date.fromisoformat(period) if period else previous_month()
    for zone_id in plan_month(month, rebuild=rebuild):
        generate_report.delay(ReportKind.ZONE, zone_id, month.isoformat(), send, "beat")


@shared_task(name="zones.generate_report", bind=True, ignore_result=True, acks_late=True)
def generate_report(
    self, kind: str, pk: int, period: str, send: bool = True, triggered_by: str = ""
) -> None:
    month = datetime.date.fromisoformat(period)
    token = self.request.id or ""
    try:
        report = reports.generate(
            kind, pk, month, triggered_by=triggered_by, token=token, queued_only=True
        )
    except Exception:  # recorded on the row (failed); the parent must not wait for it forever
        report = Report.objects.get(
            scope_key=scope_key(kind, pk), period=month, methodology=active_methodology()
        )
    if report.status not in (ReportStatus.DONE, ReportStatus.FAILED) or (
        report.claimed_by != token
    ):  # a duplicate message, or another worker holds it: that one carries on
        return
    if send and report.status == ReportStatus.DONE:
        report_mail.plan_deliveries(report)
        for delivery_id in report.deliveries.filter(status=DeliveryStatus.PENDING).values_list(
            "pk", flat=True
        ):
            send_delivery.delay(delivery_id)
    parent = release_parent(report)
    if parent is not None:
        target = (
            parent.prefecture_id if parent.kind == ReportKind.PREFECTURE else parent.province_id
        )
        generate_report.delay(parent.kind, target, period, send, triggered_by)


def release_parent(report: Report) -> Report | None:
    """The parent report (a zone's prefecture, a prefecture's province) moved waiting → queued
    when ``report`` was its last unfinished part; None otherwise, or when another task won."""
    if report.kind == ReportKind.PROVINCE:
        return None
    month = Report.objects.filter(period=report.period, methodology=report.methodology)
    if report.kind == ReportKind.ZONE:
        parts = month.filter(kind=ReportKind.ZONE, prefecture_id=report.prefecture_id)
        parent = month.filter(kind=ReportKind.PREFECTURE, prefecture_id=report.prefecture_id)
    else:
        parts = month.filter(kind=ReportKind.PREFECTURE, province_id=report.province_id)
        parent = month.filter(kind=ReportKind.PROVINCE, province_id=report.province_id)
    if parts.filter(status__in=UNFINISHED).exists():
        return None
    if parent.filter(status=ReportStatus.WAITING).update(
        status=ReportStatus.QUEUED, queued_at=timezone.now()
    ):
        return parent.first()
    return None


@shared_task(name="zones.send_delivery", ignore_result=True, acks_late=True)
def send_delivery(delivery_id: int) -> None:
    report_mail.send_delivery(delivery_id)


@shared_task(name="zones.report_sweeper", ignore_result=True)
def report_sweeper() -> None:
    """Re-enqueue reports queued or abandoned for a while and deliveries due for a retry."""
    now = timezone.now()
    lost = now - datetime.timedelta(minutes=30)
    for report in Report.objects.filter(
        Q(status=ReportStatus.QUEUED, queued_at__lt=lost)
        | Q(status=ReportStatus.RUNNING, started_at__lt=now - reports.STALE_CLAIM)
    ).values("kind", "zone_id", "prefecture_id", "province_id", "period"):
        target = report["zone_id"] or report["prefecture_id"] or report["province_id"]
        generate_report.delay(report["kind"], target, report["period"].isoformat(), True, "sweeper")
    # a delivery claimed by a worker that died: back to pending (it may have been sent:
    # its Message-ID lets the mail server drop the duplicate)
    ReportDelivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - datetime.timedelta(minutes=15)
    ).update(status=DeliveryStatus.PENDING, next_attempt_at=now)
    for delivery_id in ReportDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).values_list("pk", flat=True):
        send_delivery.delay(delivery_id)
    # a parent still waiting although its parts all finished (its release was lost)
    for parent in Report.objects.filter(status=ReportStatus.WAITING, queued_at__lt=lost):
        parts = Report.objects.filter(period=parent.period, methodology=parent.methodology)
        if parent.kind == ReportKind.PREFECTURE:
            parts = parts.filter(kind=ReportKind.ZONE, prefecture_id=parent.prefecture_id)
            target = parent.prefecture_id
        else:
            parts = parts.filter(kind=ReportKind.PREFECTURE, province_id=parent.province_id)
            target = parent.province_id
        released = (
            parts.exists()
            and not parts.filter(status__in=UNFINISHED).exists()
            and Report.objects.filter(pk=parent.pk, status=ReportStatus.WAITING).update(
                status=ReportStatus.QUEUED, queued_at=now
            )
        )
        if released:
            generate_report.delay(parent.kind, target, parent.period.isoformat(), True, "sweeper")


def request_regeneration(report: Report, *, by: str) -> None:
    """Queue a rebuild of ``report`` (not its mails) once the transaction commits."""
    Report.objects.filter(pk=report.pk).exclude(status=ReportStatus.RUNNING).update(
        status=ReportStatus.QUEUED, queued_at=timezone.now()
    )
    target = report.zone_id or report.prefecture_id or report.province_id
    enqueue_after_commit(generate_report, report.kind, target, report.period.isoformat(), False, by)
