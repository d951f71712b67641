"""Middleware both sites use."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class SchoolLanguageMiddleware:
    """Russian unless the person chose another language with the switch (the language cookie).

    Django's LocaleMiddleware follows the browser's Accept-Language; a school's UI should not change language
    because a parent's phone is set to English, so only an explicit choice counts.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        with translation.override(language):  # and back afterwards: the thread serves other people next
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
