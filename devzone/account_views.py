"""The signed-in user's own account: password change and two-factor sign-in.

Thin views over ``devzone.twofactor``; every page acts on ``request.user`` only, so there is
nothing of another user or zone to reach.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from devzone import twofactor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "class": "form-control dz-code",
            }
        ),
    )


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Status: on or off, recovery codes left; new recovery codes; turn it off (if allowed)."""
    user = request.user
    enabled = twofactor.is_enabled(user)
    if request.method == "POST":
        form = CodeForm(request.POST)
        action = request.POST.get("action")
        if not enabled or action not in ("codes", "disable"):
            return redirect("two-factor")
        if action == "disable" and twofactor.must_use(user):
            messages.error(request, _("您的角色必须使用双因素认证，不能关闭。"))
            return redirect("two-factor")
        if form.is_valid() and twofactor.check_code(user, form.cleaned_data["code"]):
            if action == "disable":
                twofactor.disable(user)
                messages.success(request, _("已关闭双因素认证。"))
                return redirect("two-factor")
            codes = twofactor.new_recovery_codes(user)
            return render(request, "registration/recovery_codes.html", {"codes": codes})
        form.add_error("code", _("验证码不正确或已使用。"))
    else:
        form = CodeForm()
    return render(
        request,
        "registration/two_factor.html",
        {
            "enabled": enabled,
            "required": twofactor.must_use(user),
            "codes_left": twofactor.recovery_codes_left(user) if enabled else 0,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Scan the QR code, type the app's code: the authenticator is on and recovery codes are
    shown once. A user who already has one must pass it first (the middleware sees to that)."""
    user = request.user
    device = twofactor.pending_setup(user)
    if request.method == "POST" and device is not None:
        form = CodeForm(request.POST)
        if form.is_valid():
            codes = twofactor.confirm_setup(request, device, form.cleaned_data["code"])
            if codes is not None:
                messages.success(request, _("双因素认证已开启。"))
                return render(
                    request,
                    "registration/recovery_codes.html",
                    {"codes": codes, "next": _next_url(request, reverse("home"))},
                )
            form.add_error(
                "code", _("验证码不正确：请确认手机时间准确，并输入应用中当前显示的 6 位数字。")
            )
    else:
        form = CodeForm()
        device = twofactor.start_setup(user)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": twofactor.qr_svg(device),
            "secret": twofactor.secret_text(device),
            "required": twofactor.must_use(user),
            "next": _next_url(request, ""),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The second step of signing in: a code from the app or a recovery code."""
    user = request.user
    if not twofactor.is_enabled(user):
        return redirect("two-factor-setup")
    default = reverse("home")
    if user.is_verified():
        return redirect(_next_url(request, default))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.verify(request, form.cleaned_data["code"]):
            return redirect(_next_url(request, default))
        form.add_error("code", _("验证码不正确或已使用；多次错误后需稍候再试。"))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": _next_url(request, "")},
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (old password, the validators of AUTH_PASSWORD_VALIDATORS); the
    session stays signed in."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("密码已修改。"))
        return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in (429): a page, or JSON for the API."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    limit = settings.AXES_FAILURE_LIMIT
    if request.path.startswith("/api/"):
        message = _("连续 %(limit)s 次登录失败，已暂停登录 %(minutes)s 分钟。") % {
            "limit": limit,
            "minutes": minutes,
        }
        return JsonResponse({"detail": message}, status=429)
    return render(
        request,
        "registration/locked_out.html",
        {"failure_limit": limit, "minutes": minutes},
        status=429,
    )
