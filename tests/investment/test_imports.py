"""Importing projects, milestones and progress reports: preview → confirm, all or nothing,
scoped, stage untouched, and the exported files import back unchanged."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from devzone.imports import import_file, start_import
from devzone.models import ChangeRecord, ImportBatch
from investment.models import (
    Milestone,
    MilestoneReschedule,
    ProgressReport,
    Project,
    ProjectStage,
    StageTransition,
)
from tests.investment.helpers import make_project

pytestmark = pytest.mark.django_db

PROJECT_HEADERS = ["项目编号", "项目名称", "开发区编码", "投资方", "投资方来源", "来源省份",
                   "来源城市", "招商方式", "项目阶段", "计划总投资（万元）",
                   "本年计划投资（万元）"]  # fmt: skip


def upload(headers, rows, name="导入.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([headers, *rows])
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), "text/csv")


def project_row(name: str, zone: str = "TZ-A", **over) -> list:
    values = {
        "项目编号": "",
        "项目名称": name,
        "开发区编码": zone,
        "投资方": "导入投资有限公司",
        "投资方来源": "境内",
        "来源省份": "广东省",
        "来源城市": "深圳市",
        "招商方式": "专业招商",
        "项目阶段": "",
        "计划总投资（万元）": "1.5亿元",
        "本年计划投资（万元）": "3,000",
    }
    values.update(over)
    return [values[h] for h in PROJECT_HEADERS]


def import_projects(user, rows, headers=PROJECT_HEADERS):
    return import_file(user, "investment.project", upload(headers, rows))


def snapshot(model) -> list[str]:
    return sorted(map(str, model.objects.order_by("pk").values()))


# --- projects --------------------------------------------------------------------------------


def test_the_project_template_lists_headers_and_allowed_values(cast, client_for):
    response = client_for(cast.staff_a).get(reverse("investment:project-import-template"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    headers = [c.value for c in book.worksheets[0][1]]
    assert headers[:3] == ["项目编号", "项目名称", "开发区编码"]
    assert "项目阶段" in headers and "项目负责人账号" in headers
    assert "进入当前阶段日期" not in headers  # export-only columns are not in the template
    options = [c.value for c in book["可选值"]["A"] if c.value] + [
        c.value for col in book["可选值"].iter_cols() for c in col if c.value
    ]
    assert "专业招商" in options and "洽谈" in options


def test_the_template_examples_import_cleanly(cast, client_for):
    from tests.factories import ensure_reference_data

    ensure_reference_data()
    response = client_for(cast.staff_a).get(reverse("investment:project-import-template"))
    notes = load_workbook(io.BytesIO(response.content))["填写说明"]
    rows = [[c.value for c in r] for r in notes.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[0] == "项目编号" and r[1] == "项目名称")
    headers, examples = rows[start], rows[start + 1 : start + 3]
    batch = import_file(
        cast.staff_a,
        "investment.project",
        upload(headers, [["" if v is None else v for v in r] for r in examples]),
    )
    assert batch.status == "confirmed", batch.errors or batch.message
    assert batch.rows_new == 2


def test_staff_imports_new_projects_with_generated_codes_and_first_transitions(cast):
    year = datetime.date.today().year
    batch = import_projects(
        cast.staff_a, [project_row("导入项目甲"), project_row("导入项目乙", 项目阶段="洽谈")]
    )
    assert batch.status == ImportBatch.Status.CONFIRMED, batch.errors or batch.message
    assert (batch.rows_new, batch.rows_updated) == (2, 0)
    first, second = Project.objects.order_by("code")
    assert first.code == f"XM-TZ-A-{year}-0001" and first.name == "导入项目甲"
    assert second.code == f"XM-TZ-A-{year}-0002" and second.stage == ProjectStage.NEGOTIATING
    assert first.stage == ProjectStage.LEAD and first.planned_investment == Decimal("15000.00")
    assert first.planned_investment_this_year == Decimal("3000.00")
    assert StageTransition.objects.filter(project=second, to_stage="negotiating").count() == 1
    assert ChangeRecord.objects.filter(action="create", object_id=first.pk).count() == 1


def test_rows_naming_a_project_code_are_updates_with_history(cast):
    project = make_project(cast.staff_a, cast.zone_a, name="旧名称")
    batch = import_projects(
        cast.staff_a, [project_row("新名称", 项目编号=project.code, 项目阶段="线索")]
    )
    assert batch.status == "confirmed", batch.errors
    assert (batch.rows_new, batch.rows_updated) == (0, 1)
    project.refresh_from_db()
    assert project.name == "新名称"
    change = ChangeRecord.objects.get(object_id=project.pk, action="update")
    assert change.changes["name"] == ["旧名称", "新名称"]


def test_an_import_never_moves_a_stage(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)
    before = snapshot(Project)
    batch = import_projects(
        cast.staff_a, [project_row("x", 项目编号=project.code, 项目阶段="开工")]
    )
    assert batch.status == "previewed" and batch.rows_error == 1
    assert batch.errors[0]["column"] == "项目阶段" and "签约" in batch.errors[0]["message"]
    batch = import_projects(cast.staff_a, [project_row("新项目", 项目阶段="签约")])
    assert batch.errors[0]["column"] == "项目阶段"
    assert snapshot(Project) == before


def test_a_code_that_does_not_exist_is_an_error(cast):
    batch = import_projects(cast.staff_a, [project_row("甲", 项目编号="XM-NOPE-1")])
    assert batch.rows_error == 1 and batch.errors[0]["column"] == "项目编号"
    assert not Project.objects.exists()


def test_one_bad_cell_stops_the_whole_project_file(cast):
    rows = [project_row(f"项目{n}") for n in range(5)]
    rows[3][PROJECT_HEADERS.index("计划总投资（万元）")] = "很多"
    batch = import_projects(cast.staff_a, rows)
    assert batch.status == "previewed"
    assert [(e["row"], e["column"]) for e in batch.errors] == [(5, "计划总投资（万元）")]
    assert not Project.objects.exists() and not ChangeRecord.objects.exists()


def test_a_cross_field_rule_is_reported_on_its_row_at_confirm(cast):
    rows = [project_row("好项目"), project_row("坏项目")]
    rows[1][PROJECT_HEADERS.index("计划总投资（万元）")] = "100"
    rows[1][PROJECT_HEADERS.index("本年计划投资（万元）")] = "200"
    batch = import_projects(cast.staff_a, rows)
    assert batch.status == "failed"
    assert batch.errors[0]["row"] == 3 and batch.errors[0]["column"] == "本年计划投资（万元）"
    assert not Project.objects.exists() and not StageTransition.objects.exists()


def test_staff_b_cannot_import_projects_into_zone_a(cast):
    batch = import_projects(cast.staff_b, [project_row("越权项目")])
    assert batch.rows_error == 1
    assert batch.errors[0]["column"] == "开发区编码"
    assert not Project.objects.exists()


def test_staff_b_cannot_update_zone_a_projects_by_their_code(cast):
    project = make_project(cast.staff_a, cast.zone_a, name="A区项目")
    before = snapshot(Project)
    for zone in ("TZ-A", "TZ-B"):
        batch = import_projects(
            cast.staff_b, [project_row("被改名", zone=zone, 项目编号=project.code)]
        )
        assert batch.rows_error == 1 and batch.status != "confirmed"
    assert snapshot(Project) == before


def test_a_project_cannot_be_moved_to_another_zone_by_import(cast):
    project = make_project(cast.admin, cast.zone_a)
    batch = import_projects(cast.admin, [project_row("x", zone="TZ-B", 项目编号=project.code)])
    assert batch.rows_error == 1 and batch.errors[0]["column"] == "开发区编码"
    assert Project.objects.get(pk=project.pk).zone == cast.zone_a


def test_a_viewer_cannot_import_projects(cast, client_for):
    with pytest.raises(PermissionDenied):
        start_import(cast.viewer_a, "investment.project", upload(PROJECT_HEADERS, []))
    client = client_for(cast.viewer_a)
    assert client.get(reverse("investment:project-import")).status_code == 404
    assert client.get(reverse("investment:project-import-template")).status_code == 404
    response = client.post(
        reverse("investment:project-import"),
        {"file": upload(PROJECT_HEADERS, [project_row("只读")])},
    )
    assert response.status_code == 404
    assert not Project.objects.exists() and not ImportBatch.objects.exists()


def test_the_upload_page_previews_and_confirm_writes(cast, client_for):
    client = client_for(cast.staff_a)
    page = client.get(reverse("investment:project-import"))
    assert page.status_code == 200 and "项目编号" in page.content.decode()
    response = client.post(
        reverse("investment:project-import"), {"file": upload(PROJECT_HEADERS, [project_row("页")])}
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.resource == "investment.project" and batch.rows_new == 1
    assert not Project.objects.exists()
    client.post(reverse("zones:import-confirm"), {"id": batch.pk})
    assert Project.objects.get().name == "页"


def test_the_project_list_shows_the_import_button_only_to_importers(cast, client_for):
    url = reverse("investment:project-import")
    assert url in client_for(cast.staff_a).get(reverse("investment:project-list")).content.decode()
    body = client_for(cast.viewer_a).get(reverse("investment:project-list")).content.decode()
    assert url not in body


def test_an_exported_project_file_imports_back_unchanged(cast, client_for):
    from tests.factories import EnterpriseFactory

    enterprise = EnterpriseFactory(zone=cast.zone_a)
    make_project(cast.staff_a, cast.zone_a, name="=1+1项目", lead=cast.staff_a)
    make_project(
        cast.staff_a, cast.zone_a, name="签约项目", stage=ProjectStage.REGISTERED,
        enterprise=enterprise, blocking_problems="-用地", land_mu=Decimal("12.5"),
    )  # fmt: skip
    make_project(
        cast.staff_a, cast.zone_a, name="境外项目", origin_type="foreign", origin_province=None,
        origin_city="", origin_country="新加坡",
    )  # fmt: skip
    before, history = snapshot(Project), ChangeRecord.objects.count()
    exported = client_for(cast.staff_a).get(reverse("investment:project-export")).content
    batch = import_file(cast.staff_a, "investment.project", SimpleUploadedFile("p.xlsx", exported))
    assert batch.errors == [], batch.message
    assert (batch.rows_new, batch.rows_updated, batch.rows_unchanged) == (0, 0, 3)
    assert snapshot(Project) == before and ChangeRecord.objects.count() == history


# --- milestones ------------------------------------------------------------------------------

MILESTONE_HEADERS = ["项目编号", "节点名称", "计划完成日期", "实际完成日期", "状态", "计划调整原因"]


def test_the_milestone_template_downloads(cast, client_for):
    response = client_for(cast.staff_a).get(reverse("investment:milestone-import-template"))
    assert response.status_code == 200
    headers = [c.value for c in load_workbook(io.BytesIO(response.content)).worksheets[0][1]]
    assert headers[:3] == ["项目编号", "节点名称", "计划完成日期"]


def test_milestones_import_by_project_code_and_title(cast):
    project = make_project(cast.staff_a, cast.zone_a)
    rows = [
        [project.code, "完成用地预审", "2030-06-30", "", "进行中", ""],
        [project.code, "取得施工许可", "2030年9月30日", "", "", ""],
    ]
    batch = import_file(cast.staff_a, "investment.milestone", upload(MILESTONE_HEADERS, rows))
    assert batch.status == "confirmed", batch.errors
    assert batch.rows_new == 2
    # the same title again is an update; a new date needs a reason and is kept as a reschedule
    rows = [[project.code, "完成用地预审", "2030-07-31", "", "进行中", ""]]
    batch = import_file(cast.staff_a, "investment.milestone", upload(MILESTONE_HEADERS, rows))
    assert batch.rows_error == 1 and batch.errors[0]["column"] == "计划调整原因"
    rows[0][-1] = "规划调整"
    batch = import_file(cast.staff_a, "investment.milestone", upload(MILESTONE_HEADERS, rows))
    assert batch.status == "confirmed" and batch.rows_updated == 1
    reschedule = MilestoneReschedule.objects.get()
    assert reschedule.new_date == datetime.date(2030, 7, 31) and reschedule.reason == "规划调整"


def test_one_bad_milestone_cell_stops_the_file(cast):
    project = make_project(cast.staff_a, cast.zone_a)
    rows = [
        [project.code, "节点一", "2030-06-30", "", "", ""],
        [project.code, "节点二", "明年", "", "", ""],
    ]
    batch = import_file(cast.staff_a, "investment.milestone", upload(MILESTONE_HEADERS, rows))
    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, "计划完成日期")]
    assert not Milestone.objects.exists()


def test_staff_b_and_viewers_cannot_import_milestones_into_zone_a(cast):
    project = make_project(cast.staff_a, cast.zone_a)
    rows = [[project.code, "越权节点", "2030-06-30", "", "", ""]]
    batch = import_file(cast.staff_b, "investment.milestone", upload(MILESTONE_HEADERS, rows))
    assert batch.rows_error == 1 and batch.errors[0]["column"] == "项目编号"
    with pytest.raises(PermissionDenied):
        import_file(cast.viewer_a, "investment.milestone", upload(MILESTONE_HEADERS, rows))
    assert not Milestone.objects.exists()


def test_staff_b_cannot_update_zone_a_milestones(cast):
    project = make_project(cast.staff_a, cast.zone_a)
    import_file(
        cast.staff_a,
        "investment.milestone",
        upload(MILESTONE_HEADERS, [[project.code, "节点", "2030-06-30", "", "", ""]]),
    )
    before = snapshot(Milestone)
    rows = [[project.code, "节点", "2030-06-30", "", "进行中", ""]]
    batch = import_file(cast.staff_b, "investment.milestone", upload(MILESTONE_HEADERS, rows))
    assert batch.rows_error == 1
    assert snapshot(Milestone) == before


def test_exported_milestones_import_back_unchanged(cast, client_for):
    project = make_project(cast.staff_a, cast.zone_a)
    rows = [
        [project.code, "=节点", "2030-06-30", "", "进行中", ""],
        [project.code, "已完成节点", "2024-06-30", "2024-06-29", "已完成", ""],
    ]
    import_file(cast.staff_a, "investment.milestone", upload(MILESTONE_HEADERS, rows))
    before, history = snapshot(Milestone), ChangeRecord.objects.count()
    exported = client_for(cast.staff_a).get(reverse("investment:milestone-export")).content
    batch = import_file(
        cast.staff_a, "investment.milestone", SimpleUploadedFile("m.xlsx", exported)
    )
    assert batch.errors == [] and (batch.rows_new, batch.rows_updated) == (0, 0)
    assert batch.rows_unchanged == 2
    assert snapshot(Milestone) == before and ChangeRecord.objects.count() == history


# --- progress reports ------------------------------------------------------------------------

REPORT_HEADERS = ["项目编号", "年份", "月份", "本月完成投资（万元）", "累计完成投资（万元）",
                  "进展情况"]  # fmt: skip


def _signed(cast):
    return make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)


def test_the_report_template_downloads(cast, client_for):
    response = client_for(cast.staff_a).get(reverse("investment:report-import-template"))
    assert response.status_code == 200


def test_reports_import_by_project_and_month_with_the_cumulative_rule(cast):
    project = _signed(cast)
    rows = [
        [project.code, 2024, 1, "100", "", "开工准备"],
        [project.code, "2024年", "2月", "50", "", "基础施工"],
    ]
    batch = import_file(cast.staff_a, "investment.report", upload(REPORT_HEADERS, rows))
    assert batch.status == "confirmed", batch.errors
    feb = ProgressReport.objects.get(month=2)
    assert feb.investment_cumulative == Decimal("150.00")
    project.refresh_from_db()
    assert project.completed_investment == Decimal("150.00")
    rows = [[project.code, 2024, 2, "60", "", "基础施工（更正）"]]
    batch = import_file(cast.staff_a, "investment.report", upload(REPORT_HEADERS, rows))
    assert batch.status == "confirmed" and batch.rows_updated == 1
    assert ProgressReport.objects.get(month=2).investment_cumulative == Decimal("160.00")


def test_a_report_breaking_the_cumulative_rule_stops_the_file(cast):
    project = _signed(cast)
    rows = [
        [project.code, 2024, 1, "100", "100", "一月"],
        [project.code, 2024, 2, "50", "120", "二月"],
    ]
    batch = import_file(cast.staff_a, "investment.report", upload(REPORT_HEADERS, rows))
    assert batch.status == "failed"
    assert (batch.errors[0]["row"], batch.errors[0]["column"]) == (3, "累计完成投资（万元）")
    assert not ProgressReport.objects.exists()


def test_staff_b_and_viewers_cannot_import_reports_into_zone_a(cast):
    project = _signed(cast)
    rows = [[project.code, 2024, 1, "100", "", "越权"]]
    batch = import_file(cast.staff_b, "investment.report", upload(REPORT_HEADERS, rows))
    assert batch.rows_error == 1
    with pytest.raises(PermissionDenied):
        import_file(cast.viewer_a, "investment.report", upload(REPORT_HEADERS, rows))
    assert not ProgressReport.objects.exists()


def test_staff_b_cannot_update_zone_a_reports(cast):
    project = _signed(cast)
    rows = [[project.code, 2024, 1, "100", "", "一月"]]
    import_file(cast.staff_a, "investment.report", upload(REPORT_HEADERS, rows))
    before = snapshot(ProgressReport)
    rows[0][-1] = "被篡改"
    batch = import_file(cast.staff_b, "investment.report", upload(REPORT_HEADERS, rows))
    assert batch.rows_error == 1
    assert snapshot(ProgressReport) == before


def test_exported_reports_import_back_unchanged(cast, client_for):
    project = _signed(cast)
    rows = [
        [project.code, 2024, 1, "100", "", "+进展"],
        [project.code, 2024, 2, "0.5", "", "二月"],
    ]
    import_file(cast.staff_a, "investment.report", upload(REPORT_HEADERS, rows))
    before, history = snapshot(ProgressReport), ChangeRecord.objects.count()
    exported = client_for(cast.staff_a).get(reverse("investment:report-export")).content
    batch = import_file(cast.staff_a, "investment.report", SimpleUploadedFile("r.xlsx", exported))
    assert batch.errors == [] and batch.rows_unchanged == 2
    assert snapshot(ProgressReport) == before and ChangeRecord.objects.count() == history


def test_the_milestone_and_report_exports_are_scoped(cast, client_for):
    mine, theirs = (
        _signed(cast),
        make_project(cast.staff_b, cast.zone_b, name="B区", stage="signed"),
    )
    for project, user in ((mine, cast.staff_a), (theirs, cast.staff_b)):
        rows = [[project.code, 2024, 1, "1", "", f"{project.zone.code}进展"]]
        import_file(user, "investment.report", upload(REPORT_HEADERS, rows))
    body = client_for(cast.staff_a).get(reverse("investment:report-export")).content
    values = [c.value for r in load_workbook(io.BytesIO(body)).active.iter_rows() for c in r]
    assert "TZ-A进展" in values and "TZ-B进展" not in values
