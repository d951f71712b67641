"""Refusals a person can meet anywhere in the messenger: a stable code for programs and a Russian message for people."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.utils.functional import Promise
from ninja import Status

P = ParamSpec("P")
R = TypeVar("R")


class Refusal(Exception):
    """Why a step was refused, and what to do next.

    `code` is stable (the API returns it); `message` is read in the language of the request being answered;
    `status` is the HTTP status the API answers with; `field` names the form field the message belongs to, when
    there is one; `retry_after` (seconds) says when trying again makes sense.
    """

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        status: int = 400,
        field: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(code)
        self.code = code
        self._message = message
        self.status = status
        self.field = field
        self.retry_after = retry_after

    @property
    def message(self) -> str:
        return str(self._message)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def answer_refusals(view: Callable[P, R]) -> Callable[P, R | Status]:
    """Turns a `Refusal` raised by a service into the web API's error answer `{"code", "message"}` with its status,
    keeping the view's signature for ninja (chats, people and calls use it).

    Every endpoint so wrapped lists `ErrorOut` for its 4xx statuses, so the error shape is in the OpenAPI schema.
    The view's module must not use `from __future__ import annotations`: ninja resolves string annotations in the
    wrapper's globals (this module's), not the view's.
    """

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Status:
        try:
            return view(*args, **kwargs)
        except Refusal as refusal:
            return Status(refusal.status, {"code": refusal.code, "message": refusal.message})

    return wrapper
