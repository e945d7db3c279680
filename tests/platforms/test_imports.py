"""Importing platforms and service records: template, preview → confirm all or nothing, natural
keys, scope, and the exported files importing back unchanged."""

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

from devzone.imports import import_file
from devzone.models import ChangeRecord, ImportBatch
from platforms.models import Platform, ServiceRecord
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

PLATFORM_HEADERS = ["平台名称", "开发区编码", "平台类型", "平台子类", "平台级别", "运营主体类型",
                    "运营单位", "成立（认定）日期", "运营状态", "服务首位产业"]  # fmt: skip
SERVICE_HEADERS = ["服务日期", "服务平台", "开发区编码", "统一社会信用代码", "服务类别",
                   "服务内容", "服务费用（万元）", "免费服务"]  # fmt: skip


def upload(headers, rows) -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([headers, *rows])
    return SimpleUploadedFile("平台.csv", buffer.getvalue().encode("utf-8"), "text/csv")


def platform_row(name: str, zone: str = "TZ-A", **over) -> list:
    cells = [name, zone, "基础服务支撑平台", "招聘与培训", "市级", "政府", "管委会",
             "2020-05-01", "运营", "是"]  # fmt: skip
    values = dict(zip(PLATFORM_HEADERS, cells, strict=True))
    values.update(over)
    return [values[h] for h in PLATFORM_HEADERS]


def service_row(platform: str, credit: str, zone: str = "TZ-A", **over) -> list:
    cells = ["2024-03-01", platform, zone, credit, "咨询服务", "政策咨询", "0", "是"]
    values = dict(zip(SERVICE_HEADERS, cells, strict=True))
    values.update(over)
    return [values[h] for h in SERVICE_HEADERS]


def platforms(user, rows):
    return import_file(user, "platforms.platform", upload(PLATFORM_HEADERS, rows))


def services(user, rows):
    return import_file(user, "platforms.service", upload(SERVICE_HEADERS, rows))


def snapshot(model) -> list[str]:
    return sorted(map(str, model.objects.order_by("pk").values()))


@pytest.fixture
def served(cast):
    """A platform of zone A and an enterprise of zone A; the enterprise's credit code."""
    assert platforms(cast.staff_a, [platform_row("甲平台")]).status == "confirmed"
    return EnterpriseFactory(zone=cast.zone_a).credit_code


@pytest.mark.parametrize("name", ["platform", "service"])
def test_the_templates_download_with_their_headers(cast, client_for, name):
    response = client_for(cast.staff_a).get(reverse(f"platforms:{name}-import-template"))
    assert response.status_code == 200
    headers = [c.value for c in load_workbook(io.BytesIO(response.content)).worksheets[0][1]]
    expected = PLATFORM_HEADERS if name == "platform" else SERVICE_HEADERS
    assert set(expected) <= set(headers)
    assert "服务产业链环节" not in headers  # derived, never read


def test_platforms_import_then_update_by_zone_and_name(cast):
    batch = platforms(
        cast.staff_a,
        [
            platform_row("甲平台"),
            platform_row("乙平台", 平台类型="专业公共服务平台", 平台子类="检验检测"),
        ],
    )
    assert batch.status == ImportBatch.Status.CONFIRMED, batch.errors or batch.message
    assert batch.rows_new == 2
    assert Platform.objects.get(name="乙平台").chain_segment  # derived from the sub-kind
    batch = platforms(cast.staff_a, [platform_row("甲平台", 运营状态="停运")])
    assert (batch.rows_new, batch.rows_updated) == (0, 1)
    assert Platform.objects.get(name="甲平台").status == "suspended"
    assert ChangeRecord.objects.filter(action="update").count() == 1


def test_a_sub_kind_of_another_kind_is_an_error_on_its_cell(cast):
    batch = platforms(cast.staff_a, [platform_row("甲"), platform_row("乙", 平台子类="孵化器")])
    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, "平台子类")]
    assert not Platform.objects.exists()


def test_one_bad_platform_cell_stops_the_whole_file(cast):
    rows = [platform_row(f"平台{n}") for n in range(4)]
    rows[1][PLATFORM_HEADERS.index("成立（认定）日期")] = "去年"
    batch = platforms(cast.staff_a, rows)
    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, "成立（认定）日期")]
    assert not Platform.objects.exists() and not ChangeRecord.objects.exists()


def test_staff_b_cannot_import_or_update_platforms_of_zone_a(cast):
    assert platforms(cast.staff_b, [platform_row("越权")]).rows_error == 1
    platforms(cast.staff_a, [platform_row("甲平台")])
    before = snapshot(Platform)
    batch = platforms(cast.staff_b, [platform_row("甲平台", 运营状态="停运")])
    assert batch.rows_error == 1 and batch.errors[0]["column"] == "开发区编码"
    assert snapshot(Platform) == before


def test_a_viewer_cannot_import_platforms_or_services(cast, client_for):
    with pytest.raises(PermissionDenied):
        platforms(cast.viewer_a, [platform_row("只读")])
    client = client_for(cast.viewer_a)
    for name in ("platform", "service"):
        assert client.get(reverse(f"platforms:{name}-import")).status_code == 404
        assert client.get(reverse(f"platforms:{name}-import-template")).status_code == 404
    assert not Platform.objects.exists() and not ImportBatch.objects.exists()


def test_service_records_import_then_update_by_their_key(cast, served):
    batch = services(
        cast.staff_a,
        [service_row("甲平台", served), service_row("甲平台", served, 服务内容="融资对接")],
    )
    assert batch.status == "confirmed", batch.errors
    assert ServiceRecord.objects.count() == 2
    batch = services(
        cast.staff_a,
        [service_row("甲平台", served, **{"服务费用（万元）": "0.5", "免费服务": "否"})],
    )
    assert batch.status == "confirmed" and batch.rows_updated == 1
    record = ServiceRecord.objects.get(service_type="政策咨询")
    assert record.fee_wan == Decimal("0.50") and not record.free


def test_a_service_row_names_its_platform_within_its_zone(cast, served):
    platforms(cast.staff_b, [platform_row("乙平台", zone="TZ-B")])
    batch = services(cast.staff_a, [service_row("乙平台", served)])
    assert batch.rows_error == 1 and batch.errors[0]["column"] == "服务平台"
    assert not ServiceRecord.objects.exists()


def test_one_bad_service_cell_stops_the_whole_file(cast, served):
    rows = [service_row("甲平台", served, 服务内容=f"服务{n}") for n in range(3)]
    rows[2][SERVICE_HEADERS.index("服务费用（万元）")] = "5"  # a fee on a free service
    batch = services(cast.staff_a, rows)
    assert batch.rows_error == 1 and batch.errors[0]["row"] == 4
    assert not ServiceRecord.objects.exists()


def test_staff_b_cannot_import_or_update_services_of_zone_a(cast, served):
    assert services(cast.staff_b, [service_row("甲平台", served)]).rows_error == 1
    services(cast.staff_a, [service_row("甲平台", served)])
    before = snapshot(ServiceRecord)
    batch = services(cast.staff_b, [service_row("甲平台", served, 服务类别="财税服务")])
    assert batch.rows_error == 1
    assert snapshot(ServiceRecord) == before


def test_exported_platforms_and_services_import_back_unchanged(cast, client_for, served):
    platforms(cast.staff_a, [platform_row("=平台", 平台类型="企业创新平台", 平台子类="重点实验室")])
    services(
        cast.staff_a,
        [service_row("甲平台", served, 服务内容="-咨询"),
         service_row("甲平台", served, **{"服务费用（万元）": "1.25", "免费服务": "否"})],
    )  # fmt: skip
    client = client_for(cast.staff_a)
    for name, model in (("platform", Platform), ("service", ServiceRecord)):
        before, history = snapshot(model), ChangeRecord.objects.count()
        exported = client.get(reverse(f"platforms:{name}-export")).content
        batch = import_file(
            cast.staff_a, f"platforms.{name}", SimpleUploadedFile("x.xlsx", exported)
        )
        assert batch.errors == [], batch.message
        assert (batch.rows_new, batch.rows_updated) == (0, 0) and batch.rows_unchanged == 2
        assert snapshot(model) == before and ChangeRecord.objects.count() == history


def test_the_list_pages_show_the_import_buttons_only_to_importers(cast, client_for):
    for name in ("platform", "service"):
        url = reverse(f"platforms:{name}-import")
        page = reverse(f"platforms:{name}-list")
        assert url in client_for(cast.staff_a).get(page).content.decode()
        assert url not in client_for(cast.viewer_a).get(page).content.decode()


def test_service_dates_before_the_platform_are_refused(cast, served):
    day = datetime.date(2019, 1, 1).isoformat()
    batch = services(cast.staff_a, [service_row("甲平台", served, 服务日期=day)])
    assert batch.rows_error == 1 and batch.errors[0]["column"] == "服务日期"
