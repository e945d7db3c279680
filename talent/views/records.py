"""List, XLSX export, detail, create, edit and delete pages, shared by the seven record types.

Each URL passes its ``Kind`` name (see ``kinds``); reads start from ``records_for`` (the user's
scope), writes go through talent.services. Another zone's record is a 404 everywhere.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from devzone import history
from devzone.access import get_scope, zone_allows
from devzone.pages import apply_validation_error, export_xlsx, list_context, set_select
from talent import services
from talent.selectors import records_for
from talent.services import FIELDS
from talent.views.kinds import KIND_BY_NAME, KINDS, Kind, detail_fields
from zones.models import Zone


def _filterset(request, kind: Kind, action: str):
    filterset = kind.filter_class(
        request.GET, queryset=records_for(kind.model, request.user, action), request=request
    )
    zones = Zone.objects.for_user(request.user).order_by("code").values_list("code", "name")
    set_select(filterset.form, "zone", [(c, f"{n}（{c}）") for c, n in zones], _("全部开发区"))
    filterset.form.fields["zone"].label = _("开发区")
    return filterset


def _urls(kind: Kind) -> dict[str, str]:
    return {
        "list": f"talent:{kind.name}-list",
        "export": f"talent:{kind.name}-export",
        "create": f"talent:{kind.name}-create",
        "detail": f"talent:{kind.name}-detail",
        "edit": f"talent:{kind.name}-edit",
        "delete": f"talent:{kind.name}-delete",
    }


@login_required
def record_list(request, kind: str):
    """Queries: zone dropdown (1), count (1), the page with its joins (1)."""
    spec = KIND_BY_NAME[kind]
    context = list_context(
        request,
        _filterset(request, spec, "view"),
        spec.filter_names,
        spec.columns,
        spec.default_sort,
    )
    numeric = [column.numeric for column in spec.columns]
    rows = [
        {
            "pk": record.pk,
            "cells": list(zip(spec.row_cells(record), numeric, strict=True)),
            "may_change": zone_allows(request.user, "change", record.zone),
        }
        for record in context["page"]
    ]
    context.update(
        kind=spec,
        kinds=KINDS,
        urls=_urls(spec),
        rows=rows,
        may_add=get_scope(request.user).allows_anywhere("add"),
    )
    return render(request, "talent/record_list.html", context)


@login_required
def record_export(request, kind: str):
    spec = KIND_BY_NAME[kind]
    return export_xlsx(
        request,
        _filterset(request, spec, "export"),
        spec.columns,
        spec.default_sort,
        spec.resource_class,
        str(spec.title),
    )


@login_required
def record_detail(request, kind: str, pk: int):
    spec = KIND_BY_NAME[kind]
    record = get_object_or_404(records_for(spec.model, request.user), pk=pk)
    names = [name for name in FIELDS[spec.model] if name != "zone"]
    return render(
        request,
        "talent/record_detail.html",
        {
            "kind": spec,
            "urls": _urls(spec),
            "record": record,
            "fields": detail_fields(record, names),
            "may_change": zone_allows(request.user, "change", record.zone),
            "may_delete": zone_allows(request.user, "delete", record.zone),
            "history": history.history_rows(record),
        },
    )


def _form_page(request, spec: Kind, form, record=None):
    return render(
        request,
        "talent/record_form.html",
        {"kind": spec, "urls": _urls(spec), "form": form, "record": record},
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request, kind: str):
    spec = KIND_BY_NAME[kind]
    user = request.user
    if not get_scope(user).allows_anywhere("add"):
        raise Http404
    initial = {}
    if request.GET.get("zone", "").isdigit():
        initial["zone"] = int(request.GET["zone"])
    form = spec.form_class(request.POST or None, initial=initial, user=user, zone_action="add")
    if request.method == "POST" and form.is_valid():
        try:
            record = services.create_record(user, spec.model, form.service_data())
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(
                request,
                gettext("已新增%(kind)s“%(name)s”。") % {"kind": spec.noun, "name": record},
            )
            return redirect(f"talent:{spec.name}-detail", pk=record.pk)
    return _form_page(request, spec, form)


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request, kind: str, pk: int):
    spec = KIND_BY_NAME[kind]
    user = request.user
    record = get_object_or_404(records_for(spec.model, user, "change"), pk=pk)
    # The form works on a copy: the service snapshots the record as it was before the change.
    form = spec.form_class(
        request.POST or None, instance=copy.copy(record), user=user, zone_action="change"
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_record(user, record, form.service_data())
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(
                request, gettext("已保存%(kind)s“%(name)s”。") % {"kind": spec.noun, "name": record}
            )
            return redirect(f"talent:{spec.name}-detail", pk=record.pk)
    return _form_page(request, spec, form, record)


@login_required
@require_http_methods(["GET", "POST"])
def record_delete(request, kind: str, pk: int):
    spec = KIND_BY_NAME[kind]
    user = request.user
    record = get_object_or_404(records_for(spec.model, user, "delete"), pk=pk)
    if request.method == "POST":
        try:
            services.delete_record(user, record)
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(f"talent:{spec.name}-detail", pk=record.pk)
        messages.success(
            request, gettext("已删除%(kind)s“%(name)s”。") % {"kind": spec.noun, "name": record}
        )
        return redirect(reverse(f"talent:{spec.name}-list") + f"?zone={record.zone.code}")
    return render(
        request,
        "talent/record_confirm_delete.html",
        {"kind": spec, "urls": _urls(spec), "record": record},
    )
