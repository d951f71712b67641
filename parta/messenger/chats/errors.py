"""Refusals a person can meet in chats: a stable code for programs and a Russian message for people.

Services raise `ChatRefusal`; the API answers `{"code": ..., "message": ...}` with its `status`
(`parta.messenger.webapi.answer_refusals`).
`message` is translated when it is read, in the language of the request being answered.
"""

from __future__ import annotations

from parta.messenger.errors import Refusal


class ChatRefusal(Refusal):
    """A refusal in chats; `answer_refusals` turns it into the API's error answer."""
