"""Evidence files (佐证材料) on milestones, progress reports and exemption requests: checked by
content, limited in size and number, stored under generated names, downloaded only as
attachments through a scoped view, and recorded in the history."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from devzone.models import ChangeRecord
from devzone.uploads import safe_filename
from investment import services
from investment.models import Evidence, Milestone, ProjectStage
from tests.investment.helpers import days_ago, make_project
from tests.investment.test_milestones_reports import report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """A private MEDIA_ROOT for each test, so that 'nothing left on disk' can be checked."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


# --- real minimal files ---------------------------------------------------------------------


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def pdf_bytes(text: str = "evidence") -> bytes:
    """A one-page PDF with a correct cross-reference table and trailer."""
    stream = f"BT /F1 12 Tf 20 20 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 50] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/'
    b'vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def docx_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": (
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org'
                b'/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                b"</Relationships>"
            ),
            "word/document.xml": (
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
                b'main"><w:body><w:p><w:r><w:t>evidence</w:t></w:r></w:p></w:body></w:document>'
            ),
            **(extra or {}),
        }
    )


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "佐证"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ofd_bytes() -> bytes:
    return zip_bytes(
        {
            "OFD.xml": b'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD '
            b'xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"><ofd:DocBody/></ofd:OFD>',
            "Doc_0/Document.xml": b"<ofd:Document/>",
        }
    )


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


# --- the world of a test --------------------------------------------------------------------


@pytest.fixture
def project(cast):
    return make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)


@pytest.fixture
def milestone(cast, project):
    return services.create_milestone(
        cast.staff_a, project, {"title": "取得用地批复", "planned_date": days_ago(5)}
    )


@pytest.fixture
def exemption(cast, milestone):
    return services.request_exemption(
        cast.staff_a, {"milestone": milestone, "reason": "土地指标调整，非园区原因。"}
    )


def evidence_url(target) -> str:
    name = {"Milestone": "milestone", "ProgressReport": "report", "Exemption": "exemption"}
    return reverse(f"investment:{name[type(target).__name__]}-evidence", args=[target.pk])


# --- uploads that are accepted --------------------------------------------------------------

OOXML = "application/vnd.openxmlformats-officedocument"
KINDS = [
    ("现场照片.jpg", lambda: image_bytes("JPEG"), "image/jpeg", ".jpg"),
    ("现场照片.JPEG", lambda: image_bytes("JPEG"), "image/jpeg", ".jpg"),
    ("截图.png", lambda: image_bytes("PNG"), "image/png", ".png"),
    ("截图.webp", lambda: image_bytes("WEBP"), "image/webp", ".webp"),
    ("批复文件.pdf", pdf_bytes, "application/pdf", ".pdf"),
    ("情况说明.docx", docx_bytes, f"{OOXML}.wordprocessingml.document", ".docx"),
    ("投资明细.xlsx", xlsx_bytes, f"{OOXML}.spreadsheetml.sheet", ".xlsx"),
    ("电子发票.ofd", ofd_bytes, "application/ofd", ".ofd"),
]


@pytest.mark.parametrize(("name", "build", "content_type", "extension"), KINDS)
def test_staff_upload_each_allowed_kind_stored_under_a_generated_name(
    name, build, content_type, extension, cast, milestone, client_for, media
):
    data = build()
    response = client_for(cast.staff_a).post(
        evidence_url(milestone), {"file": upload(name, data), "description": "用地批复扫描件"}
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.milestone, evidence.zone) == (milestone, cast.zone_a)
    assert evidence.original_name == name
    assert evidence.content_type == content_type
    assert evidence.size == len(data)
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.uploaded_by == cast.staff_a
    assert evidence.description == "用地批复扫描件"
    assert re.fullmatch(
        rf"evidence/TZ-A/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}{re.escape(extension)}", evidence.file.name
    )
    assert (media / evidence.file.name).read_bytes() == data


def test_evidence_attaches_to_a_progress_report_and_an_exemption(cast, project, exemption):
    monthly = report(cast.staff_a, project, 1, "100")
    on_report = services.attach_evidence(
        cast.leader_a, monthly, upload("月报附件.pdf", pdf_bytes())
    )
    on_exemption = services.attach_evidence(
        cast.staff_a, exemption, upload("情况说明.pdf", pdf_bytes()), "说明"
    )
    assert (on_report.report, on_report.zone_id) == (monthly, cast.zone_a.pk)
    assert (on_exemption.exemption, on_exemption.zone_id) == (exemption, cast.zone_a.pk)


def test_a_row_with_two_targets_or_none_is_refused_by_the_database(cast, milestone, exemption):
    from django.db import IntegrityError, transaction

    common = {
        "zone": cast.zone_a,
        "file": "evidence/x.pdf",
        "original_name": "x.pdf",
        "content_type": "application/pdf",
        "size": 1,
        "sha256": "0" * 64,
    }
    for targets in ({}, {"milestone": milestone, "exemption": exemption}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Evidence.objects.create(**common, **targets)


# --- refusals -------------------------------------------------------------------------------


def bomb_docx() -> bytes:
    """A real DOCX with one more member that inflates 20 MB of zeros from a few KB."""
    return docx_bytes({"word/media/padding.bin": b"\0" * (20 * 1024 * 1024)})


def crowded_docx() -> bytes:
    return docx_bytes({f"word/media/{i}.xml": b"<x/>" for i in range(1_001)})


REFUSED = [
    ("截图.pdf", lambda: image_bytes("PNG"), "内容与扩展名不符"),
    ("批复文件.pdf", lambda: b"MZ\x90\x00\x03" + b"\0" * 200, "内容与扩展名不符"),
    ("setup.exe", lambda: b"MZ\x90\x00\x03" + b"\0" * 200, "类型不允许"),
    ("说明.txt", lambda: "纯文本说明".encode(), "类型不允许"),
    ("无扩展名", pdf_bytes, "类型不允许"),
    ("投资明细.docx", xlsx_bytes, "内容与扩展名不符"),
    ("压缩包.docx", lambda: zip_bytes({"a.txt": b"hello"}), "内容与扩展名不符"),
    ("截断.pdf", lambda: b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "内容与扩展名不符"),
    ("炸弹.docx", bomb_docx, "压缩炸弹"),
    ("条目过多.docx", crowded_docx, "压缩炸弹"),
    ("空文件.pdf", lambda: b"", "空文件"),
]


@pytest.mark.parametrize(("name", "build", "reason"), REFUSED)
def test_a_refused_upload_names_the_file_and_why_and_leaves_nothing_behind(
    name, build, reason, cast, milestone, client_for, media
):
    records = ChangeRecord.objects.count()
    response = client_for(cast.staff_a).post(
        evidence_url(milestone), {"file": upload(name, build())}
    )
    assert response.status_code == 200
    errors = response.context["evidence_form"].errors["file"]
    if name == "空文件.pdf":  # Django's own form refuses an empty upload first
        assert errors
    else:
        assert any(name in e and reason in e for e in errors), errors
    assert not Evidence.objects.exists()
    assert stored_files(media) == []
    assert ChangeRecord.objects.count() == records


def test_a_file_over_the_size_limit_is_refused(cast, milestone, settings, media):
    settings.DEVZONE_EVIDENCE_MAX_BYTES = 500
    with pytest.raises(ValidationError) as refused:
        services.attach_evidence(
            cast.staff_a, milestone, upload("大文件.pdf", pdf_bytes("x" * 600))
        )
    message = refused.value.message_dict["file"][0]
    assert "大文件.pdf" in message and "文件过大" in message
    assert not Evidence.objects.exists() and stored_files(media) == []


def test_more_files_than_the_limit_on_one_target_are_refused(cast, milestone, settings, media):
    settings.DEVZONE_EVIDENCE_MAX_FILES = 2
    for n in range(2):
        services.attach_evidence(cast.staff_a, milestone, upload(f"第{n}份.pdf", pdf_bytes()))
    with pytest.raises(ValidationError) as refused:
        services.attach_evidence(cast.staff_a, milestone, upload("第3份.pdf", pdf_bytes()))
    message = refused.value.message_dict["file"][0]
    assert "第3份.pdf" in message and "超过数量上限" in message
    assert Evidence.objects.count() == 2 and len(stored_files(media)) == 2


def test_a_write_failing_after_the_file_was_stored_removes_the_file(
    cast, milestone, media, monkeypatch
):
    """The scope re-check after the write fails: the row rolls back and the file goes too."""
    import investment.services.evidence as evidence_services

    def refuse(instance, user, action):
        raise PermissionDenied("out of scope")

    monkeypatch.setattr(evidence_services, "ensure_in_scope", refuse)
    records = ChangeRecord.objects.count()
    with pytest.raises(PermissionDenied):
        services.attach_evidence(cast.staff_a, milestone, upload("批复.pdf", pdf_bytes()))
    assert not Evidence.objects.exists()
    assert stored_files(media) == []
    assert ChangeRecord.objects.count() == records


def test_the_original_name_is_sanitised_and_never_a_path():
    assert safe_filename("../../etc/passwd.pdf") == "passwd.pdf"
    assert safe_filename("C:\\Users\\王\\批复.pdf") == "批复.pdf"
    assert safe_filename("合同\u202efdp.exe") == "合同fdp.exe"  # no right-to-left override
    assert safe_filename("a\x00b\nc.pdf") == "abc.pdf"
    assert safe_filename('报告<1>:"x"|?.pdf') == "报告_1___x___.pdf"
    assert safe_filename("...pdf") == "pdf"
    assert safe_filename("") == "file"
    long = safe_filename("长" * 300 + ".pdf")
    assert len(long) == 255 and long.endswith(".pdf")


def test_a_disguised_name_is_stored_sanitised(cast, milestone, media):
    evidence = services.attach_evidence(
        cast.staff_a, milestone, upload("合同\u202efdp.pdf", pdf_bytes())
    )
    assert evidence.original_name == "合同fdp.pdf"
    assert "合同" not in evidence.file.name


# --- download -------------------------------------------------------------------------------


def test_the_download_is_an_attachment_with_the_original_name_and_nosniff(
    cast, milestone, client_for
):
    data = image_bytes("PNG")
    evidence = services.attach_evidence(cast.staff_a, milestone, upload("现场 照片.png", data))
    response = client_for(cast.viewer_a).get(
        reverse("investment:evidence-download", args=[evidence.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E7%8E%B0%E5%9C%BA%20%E7%85%A7%E7%89%87.png" in disposition


def test_a_city_supervisor_may_view_and_download_but_not_upload(cast, milestone, client_for):
    evidence = services.attach_evidence(cast.staff_a, milestone, upload("批复.pdf", pdf_bytes()))
    client = client_for(cast.city)
    page = client.get(evidence_url(milestone))
    assert page.status_code == 200 and "批复.pdf" in page.content.decode()
    assert page.context["evidence_form"] is None
    download = reverse("investment:evidence-download", args=[evidence.pk])
    assert client.get(download).status_code == 200
    refused = client.post(evidence_url(milestone), {"file": upload("x.pdf", pdf_bytes())})
    assert refused.status_code == 403
    assert Evidence.objects.count() == 1


def test_media_files_are_not_served_by_any_url(cast, milestone, client_for):
    evidence = services.attach_evidence(cast.staff_a, milestone, upload("批复.pdf", pdf_bytes()))
    client = client_for(cast.staff_a)
    assert client.get("/media/" + evidence.file.name).status_code == 404


# --- who may do what ------------------------------------------------------------------------


def test_another_zones_staff_get_404_everywhere_and_change_nothing(
    cast, milestone, exemption, project, client_for, media
):
    monthly = report(cast.staff_a, project, 1, "100")
    on_milestone = services.attach_evidence(cast.staff_a, milestone, upload("a.pdf", pdf_bytes()))
    services.attach_evidence(cast.staff_a, monthly, upload("b.pdf", pdf_bytes()))
    services.attach_evidence(cast.staff_a, exemption, upload("c.pdf", pdf_bytes()))
    files = stored_files(media)
    client = client_for(cast.staff_b)
    for target in (milestone, monthly, exemption):
        assert client.get(evidence_url(target)).status_code == 404
        response = client.post(evidence_url(target), {"file": upload("x.pdf", pdf_bytes())})
        assert response.status_code == 404
    assert (
        client.get(reverse("investment:evidence-download", args=[on_milestone.pk])).status_code
        == 404
    )
    delete = reverse("investment:evidence-delete", args=[on_milestone.pk])
    assert client.post(delete).status_code == 404
    assert Evidence.objects.count() == 3 and stored_files(media) == files


def test_a_viewer_can_neither_upload_nor_delete(cast, milestone, client_for, media):
    evidence = services.attach_evidence(cast.staff_a, milestone, upload("a.pdf", pdf_bytes()))
    client = client_for(cast.viewer_a)
    page = client.get(evidence_url(milestone))
    assert page.status_code == 200 and page.context["evidence_form"] is None
    assert reverse("investment:evidence-delete", args=[evidence.pk]) not in page.content.decode()
    assert reverse("investment:evidence-download", args=[evidence.pk]) in page.content.decode()
    posted = client.post(evidence_url(milestone), {"file": upload("x.pdf", pdf_bytes())})
    assert posted.status_code == 403
    deleted = client.post(reverse("investment:evidence-delete", args=[evidence.pk]))
    assert deleted.status_code == 403
    assert list(Evidence.objects.all()) == [evidence] and len(stored_files(media)) == 1
    with pytest.raises(PermissionDenied):
        services.delete_evidence(cast.viewer_a, evidence)


def test_a_supervisor_cannot_attach_to_an_exemption(cast, exemption):
    with pytest.raises(PermissionDenied):
        services.attach_evidence(cast.supervisor, exemption, upload("x.pdf", pdf_bytes()))
    assert not Evidence.objects.exists()


def test_a_decided_exemptions_evidence_is_fixed(cast, exemption, client_for):
    evidence = services.attach_evidence(cast.staff_a, exemption, upload("a.pdf", pdf_bytes()))
    services.decide_exemption(cast.supervisor, exemption, True)
    with pytest.raises(ValidationError) as refused:
        services.attach_evidence(cast.staff_a, exemption, upload("b.pdf", pdf_bytes()))
    assert "已审核" in refused.value.message_dict["file"][0]
    with pytest.raises(ValidationError):
        services.delete_evidence(cast.staff_a, evidence)
    page = client_for(cast.staff_a).get(reverse("investment:exemption-detail", args=[exemption.pk]))
    assert page.context["evidence_form"] is None and "a.pdf" in page.content.decode()
    assert list(Evidence.objects.all()) == [evidence]


# --- history and deletion -------------------------------------------------------------------


def test_uploading_and_deleting_are_recorded_and_the_file_is_removed(
    cast, milestone, client_for, media, django_capture_on_commit_callbacks
):
    client = client_for(cast.staff_a)
    client.post(evidence_url(milestone), {"file": upload("批复.pdf", pdf_bytes())})
    evidence = Evidence.objects.get()
    records = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(Evidence))
    created = records.get(object_id=evidence.pk, action=ChangeRecord.Action.CREATE)
    assert created.user == cast.staff_a and created.zone_id == cast.zone_a.pk
    assert created.changes["sha256"] == [None, evidence.sha256]
    assert created.changes["original_name"] == [None, "批复.pdf"]
    milestones = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Milestone), object_id=milestone.pk
    )
    on_target = milestones.filter(note__contains="批复.pdf")
    assert on_target.get().note == "上传佐证材料“批复.pdf”"
    path = media / evidence.file.name
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("investment:evidence-delete", args=[evidence.pk]))
    assert response.status_code == 302
    assert response["Location"] == evidence_url(milestone)
    assert not Evidence.objects.exists()
    assert not path.exists()
    deleted = records.get(object_id=evidence.pk, action=ChangeRecord.Action.DELETE)
    assert deleted.user == cast.staff_a
    assert milestones.filter(note="删除佐证材料“批复.pdf”").count() == 1


def test_a_rolled_back_deletion_keeps_the_file(
    cast, milestone, media, django_capture_on_commit_callbacks
):
    from django.db import transaction

    evidence = services.attach_evidence(cast.staff_a, milestone, upload("批复.pdf", pdf_bytes()))
    pk, path = evidence.pk, media / evidence.file.name
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.delete_evidence(cast.staff_a, evidence)
        raise RuntimeError("rolled back")
    assert callbacks == []
    assert Evidence.objects.filter(pk=pk).exists() and path.exists()


# --- pages ----------------------------------------------------------------------------------


def test_the_exemption_page_lists_its_evidence_and_takes_uploads(cast, exemption, client_for):
    client = client_for(cast.staff_a)
    detail = reverse("investment:exemption-detail", args=[exemption.pk])
    page = client.get(detail)
    assert page.status_code == 200 and page.context["evidence_form"] is not None
    response = client.post(evidence_url(exemption), {"file": upload("说明.pdf", pdf_bytes())})
    assert response.status_code == 302 and response["Location"] == detail
    page = client.get(detail)
    assert "说明.pdf" in page.content.decode()
    assert Evidence.objects.get().exemption == exemption


def test_the_project_page_links_each_milestone_and_reports_evidence_with_counts(
    cast, project, milestone, client_for
):
    monthly = report(cast.staff_a, project, 1, "100")
    for n in range(2):
        services.attach_evidence(cast.staff_a, milestone, upload(f"{n}.pdf", pdf_bytes()))
    page = client_for(cast.viewer_a).get(reverse("investment:project-detail", args=[project.pk]))
    html = page.content.decode()
    assert f'href="{evidence_url(milestone)}"' in html and "佐证材料 (2)" in html
    assert f'href="{evidence_url(monthly)}"' in html and "佐证材料 (0)" in html


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_evidence_page_costs_the_same_queries_for_one_file_or_many(cast, milestone, client_for):
    """Queries: session, user, memberships (scope), the milestone, the files with uploaders."""
    client = client_for(cast.staff_a)
    services.attach_evidence(cast.staff_a, milestone, upload("0.pdf", pdf_bytes()))
    one = count_queries(client, evidence_url(milestone))
    for n in range(1, 8):
        user = cast.leader_a if n % 2 else cast.staff_a
        services.attach_evidence(user, milestone, upload(f"{n}.pdf", pdf_bytes()))
    assert count_queries(client, evidence_url(milestone)) == one


def test_the_project_page_counts_evidence_without_a_query_per_row(cast, project, client_for):
    """The evidence counts of all milestones and reports cost one query."""
    client = client_for(cast.staff_a)
    url = reverse("investment:project-detail", args=[project.pk])
    first = services.create_milestone(
        cast.staff_a, project, {"title": "节点0", "planned_date": days_ago(-10)}
    )
    services.attach_evidence(cast.staff_a, first, upload("a.pdf", pdf_bytes()))
    one = count_queries(client, url)
    for n in range(1, 5):
        more = services.create_milestone(
            cast.staff_a, project, {"title": f"节点{n}", "planned_date": days_ago(-10 - n)}
        )
        services.attach_evidence(cast.staff_a, more, upload(f"{n}.pdf", pdf_bytes()))
    assert count_queries(client, url) == one


def test_files_of_a_deleted_milestone_can_be_removed_after_commit(
    cast, milestone, media, django_capture_on_commit_callbacks
):
    """Deleting a target cascades to its rows; its deleting service removes the files."""
    from django.db import transaction

    services.attach_evidence(cast.staff_a, milestone, upload("a.pdf", pdf_bytes()))
    services.attach_evidence(cast.staff_a, milestone, upload("b.pdf", pdf_bytes()))
    assert len(stored_files(media)) == 2
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.remove_files_after_commit(Evidence.objects.filter(milestone=milestone))
        services.delete_milestone(cast.staff_a, milestone)
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_deleting_a_milestone_report_or_project_removes_their_stored_files(
    cast, project, milestone, media, django_capture_on_commit_callbacks
):
    year, month = days_ago(40).year, days_ago(40).month
    report = services.submit_report(
        cast.staff_a, project, year, month, {"investment_this_month": 10, "progress": "推进中"}
    )
    on_milestone = services.attach_evidence(
        cast.staff_a, milestone, upload("批复.pdf", pdf_bytes()), ""
    )
    on_report = services.attach_evidence(cast.staff_a, report, upload("现场.pdf", pdf_bytes()), "")
    paths = [media / on_milestone.file.name, media / on_report.file.name]
    assert all(p.exists() for p in paths)

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_milestone(cast.staff_a, milestone)
    assert not paths[0].exists() and paths[1].exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_project(cast.staff_a, project)
    assert stored_files(media) == [] and not Evidence.objects.exists()
