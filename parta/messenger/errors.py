"""Refusals a person can meet anywhere in the messenger: a stable code for programs and a Russian message for people."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


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

    def body(self) -> dict[str, Any]:
        """What an API answers: `{"code", "message"}` (parta/messenger/webapi.py)."""
        return {"code": self.code, "message": self.message}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
