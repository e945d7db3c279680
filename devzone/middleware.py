"""Request middleware of the project."""

from __future__ import annotations

import time

from django.conf import settings
from django.utils import translation
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _


class ChineseFirstLocaleMiddleware:
    """Simplified Chinese unless the user chose another language with the language switch.

    Django's LocaleMiddleware follows the browser's Accept-Language, so a zone office whose
    browsers are set to English would get a half-English admin. Here only the language cookie
    (set by ``/i18n/setlang/``) changes the language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen and check_for_language(chosen) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class SessionTimeoutMiddleware:
    """End a signed-in session after ``DEVZONE_SESSION_IDLE_MINUTES`` without a request, and
    ``DEVZONE_SESSION_MAX_HOURS`` after sign-in whatever the activity.

    The session keeps when it started and when it was last used (rewritten at most once a
    minute, so an active user does not cost a session write per request). An ended session is
    flushed and the request goes on as anonymous: pages send the user to the login form with a
    message, the API answers 401/403.
    """

    TOUCH_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        from django.contrib import auth, messages
        from django.contrib.auth.models import AnonymousUser

        now = int(time.time())
        session = request.session
        started = session.get("dz_started")
        seen = session.get("dz_seen")
        if started is None or seen is None:  # a session from before this rule: start counting
            stamp_session(None, request, request.user)
            return
        idle = now - seen > settings.DEVZONE_SESSION_IDLE_MINUTES * 60
        too_long = now - started > settings.DEVZONE_SESSION_MAX_HOURS * 3600
        if idle or too_long:
            auth.logout(request)
            request.user = AnonymousUser()
            messages.info(
                request,
                _("您已超过 %(minutes)s 分钟未操作，请重新登录。")
                % {"minutes": settings.DEVZONE_SESSION_IDLE_MINUTES}
                if idle
                else _("登录已超过 %(hours)s 小时，请重新登录。")
                % {"hours": settings.DEVZONE_SESSION_MAX_HOURS},
            )
            return
        if now - seen >= self.TOUCH_EVERY:
            session["dz_seen"] = now


def stamp_session(sender, request, user, **kwargs) -> None:
    """At sign-in (Django's ``user_logged_in``): the session's start and last use."""
    session = getattr(request, "session", None)
    if session is not None:
        session["dz_started"] = session["dz_seen"] = int(time.time())


def content_security_policy() -> str:
    return "; ".join(f"{name} {value}" for name, value in settings.DEVZONE_CSP.items())


class ContentSecurityPolicyMiddleware:
    """Send ``Content-Security-Policy`` (settings.DEVZONE_CSP) with every response that has none:
    scripts and styles only from the platform's own files, nothing inline, no framing."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
