"""Spreadsheets written by LibreOffice Calc, not by devzone: zone staff often keep their project
lists in LibreOffice or WPS, whose XLSX differs from openpyxl's (shared strings, number and date
cells that Calc recognised in the text, its own styles and document properties).

Each test writes a CSV, has the real LibreOffice (``soffice --headless``, installed by
``make test``) convert it to XLSX, and imports that file through the same path as the upload page.
"""

from __future__ import annotations

import csv
import datetime
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from devzone.imports import import_file
from devzone.models import ChangeRecord
from investment.models import Milestone, Project, StageTransition
from tests.investment.helpers import make_project
from tests.investment.test_imports import MILESTONE_HEADERS, PROJECT_HEADERS, project_row

pytestmark = pytest.mark.django_db

SOFFICE = shutil.which("soffice")
# CSV import options: comma-separated, double quotes, UTF-8 (76), from line 1.
CSV_FILTER = "CSV:44,34,76,1"


def libreoffice_xlsx(tmp_path: Path, headers: list[str], rows: list[list]) -> SimpleUploadedFile:
    if SOFFICE is None:
        pytest.fail("LibreOffice (soffice) is not installed: run `make test`, which installs it")
    source = tmp_path / "项目清单.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([headers, *rows])
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            f"--infilter={CSV_FILTER}",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    written = source.with_suffix(".xlsx")
    content = written.read_bytes()
    app = zipfile.ZipFile(written).read("docProps/app.xml").decode()
    assert "LibreOffice" in app  # the file really is LibreOffice's, not openpyxl's
    return SimpleUploadedFile(written.name, content)


def five_hundred_rows() -> list[list]:
    rows = []
    for n in range(500):
        amount = ("12,500", "1.5亿元", "８０００", "3000万元")[n % 4]  # Calc makes 12,500 a number
        rows.append(
            project_row(
                f"LibreOffice项目{n:03d}",
                招商方式=("专业招商", "以商引商", "驻地招商", "平台招商")[n % 4],
                **{"计划总投资（万元）": amount, "本年计划投资（万元）": "500"},
            )
        )
    return rows


def test_a_500_row_xlsx_written_by_libreoffice_imports(cast, tmp_path):
    upload = libreoffice_xlsx(tmp_path, PROJECT_HEADERS, five_hundred_rows())

    batch = import_file(cast.staff_a, "investment.project", upload)

    assert batch.status == "confirmed", batch.errors[:3]
    assert batch.rows_new == 500
    projects = Project.objects.filter(zone=cast.zone_a)
    assert projects.count() == 500
    by_name = {p.name: p for p in projects}
    planned = {n: by_name[f"LibreOffice项目{n:03d}"].planned_investment for n in range(4)}
    assert planned == {0: 12500, 1: 15000, 2: 8000, 3: 3000}
    assert by_name["LibreOffice项目003"].promotion_mode == "platform"
    assert StageTransition.objects.filter(project__zone=cast.zone_a).count() == 500


def test_one_bad_cell_in_a_libreoffice_file_stops_the_whole_file(cast, tmp_path):
    rows = five_hundred_rows()
    rows[320][PROJECT_HEADERS.index("计划总投资（万元）")] = "约两亿"
    upload = libreoffice_xlsx(tmp_path, PROJECT_HEADERS, rows)

    batch = import_file(cast.staff_a, "investment.project", upload)

    assert batch.status != "confirmed"
    assert [(e["row"], e["column"], e["value"]) for e in batch.errors] == [
        (322, "计划总投资（万元）", "约两亿")  # row 1 is the header
    ]
    assert "约两亿" in batch.errors[0]["value"] and batch.errors[0]["message"]
    assert not Project.objects.exists() and not ChangeRecord.objects.exists()


def test_dates_that_libreoffice_stored_as_date_cells_import(cast, tmp_path):
    project = make_project(cast.staff_a, cast.zone_a)
    rows = [
        [project.code, "完成用地预审", "2030-06-30", "", "进行中", ""],  # Calc: a date cell
        [project.code, "取得施工许可", "2030/9/30", "", "", ""],  # Calc: a date cell too
        [project.code, "主体结构封顶", "2031年1月15日", "", "", ""],  # stays text
    ]
    upload = libreoffice_xlsx(tmp_path, MILESTONE_HEADERS, rows)

    batch = import_file(cast.staff_a, "investment.milestone", upload)

    assert batch.status == "confirmed", batch.errors
    planned = dict(Milestone.objects.filter(project=project).values_list("title", "planned_date"))
    assert planned["完成用地预审"] == datetime.date(2030, 6, 30)
    assert planned["取得施工许可"] == datetime.date(2030, 9, 30)
    assert planned["主体结构封顶"] == datetime.date(2031, 1, 15)
