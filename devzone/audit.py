"""The audit trail (留痕): who did what, when and from where.

What is recorded, and by whom:
- sign-in, sign-out, failed sign-in and lock-out: Django's and django-axes' authentication
  signals (the only hooks those views offer), connected in ``DevzoneConfig.ready``;
- every request that tries to change something (POST, PUT, PATCH, DELETE by a signed-in user,
  whatever the outcome) and every download or export (a response sent as an attachment):
  ``AuditMiddleware``, so a view added later is covered without anyone remembering;
- what changed in each record: ``devzone.history.record`` (``ChangeRecord``), which takes the
  request's address from here;
- imports, methodology changes, exemption decisions and account-security changes: the services
  call ``log`` with the details.
Rows are append-only (``AuditEvent``); administrators search them in the admin.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any

from django.conf import settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Sign-in and sign-out are recorded by the signals; two-factor pages log their own outcome.
OWN_RECORDS = ("/accounts/login/", "/accounts/logout/", "/accounts/two-factor/verify/")


@dataclass(frozen=True)
class Origin:
    ip: str | None
    user_agent: str
    method: str = ""
    path: str = ""


_origin: contextvars.ContextVar[Origin | None] = contextvars.ContextVar(
    "audit_origin", default=None
)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind the reverse proxy (SECURE_PROXY_SSL_HEADER
    on) the last address the proxy appended to X-Forwarded-For."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def origin_of(request) -> Origin:
    return Origin(
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        method=request.method or "",
        path=request.get_full_path()[:500],
    )


def current_ip() -> str | None:
    """The address of the request being served, None in a Celery task or a command."""
    origin = _origin.get()
    return origin.ip if origin else None


def log(
    kind: str,
    *,
    user=None,
    request=None,
    summary: str = "",
    detail: dict[str, Any] | None = None,
    status: int | None = None,
    username: str = "",
):
    """Write one audit event. The origin comes from ``request`` or the request being served."""
    from devzone.models import AuditEvent

    origin = origin_of(request) if request is not None else _origin.get()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    known = user if getattr(user, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        user=known,
        username=(known.get_username() if known else username)[:150],
        kind=kind,
        ip=origin.ip if origin else None,
        user_agent=origin.user_agent if origin else "",
        method=origin.method if origin else "",
        path=origin.path if origin else "",
        status=status,
        summary=summary[:300],
        detail=detail or {},
    )


def _attachment_name(response) -> str | None:
    disposition = response.headers.get("Content-Disposition", "")
    if not disposition.lower().startswith("attachment"):
        return None
    for part in disposition.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() in ("filename*", "filename"):
            return value.strip('"').split("''")[-1]
    return ""


class AuditMiddleware:
    """Record writes and downloads; make the request's origin known to ``log`` and history."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _origin.set(origin_of(request))
        try:
            response = self.get_response(request)
            self._record(request, response)
            return response
        finally:
            _origin.reset(token)

    def _record(self, request, response) -> None:
        from devzone.models import AuditEvent

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        name = _attachment_name(response)
        if name is not None:
            export = name.lower().endswith((".xlsx", ".csv")) and "template" not in request.path
            kind = AuditEvent.Kind.EXPORT if export else AuditEvent.Kind.DOWNLOAD
            log(kind, request=request, status=response.status_code, summary=name)
        elif request.method not in SAFE_METHODS and not request.path.startswith(OWN_RECORDS):
            log(AuditEvent.Kind.WRITE, request=request, status=response.status_code)


# --- authentication signals (connected in DevzoneConfig.ready) ------------------------------


def on_login(sender, request, user, **kwargs) -> None:
    from devzone.models import AuditEvent

    log(AuditEvent.Kind.LOGIN, user=user, request=request, status=200)


def on_logout(sender, request, user, **kwargs) -> None:
    from devzone.models import AuditEvent

    if user is not None:
        log(AuditEvent.Kind.LOGOUT, user=user, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    from devzone.models import AuditEvent

    username = str(credentials.get("username", ""))
    log(AuditEvent.Kind.LOGIN_FAILED, request=request, username=username, user=None)


def on_locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    from devzone.models import AuditEvent

    log(
        AuditEvent.Kind.LOCKED_OUT,
        request=request,
        username=str(username or ""),
        user=None,
        status=429,
        summary=f"{settings.AXES_FAILURE_LIMIT} failures",
    )


def connect_signals() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(on_login, dispatch_uid="devzone.audit.login")
    user_logged_out.connect(on_logout, dispatch_uid="devzone.audit.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="devzone.audit.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="devzone.audit.locked_out")
