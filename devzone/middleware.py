"""Request middleware of the project."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import check_for_language


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
