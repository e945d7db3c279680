"""Importing enterprises and indicators: preview → confirm, all or nothing, scoped, round-trip."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from devzone.imports import confirm_import, import_file, start_import
from devzone.models import ChangeRecord, ImportBatch
from tests.devzone.test_imports import handmade_xlsx
from tests.factories import EnterpriseFactory, IndicatorFactory
from zones.models import Enterprise, ZoneIndicator
from zones.validators import build_credit_code

pytestmark = pytest.mark.django_db

HEADERS = [
    "企业名称",
    "统一社会信用代码",
    "开发区编码",
    "所属产业",
    "用地面积（亩）",
    "规模以上",
    "成立日期",
]


def code(n: int) -> str:
    return build_credit_code("520100", 70_000_000 + n)


def row(n: int, zone: str = "TZ-A", **over) -> list:
    values = {
        "企业名称": f"导入企业{n}有限公司",
        "统一社会信用代码": code(n),
        "开发区编码": zone,
        "所属产业": "",
        "用地面积（亩）": "1,234.5",
        "规模以上": "是",
        "成立日期": "2020年3月1日",
    }
    values.update(over)
    return [values[h] for h in HEADERS]


def csv_file(rows, encoding="utf-8", headers=HEADERS, name="企业.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([headers, *rows])
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), "text/csv")


def xlsx_file(rows, headers=HEADERS, name="企业.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    book.active.append(headers)
    for values in rows:
        book.active.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def enterprise_import(user, upload):
    return import_file(user, "zones.enterprise", upload)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_staff_imports_a_csv_in_any_chinese_encoding(cast, encoding):
    batch = enterprise_import(cast.staff_a, csv_file([row(1), row(2)], encoding))
    assert batch.status == ImportBatch.Status.CONFIRMED, batch.errors or batch.message
    assert (batch.rows_new, batch.rows_updated, batch.rows_error) == (2, 0, 0)
    enterprise = Enterprise.objects.get(credit_code=code(1))
    assert enterprise.zone == cast.zone_a
    assert enterprise.land_area_mu == Decimal("1234.50")
    assert enterprise.above_designated_size is True
    assert str(enterprise.established_on) == "2020-03-01"


def test_an_xlsx_with_full_width_amounts_and_excel_dates_is_understood(cast):
    import datetime

    rows = [
        row(1, **{"用地面积（亩）": "１，２３４．５", "成立日期": datetime.datetime(2021, 5, 6)}),
        row(2, **{"用地面积（亩）": 88, "成立日期": 45717, "规模以上": "N"}),
        row(3, **{"用地面积（亩）": "2公顷", "成立日期": "2019.1.2", "规模以上": "√"}),
    ]
    batch = enterprise_import(cast.staff_a, xlsx_file(rows))
    assert batch.status == "confirmed", batch.errors
    got = {e.credit_code: e for e in Enterprise.objects.all()}
    assert got[code(1)].land_area_mu == Decimal("1234.50")
    assert str(got[code(1)].established_on) == "2021-05-06"
    assert str(got[code(2)].established_on) == "2025-03-01"
    assert got[code(2)].above_designated_size is False
    assert got[code(3)].land_area_mu == Decimal("30.00")
    assert got[code(3)].above_designated_size is True


@pytest.mark.parametrize("shared", [False, True])
def test_a_handmade_ooxml_file_imports_without_openpyxl_writer_quirks(cast, shared):
    data = handmade_xlsx([HEADERS, row(1), row(2)], shared=shared)
    batch = enterprise_import(cast.staff_a, SimpleUploadedFile("other.xlsx", data))
    assert batch.status == "confirmed", batch.errors or batch.message
    assert Enterprise.objects.filter(zone=cast.zone_a).count() == 2


def test_headers_tolerate_spaces_and_half_width_brackets(cast):
    headers = [f" {h} ".replace("（", "(").replace("）", ")") for h in HEADERS]
    batch = enterprise_import(cast.staff_a, csv_file([row(1)], headers=headers))
    assert batch.status == "confirmed", batch.message


def test_unknown_and_missing_columns_are_listed(cast):
    headers = ["企业名称", "开发区编码", "备注"]
    batch = enterprise_import(cast.staff_a, csv_file([["甲", "TZ-A", "x"]], headers=headers))
    assert batch.status == ImportBatch.Status.REFUSED
    assert "无法识别的列：备注" in batch.message
    assert "缺少必填列：统一社会信用代码" in batch.message
    assert not Enterprise.objects.exists()


def test_one_bad_cell_stops_the_whole_file_and_names_its_row_and_column(cast):
    rows = [row(n) for n in range(1, 40)]
    rows[24] = row(25, **{"成立日期": "2025-02-30"})
    batch = start_import(cast.staff_a, "zones.enterprise", csv_file(rows))
    assert batch.status == "previewed"
    assert batch.rows_error == 1
    assert batch.errors == [
        {"row": 26, "column": "成立日期", "value": "2025-02-30", "message": "日期不存在。"}
    ]
    with pytest.raises(Exception, match="有错误"):
        confirm_import(cast.staff_a, batch)
    assert not Enterprise.objects.exists()


def test_a_model_validation_error_is_reported_on_its_row_and_column(cast):
    rows = [row(1), row(2, **{"统一社会信用代码": "91520100MA6D0000X1"})]
    batch = start_import(cast.staff_a, "zones.enterprise", csv_file(rows))
    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, "统一社会信用代码")]
    assert "校验位" in batch.errors[0]["message"] or "字符" in batch.errors[0]["message"]


def test_a_duplicate_key_within_the_file_is_an_error(cast):
    batch = start_import(cast.staff_a, "zones.enterprise", csv_file([row(1), row(1)]))
    assert batch.errors[0]["row"] == 3
    assert "第2行重复" in batch.errors[0]["message"]


def test_rows_naming_an_existing_credit_code_are_updates_with_history(cast):
    existing = EnterpriseFactory(zone=cast.zone_a, credit_code=code(1), name="旧名称")
    batch = enterprise_import(cast.staff_a, csv_file([row(1), row(2)]))
    assert (batch.rows_new, batch.rows_updated) == (1, 1)
    existing.refresh_from_db()
    assert existing.name == "导入企业1有限公司"
    change = ChangeRecord.objects.filter(object_id=existing.pk, action="update").get()
    assert change.changes["name"] == ["旧名称", "导入企业1有限公司"]
    assert change.user == cast.staff_a


def test_staff_of_zone_b_cannot_import_into_zone_a(cast):
    batch = enterprise_import(cast.staff_b, csv_file([row(1, "TZ-B"), row(2, "TZ-A")]))
    assert batch.status == "previewed"
    assert batch.errors == [
        {
            "row": 3,
            "column": "开发区编码",
            "value": "TZ-A",
            "message": "您无权向该开发区导入数据，或该开发区不存在。",
        }
    ]
    assert not Enterprise.objects.exists()


def test_an_unknown_zone_gets_the_same_message_as_a_forbidden_one(cast):
    batch = start_import(cast.staff_b, "zones.enterprise", csv_file([row(1, "NO-SUCH")]))
    assert batch.errors[0]["message"] == "您无权向该开发区导入数据，或该开发区不存在。"


def test_staff_cannot_update_another_zones_enterprise_by_its_credit_code(cast):
    foreign = EnterpriseFactory(zone=cast.zone_b, credit_code=code(1), name="乙的企业")
    batch = enterprise_import(cast.staff_a, csv_file([row(1, "TZ-A")]))
    assert batch.status == "previewed"
    assert batch.errors[0]["column"] == "统一社会信用代码"
    foreign.refresh_from_db()
    assert (foreign.name, foreign.zone) == ("乙的企业", cast.zone_b)


def test_updates_need_change_scope_in_the_records_zone(cast):
    """The city supervisor may see zone A but not change it: an update row is refused."""
    EnterpriseFactory(zone=cast.zone_a, credit_code=code(1), name="甲")
    from tests.factories import MembershipFactory

    MembershipFactory(user=cast.city, role="zone_viewer", zone=cast.zone_a)
    with pytest.raises(Exception, match="导入"):
        start_import(cast.city, "zones.enterprise", csv_file([row(1)]))
    assert Enterprise.objects.get(credit_code=code(1)).name == "甲"


def test_viewer_cannot_reach_the_import_pages_nor_import(cast, client_for):
    client = client_for(cast.viewer_a)
    for name in (
        "zones:enterprise-import",
        "zones:enterprise-import-template",
        "zones:import-list",
    ):
        assert client.get(reverse(name)).status_code == 404
    response = client.post(reverse("zones:enterprise-import"), {"file": csv_file([row(1)])})
    assert response.status_code == 404
    assert not Enterprise.objects.exists()
    assert not ImportBatch.objects.exists()


def test_the_upload_page_previews_and_confirm_writes(cast, client_for):
    client = client_for(cast.staff_a)
    page = client.get(reverse("zones:enterprise-import"))
    assert page.status_code == 200
    assert reverse("zones:enterprise-import-template") in page.content.decode()
    response = client.post(reverse("zones:enterprise-import"), {"file": csv_file([row(1)])})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    preview = client.get(response["Location"])
    assert "确认导入" in preview.content.decode()
    assert not Enterprise.objects.exists()
    confirmed = client.post(reverse("zones:import-confirm"), {"id": batch.pk}, follow=True)
    assert "导入完成" in confirmed.content.decode()
    assert Enterprise.objects.filter(credit_code=code(1)).exists()
    batch.refresh_from_db()
    assert batch.status == "confirmed"
    assert batch.confirmed_at is not None
    # confirming twice writes nothing more
    client.post(reverse("zones:import-confirm"), {"id": batch.pk})
    assert Enterprise.objects.count() == 1


def test_another_user_cannot_see_or_confirm_a_batch(cast, client_for):
    batch = start_import(cast.staff_a, "zones.enterprise", csv_file([row(1)]))
    client = client_for(cast.leader_a)
    assert client.get(reverse("zones:import-batch"), {"id": batch.pk}).status_code == 404
    assert client.post(reverse("zones:import-confirm"), {"id": batch.pk}).status_code == 404
    assert batch.original_name not in client.get(reverse("zones:import-list")).content.decode()
    assert not Enterprise.objects.exists()


def test_a_batch_records_who_what_file_and_counts(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    EnterpriseFactory(zone=cast.zone_a, credit_code=code(1))
    batch = enterprise_import(cast.staff_a, csv_file([row(1), row(2)], name="../../etc/x.csv"))
    batch.refresh_from_db()
    assert batch.user == cast.staff_a
    assert batch.resource == "zones.enterprise"
    assert batch.original_name == "x.csv"
    assert batch.file.name.startswith("imports/") and batch.file.name.endswith(".csv")
    assert (tmp_path / batch.file.name).exists()
    assert len(batch.sha256) == 64 and batch.size > 0
    assert (batch.rows_total, batch.rows_new, batch.rows_updated) == (2, 1, 1)
    assert batch.zone_ids == [cast.zone_a.pk]


def test_refused_files_are_recorded_with_their_reason(cast):
    batch = start_import(
        cast.staff_a,
        "zones.enterprise",
        SimpleUploadedFile("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100),
    )
    assert batch.status == "refused"
    assert "旧版 Excel" in batch.message
    big = SimpleUploadedFile("big.csv", b"a" * (10 * 1024 * 1024 + 1))
    batch = start_import(cast.staff_a, "zones.enterprise", big)
    assert batch.status == "refused" and "10 MB" in batch.message
    assert not batch.file


def test_a_failure_after_rows_were_written_rolls_back_every_row(cast, monkeypatch):
    """Fault injection: the service writes every row, then fails; nothing may remain."""
    from django.core.exceptions import ValidationError

    from zones import services

    real = services.bulk_import_enterprises

    def write_then_fail(user, rows):
        real(user, rows)
        assert Enterprise.objects.count() == 5  # the rows were written inside the transaction
        raise ValidationError({"name": "模拟的写入错误"})

    monkeypatch.setattr(services, "bulk_import_enterprises", write_then_fail)
    batch = enterprise_import(cast.staff_a, csv_file([row(n) for n in range(1, 6)]))
    assert batch.status == "failed"
    assert any("模拟的写入错误" in error["message"] for error in batch.errors)
    assert not Enterprise.objects.exists()
    assert not ChangeRecord.objects.exists()


# --- export safety and round trip -----------------------------------------------------------


def test_the_export_escapes_formulas_and_keeps_numbers(cast, client_for):
    EnterpriseFactory(
        zone=cast.zone_a,
        name='=HYPERLINK("http://x")',
        industry_detail="-铝",
        land_area_mu=Decimal("12.5"),
    )
    EnterpriseFactory(zone=cast.zone_a, name="＋全角公司", industry_detail="@x")
    response = client_for(cast.staff_a).get(reverse("zones:enterprise-export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for r in sheet.iter_rows() for c in r]
    assert not [c for c in cells if c.data_type == "f"]  # nothing runs as a formula
    values = {c.value for c in cells}
    assert '\'=HYPERLINK("http://x")' in values
    assert "'-铝" in values and "'＋全角公司" in values and "'@x" in values
    assert 12.5 in values or Decimal("12.5") in values


def test_an_exported_file_imports_back_unchanged(cast, client_for):
    from tests.factories import ensure_reference_data
    from zones.models import Industry

    ensure_reference_data()
    industry = Industry.objects.first()
    EnterpriseFactory(
        zone=cast.zone_a, name="=1+1公司", industry=industry, chain_position="upstream"
    )
    EnterpriseFactory(zone=cast.zone_a, name="普通公司", land_area_mu=None, industry_detail="-")
    EnterpriseFactory(zone=cast.zone_a, name="'引号公司", test_headquarters_in_zone=True)
    before = sorted(map(str, Enterprise.objects.values()))
    history = ChangeRecord.objects.count()
    client = client_for(cast.staff_a)
    exported = client.get(reverse("zones:enterprise-export")).content
    batch = start_import(cast.staff_a, "zones.enterprise", SimpleUploadedFile("e.xlsx", exported))
    assert batch.status == "previewed", batch.message
    assert batch.errors == []
    assert (batch.rows_new, batch.rows_updated, batch.rows_unchanged) == (0, 0, 3)
    assert sorted(map(str, Enterprise.objects.values())) == before
    assert ChangeRecord.objects.count() == history


def test_indicators_import_by_zone_and_period_and_round_trip(cast, client_for):
    IndicatorFactory(zone=cast.zone_a, year=2024, gross_industrial_output=Decimal("1000"))
    headers = ["开发区编码", "周期", "年份", "月份", "工业总产值（万元）", "税收收入（万元）"]
    rows = [
        ["TZ-A", "年度", "2024年", "", "1.5亿元", "30,000"],
        ["TZ-A", "月度", 2024, "3月", "１２００", "5000000元"],
        ["TZ-A", "month", 2024, 4, 1300, ""],
    ]
    batch = import_file(cast.staff_a, "zones.indicator", xlsx_file(rows, headers=headers))
    assert batch.status == "confirmed", batch.errors
    assert (batch.rows_new, batch.rows_updated) == (2, 1)
    year = ZoneIndicator.objects.get(zone=cast.zone_a, period_kind="year", year=2024)
    assert year.gross_industrial_output == Decimal("15000.00")
    assert year.tax_revenue == Decimal("30000.00")
    march = ZoneIndicator.objects.get(zone=cast.zone_a, month=3)
    assert march.tax_revenue == Decimal("500.00")
    cast.zone_a.refresh_from_db()
    assert cast.zone_a.latest_output == Decimal("15000.00")  # the service refreshed the summary

    before = sorted(map(str, ZoneIndicator.objects.values()))
    exported = client_for(cast.staff_a).get(reverse("zones:indicator-export")).content
    batch = start_import(cast.staff_a, "zones.indicator", SimpleUploadedFile("i.xlsx", exported))
    assert (batch.rows_new, batch.rows_updated, batch.rows_unchanged, batch.rows_error) == (
        0,
        0,
        3,
        0,
    )
    assert sorted(map(str, ZoneIndicator.objects.values())) == before


def test_an_indicator_row_with_a_month_on_a_yearly_period_is_an_error(cast):
    headers = ["开发区编码", "周期", "年份", "月份"]
    batch = start_import(
        cast.staff_a, "zones.indicator", xlsx_file([["TZ-A", "年度", 2024, 5]], headers=headers)
    )
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "月份")]


def test_staff_b_cannot_import_indicators_for_zone_a(cast):
    headers = ["开发区编码", "周期", "年份", "工业总产值（万元）"]
    batch = import_file(
        cast.staff_b, "zones.indicator", xlsx_file([["TZ-A", "年度", 2024, 1]], headers=headers)
    )
    assert batch.status == "previewed" and batch.rows_error == 1
    assert not ZoneIndicator.objects.exists()


# --- the template ---------------------------------------------------------------------------


def test_the_template_has_headers_instructions_and_drop_down_lists(cast, client_for):
    response = client_for(cast.staff_a).get(reverse("zones:enterprise-import-template"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    data = book.worksheets[0]
    headers = [c.value for c in data[1]]
    assert headers[:3] == ["企业名称", "统一社会信用代码", "开发区编码"]
    assert "所在开发区" not in headers and "龙头企业" not in headers  # export-only columns
    assert data.max_row == 1  # no example rows in the data sheet
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in data.data_validations.dataValidation}
    chain = "ABCDEFGHIJKLMN"[headers.index("产业链环节")]
    assert f"{chain}2" in lists
    options = book["可选值"]
    column = [c.value for c in options[chain]][1:4]
    assert column == ["上游", "中游", "下游"]
    notes = book["填写说明"]
    text = "\n".join(str(c.value) for r in notes.iter_rows() for c in r if c.value)
    assert "必填" in text and "示例" in text and "上游、中游、下游" in text


def test_the_template_imports_cleanly_once_example_rows_are_typed_in(cast, client_for):
    response = client_for(cast.staff_a).get(reverse("zones:enterprise-import-template"))
    book = load_workbook(io.BytesIO(response.content))
    notes = book["填写说明"]
    rows = [[c.value for c in r] for r in notes.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[0] == "企业名称" and r[1] == "统一社会信用代码")
    for example in rows[start + 1 : start + 3]:
        book.worksheets[0].append(example)
    buffer = io.BytesIO()
    book.save(buffer)
    batch = import_file(
        cast.staff_a, "zones.enterprise", SimpleUploadedFile("t.xlsx", buffer.getvalue())
    )
    assert batch.status == "confirmed", batch.errors or batch.message
    assert batch.rows_new == 2


# --- query counts ---------------------------------------------------------------------------


def _preview_queries(user, n: int) -> int:
    """Queries: the user's scope, industries, zones, existing enterprises per 500 keys, the
    batch insert."""
    user = type(user).objects.get(pk=user.pk)  # no cached scope
    upload = csv_file([row(i) for i in range(1, n + 1)])
    with CaptureQueriesContext(connection) as ctx:
        start_import(user, "zones.enterprise", upload)
    return len(ctx.captured_queries)


def test_the_preview_query_count_grows_with_batches_not_rows(cast):
    EnterpriseFactory(zone=cast.zone_a, credit_code=code(1))
    small, larger = _preview_queries(cast.staff_a, 2), _preview_queries(cast.staff_a, 400)
    assert small == larger
    assert _preview_queries(cast.staff_a, 1200) == small + 2  # two more batches of 500 keys


def test_administrators_inspect_batches_read_only_in_the_admin(cast, client_for):
    batch = enterprise_import(cast.staff_a, csv_file([row(1)]))
    client = client_for(cast.admin)
    changelist = client.get(reverse("admin:devzone_importbatch_changelist"))
    assert changelist.status_code == 200
    assert batch.original_name in changelist.content.decode()
    page = client.get(reverse("admin:devzone_importbatch_change", args=[batch.pk]))
    assert page.status_code == 200
    assert client.get(reverse("admin:devzone_importbatch_add")).status_code == 403
    response = client.post(
        reverse("admin:devzone_importbatch_delete", args=[batch.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert ImportBatch.objects.filter(pk=batch.pk).exists()
    staff = client_for(cast.staff_a)
    assert staff.get(reverse("admin:devzone_importbatch_changelist")).status_code == 302


def test_my_imports_lists_only_my_batches(cast, client_for):
    enterprise_import(cast.staff_a, csv_file([row(1)], name="甲的文件.csv"))
    enterprise_import(cast.leader_a, csv_file([row(2)], name="一把手的文件.csv"))
    body = client_for(cast.staff_a).get(reverse("zones:import-list")).content.decode()
    assert "甲的文件.csv" in body and "一把手的文件.csv" not in body


def test_the_list_pages_show_the_import_button_only_to_importers(cast, client_for):
    url = reverse("zones:enterprise-import")
    assert url in client_for(cast.staff_a).get(reverse("zones:enterprise-list")).content.decode()
    assert (
        url not in client_for(cast.viewer_a).get(reverse("zones:enterprise-list")).content.decode()
    )
    url = reverse("zones:indicator-import")
    assert url in client_for(cast.staff_a).get(reverse("zones:indicator-list")).content.decode()
