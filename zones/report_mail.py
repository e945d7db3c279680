"""Email the monthly reports: who receives which report, and sending each exactly once.

Recipients by role and scope: a zone's report goes to the zone's leaders (一把手) and staff; a
prefecture's report to its city supervisors; a province's report to its provincial leaders and
supervisors. A user who opted out (``ReportPreference.receive``) gets none; the extra addresses
an administrator put on their preference receive what that administrator receives (an
administrator receives the reports of the provinces they hold a provincial role in).

Exactly once: ``plan_deliveries`` writes one ``ReportDelivery`` per report and address (a
unique constraint: planning twice adds nothing); ``send_delivery`` first claims the row by a
conditional update (pending → sending), so two workers, a task delivered twice or a second
beat never both send it; it is marked sent after the SMTP server accepted the message. A
failure puts it back to pending with a later ``next_attempt_at`` (backoff), and after
``DEVZONE_REPORT_MAX_ATTEMPTS`` leaves it failed, visible, for an administrator to resend.
Each message carries a Message-ID made from the delivery's id, so a mail server can recognise
the one duplicate a crash between "accepted" and "marked sent" could cause.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from devzone.access import Role
from zones.models import (
    DeliveryStatus,
    Membership,
    Report,
    ReportDelivery,
    ReportKind,
    ReportPreference,
    ReportStatus,
)

logger = logging.getLogger(__name__)

# Transient failures worth retrying; anything else fails the attempt the same way but is logged
# with its trace.
TRANSIENT = (smtplib.SMTPException, OSError, TimeoutError)
BACKOFF_MINUTES = (1, 5, 15, 60, 240)


def recipient_roles(kind: str) -> list[str]:
    """The roles that receive a report of ``kind`` (within the report's scope)."""
    if kind == ReportKind.ZONE:
        return [Role.ZONE_LEADER, Role.ZONE_STAFF]
    if kind == ReportKind.PREFECTURE:
        return [Role.CITY_SUPERVISOR]
    return [Role.PROVINCIAL_LEADER, Role.PROVINCIAL_SUPERVISOR]


def recipients(report: Report) -> list[dict[str, Any]]:
    """[{user, email, reason}] of a report, one per address (compared lower-cased).

    The members holding a receiving role in the report's scope, minus those who opted out;
    the extra addresses on a user's preference receive what that user receives; the extra
    addresses on an administrator's preference receive the province reports (a provincial
    office's shared mailbox, say). Queries: members (1), preferences (1), administrators'
    extras (1, province reports only)."""
    members = Membership.objects.filter(
        role__in=recipient_roles(report.kind), user__is_active=True
    ).select_related("user")
    if report.kind == ReportKind.ZONE:
        members = members.filter(zone_id=report.zone_id)
    elif report.kind == ReportKind.PREFECTURE:
        members = members.filter(prefecture_id=report.prefecture_id)
    else:
        members = members.filter(province_id=report.province_id)
    users = {}
    for member in members.order_by("user_id", "role"):
        users.setdefault(member.user_id, (member.user, member.get_role_display()))
    preferences = {p.user_id: p for p in ReportPreference.objects.filter(user_id__in=list(users))}
    result: dict[str, dict[str, Any]] = {}

    def add(email: str, user, reason) -> None:
        if email and "@" in email:
            result.setdefault(email.lower(), {"user": user, "email": email, "reason": str(reason)})

    for user_id, (user, role) in users.items():
        preference = preferences.get(user_id)
        if preference is not None and not preference.receive:
            continue
        add(user.email, user, role)
        for extra in preference.extra_recipients.split() if preference else []:
            add(extra, None, _("%(user)s 的附加收件人") % {"user": user.get_username()})
    if report.kind == ReportKind.PROVINCE:
        admins = ReportPreference.objects.filter(
            Q(user__is_superuser=True) | Q(user__memberships__role=Role.ADMINISTRATOR),
            user__is_active=True,
            receive=True,
        ).distinct()
        for preference in admins.select_related("user"):
            for extra in preference.extra_recipients.split():
                add(extra, None, _("管理员 %(user)s 设置的收件人") % {"user": preference.user})
    return list(result.values())


def plan_deliveries(report: Report) -> int:
    """One pending delivery per recipient of a finished report; returns the rows added."""
    if report.status != ReportStatus.DONE:
        return 0
    rows = [
        ReportDelivery(
            report=report,
            user=r["user"],
            email=r["email"],
            reason=str(r["reason"])[:100],
            as_link=report.size > settings.DEVZONE_REPORT_ATTACH_MAX_BYTES,
        )
        for r in recipients(report)
    ]
    before = ReportDelivery.objects.filter(report=report).count()
    ReportDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    return ReportDelivery.objects.filter(report=report).count() - before


def claim(delivery_id: int, now: datetime.datetime | None = None) -> bool:
    """pending (and due) → sending, in one conditional update: only one caller wins."""
    now = now or timezone.now()
    return bool(
        ReportDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def message_for(delivery: ReportDelivery) -> EmailMultiAlternatives:
    report = delivery.report
    figures = report.figures or {}
    month = figures.get("month_label") or f"{report.period:%Y-%m}"
    name = (
        (delivery.user.get_full_name() or delivery.user.get_username())
        if delivery.user
        else _("您")
    )
    link = (
        settings.DEVZONE_BASE_URL + reverse("zones:report-download", args=[report.pk])
        if delivery.as_link
        else None
    )
    subject = _("【月度督查通报】%(scope)s %(month)s") % {
        "scope": report.scope_name,
        "month": month,
    }
    context = {
        "report": report,
        "name": name,
        "month": month,
        "subject": subject,
        "narrative": figures.get("narrative", [])[:6],
        "link": link,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/monthly_report.txt", context),
        to=[delivery.email],
        headers={"Message-ID": f"<report-{report.pk}-delivery-{delivery.pk}@devzone>"},
    )
    message.attach_alternative(render_to_string("emails/monthly_report.html", context), "text/html")
    if not delivery.as_link:
        filename = f"{report.scope_name}-{report.period:%Y-%m}-月度督查通报.pdf"
        with report.file.open("rb") as handle:
            message.attach(filename, handle.read(), "application/pdf")
    return message


def send_delivery(delivery_id: int) -> str:
    """Claim and send one delivery; returns its status afterwards ("skipped" when another
    worker holds it or it is not due)."""
    if not claim(delivery_id):
        return "skipped"
    delivery = ReportDelivery.objects.select_related(
        "report", "user", "report__zone", "report__prefecture", "report__province"
    ).get(pk=delivery_id)
    try:
        with translation.override("zh-hans"):
            message = message_for(delivery)
            message.send(fail_silently=False)
    except Exception as error:  # every failure is recorded; transient ones are retried
        if not isinstance(error, TRANSIENT):
            logger.exception("delivery %s failed", delivery_id)
        final = delivery.attempts >= settings.DEVZONE_REPORT_MAX_ATTEMPTS
        wait = BACKOFF_MINUTES[min(delivery.attempts, len(BACKOFF_MINUTES)) - 1]
        ReportDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
            next_attempt_at=None if final else timezone.now() + datetime.timedelta(minutes=wait),
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        return DeliveryStatus.FAILED if final else "retry"
    ReportDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        message_id=message.extra_headers.get("Message-ID", ""),
        last_error="",
    )
    return DeliveryStatus.SENT


def resend(delivery: ReportDelivery) -> None:
    """An administrator's resend of a failed (or sent) delivery: back to pending, due now."""
    ReportDelivery.objects.filter(pk=delivery.pk).exclude(status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.PENDING, next_attempt_at=None, attempts=0, last_error=""
    )


def send_report(report: Report) -> str:
    """Plan the report's deliveries and send the due ones in this process; a summary line."""
    plan_deliveries(report)
    counts: dict[str, int] = {}
    for delivery_id in (
        ReportDelivery.objects.filter(report=report, status=DeliveryStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    ):
        outcome = send_delivery(delivery_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or _("无待发送邮件")
