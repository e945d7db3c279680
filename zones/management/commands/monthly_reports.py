"""``python manage.py monthly_reports --month YYYY-MM [--zone CODE] [--send]``.

Builds the month's supervision reports in this process: every zone's, then every prefecture's,
then each province's (with ``--zone``, only those zones' reports). Building a report again
replaces its file. Without ``--month`` the last complete month.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from devzone.text import join
from zones import reports
from zones.management.commands.recompute_scores import parse_period
from zones.methodology import active_methodology
from zones.models import Prefecture, Province, ReportKind, ReportStatus, Zone
from zones.recompute import previous_month


class Command(BaseCommand):
    help = "Build the monthly supervision reports (PDF) of a month."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month)")
        parser.add_argument("--zone", action="append", default=[], help="zone code (repeatable)")
        parser.add_argument(
            "--send", action="store_true", help="also email each report to its recipients"
        )

    def handle(self, *args, **options):
        period = parse_period(options["month"]) if options["month"] else previous_month()
        methodology = active_methodology()
        if methodology is None:
            raise CommandError(_("没有启用的评价方法版本，请先在管理后台启用一个版本。"))
        toolchain = reports.check_pdf_toolchain()
        if not all(toolchain.values()):
            self.stderr.write(f"PDF toolchain: {toolchain}")
        zones = Zone.objects.order_by("prefecture__code", "code")
        jobs: list[tuple[str, int, str]] = []
        if options["zone"]:
            found = dict(zones.filter(code__in=options["zone"]).values_list("code", "pk"))
            unknown = [code for code in options["zone"] if code not in found]
            if unknown:
                raise CommandError(_("找不到开发区编码：%(codes)s") % {"codes": join(unknown)})
            jobs = [(ReportKind.ZONE, pk, code) for code, pk in found.items()]
        else:
            jobs = [(ReportKind.ZONE, pk, code) for pk, code in zones.values_list("pk", "code")]
            jobs += [
                (ReportKind.PREFECTURE, pk, code)
                for pk, code in Prefecture.objects.filter(zones__isnull=False)
                .distinct()
                .order_by("code")
                .values_list("pk", "code")
            ]
            jobs += [
                (ReportKind.PROVINCE, pk, code)
                for pk, code in Province.objects.filter(prefectures__zones__isnull=False)
                .distinct()
                .order_by("code")
                .values_list("pk", "code")
            ]
        failed = 0
        started = time.perf_counter()
        for kind, pk, code in jobs:
            try:
                report = reports.generate(
                    kind, pk, period, methodology=methodology, triggered_by="manage.py"
                )
            except Exception as error:  # recorded on the row; go on with the others
                failed += 1
                self.stderr.write(f"{kind} {code}: {error!r}")
                continue
            if report.status != ReportStatus.DONE:
                failed += 1
            self.stdout.write(
                f"{kind:<10} {code:<16} {report.status:<8} {report.pages:>3} p "
                f"{report.size / 1024:8.0f} KB  {report.seconds or 0:5.2f} s"
            )
            if options["send"] and report.status == ReportStatus.DONE:
                from zones import report_mail

                sent = report_mail.send_report(report)
                self.stdout.write(f"  {_('邮件')}: {sent}")
        self.stdout.write(
            _("%(month)s：%(n)d 份通报，失败 %(failed)d 份，用时 %(s).1f 秒。")
            % {
                "month": period.strftime("%Y-%m"),
                "n": len(jobs),
                "failed": failed,
                "s": time.perf_counter() - started,
            }
        )
        if failed:
            raise CommandError(_("有 %(n)d 份通报生成失败。") % {"n": failed})
