"""The messenger's web-API kit: one error shape for both of its NinjaAPIs (/api/v1/ and /integration/v1/).

Every error an API answers is a `Refusal` (parta/messenger/errors.py) turned into `{"code", "message"}` with its
status: the refusals services raise, and ninja's own errors too (a body that is not JSON or does not match the
schema, a missing session or token, a failed CSRF check, an unknown URL), which ninja would otherwise answer as
`{"detail": …}`. `error_responses` declares the shape in the OpenAPI for the 4xx statuses and 422.

The kit sits below every app (it imports no app). Its Russian is in the web app's catalogue, the site's base.
The module must not use `from __future__ import annotations`: ninja resolves the annotations of views wrapped by
`answer_refusals` in this module's globals.
"""

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError

from parta.messenger.errors import Refusal

P = ParamSpec("P")
R = TypeVar("R")

VALIDATION_STATUS = 422  # what ninja answers for a body or parameter that does not match the schema


class ErrorOut(Schema):
    code: str  # stable, for programs: "chat_not_found", "invalid_request", …
    message: str  # for people, in the request's language (Russian by default)


class RetryErrorOut(ErrorOut):
    """A refusal that may say when trying again makes sense (sign-in codes)."""

    retry_after: int | None = None  # seconds


def error_responses(*statuses: int, schema: Any = ErrorOut) -> dict[int, Any]:
    """The error part of an endpoint's `response=`: `schema` for each status and for 422, which ninja answers for
    any body or parameter that does not match. ninja needs each status an endpoint answers declared."""
    return dict.fromkeys((*statuses, VALIDATION_STATUS), schema)


def answer_refusals(view: Callable[P, R]) -> Callable[P, R | Status]:
    """Turns a `Refusal` raised by a service into the web API's error answer `{"code", "message"}` with its status,
    keeping the view's signature for ninja (chats, people and calls use it).

    Every endpoint so wrapped lists `ErrorOut` for its 4xx statuses (`error_responses`), so the error shape is in
    the OpenAPI schema.
    """

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Status:
        try:
            return view(*args, **kwargs)
        except Refusal as refusal:
            return Status(refusal.status, {"code": refusal.code, "message": refusal.message})

    return wrapper


def invalid_request(exc: ValidationError) -> Refusal:
    """A body or parameter that does not match the schema; the message says where (the first ten problems)."""
    details = "; ".join(
        f"{'.'.join(str(part) for part in error.get('loc', ()))}: {error.get('msg', '')}" for error in exc.errors[:10]
    )
    message = _("The request does not match the API's schema: %(details)s") % {"details": details}
    return Refusal("invalid_request", message, status=VALIDATION_STATUS)


def http_refusal(exc: HttpError) -> Refusal:
    """ninja's own HTTP errors: an unreadable body (400), no session (401), a failed CSRF check (403), …"""
    if isinstance(exc, AuthenticationError):
        return Refusal("not_signed_in", _("Sign in to «Парта» first."), status=exc.status_code)
    if exc.status_code == 400:  # ninja's parse error of a body that is not JSON
        return Refusal("invalid_request", _("The request body could not be read: send valid JSON."), status=400)
    if exc.status_code == 403 and "CSRF" in str(exc):
        return Refusal("csrf_failed", _("The page is out of date: reload it and try again."), status=403)
    message = _("The request was refused (%(details)s). Reload the page and try again.") % {"details": str(exc)}
    return Refusal("http_error", message, status=exc.status_code)


def not_found() -> Refusal:
    return Refusal("not_found", _("There is no such address in the API."), status=404)


Answer = Callable[[NinjaAPI, HttpRequest, Refusal], HttpResponse]


def answer(api: NinjaAPI, request: HttpRequest, refusal: Refusal) -> HttpResponse:
    """The error answer of /api/v1/: `{"code", "message"}` with the refusal's status."""
    return api.create_response(request, refusal.body(), status=refusal.status)


def install_error_handlers(api: NinjaAPI, *, respond: Answer = answer) -> None:
    """Makes every error of `api` a `Refusal` answered by `respond`, instead of ninja's `{"detail": …}`."""
    as_refusal: dict[type[Exception], Callable[[Any], Refusal]] = {
        Refusal: lambda exc: exc,
        ValidationError: invalid_request,
        HttpError: http_refusal,
        Http404: lambda exc: not_found(),
    }
    for kind, convert in as_refusal.items():
        api.add_exception_handler(kind, _handler(api, respond, convert))


def _handler(api: NinjaAPI, respond: Answer, convert: Callable[[Any], Refusal]) -> Callable[..., HttpResponse]:
    def handle(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(api, request, convert(exc))

    return handle
