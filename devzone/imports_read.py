"""Reading an uploaded spreadsheet safely: XLSX or CSV decided by content, hostile files refused.

``read_table(data)`` returns the header row and the data rows with the row numbers a
spreadsheet shows. Everything refused raises ``Refused`` with a Chinese message for the user.
Checks, in order: size; a zip must be an OOXML workbook whose members declare sane sizes and
compression ratios (zip bombs are refused before anything is decompressed) and carry no DTD
(openpyxl parses through defusedxml as well); an OLE2 file is a legacy or encrypted workbook;
anything else must decode as text (UTF-8 with or without BOM, else GB18030; UTF-16 when it
starts with its BOM, as Excel's "Unicode 文本" does) without control characters anywhere.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from devzone.imports_values import is_blank

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 200
# Zip members: an XLSX of 10 MB with 50,000 rows unpacks to well under this.
MAX_UNCOMPRESSED = 300 * 1024 * 1024
MAX_RATIO = 200  # per member larger than 1 MB uncompressed
MAX_MEMBERS = 2_000
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# A zip starts with a local file header, or the end record of an empty or spanned archive; a
# CSV whose first header merely starts with "PK" is text.
ZIP_SIGNATURES = (ZIP_MAGIC, b"PK\x05\x06", b"PK\x07\x08")
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Control characters no spreadsheet cell holds (PostgreSQL refuses NUL in text, too).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Refused(Exception):
    """The whole file is refused; ``str(error)`` is the Chinese message for the user."""


@dataclass
class Table:
    headers: list[Any]
    header_row: int
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (row number, cells)
    format: str = "csv"
    encoding: str = ""


def oversize_message(size: int) -> str:
    return _("文件大小为 %(size).1f MB，超过 %(max)d MB 的上限，请拆分后分批导入。") % {
        "size": size / 1024 / 1024,
        "max": MAX_BYTES // 1024 // 1024,
    }


def read_table(data: bytes) -> Table:
    if len(data) > MAX_BYTES:
        raise Refused(oversize_message(len(data)))
    if not data.strip():
        raise Refused(_("文件是空的。"))
    if data.startswith(OLE2_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise Refused(_("文件已加密（设置了打开密码），请取消密码后另存为 .xlsx 再导入。"))
        raise Refused(
            _("这是旧版 Excel（.xls）文件，不能导入；请在 Excel 中“另存为” .xlsx 或 CSV 后再导入。")
        )
    if data.startswith(ZIP_SIGNATURES):
        return _read_xlsx(data)
    return _read_csv(data)


# --- XLSX -----------------------------------------------------------------------------------


def _check_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise Refused(_("文件不是有效的 .xlsx 电子表格（压缩包已损坏）。")) from error
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or not any(
        n.startswith("xl/") and n.endswith("workbook.xml") for n in names
    ):
        raise Refused(_("文件是压缩包，但不是 Excel 工作簿（.xlsx）。"))
    if len(members) > MAX_MEMBERS:
        raise Refused(_("文件结构异常（压缩包内文件过多），已拒绝。"))
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise Refused(_("文件已加密，请取消密码后再导入。"))
        total += member.file_size
        if member.file_size > 1024 * 1024 and (
            member.compress_size == 0 or member.file_size / member.compress_size > MAX_RATIO
        ):
            raise Refused(_("文件解压后异常膨胀（疑似“压缩炸弹”），已拒绝。"))
    if total > MAX_UNCOMPRESSED:
        raise Refused(_("文件解压后异常膨胀（疑似“压缩炸弹”），已拒绝。"))
    for member in members:
        if member.filename.endswith((".xml", ".rels")):
            with archive.open(member) as handle:
                head = handle.read(64 * 1024)
            if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                raise Refused(_("文件含有 XML 实体声明（可能是恶意构造的文件），已拒绝。"))
    return archive


def _read_xlsx(data: bytes) -> Table:
    archive = _check_zip(data)
    archive.close()
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except DefusedXmlException as error:
        raise Refused(_("文件含有 XML 实体声明（可能是恶意构造的文件），已拒绝。")) from error
    except Exception as error:  # openpyxl raises many kinds on malformed parts
        raise Refused(
            _("无法读取该 .xlsx 文件（%(why)s），请用 Excel 或 WPS 重新保存后再试。")
            % {"why": type(error).__name__}
        ) from error
    try:
        if not book.worksheets:
            raise Refused(_("工作簿中没有工作表。"))
        sheet = book.worksheets[0]
        try:
            # the declared dimension of some producers' sheets is wrong: read up to the cap
            rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            return _collect(rows, "xlsx", "")
        except DefusedXmlException as error:
            raise Refused(_("文件含有 XML 实体声明（可能是恶意构造的文件），已拒绝。")) from error
        except Refused:
            raise
        except Exception as error:
            raise Refused(
                _("无法读取该 .xlsx 文件（%(why)s），请用 Excel 或 WPS 重新保存后再试。")
                % {"why": type(error).__name__}
            ) from error
    finally:
        book.close()


# --- CSV ------------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass  # refused below: neither UTF-8 nor GB18030 starts with these bytes
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        label = {"utf-8-sig": "UTF-8-BOM" if data.startswith(b"\xef\xbb\xbf") else "UTF-8"}.get(
            encoding, "GB18030"
        )
        return text, label
    raise Refused(_("文件不是电子表格：既不是 .xlsx，也无法按 UTF-8 或 GBK 读成 CSV 文本。"))


def _read_csv(data: bytes) -> Table:
    if b"\x00" in data[:65536] and not data.startswith(UTF16_BOMS):
        raise Refused(_("文件不是电子表格：请上传 .xlsx 或 CSV 文件。"))
    text, encoding = _decode(data)
    # the whole text, not a sample: a NUL past the first 64 KB would reach the database
    if CONTROL.search(text):
        raise Refused(_("文件不是电子表格：含有二进制内容，请上传 .xlsx 或 CSV 文件。"))
    sample = text[:65536]
    # the header's line decides the delimiter: blank lines above it (a common "title row left
    # empty") would otherwise make a tab- or semicolon-separated file one column wide
    first_line = next((line for line in sample.splitlines() if line.strip()), "")
    delimiter = max((",", "\t", ";", "，"), key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return _collect(reader, "csv", encoding)
    except csv.Error as error:
        raise Refused(_("CSV 文件格式有误：%(why)s") % {"why": error}) from error


# --- both -----------------------------------------------------------------------------------


def _collect(rows, fmt: str, encoding: str) -> Table:
    """The first non-blank row is the header; blank rows are skipped; row numbers are kept."""
    table: Table | None = None
    count = 0
    for number, row in enumerate(rows, start=1):
        cells = list(row[:MAX_COLUMNS])
        while cells and is_blank(cells[-1]):
            cells.pop()
        if not cells:
            continue
        if table is None:
            table = Table(headers=cells, header_row=number, format=fmt, encoding=encoding)
            continue
        count += 1
        if count > MAX_ROWS:
            raise Refused(
                _("数据超过 %(max)s 行的上限，请拆分后分批导入。") % {"max": f"{MAX_ROWS:,}"}
            )
        table.rows.append((number, cells))
    if table is None:
        raise Refused(_("文件中没有表头行。"))
    if not table.rows:
        raise Refused(_("文件中没有数据行（表头之下是空的）。"))
    return table
