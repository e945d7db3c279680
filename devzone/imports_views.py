"""The import pages every app reuses: upload, template download, batch list, batch, confirm.

An app wires ``upload`` and ``template`` with its resource's ``import_name`` (see
zones/views/imports.py); the batch pages are shared and find the resource from the batch. A
batch is addressed by ``?id=`` and only its uploader sees it (anyone else gets 404), so these
routes carry no path argument. Users who may not import anywhere get 404 on every page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from devzone import imports
from devzone.imports_read import MAX_BYTES, MAX_ROWS
from devzone.imports_template import allowed_values, build_template
from devzone.pages import XLSX_CONTENT_TYPE, style_form

BATCH_URL = "zones:import-batch"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 或 CSV 文件"),
        help_text=_("支持 .xlsx 与 CSV（UTF-8 或 GBK 编码）；不超过 10 MB、50,000 行。"),
    )


def _require_importer(user) -> None:
    if not imports.may_import(user):
        raise Http404


def _url(name: str) -> str:
    try:
        return reverse(name) if name else ""
    except NoReverseMatch:
        return ""


def _columns(resource) -> list[dict[str, object]]:
    return [
        {
            "header": str(f.column_name),
            "required": getattr(f, "required", False),
            "unit": str(getattr(f, "unit", "") or ""),
            "help": str(getattr(f, "help_text", "") or ""),
            "allowed": allowed_values(f.widget),
        }
        for f in resource.get_export_fields()
        if resource.importable(f)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def upload(request, name: str):
    """The upload form; a POST stores the batch and shows its preview."""
    _require_importer(request.user)
    resource = imports.resource_class_for(name)(user=request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = imports.start_import(request.user, name, form.cleaned_data["file"])
        return redirect(reverse(BATCH_URL) + f"?id={batch.pk}")
    style_form(form)
    return render(
        request,
        "imports/upload.html",
        {
            "form": form,
            "title": resource.import_title,
            "template_url": _url(resource.template_url_name),
            "list_url": _url(getattr(resource, "list_url_name", "")),
            "columns": _columns(resource),
            "max_mb": MAX_BYTES // 1024 // 1024,
            "max_rows": MAX_ROWS,
        },
    )


@login_required
@require_GET
def template(request, name: str):
    """The official XLSX template of ``name``."""
    _require_importer(request.user)
    resource = imports.resource_class_for(name)(user=request.user)
    content = build_template(resource, resource.template_examples())
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = gettext("%(title)s导入模板.xlsx") % {"title": resource.import_title}
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_GET
def batch_list(request):
    """The signed-in user's own import batches."""
    _require_importer(request.user)
    page = Paginator(imports.batches_for(request.user), 50).get_page(request.GET.get("page"))
    for batch in page:
        batch.title = imports.resource_title(batch.resource)
    return render(request, "imports/batch_list.html", {"page": page})


def _own_batch(request):
    from devzone.models import ImportBatch

    raw = request.GET.get("id") or request.POST.get("id") or ""
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(ImportBatch, pk=int(raw), user=request.user)


@login_required
@require_GET
def batch_detail(request):
    """A batch's preview (errors, or what would be created/updated) or its result."""
    _require_importer(request.user)
    batch = _own_batch(request)
    try:
        resource = imports.resource_class_for(batch.resource)(user=request.user)
    except LookupError:
        resource = None
    return render(
        request,
        "imports/batch.html",
        {
            "batch": batch,
            "title": resource.import_title if resource else batch.resource,
            "upload_url": _url(resource.import_url_name) if resource else "",
            "template_url": _url(resource.template_url_name) if resource else "",
            "list_url": _url(getattr(resource, "list_url_name", "")) if resource else "",
            "may_confirm": batch.status == batch.Status.PREVIEWED
            and not batch.rows_error
            and (batch.rows_new or batch.rows_updated),
            "preview_rows": [r for r in batch.preview if r["action"] != "unchanged"][:500],
        },
    )


@login_required
@require_POST
def batch_confirm(request):
    """Write the previewed batch: all rows in one transaction, or none."""
    _require_importer(request.user)
    batch = _own_batch(request)
    try:
        batch = imports.confirm_import(request.user, batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if batch.status == batch.Status.CONFIRMED:
            messages.success(
                request,
                gettext("导入完成：新增 %(new)d 条，修改 %(updated)d 条，无变化 %(same)d 条。")
                % {
                    "new": batch.rows_new,
                    "updated": batch.rows_updated,
                    "same": batch.rows_unchanged,
                },
            )
        else:
            messages.error(request, batch.message or gettext("导入失败，未写入任何数据。"))
    return redirect(reverse(BATCH_URL) + f"?id={batch.pk}")
