"""Two-factor sign-in: a TOTP authenticator app plus one-time recovery codes (django-otp).

Who must use it: administrators and provincial roles when ``DEVZONE_2FA_REQUIRED`` is on (the
default in production). Everyone else may turn it on; the embedded demo leaves it optional so the
demo accounts keep working. A user who has it on, or must have it, is signed in only after the
second factor: until then every page leads to the verification (or set-up) page and the API
token endpoint refuses to issue a token.

The rules are plain functions (tests call them directly); ``devzone/account_views.py`` holds the
pages and ``SecondFactorMiddleware`` the gate.
"""

from __future__ import annotations

import io
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from devzone import audit
from devzone.access import Role, get_scope

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"
STRONG_ROLES = frozenset({Role.ADMINISTRATOR, Role.PROVINCIAL_LEADER, Role.PROVINCIAL_SUPERVISOR})


def must_use(user) -> bool:
    """Whether ``user`` may only sign in with a second factor."""
    if not settings.DEVZONE_2FA_REQUIRED or not user.is_authenticated:
        return False
    return user.is_superuser or bool(get_scope(user).roles & STRONG_ROLES)


def authenticator(user, confirmed: bool | None = True) -> TOTPDevice | None:
    devices = TOTPDevice.objects.filter(user=user, name=TOTP_NAME)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("-pk").first()


def is_enabled(user) -> bool:
    return authenticator(user) is not None


def second_factor_step(user) -> str | None:
    """What the signed-in ``user`` must do before anything else: ``"verify"`` (they have an
    authenticator), ``"setup"`` (they must have one and have none), or None."""
    if is_enabled(user):
        return "verify"
    return "setup" if must_use(user) else None


def needs_second_factor(user) -> bool:
    """Whether the signed-in ``user`` must pass a second factor before anything else."""
    return second_factor_step(user) is not None


def start_setup(user) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for ``user`` (a previous unconfirmed one is dropped)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, name=TOTP_NAME, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def pending_setup(user) -> TOTPDevice | None:
    return authenticator(user, confirmed=False)


def confirm_setup(request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``device`` with a code from the app: the authenticator replaces any earlier one,
    recovery codes are issued, and this session counts as verified. Returns the recovery codes
    (shown once), or None when the code is wrong."""
    if not device.verify_token(normalise(code)):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user, name=TOTP_NAME).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(device.user)
        # API tokens issued on the password alone end here: a new one needs the second factor
        Token.objects.filter(user=device.user).delete()
        _log(device.user, "two-factor enabled")
    otp_login(request, device)
    return codes


def new_recovery_codes(user) -> list[str]:
    """Replace ``user``'s recovery codes with ``RECOVERY_CODE_COUNT`` new ones (each works once)."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        _log(user, "recovery codes issued")
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_NAME).count()


def _recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalise(code: str) -> str:
    return "".join((code or "").split()).lower()


def check_code(user, code: str):
    """The device that accepts ``code`` (an authenticator code, or a recovery code, which is
    used up), or None. django-otp throttles a device after repeated wrong codes."""
    code = normalise(code)
    if not code:
        return None
    device = authenticator(user)
    if device is not None and code.isdigit() and device.verify_token(code):
        return device
    recovery = StaticDevice.objects.filter(user=user, name=RECOVERY_NAME).first()
    if recovery is not None and recovery.verify_token(code):
        return recovery
    return None


def verify(request, code: str) -> bool:
    """Mark this session as having passed the second factor when ``code`` is right."""
    from devzone.models import AuditEvent

    device = check_code(request.user, code)
    if device is None:
        audit.log(AuditEvent.Kind.LOGIN_FAILED, request=request, summary="second factor refused")
        return False
    otp_login(request, device)
    _log(request.user, f"second factor passed ({device.name})")
    return True


def disable(user) -> None:
    """Remove ``user``'s authenticator and recovery codes (not allowed where it is required)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _log(user, "two-factor disabled")


def _log(user, summary: str) -> None:
    from devzone.models import AuditEvent

    audit.log(AuditEvent.Kind.SECURITY, user=user, summary=summary)


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code, drawn here (no outside service)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    return svg[svg.index("<svg") :]  # drop the XML declaration: it goes inside a page


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, grouped by four, for typing into an app by hand."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


# --- the gate -------------------------------------------------------------------------------

OPEN_PREFIXES = ("/static/", "/i18n/", "/healthz", "/accounts/login/", "/accounts/logout/")
TWO_FACTOR_PREFIX = "/accounts/two-factor/"


class SecondFactorMiddleware:
    """A signed-in user who needs a second factor and has not passed it reaches only the
    sign-in, sign-out and two-factor pages; everything else sends them there (JSON 403 for the
    API). Token-authenticated API calls never reach here as a user: their token was issued only
    after the second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(OPEN_PREFIXES + (TWO_FACTOR_PREFIX,))
        ):
            step = second_factor_step(user)
            if step is not None:
                return self._refuse(request, step)
        return self.get_response(request)

    def _refuse(self, request, step: str):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("请先完成双因素认证。")}, status=403)
        url = reverse(f"two-factor-{step}")
        return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
