"""Building the monthly supervision reports (月度督查通报) as PDFs.

The figures come from a real recompute of a past month (the month two months before today)
over projects made with the real services; the PDFs are real WeasyPrint output, read back with
poppler's ``pdftotext`` and ``pdffonts`` (the tools a reader's machine would use), so a test
proves what a leader sees on the page, not only what the builder meant to write. Tests about
claiming, failures and the "as of the month's end" rule replace the renderer with a stub: they
are about rows and figures, and a real PDF would only make them slower.
"""

from __future__ import annotations

import datetime
import re
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from investment import services
from investment.models import ProjectStage
from tests.factories import guizhou, prefecture
from tests.investment.helpers import days_ago, make_project
from zones import reports
from zones.methodology import active_methodology
from zones.models import Report, ReportKind, ReportStatus, ZoneSummary
from zones.recompute import month_end, previous_month, recompute

pytestmark = pytest.mark.django_db

STUB_PDF = b"%PDF-1.4\n% stub\n%%EOF\n"


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Each test its own media folder: a report's file name is fixed by its scope and month, so
    a file left by another test would be found at the same path."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def period() -> datetime.date:
    """The month two months before today (complete, and in the past)."""
    return previous_month(previous_month(timezone.localdate()))


def signed_on(user, zone, day: datetime.date, stage: str = ProjectStage.SIGNED, **extra):
    """A project (created 20 days before ``day``) signed on ``day``, then moved on to ``stage``
    every 10 days (``make_project`` moves a project one stage every 10 days)."""
    start = (timezone.localdate() - day).days + 20
    return make_project(user, zone, stage=stage, start=start, **extra)


@pytest.fixture
def zone_a_month(cast, period):
    """Zone A at the end of ``period``: an old lead, a project signed in the month and one
    signed on the month's first day and started three weeks later; zone B a signed project;
    the month recomputed."""
    make_project(cast.staff_a, cast.zone_a, name="老线索项目", start=400)
    signed_on(cast.staff_a, cast.zone_a, period + datetime.timedelta(days=5), name="本月签约项目")
    signed_on(
        cast.staff_a,
        cast.zone_a,
        period,
        stage=ProjectStage.STARTED,
        name="已开工项目",
    )
    make_project(cast.staff_b, cast.zone_b, stage=ProjectStage.SIGNED, start=200)
    recompute(period)
    return cast


def pdf_text(path: str) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_fonts(path: str) -> list[dict[str, str]]:
    """``pdffonts``' table as rows (the type column has spaces: read the others from the end)."""
    out = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def figure_below(text: str, label: str) -> str:
    """The value printed under a headline figure's label: ``pdftotext -layout`` puts the labels
    of a row of figures on one line and their values on the next non-blank line, starting at
    the same column."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        column = line.find(label)
        if column < 0 or "·" in line:  # the narrative's bullets mention labels too
            continue
        below = next(x for x in lines[i + 1 :] if x.strip())
        return below[column:].split()[0]
    raise AssertionError(f"no figure labelled {label!r} in the PDF")


def pipeline_of(zone, period) -> dict:
    return ZoneSummary.objects.get(zone=zone, period=period, section="pipeline").figures


def stub_render(monkeypatch, body: bytes = STUB_PDF) -> list[Report]:
    """Replace the PDF renderer; returns the list of reports it was asked to render."""
    calls: list[Report] = []

    def render(report: Report) -> tuple[bytes, int]:
        calls.append(report)
        return body, 2

    monkeypatch.setattr(reports, "render", render)
    return calls


# --- the zone's report, as printed --------------------------------------------------------


def test_zone_report_prints_the_months_figures_as_the_database_holds_them(zone_a_month, period):
    zone = zone_a_month.zone_a
    report = reports.generate(ReportKind.ZONE, zone.pk, period)

    assert report.status == ReportStatus.DONE, report.error
    assert report.pages >= 2
    path = Path(report.file.path)
    assert path.is_file()
    assert report.size == path.stat().st_size
    text = pdf_text(str(path))
    assert zone.name in text
    assert reports.month_label(period) in text
    assert f"{period.year}年{period.month}月" in text
    pipeline = pipeline_of(zone, period)
    signed_year = pipeline["year"][ProjectStage.SIGNED]
    in_library = sum(n for stage, n in pipeline["stages"].items() if stage != "terminated")
    assert (signed_year, in_library) == (2, 3)  # the two signings, the three projects
    # the narrative's sentence and the headline figures
    assert re.search(r"本年签约项目\s*(\d+)\s*个", text).group(1) == str(signed_year)
    assert figure_below(text, "在库项目") == str(in_library)
    assert figure_below(text, "本年签约项目") == str(signed_year)
    assert report.figures["dashboard"]["headline"]["projects"] == in_library
    assert any(f"本年签约项目 {signed_year} 个" in s for s in report.figures["narrative"])


def test_zone_report_embeds_a_subset_of_a_cjk_font(zone_a_month, period):
    report = reports.generate(ReportKind.ZONE, zone_a_month.zone_a.pk, period)

    fonts = pdf_fonts(report.file.path)
    cjk = [f for f in fonts if "CJK" in f["name"]]
    assert cjk, fonts
    for font in cjk:
        assert (font["emb"], font["sub"]) == ("yes", "yes"), font
        assert re.match(r"^[A-Z]{6}\+", font["name"]), font
    assert all(f["emb"] == "yes" for f in fonts), fonts  # no font left to the reader's machine


def test_generating_again_keeps_one_row_and_replaces_its_file(
    cast, period, monkeypatch, django_capture_on_commit_callbacks
):
    stub_render(monkeypatch, STUB_PDF)
    first = reports.generate(ReportKind.ZONE, cast.zone_a.pk, period)
    stub_render(monkeypatch, STUB_PDF + b"% second build\n")

    # the old file is removed once the row points at the new one (after the commit)
    with django_capture_on_commit_callbacks(execute=True):
        second = reports.generate(ReportKind.ZONE, cast.zone_a.pk, period)

    assert second.pk == first.pk
    assert Report.objects.filter(zone=cast.zone_a, period=period).count() == 1
    folder = Path(second.file.path).parent
    assert sorted(p.name for p in folder.iterdir()) == [Path(second.file.name).name]
    assert Path(second.file.path).read_bytes().endswith(b"% second build\n")
    assert second.size == len(STUB_PDF) + len(b"% second build\n")
    assert second.attempts == 2


# --- prefecture and province ----------------------------------------------------------------


def test_prefecture_report_covers_its_own_zones_only(zone_a_month, period):
    gy = prefecture("贵阳市")

    report = reports.generate(ReportKind.PREFECTURE, gy.pk, period)

    assert report.status == ReportStatus.DONE, report.error
    assert report.pages >= 2
    text = pdf_text(report.file.path)
    assert "贵阳市" in text and reports.month_label(period) in text
    assert "测试开发区A" in text and "测试开发区A2" in text
    assert "测试开发区B" not in text
    assert "目录" not in text  # one region, no sections
    assert report.figures["overview"]["headline"]["zones"] == 2


def test_province_report_has_a_table_of_contents_and_a_section_per_prefecture(zone_a_month, period):
    report = reports.generate(ReportKind.PROVINCE, guizhou().pk, period)

    assert report.status == ReportStatus.DONE, report.error
    assert report.pages >= 2
    text = pdf_text(report.file.path)
    assert "目录" in text
    assert [s["name"] for s in report.figures["sections"]] == ["贵阳市", "遵义市"]
    headings = re.findall(r"分市州：(\S+)", text)
    # each prefecture with zones once in the table of contents and once as a section heading
    assert sorted(headings) == ["贵阳市", "贵阳市", "遵义市", "遵义市"]
    assert report.figures["overview"]["headline"]["zones"] == 3


# --- as of the month's end ------------------------------------------------------------------


def test_a_project_signed_after_the_month_does_not_change_that_months_figures(
    zone_a_month, period, monkeypatch
):
    stub_render(monkeypatch)
    zone = zone_a_month.zone_a
    before = reports.generate(ReportKind.ZONE, zone.pk, period).figures
    after_the_month = month_end(period) + datetime.timedelta(days=25)
    signed_on(zone_a_month.staff_a, zone, after_the_month, name="月后签约项目")
    recompute(period)

    again = reports.generate(ReportKind.ZONE, zone.pk, period).figures

    assert again["dashboard"]["headline"] == before["dashboard"]["headline"]
    assert again["dashboard"]["pipeline"] == before["dashboard"]["pipeline"]
    assert again["dashboard"]["funnel"] == before["dashboard"]["funnel"]
    assert again["narrative"] == before["narrative"]
    assert again["as_of"] == before["as_of"] == month_end(period).isoformat()


def test_the_project_list_of_a_past_month_is_as_of_that_months_end(
    zone_a_month, period, monkeypatch
):
    """The annex 附表：项目清单 is printed under "数据截至 <month's end>": a project created after
    the month is not in it, and a project that moved on since shows the stage it had then."""
    stub_render(monkeypatch)
    zone = zone_a_month.zone_a
    signed = zone.projects.get(name="本月签约项目")
    services.transition(
        zone_a_month.staff_a,
        signed,
        ProjectStage.REGISTERED,
        days_ago((timezone.localdate() - month_end(period)).days - 3),
    )
    signed_on(
        zone_a_month.staff_a,
        zone,
        month_end(period) + datetime.timedelta(days=25),
        name="月后签约项目",
    )
    recompute(period)

    figures = reports.generate(ReportKind.ZONE, zone.pk, period).figures

    listed = {p["name"]: p["stage"] for p in figures["projects"]}
    assert "月后签约项目" not in listed
    assert listed["本月签约项目"] == str(ProjectStage.SIGNED.label)
    assert len(listed) == figures["dashboard"]["headline"]["projects"]


# --- failures and claiming ------------------------------------------------------------------


def test_a_failed_build_leaves_the_row_failed_with_the_error_and_raises(cast, period, monkeypatch):
    def broken(report):
        raise RuntimeError("字体缺失")

    monkeypatch.setattr(reports, "render", broken)

    with pytest.raises(RuntimeError, match="字体缺失"):
        reports.generate(ReportKind.ZONE, cast.zone_a.pk, period)

    report = Report.objects.get(zone=cast.zone_a, period=period)
    assert report.status == ReportStatus.FAILED
    assert "字体缺失" in report.error
    assert report.attempts == 1
    assert report.finished_at is not None
    assert not report.file


def test_a_failed_rebuild_keeps_the_previous_file(cast, period, monkeypatch):
    stub_render(monkeypatch)
    done = reports.generate(ReportKind.ZONE, cast.zone_a.pk, period)
    monkeypatch.setattr(reports, "render", lambda report: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        reports.generate(ReportKind.ZONE, cast.zone_a.pk, period)

    done.refresh_from_db()
    assert done.status == ReportStatus.FAILED
    assert Path(done.file.path).read_bytes() == STUB_PDF


def queued_row(zone, period) -> Report:
    return reports.report_row(ReportKind.ZONE, zone.pk, period, active_methodology())


def test_only_one_of_two_claims_takes_a_report(cast, period):
    report = queued_row(cast.zone_a, period)

    outcomes = [reports.claim(report, "task-1"), reports.claim(report, "task-2")]

    assert outcomes == [True, False]
    report.refresh_from_db()
    assert (report.status, report.claimed_by) == (ReportStatus.RUNNING, "task-1")


def test_a_running_report_is_claimed_again_by_the_same_token(cast, period):
    report = queued_row(cast.zone_a, period)
    assert reports.claim(report, "task-1", queued_only=True)

    assert reports.claim(report, "task-1", queued_only=True)  # the redelivered task
    assert not reports.claim(report, "task-2", queued_only=True)
    assert not reports.claim(report, "")  # a person's request waits for the running build


def test_an_abandoned_running_report_is_claimed_by_another_worker(cast, period):
    report = queued_row(cast.zone_a, period)
    assert reports.claim(report, "dead-worker")
    Report.objects.filter(pk=report.pk).update(
        started_at=timezone.now() - reports.STALE_CLAIM - datetime.timedelta(minutes=1)
    )

    assert reports.claim(report, "task-2", queued_only=True)


def test_a_task_does_not_rebuild_a_done_report_but_a_person_may(cast, period, monkeypatch):
    stub_render(monkeypatch)
    report = reports.generate(ReportKind.ZONE, cast.zone_a.pk, period)
    assert report.status == ReportStatus.DONE

    assert not reports.claim(report, "duplicate-message", queued_only=True)
    assert reports.claim(report, "")


def test_generate_leaves_a_report_another_worker_holds_untouched(cast, period, monkeypatch):
    calls = stub_render(monkeypatch)
    report = queued_row(cast.zone_a, period)
    assert reports.claim(report, "task-1")

    result = reports.generate(ReportKind.ZONE, cast.zone_a.pk, period, token="task-2")

    assert calls == []
    assert (result.status, result.claimed_by, result.attempts) == (
        ReportStatus.RUNNING,
        "task-1",
        0,
    )


def test_this_machine_subsets_fonts_with_harfbuzz_and_has_a_cjk_font():
    assert reports.check_pdf_toolchain() == {"harfbuzz_subset": True, "cjk_font": True}
