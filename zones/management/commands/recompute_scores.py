"""``python manage.py recompute_scores [--zone CODE] [--period YYYY-MM]``: recompute now.

Runs in this process (no worker needed) and records a run row like the tasks do. Without
``--period`` the last complete month is computed; without ``--zone`` every zone.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from devzone.text import join
from zones.models import Methodology, Zone
from zones.recompute import previous_month, recompute


def parse_period(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError as error:
        raise CommandError(
            _("评价期“%(value)s”格式不正确，应为 YYYY-MM，例如 2026-10。") % {"value": value}
        ) from error


class Command(BaseCommand):
    help = "Recompute the zones' stage, capacities, quadrant, per-mu grades and accountability."

    def add_arguments(self, parser):
        parser.add_argument("--zone", action="append", default=[], help="zone code (repeatable)")
        parser.add_argument("--period", help="month to compute, YYYY-MM (default: last month)")

    def handle(self, *args, **options):
        period = parse_period(options["period"]) if options["period"] else previous_month()
        methodology = Methodology.objects.filter(is_active=True).first()
        if methodology is None:
            raise CommandError(_("没有启用的评价方法版本，请先在管理后台启用一个版本。"))
        zone_ids = None
        if options["zone"]:
            found = dict(Zone.objects.filter(code__in=options["zone"]).values_list("code", "pk"))
            unknown = [code for code in options["zone"] if code not in found]
            if unknown:
                raise CommandError(_("找不到开发区编码：%(codes)s") % {"codes": join(unknown)})
            zone_ids = list(found.values())
        run = recompute(
            period,
            methodology=methodology,
            zone_ids=zone_ids,
            triggered_by="manage.py recompute_scores",
        )
        self.stdout.write(
            f"{period:%Y-%m} {methodology.version}: {run.zones_done} zones, "
            f"{run.rows_written} rows, {run.queries} queries, {run.seconds:.2f} s"
        )
