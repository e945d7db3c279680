"""Load the Guizhou demo data (and, with --zones, a national-scale extension).

The work is in zones/demo.py; this command parses options, holds the one transaction and reports.
"""

from __future__ import annotations

import datetime
import time
from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _

from zones.demo import DEFAULT_PASSWORD, DEFAULT_SEED, GUIZHOU_ZONES, load_demo
from zones.demo_accounts import DemoRefused, check_database
from zones.models import Zone
from zones.recompute import previous_month, recompute
from zones.scoring.stage import stage_counts


def load_app_demos(*, seed: int, log) -> dict[str, int]:
    """Let every other app add its demo records to the demo zones just loaded.

    An app takes part by defining ``load_app_demo(*, seed, log) -> dict[str, int]`` (counts by
    record kind) in its ``demo`` module; apps run in INSTALLED_APPS order, in this command's
    transaction.
    """
    counts: dict[str, int] = {}
    for config in apps.get_app_configs():
        if config.name == "zones" or not module_has_submodule(config.module, "demo"):
            continue
        module = import_module(f"{config.name}.demo")
        loader = getattr(module, "load_app_demo", None)
        if loader is not None:
            counts.update(loader(seed=seed, log=log))
    return counts


HISTORY_MONTHS = 12


def scored_months(count: int) -> list[datetime.date]:
    """The ``count`` months ending with the last complete one, oldest first."""
    last = previous_month()
    index = last.year * 12 + last.month - 1
    return [datetime.date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


class Command(BaseCommand):
    help = (
        "加载贵州省95个开发区的演示数据（企业、指标、演示账号）。"
        " Load Guizhou's 95 demo zones with enterprises, indicators and demo accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="demo accounts' password")
        parser.add_argument(
            "--zones",
            type=int,
            default=GUIZHOU_ZONES,
            help="total zones; above 95 adds synthetic zones in the other 30 provinces",
        )
        parser.add_argument(
            "--enterprises-per-zone",
            type=int,
            default=None,
            help="enterprises in every zone (default: by the zone's output tier)",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when any zone exists"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
        parser.add_argument(
            "--history-months",
            type=int,
            default=HISTORY_MONTHS,
            help="months scored, ending with the last complete one (dashboards' trends)",
        )

    def handle(self, *args, **options):
        zones, per_zone = options["zones"], options["enterprises_per_zone"]
        if zones < GUIZHOU_ZONES:
            raise CommandError(
                _("--zones 不能小于 %(n)d（贵州省的开发区数量）。") % {"n": GUIZHOU_ZONES}
                + f" --zones must be at least {GUIZHOU_ZONES}."
            )
        if per_zone is not None and per_zone < 0:
            raise CommandError(
                _("--enterprises-per-zone 不能为负数。")
                + " --enterprises-per-zone must not be negative."
            )
        if options["history_months"] < 1:
            raise CommandError(
                _("--history-months 至少为 1。") + " --history-months must be at least 1."
            )
        if options["if_empty"] and Zone.objects.exists():
            self.stdout.write(
                _("数据库中已有开发区，未加载演示数据。")
                + " Zones already exist; demo data not loaded (--if-empty)."
            )
            return
        started = time.perf_counter()
        try:
            with transaction.atomic():
                if check_database() == "loaded":
                    self.stdout.write(
                        _("演示数据已加载（%(n)d 个开发区），未做任何更改。")
                        % {"n": Zone.objects.count()}
                        + " Demo data is already loaded; nothing changed."
                    )
                    return
                stats = load_demo(
                    password=options["password"],
                    zones=zones,
                    enterprises_per_zone=per_zone,
                    seed=options["seed"],
                    log=self.stdout.write,
                )
                extra = load_app_demos(seed=options["seed"], log=self.stdout.write)
                # score the last complete months, oldest first (movements compare with the
                # month before), so stages, scorecards and the dashboards' trends show at once
                scoring = time.perf_counter()
                for period in scored_months(options["history_months"]):
                    run = recompute(period, triggered_by="seed_demo")
                stats.timings["recompute"] = time.perf_counter() - scoring
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        total = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "演示数据已加载：开发区 %(z)d 个，企业 %(e)d 家，指标 %(i)d 行，"
                    "新建市州 %(p)d 个，账号 %(a)d 个。"
                )
                % {
                    "z": stats.zones,
                    "e": stats.enterprises,
                    "i": stats.indicators,
                    "p": stats.prefectures_created,
                    "a": stats.accounts,
                }
            )
        )
        extra = {"zones.enterprise_annuals": stats.enterprise_annuals, **extra}
        for name, count in extra.items():
            self.stdout.write(f"  {name:<24} {count:7d}")
        stages = stage_counts(dict(Zone.objects.exclude(stage=None).values_list("pk", "stage")))
        self.stdout.write(
            f"  stages {run.period:%Y-%m} ({run.methodology.version}): "
            + ", ".join(f"{stage} {n}" for stage, n in stages.items())
        )
        for name, seconds in stats.timings.items():
            self.stdout.write(f"  {name:<24} {seconds:7.2f} s")
        self.stdout.write(f"  {'total':<24} {total:7.2f} s")
