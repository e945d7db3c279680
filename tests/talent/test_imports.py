"""Importing the seven talent record types: template, preview → confirm all or nothing, natural
keys, scope, and the exported files importing back unchanged."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from devzone.imports import import_file
from devzone.models import ChangeRecord, ImportBatch
from talent.models import (
    Entrepreneur,
    ManagementCadre,
    SkillAward,
    SpecialSkillsPlacement,
    TalentTeam,
    TrainingCentre,
    TrainingSession,
)
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

CREDIT = "91520100MA6TAL0001"


def _enterprise(zone):
    from zones.validators import build_credit_code

    return EnterpriseFactory(zone=zone, credit_code=build_credit_code("520100", 88_000_001))


def _centre(zone, name="甲培训中心"):
    return TrainingCentre.objects.create(zone=zone, name=name, operator="职院", trades="焊工")


# kind → (model, headers, rows(zone code, credit code, n) → new-row cells, the column to break,
#         the changed column of an update)
KINDS = {
    "cadre": (
        ManagementCadre,
        ["开发区编码", "姓名", "职务", "学历", "任职日期", "年度培训学时", "在职"],
        lambda z, c, n: [z, f"人员{n}", "主任", "硕士研究生", "2021-03-01", "40", "是"],
        "任职日期",
        "职务",
    ),
    "entrepreneur": (
        Entrepreneur,
        [
            "开发区编码",
            "姓名",
            "企业统一社会信用代码",
            "职务",
            "活动年度",
            "参加培训交流活动（次）",
        ],
        lambda z, c, n: [z, f"企业家{n}", c, "董事长", "2024", "3"],
        "活动年度",
        "职务",
    ),
    "team": (
        TalentTeam,
        [
            "开发区编码",
            "团队名称",
            "团队带头人",
            "专业领域",
            "团队人数",
            "引进日期",
            "产业引导基金（万元）",
            "服务首位产业",
        ],
        lambda z, c, n: [z, f"团队{n}", "陈博士", "新材料", "12", "2024-05-01", "1.5亿元", "是"],
        "团队人数",
        "团队带头人",
    ),  # fmt: skip
    "centre": (
        TrainingCentre,
        ["开发区编码", "中心名称", "运营主体", "培训工种", "年培训能力（人次）"],
        lambda z, c, n: [z, f"中心{n}", "职业学院", "焊工、电工", "800"],
        "年培训能力（人次）",
        "运营主体",
    ),
    "session": (
        TrainingSession,
        ["开发区编码", "培训中心", "培训工种", "培训日期", "培训人数", "取得证书人数"],
        lambda z, c, n: [z, "甲培训中心", f"工种{n}", "2024-03-15", "40", "32"],
        "培训人数",
        "取得证书人数",
    ),
    "placement": (
        SpecialSkillsPlacement,
        ["开发区编码", "姓名", "技能工种", "计划年度", "状态"],
        lambda z, c, n: [z, f"匠人{n}", "银饰锻制", "2024", "已入选"],
        "状态",
        "技能工种",
    ),
    "award": (
        SkillAward,
        ["开发区编码", "获奖人", "奖项名称", "级别", "获奖日期", "奖励金额（万元）"],
        lambda z, c, n: [z, f"能手{n}", "技术能手", "省级", "2024-12-01", "2"],
        "获奖日期",
        "奖励金额（万元）",
    ),
}
CHANGED_VALUE = {"职务": "总经理", "团队带头人": "刘教授", "运营主体": "技师学院",
                 "取得证书人数": "30", "技能工种": "蜡染", "奖励金额（万元）": "3"}  # fmt: skip


def upload(headers, rows) -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([headers, *rows])
    return SimpleUploadedFile("人才.csv", buffer.getvalue().encode("utf-8"), "text/csv")


def prepare(cast, kind: str, zone=None) -> str:
    """The records a row of ``kind`` points at (an enterprise, a centre); its credit code."""
    zone = zone or cast.zone_a
    enterprise = _enterprise(zone)
    if kind == "session":
        _centre(zone)
    return enterprise.credit_code


def run(user, kind, rows):
    return import_file(user, f"talent.{kind}", upload(KINDS[kind][1], rows))


def snapshot(model) -> list[str]:
    return sorted(map(str, model.objects.order_by("pk").values()))


@pytest.mark.parametrize("kind", KINDS)
def test_each_template_downloads_with_its_headers(cast, client_for, kind):
    response = client_for(cast.staff_a).get(reverse(f"talent:{kind}-import-template"))
    assert response.status_code == 200
    headers = [c.value for c in load_workbook(io.BytesIO(response.content)).worksheets[0][1]]
    assert headers[0] == "开发区编码"
    assert set(KINDS[kind][1]) <= set(headers)


@pytest.mark.parametrize("kind", KINDS)
def test_a_good_file_creates_then_updates_by_natural_key(cast, kind):
    model, _headers, row, _bad, changed = KINDS[kind]
    code = prepare(cast, kind)
    batch = run(cast.staff_a, kind, [row("TZ-A", code, 1), row("TZ-A", code, 2)])
    assert batch.status == ImportBatch.Status.CONFIRMED, batch.errors or batch.message
    assert (batch.rows_new, batch.rows_updated) == (2, 0)
    assert model.objects.filter(zone=cast.zone_a).count() == 2
    updated = row("TZ-A", code, 1)
    updated[KINDS[kind][1].index(changed)] = CHANGED_VALUE[changed]
    batch = run(cast.staff_a, kind, [updated, row("TZ-A", code, 2)])
    assert batch.status == "confirmed", batch.errors
    assert (batch.rows_new, batch.rows_updated, batch.rows_unchanged) == (0, 1, 1)
    assert model.objects.count() == 2
    assert ChangeRecord.objects.filter(action="update").count() == 1


@pytest.mark.parametrize("kind", KINDS)
def test_one_bad_cell_stops_the_whole_file_naming_row_and_column(cast, kind):
    model, headers, row, bad, _changed = KINDS[kind]
    code = prepare(cast, kind)
    rows = [row("TZ-A", code, n) for n in range(4)]
    rows[2][headers.index(bad)] = "不是数值"
    batch = run(cast.staff_a, kind, rows)
    assert batch.status == "previewed"
    assert [(e["row"], e["column"]) for e in batch.errors] == [(4, bad)]
    assert not model.objects.exists() and not ChangeRecord.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_staff_b_cannot_import_into_zone_a(cast, kind):
    model, _headers, row, _bad, _changed = KINDS[kind]
    code = prepare(cast, kind)
    batch = run(cast.staff_b, kind, [row("TZ-A", code, 1)])
    assert batch.rows_error == 1 and batch.status != "confirmed"
    assert batch.errors[0]["column"] == "开发区编码"
    assert not model.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_updates_follow_change_scope(cast, kind):
    model, headers, row, _bad, changed = KINDS[kind]
    code = prepare(cast, kind)
    run(cast.staff_a, kind, [row("TZ-A", code, 1)])
    before = snapshot(model)
    updated = row("TZ-A", code, 1)
    updated[headers.index(changed)] = CHANGED_VALUE[changed]
    for user in (cast.staff_b, cast.city):
        if user is cast.city:
            with pytest.raises(PermissionDenied):
                run(user, kind, [updated])
        else:
            assert run(user, kind, [updated]).rows_error == 1
    assert snapshot(model) == before


@pytest.mark.parametrize("kind", KINDS)
def test_a_viewer_cannot_import(cast, client_for, kind):
    model, headers, row, _bad, _changed = KINDS[kind]
    code = prepare(cast, kind)
    with pytest.raises(PermissionDenied):
        run(cast.viewer_a, kind, [row("TZ-A", code, 1)])
    client = client_for(cast.viewer_a)
    assert client.get(reverse(f"talent:{kind}-import")).status_code == 404
    response = client.post(
        reverse(f"talent:{kind}-import"), {"file": upload(headers, [row("TZ-A", code, 1)])}
    )
    assert response.status_code == 404
    assert not model.objects.exists() and not ImportBatch.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_an_exported_file_imports_back_unchanged(cast, client_for, kind):
    model, _headers, row, _bad, _changed = KINDS[kind]
    code = prepare(cast, kind)
    first, second = row("TZ-A", code, 1), row("TZ-A", code, 2)
    first[1] = "=" + first[1] if kind != "session" else first[1]
    assert run(cast.staff_a, kind, [first, second]).status == "confirmed"
    before, history = snapshot(model), ChangeRecord.objects.count()
    exported = client_for(cast.staff_a).get(reverse(f"talent:{kind}-export")).content
    batch = import_file(cast.staff_a, f"talent.{kind}", SimpleUploadedFile("t.xlsx", exported))
    assert batch.errors == [], batch.message
    assert (batch.rows_new, batch.rows_updated, batch.rows_unchanged) == (0, 0, 2)
    assert snapshot(model) == before and ChangeRecord.objects.count() == history


def test_the_list_pages_show_the_import_button_only_to_importers(cast, client_for):
    url = reverse("talent:team-import")
    assert url in client_for(cast.staff_a).get(reverse("talent:team-list")).content.decode()
    assert url not in client_for(cast.viewer_a).get(reverse("talent:team-list")).content.decode()


def test_a_session_names_its_centre_within_its_zone(cast):
    _centre(cast.zone_b, "乙培训中心")
    rows = [["TZ-A", "乙培训中心", "焊工", "2024-03-15", "40", "32"]]
    batch = run(cast.staff_a, "session", rows)
    assert batch.rows_error == 1 and batch.errors[0]["column"] == "培训中心"
    assert not TrainingSession.objects.exists()


def test_an_entrepreneur_of_another_zones_enterprise_is_refused(cast):
    code = _enterprise(cast.zone_b).credit_code
    batch = run(cast.staff_a, "entrepreneur", [["TZ-A", "张三", code, "董事长", "2024", "1"]])
    assert batch.rows_error == 1 and batch.errors[0]["column"] == "企业统一社会信用代码"
    assert not Entrepreneur.objects.exists()


def test_a_key_shared_by_two_stored_records_is_refused_as_ambiguous(cast):
    for _n in range(2):
        TalentTeam.objects.create(
            zone=cast.zone_a, name="同名团队", leader="甲", field="新材料", size=3,
            introduced_on="2024-01-01",
        )  # fmt: skip
    row = KINDS["team"][2]
    cells = row("TZ-A", CREDIT, 1)
    cells[1] = "同名团队"
    batch = run(cast.staff_a, "team", [cells])
    assert batch.rows_error == 1 and "多条" in batch.errors[0]["message"]
