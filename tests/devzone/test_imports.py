"""The shared import machinery: reading files safely, Chinese cell values, the formula escape."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook

from devzone import imports_read
from devzone.imports_read import Refused, read_table
from devzone.imports_values import (
    AmountWidget,
    BooleanWidget,
    ChoiceWidget,
    DateWidget,
    IntegerWidget,
    escape_formula,
    header_key,
    parse_date,
    unescape_formula,
)

MONEY = {"元": Decimal("0.0001"), "万元": Decimal(1), "亿元": Decimal(10000)}
HEADERS = ["企业名称", "金额（万元）", "日期"]
ROWS = [["甲公司", "1,234.5", "2025-03-01"], ["乙公司", "12", "2025/3/1"]]


def csv_bytes(rows, encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def openpyxl_xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


OOXML = "http://schemas.openxmlformats.org"
OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
RELS = f"{OOXML}/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<Types xmlns="{OOXML}/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OFFICE}.worksheet+xml"/>'
    "{extra}</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<Relationships xmlns="{OOXML}/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<Relationships xmlns="{OOXML}/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    "{extra}</Relationships>"
)
SHARED_REL = (
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/>'
)
SHARED_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def handmade_xlsx(rows, *, shared: bool, skip_row: int | None = None, doctype: str = "") -> bytes:
    """A minimal OOXML workbook written by hand, as other producers write them: no styles, no
    dimension, strings inline (``t="inlineStr"``) or in a shared-strings table, numbers as
    ``<v>``, and optionally a gap in the row numbers."""
    strings: list[str] = []
    xml_rows = []
    number = 0
    for row in rows:
        number += 1
        if skip_row and number == skip_row:
            number += 1
        cells = []
        for col, value in enumerate(row):
            ref = f"{chr(65 + col)}{number}"
            if isinstance(value, int | float):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif shared:
                strings.append(value)
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
        xml_rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(xml_rows)}</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml", CONTENT_TYPES.format(extra=SHARED_TYPE if shared else "")
        )
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr(
            "xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(extra=SHARED_REL if shared else "")
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared:
            items = "".join(f"<si><t>{s}</t></si>" for s in strings)
            archive.writestr(
                "xl/sharedStrings.xml",
                '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.'
                f'org/spreadsheetml/2006/main" count="{len(strings)}">{items}</sst>',
            )
    return buffer.getvalue()


# --- reading --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "label"),
    [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8-BOM"), ("gbk", "GB18030"), ("gb18030", "GB18030")],
)
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gbk(encoding, label):
    table = read_table(csv_bytes([HEADERS, *ROWS], encoding))
    assert table.format == "csv"
    assert table.encoding == label
    assert table.headers == HEADERS
    assert table.rows == [(2, ROWS[0]), (3, ROWS[1])]


def test_an_xlsx_written_by_openpyxl_is_read_with_native_cells():
    table = read_table(openpyxl_xlsx([HEADERS, ["甲公司", 1234.5, datetime.datetime(2025, 3, 1)]]))
    assert table.format == "xlsx"
    assert table.headers == HEADERS
    assert table.rows == [(2, ["甲公司", 1234.5, datetime.datetime(2025, 3, 1)])]


@pytest.mark.parametrize("shared", [False, True])
def test_a_handmade_xlsx_with_inline_or_shared_strings_is_read_with_its_row_numbers(shared):
    data = handmade_xlsx(
        [HEADERS, ["甲公司", 1234.5, "2025年3月1日"], ["乙公司", 7, 45717]],
        shared=shared,
        skip_row=3,
    )
    table = read_table(data)
    assert table.headers == HEADERS
    # the gap in row numbers is kept: the second data row is on sheet row 4
    assert [(n, cells[0]) for n, cells in table.rows] == [(2, "甲公司"), (4, "乙公司")]
    assert table.rows[0][1][1] == 1234.5
    assert table.rows[1][1][2] == 45717


def test_blank_rows_are_skipped_and_the_first_non_blank_row_is_the_header():
    table = read_table(csv_bytes([["", ""], HEADERS, ["", "", ""], ROWS[0]]))
    assert table.header_row == 2
    assert table.rows == [(4, ROWS[0])]


def test_a_file_over_ten_megabytes_is_refused():
    with pytest.raises(Refused, match="超过 10 MB"):
        read_table(b"a,b\n" + b"x,y\n" * (3 * 1024 * 1024))


def test_more_than_fifty_thousand_rows_are_refused(monkeypatch):
    with pytest.raises(Refused, match="50,000 行"):
        read_table(csv_bytes([["a", "b"]] + [["1", "2"]] * 50_001))


def test_an_empty_file_and_a_header_without_rows_are_refused():
    with pytest.raises(Refused, match="空"):
        read_table(b"   ")
    with pytest.raises(Refused, match="没有数据行"):
        read_table(csv_bytes([HEADERS]))


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x01\x02",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        bytes(range(256)) * 10,
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(data):
    with pytest.raises(Refused, match="不是电子表格"):
        read_table(data)


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(Refused, match="不是 Excel 工作簿"):
        read_table(buffer.getvalue())


def test_a_zip_bomb_is_refused_before_it_is_decompressed():
    good = handmade_xlsx([HEADERS, ROWS[0]], shared=False)
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for item in source.infolist():
            bomb.writestr(item.filename, source.read(item.filename))
        bomb.writestr("xl/media/padding.xml", b"0" * (60 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024  # tiny on disk, 60 MB unpacked: a ratio of ~1000
    with pytest.raises(Refused, match="压缩炸弹"):
        read_table(data)


def test_a_zip_declaring_too_much_in_total_is_refused(monkeypatch):
    monkeypatch.setattr(imports_read, "MAX_UNCOMPRESSED", 1000)
    with pytest.raises(Refused, match="压缩炸弹"):
        read_table(handmade_xlsx([HEADERS, ROWS[0]], shared=True))


def test_xml_entity_tricks_are_refused():
    billion_laughs = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    data = handmade_xlsx([HEADERS, ["&lol2;", 1, 2]], shared=False, doctype=billion_laughs)
    with pytest.raises(Refused, match="XML 实体"):
        read_table(data)
    external = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    with pytest.raises(Refused, match="XML 实体"):
        read_table(handmade_xlsx([HEADERS, ["&xxe;", 1, 2]], shared=False, doctype=external))


def test_openpyxl_parses_through_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


def test_a_legacy_xls_and_an_encrypted_workbook_are_refused_with_advice():
    ole2 = imports_read.OLE2_MAGIC + b"\x00" * 512
    with pytest.raises(Refused, match="旧版 Excel"):
        read_table(ole2)
    encrypted = ole2 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64
    with pytest.raises(Refused, match="已加密"):
        read_table(encrypted)


def test_a_corrupt_xlsx_is_refused_with_a_clear_message():
    data = handmade_xlsx([HEADERS, ROWS[0]], shared=False)
    with pytest.raises(Refused, match="xlsx"):
        read_table(data[: len(data) // 2])


# --- values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234.5", Decimal("1234.50")),
        ("１２３４．５", Decimal("1234.50")),
        ("１，２３４．５", Decimal("1234.50")),
        ("1234.5万元", Decimal("1234.50")),
        ("1.5亿元", Decimal("15000.00")),
        ("12345元", Decimal("1.23")),
        (" 88 ", Decimal("88.00")),
        (1234.5, Decimal("1234.50")),
        (7, Decimal("7.00")),
        ("", None),
        (None, None),
    ],
)
def test_amounts_are_read_in_the_columns_unit(raw, expected):
    assert AmountWidget("万元", MONEY).clean(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [("abc", "无法识别为数字"), ("1.234", "最多保留2位小数"), ("12%", "不能填写百分数")],
)
def test_a_bad_amount_says_why(raw, message):
    with pytest.raises(ValueError, match=message):
        AmountWidget("万元", MONEY).clean(raw)


def test_a_percentage_in_a_ratio_column_is_divided_by_a_hundred():
    assert AmountWidget("", None, places=4).clean("12.5%") == Decimal("0.1250")
    assert AmountWidget("%", None).clean("12.5%") == Decimal("12.50")


@pytest.mark.parametrize(
    "raw",
    [
        "2025-03-01",
        "2025/3/1",
        "2025年3月1日",
        "2025.3.1",
        "２０２５年３月１日",
        "20250301",
        "2025-03-01 00:00:00",
        datetime.datetime(2025, 3, 1),
        datetime.date(2025, 3, 1),
        45717,
        45717.0,
        "45717",
    ],
)
def test_dates_are_read_in_every_usual_form(raw):
    assert DateWidget().clean(raw) == datetime.date(2025, 3, 1)


def test_an_impossible_date_says_so():
    with pytest.raises(ValueError, match="日期不存在"):
        parse_date("2025-02-30")
    with pytest.raises(ValueError, match="2025-03-01"):
        parse_date("下周一")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("n", False),
        ("TRUE", True),
        ("false", False),
        ("1", True),
        (0, False),
        ("√", True),
        ("", False),
        (True, True),
    ],
)
def test_booleans_are_read_from_chinese_and_english_forms(raw, expected):
    assert BooleanWidget().clean(raw) is expected


def test_a_bad_boolean_names_the_allowed_values():
    with pytest.raises(ValueError, match="是.*否"):
        BooleanWidget().clean("也许")


def test_enumerations_are_read_by_label_or_code_and_list_the_allowed_values():
    widget = ChoiceWidget([("upstream", "上游"), ("midstream", "中游")])
    assert widget.clean("上游") == "upstream"
    assert widget.clean(" midstream ") == "midstream"
    with pytest.raises(ValueError, match="上游、中游"):
        widget.clean("旁游")


def test_integers_accept_year_and_month_suffixes_and_full_width_digits():
    assert IntegerWidget(("年",)).clean("２０２５年") == 2025
    assert IntegerWidget().clean(3.0) == 3
    with pytest.raises(ValueError, match="整数"):
        IntegerWidget().clean("3.5")


def test_headers_match_across_full_width_half_width_and_spaces():
    assert header_key(" 用地面积（亩） ") == header_key("用地面积(亩)")
    assert header_key("企业 名称") == header_key("企业名称")


# --- the formula escape ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "＝1", "＋1", "－1", "＠x", "'=1", "''x"],
)
def test_text_a_spreadsheet_would_run_is_escaped_and_read_back_exactly(text):
    escaped = escape_formula(text)
    assert escaped == "'" + text
    assert unescape_formula(escaped) == text


@pytest.mark.parametrize("value", ["普通文本", "'plain", 12, -5, Decimal("-1.5"), None, True])
def test_ordinary_text_and_numbers_are_left_alone(value):
    assert escape_formula(value) == value
    assert unescape_formula(value) == value


# --- the bulk write path (confirm) -----------------------------------------------------------


def _bulk_variants():
    """Resources that differ only in the write path: per row through the services, or bulk."""
    from devzone.imports import register
    from investment import resources as investment_resources
    from zones import services as zone_services
    from zones.resources import EnterpriseResource

    @register
    class EnterprisePerRow(EnterpriseResource):
        import_name = "tests.enterprise_per_row"

    @register
    class EnterpriseBulk(EnterpriseResource):
        import_name = "tests.enterprise_bulk"

        def import_write_bulk(self, user, rows):
            zone_services.bulk_import_enterprises(user, rows)

    @register
    class ProjectPerRow(investment_resources.ProjectResource):
        import_name = "tests.project_per_row"
        import_write_bulk = None

    return {
        "enterprise": ("tests.enterprise_per_row", "tests.enterprise_bulk"),
        "project": ("tests.project_per_row", "investment.project"),
    }


VARIANTS = _bulk_variants()


def _enterprise_file(n: int, suffix: str = "", zone: str = "TZ-A") -> bytes:
    from zones.validators import build_credit_code

    rows = [
        ["企业名称", "统一社会信用代码", "开发区编码", "细分行业", "用地面积（亩）", "规模以上"]
    ]
    for i in range(n):
        rows.append(
            [f"批量企业{i}{suffix}", build_credit_code("520100", 60_000_000 + i), zone,
             f"细分{i % 3}{suffix}", f"{i}.5", "是" if i % 2 else "否"]
        )  # fmt: skip
    return csv_bytes(rows)


def _project_file(n: int, codes: list[str] | None = None, suffix: str = "") -> bytes:
    rows = [["项目编号", "项目名称", "开发区编码", "投资方", "来源省份", "招商方式", "项目阶段",
             "计划总投资（万元）", "本年计划投资（万元）", "项目负责人账号"]]  # fmt: skip
    for i in range(n):
        rows.append(
            [codes[i] if codes else "", f"批量项目{i}{suffix}", "TZ-A", f"投资方{i}", "广东省",
             "专业招商", "洽谈" if i % 2 else "", f"{1000 + i}", "100",
             "t_staff_a" if i % 3 == 0 else ""]
        )  # fmt: skip
    return csv_bytes(rows)


def _state(model) -> tuple[list, list]:
    """The written rows and their history, without ids and timestamps."""
    from devzone.models import ChangeRecord

    skip = {"id", "created_at", "updated_at"}
    rows = sorted(
        str({k: v for k, v in r.items() if k not in skip}) for r in model.objects.values()
    )
    history = sorted(
        str((c.action, c.object_repr, c.zone_id, c.user_id, c.changes, c.note))
        for c in ChangeRecord.objects.all()
    )
    return rows, history


def _wipe(*models) -> None:
    """Back to the state before an import, including the recompute it queued for its zone."""
    from devzone.models import ChangeRecord, ImportBatch
    from zones.models import ScoreRun

    for model in models:
        model.objects.all().delete()
    ChangeRecord.objects.all().delete()
    ImportBatch.objects.all().delete()
    ScoreRun.objects.all().delete()


@pytest.mark.django_db
def test_the_bulk_enterprise_path_writes_exactly_what_the_services_write(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from devzone.imports import import_file
    from zones.models import Enterprise

    states = []
    for name in VARIANTS["enterprise"]:
        for data in (_enterprise_file(30), _enterprise_file(30, "（改）")):
            batch = import_file(cast.staff_a, name, SimpleUploadedFile("e.csv", data))
            assert batch.status == "confirmed", batch.errors
        states.append(_state(Enterprise))
        _wipe(Enterprise)
    assert states[0] == states[1]
    assert len(states[0][1]) == 60  # 30 creations and 30 updates recorded


@pytest.mark.django_db
def test_the_bulk_project_path_writes_exactly_what_the_services_write(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from devzone.imports import import_file
    from investment.models import Project, ProjectCodeCounter, StageTransition

    states = []
    for name in VARIANTS["project"]:
        batch = import_file(cast.staff_a, name, SimpleUploadedFile("p.csv", _project_file(20)))
        assert batch.status == "confirmed", batch.errors
        codes = list(Project.objects.order_by("code").values_list("code", flat=True))
        data = _project_file(20, codes, "（改）")
        batch = import_file(cast.staff_a, name, SimpleUploadedFile("p.csv", data))
        assert batch.status == "confirmed" and batch.rows_updated == 20, batch.errors
        transitions = sorted(
            StageTransition.objects.values_list("project__code", "from_stage", "to_stage", "date")
        )
        states.append((_state(Project), transitions))
        StageTransition.objects.all().delete()
        ProjectCodeCounter.objects.all().delete()
        _wipe(Project)
    assert states[0] == states[1]


@pytest.mark.django_db
def test_the_bulk_services_refuse_the_same_rows_as_the_per_row_services(cast):
    from django.core.exceptions import PermissionDenied, ValidationError

    from devzone.imports_bulk import RowsInvalid
    from tests.factories import EnterpriseFactory
    from zones import services
    from zones.models import Enterprise
    from zones.validators import build_credit_code

    taken = EnterpriseFactory(zone=cast.zone_a)
    good = {"zone": cast.zone_a, "name": "好企业", "credit_code": build_credit_code("520100", 5)}
    bad = [
        {"zone": cast.zone_a, "name": "重码企业", "credit_code": taken.credit_code},
        {"zone": cast.zone_a, "name": "坏码企业", "credit_code": "123"},
        {"zone": cast.zone_b, "name": "越权企业", "credit_code": build_credit_code("520100", 6)},
    ]
    for data in bad:
        with pytest.raises((ValidationError, PermissionDenied)) as per_row:
            services.create_enterprise(cast.staff_a, dict(data))
        with pytest.raises(RowsInvalid) as in_bulk:
            services.bulk_import_enterprises(cast.staff_a, [(good, None), (dict(data), None)])
        assert list(in_bulk.value.errors) == [1]  # the good row is not blamed
        error = in_bulk.value.errors[1]
        assert type(error) is type(per_row.value) or isinstance(error, type(per_row.value))
        if isinstance(error, ValidationError):
            assert error.message_dict == per_row.value.message_dict
    assert list(Enterprise.objects.all()) == [taken]


def _confirm_queries(user, name: str, data: bytes) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from devzone.imports import confirm_import, start_import

    user = type(user).objects.get(pk=user.pk)  # no cached scope
    batch = start_import(user, name, SimpleUploadedFile("q.csv", data))
    assert batch.status == "previewed" and not batch.rows_error, batch.errors
    with CaptureQueriesContext(connection) as ctx:
        batch = confirm_import(user, batch)
    assert batch.status == "confirmed", batch.errors
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_bulk_confirm_queries_grow_with_batches_not_rows(cast):
    """Batches are 500 rows, fewer where the database limits a statement's parameters
    (SQLite: 999, so about 60 enterprises per INSERT)."""
    from zones.models import Enterprise

    small = _confirm_queries(cast.staff_a, "tests.enterprise_bulk", _enterprise_file(3))
    _wipe(Enterprise)
    larger = _confirm_queries(cast.staff_a, "tests.enterprise_bulk", _enterprise_file(50))
    _wipe(Enterprise)
    assert small == larger
    many = _confirm_queries(cast.staff_a, "tests.enterprise_bulk", _enterprise_file(1200))
    assert many - small <= 1200 // 25  # the per-row services need about 8 a row


@pytest.mark.django_db
def test_bulk_project_confirm_queries_grow_with_batches_not_rows(cast):
    from investment.models import Project, ProjectCodeCounter, StageTransition

    def fresh() -> None:
        StageTransition.objects.all().delete()
        ProjectCodeCounter.objects.all().delete()
        _wipe(Project)

    small = _confirm_queries(cast.staff_a, "investment.project", _project_file(4))
    fresh()
    larger = _confirm_queries(cast.staff_a, "investment.project", _project_file(30))
    fresh()
    assert small == larger
    many = _confirm_queries(cast.staff_a, "investment.project", _project_file(600))
    assert many - small <= 600 // 20
