"""Checking an uploaded file by its content, not its name (issue 8).

``check_upload(upload, max_bytes=...)`` reads the file once: it refuses an empty or oversized
file, detects the kind from the first bytes (magic numbers; zips are opened and their members
listed, never decompressed), refuses kinds not allowed, refuses a file whose extension names
another kind than its content (a PNG called ``.pdf``, an ``.exe`` called ``.pdf``), refuses zip
bombs (too many members, a huge declared uncompressed total or ratio) and encrypted zips, and
returns what was found: the kind, the content type to serve it with, the size, the SHA-256 and
the user's file name made safe for display (``safe_filename``). The user's name is for display
only; callers store the file under a name they generate.

Every refusal raises ``ValidationError`` with a Chinese message that names the file and the
reason. This module imports no app, so any app's uploads can reuse it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from devzone.text import join

# Zip containers (DOCX, XLSX, OFD): limits far above any real document of the size we accept.
ZIP_MAX_MEMBERS = 1_000
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100  # for members larger than 1 MB uncompressed
PDF_TRAILER_WINDOW = 4096  # %%EOF must appear within this many bytes of the end
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Kind:
    """A kind of file we accept: its extensions (the first is the one we store with)."""

    name: str
    label: str
    extensions: tuple[str, ...]
    content_type: str


JPEG = Kind("jpeg", gettext_lazy("JPEG 图片"), (".jpg", ".jpeg"), "image/jpeg")
PNG = Kind("png", gettext_lazy("PNG 图片"), (".png",), "image/png")
WEBP = Kind("webp", gettext_lazy("WebP 图片"), (".webp",), "image/webp")
PDF = Kind("pdf", gettext_lazy("PDF 文档"), (".pdf",), "application/pdf")
DOCX = Kind(
    "docx",
    gettext_lazy("Word 文档（.docx）"),
    (".docx",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
XLSX = Kind(
    "xlsx",
    gettext_lazy("Excel 工作簿（.xlsx）"),
    (".xlsx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
OFD = Kind("ofd", gettext_lazy("OFD 版式文档"), (".ofd",), "application/ofd")

EVIDENCE_KINDS: tuple[Kind, ...] = (JPEG, PNG, WEBP, PDF, DOCX, XLSX, OFD)
CONTENT_TYPE_EXTENSION = {k.content_type: k.extensions[0] for k in EVIDENCE_KINDS}


@dataclass(frozen=True)
class CheckedFile:
    kind: Kind
    content_type: str
    size: int
    sha256: str
    original_name: str

    @property
    def extension(self) -> str:
        return self.kind.extensions[0]


# --- names ----------------------------------------------------------------------------------

_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')


def safe_filename(name: str, max_length: int = 255) -> str:
    """The user's file name reduced to something safe to show and to put in a
    Content-Disposition header: the last path component only, NFC-normalised, without control
    or format characters (a right-to-left override could disguise ``exe.pdf``), without
    characters Windows forbids, with no leading dots, at most ``max_length`` characters with the
    extension kept. Never used as a path."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _FORBIDDEN.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = f".{ext}" if dot else ""
    if len(ext) > 16:  # not an extension worth keeping whole
        stem, ext = name, ""
    if not stem:
        stem = "file"
    return stem[: max_length - len(ext)] + ext


def extension_of(name: str) -> str:
    """The lower-case extension of ``name`` with its dot, or ''."""
    base = name.rsplit("/", 1)[-1]
    return "." + base.rsplit(".", 1)[-1].lower() if "." in base else ""


# --- content --------------------------------------------------------------------------------


def _zip_kind(handle, display: str, allowed: tuple[Kind, ...]) -> Kind | None:
    """Which OOXML or OFD kind a zip is, after refusing bombs and encryption; None when it is
    some other zip."""
    try:
        archive = zipfile.ZipFile(handle)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return None
    if len(members) > ZIP_MAX_MEMBERS:
        raise ValidationError(
            _("“%(name)s”内含文件过多（%(n)d 个，上限 %(max)d 个，疑似“压缩炸弹”），已拒绝。")
            % {"name": display, "n": len(members), "max": ZIP_MAX_MEMBERS},
            code="zip_bomb",
        )
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise ValidationError(
                _("“%(name)s”已加密，请取消密码后再上传。") % {"name": display}, code="encrypted"
            )
        total += member.file_size
        inflated = member.file_size > 1024 * 1024 and (
            member.compress_size == 0 or member.file_size / member.compress_size > ZIP_MAX_RATIO
        )
        if inflated or total > ZIP_MAX_UNCOMPRESSED:
            raise ValidationError(
                _("“%(name)s”解压后异常膨胀（疑似“压缩炸弹”），已拒绝。") % {"name": display},
                code="zip_bomb",
            )
    names = {m.filename for m in members}
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return DOCX if DOCX in allowed else None
        if any(n.startswith("xl/") for n in names):
            return XLSX if XLSX in allowed else None
    if "OFD.xml" in names:
        return OFD if OFD in allowed else None
    return None


def _detect(handle, head: bytes, size: int, display: str, allowed: tuple[Kind, ...]):
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        handle.seek(max(size - PDF_TRAILER_WINDOW, 0))
        return PDF if b"%%EOF" in handle.read(PDF_TRAILER_WINDOW) else None
    if head.startswith(b"PK\x03\x04"):
        handle.seek(0)
        return _zip_kind(handle, display, allowed)
    return None


def _kind_list(kinds: tuple[Kind, ...]) -> str:
    return join(k.label for k in kinds)


def check_upload(
    upload, *, max_bytes: int, kinds: tuple[Kind, ...] = EVIDENCE_KINDS
) -> CheckedFile:
    """Check ``upload`` (a Django ``UploadedFile`` or any object with ``name``, ``size`` and
    ``open``/``read``/``seek``) and return what it is; raise ``ValidationError`` otherwise.

    The extension decides nothing on its own: it must be an allowed kind's extension and agree
    with the kind the content shows.
    """
    display = safe_filename(getattr(upload, "name", "") or "")
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size == 0:
        raise ValidationError(_("“%(name)s”是空文件。") % {"name": display}, code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("“%(name)s”文件过大（%(size)s），单个文件不能超过 %(max)s。")
            % {"name": display, "size": filesizeformat(size), "max": filesizeformat(max_bytes)},
            code="too_big",
        )
    extension = extension_of(display)
    claimed = next((k for k in kinds if extension in k.extensions), None)
    if claimed is None:
        raise ValidationError(
            _("“%(name)s”类型不允许：只接受 %(kinds)s。")
            % {"name": display, "kinds": _kind_list(kinds)},
            code="type",
        )
    if hasattr(upload, "open"):
        upload.open("rb")
    upload.seek(0)
    head = upload.read(64)
    detected = _detect(upload, head, size, display, kinds)
    if detected is None or detected not in kinds:
        raise ValidationError(
            _("“%(name)s”内容与扩展名不符：扩展名为 %(ext)s，但文件内容不是%(kind)s。")
            % {"name": display, "ext": extension, "kind": claimed.label},
            code="mismatch",
        )
    if detected != claimed:
        raise ValidationError(
            _("“%(name)s”内容与扩展名不符：扩展名为 %(ext)s，文件内容却是%(kind)s。")
            % {"name": display, "ext": extension, "kind": detected.label},
            code="mismatch",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    read = 0
    while chunk := upload.read(CHUNK):
        digest.update(chunk)
        read += len(chunk)
        if read > max_bytes:  # the declared size lied
            raise ValidationError(
                _("“%(name)s”文件过大，单个文件不能超过 %(max)s。")
                % {"name": display, "max": filesizeformat(max_bytes)},
                code="too_big",
            )
    upload.seek(0)
    return CheckedFile(detected, detected.content_type, read, digest.hexdigest(), display)
