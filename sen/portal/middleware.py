"""Vietnamese first: the language is the visitor's own choice (the set_language cookie) or Vietnamese.

Django's LocaleMiddleware also follows the browser's Accept-Language, so the many office and home
computers in Vietnam whose browser is set to English would get the English portal without asking for it.
The JSON API is different: its clients are programs that send Accept-Language on purpose, so it is honoured there.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.deprecation import MiddlewareMixin


class VietnameseFirstLocaleMiddleware(MiddlewareMixin):
    """A drop-in replacement for django.middleware.locale.LocaleMiddleware (same place in MIDDLEWARE)."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if not chosen and request.path_info.startswith("/api/"):
            chosen = translation.get_language_from_request(request)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        patch_vary_headers(
            response, ("Cookie", "Accept-Language") if request.path_info.startswith("/api/") else ("Cookie",)
        )
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
