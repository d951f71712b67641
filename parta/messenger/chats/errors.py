"""Refusals a person can meet in chats: a stable code for programs and a Russian message for people.

Services raise `ChatRefusal`; the API answers `{"code": ..., "message": ...}` with its `status` (see `api.refusals`).
`message` is translated when it is read, in the language of the request being answered.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from ninja import Status

from parta.messenger.errors import Refusal

P = ParamSpec("P")
R = TypeVar("R")


class ChatRefusal(Refusal):
    """A refusal in chats; `answer_refusals` turns it into the API's error answer."""


def answer_refusals(view: Callable[P, R]) -> Callable[P, R | Status]:
    """Turns a `ChatRefusal` raised by a service into the API's error answer, keeping the view's signature for ninja.

    Every endpoint so wrapped lists `ErrorOut` for its 4xx statuses, so the error shape is in the OpenAPI schema.
    The view's module must not use `from __future__ import annotations`: ninja resolves string annotations in the
    wrapper's globals (this module's), not the view's.
    """

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Status:
        try:
            return view(*args, **kwargs)
        except ChatRefusal as refusal:
            return Status(refusal.status, {"code": refusal.code, "message": refusal.message})

    return wrapper
