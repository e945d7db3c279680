"""The report archive (月度督查通报): list, download, delivery status, regenerate, resend.

Every query starts from ``Report.objects.for_user``: a zone's staff see and download their
zone's reports only (another zone's report is a 404, like any other object); a city supervisor
their prefecture's and its zones'; provincial roles their province's. Regenerating a report
needs the ``supervise`` action on its scope (supervisors and administrators); resending a mail
is for administrators.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from devzone.access import Role, get_scope
from devzone.jobs import enqueue_after_commit
from devzone.pages import page_links, paginate, style_form
from zones.models import (
    DeliveryStatus,
    Report,
    ReportDelivery,
    ReportKind,
    ReportPreference,
    ReportStatus,
)


class ArchiveFilterForm(forms.Form):
    month = forms.RegexField(
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        label=gettext_lazy("月份"),
        error_messages={"invalid": gettext_lazy("月份格式应为 YYYY-MM。")},
    )
    kind = forms.ChoiceField(required=False, label=gettext_lazy("类型"))
    q = forms.CharField(required=False, max_length=50, label=gettext_lazy("范围"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", gettext_lazy("全部类型")), *ReportKind.choices]
        style_form(self, compact=True)
        self.fields["month"].widget.attrs["placeholder"] = "2026-10"
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("开发区或市州名称")


def may_regenerate(user, report: Report) -> bool:
    scope = get_scope(user)
    return bool(
        "supervise" in scope.everything
        or report.province_id in scope.provinces.get("supervise", ())
        or (report.prefecture_id and report.prefecture_id in scope.prefectures.get("supervise", ()))
    )


@login_required
def report_list(request):
    """Queries: scope (1), count (1), the page with delivery counts (1)."""
    form = ArchiveFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    reports = (
        Report.objects.for_user(request.user)
        .select_related("zone", "prefecture", "province", "methodology")
        .annotate(
            sent=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT)),
            failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
            waiting=Count(
                "deliveries",
                filter=Q(deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
            ),
        )
        .order_by("-period", "kind", "scope_key")
    )
    if data.get("month"):
        reports = reports.filter(period=datetime.date.fromisoformat(f"{data['month']}-01"))
    if data.get("kind"):
        reports = reports.filter(kind=data["kind"])
    if data.get("q"):
        reports = reports.filter(
            Q(zone__name__icontains=data["q"])
            | Q(prefecture__name__icontains=data["q"])
            | Q(province__name__icontains=data["q"])
        )
    page = paginate(request, reports)
    for report in page:
        report.may_regenerate = may_regenerate(request.user, report)
    return render(
        request,
        "zones/report_list.html",
        {"form": form, "page": page, "page_links": page_links(page)},
    )


@login_required
def report_download(request, pk: int):
    report = get_object_or_404(Report.objects.for_user(request.user), pk=pk)
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404
    filename = f"{report.scope_name}-{report.period:%Y-%m}-月度督查通报.pdf"
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def report_detail(request, pk: int):
    report = get_object_or_404(
        Report.objects.for_user(request.user).select_related(
            "zone", "prefecture", "province", "methodology"
        ),
        pk=pk,
    )
    deliveries = ReportDelivery.objects.filter(report=report).select_related("user")
    is_admin = Role.ADMINISTRATOR in get_scope(request.user).roles
    return render(
        request,
        "zones/report_detail.html",
        {
            "report": report,
            "deliveries": deliveries,
            "may_regenerate": may_regenerate(request.user, report),
            "may_resend": is_admin,
        },
    )


@login_required
@require_POST
def report_regenerate(request, pk: int):
    report = get_object_or_404(Report.objects.for_user(request.user), pk=pk)
    if not may_regenerate(request.user, report):
        raise PermissionDenied
    from zones import report_tasks

    report_tasks.request_regeneration(report, by=f"regenerate by {request.user.get_username()}")
    messages.success(request, _("已排队重新生成，完成后即可下载新文件。"))
    return redirect("zones:report-detail", pk=report.pk)


@login_required
@require_POST
def delivery_resend(request, pk: int):
    # another zone's delivery is a 404 like any other object; a visible one needs the role
    delivery = get_object_or_404(ReportDelivery.objects.for_user(request.user), pk=pk)
    if Role.ADMINISTRATOR not in get_scope(request.user).roles:
        raise PermissionDenied
    from zones import report_mail, report_tasks

    report_mail.resend(delivery)
    enqueue_after_commit(report_tasks.send_delivery, delivery.pk)
    messages.success(request, _("已重新排队发送。"))
    return redirect("zones:report-detail", pk=delivery.report_id)


class PreferenceForm(forms.ModelForm):
    """The user's own report preference; extra addresses only for administrators."""

    class Meta:
        model = ReportPreference
        fields = ["receive", "extra_recipients"]
        widgets = {"extra_recipients": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, admin: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not admin:
            del self.fields["extra_recipients"]
        style_form(self)

    def clean_extra_recipients(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["extra_recipients"].splitlines()]
        addresses = [line for line in lines if line]
        for number, address in enumerate(addresses, start=1):
            try:
                validate_email(address)
            except forms.ValidationError as error:
                raise forms.ValidationError(
                    _("第 %(n)d 行“%(value)s”不是有效的邮箱地址。")
                    % {"n": number, "value": address}
                ) from error
        return "\n".join(addresses)


@login_required
def report_preferences(request):
    preference, _created = ReportPreference.objects.get_or_create(user=request.user)
    admin = Role.ADMINISTRATOR in get_scope(request.user).roles
    data = request.POST if request.method == "POST" else None  # an empty POST is a submission
    form = PreferenceForm(data, instance=preference, admin=admin)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("通报接收设置已保存。"))
        return redirect("zones:report-preferences")
    return render(request, "zones/report_preferences.html", {"form": form, "admin": admin})
