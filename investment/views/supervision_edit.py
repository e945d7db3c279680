"""Correcting a supervision item after it was raised (督办事项修改).

The page is for the users who may raise items in the item's zone (``supervise``); for anyone
else the item is not there (404), as for a zone's staff on another zone's edit page. The rules
themselves live in ``investment.services.update_item``.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from investment import selectors, services
from investment.forms import SupervisionItemEditForm
from investment.views.common import run_service


@login_required
@require_http_methods(["GET", "POST"])
def supervision_edit(request, pk: int):
    """Edit title, content, deadline (with a reason), assignee and project of an open item."""
    user = request.user
    item = get_object_or_404(selectors.items_for(user, "supervise"), pk=pk)
    if item.is_closed:
        messages.error(request, gettext("督办事项已办结，不能修改。"))
        return redirect("investment:supervision-detail", pk=item.pk)
    # the form edits a copy, so the page keeps showing the stored title after an error
    form = SupervisionItemEditForm(request.POST or None, instance=copy.copy(item))
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            form,
            services.update_item,
            user,
            form.instance,
            form.service_data(),
            reason=form.cleaned_data.get("reason") or "",
        )
        if saved is not None:
            messages.success(request, gettext("已保存督办事项“%(t)s”。") % {"t": saved.title})
            return redirect("investment:supervision-detail", pk=item.pk)
    return render(request, "investment/supervision_edit.html", {"form": form, "item": item})
