"""The calls' real-time events: payload schemas, registered on import (`CallsConfig.ready` imports this module, so
they are known before any publish). Published by `services/common.py` and `services/moderation.py`.

A call event only says which call changed: the call's page and the chat refetch its state over HTTP
(`GET /api/v1/calls/<id>/`), so a payload never carries what a recipient may not see.
"""

from __future__ import annotations

import uuid

from pydantic import Field

from parta.messenger.realtime.events import EventPayload, register_event


class CallPayload(EventPayload):
    call_id: uuid.UUID = Field(description="the call's public id (as text)")
    chat_id: int = Field(description="the call's chat")


class CallStartedPayload(CallPayload):
    url: str = Field(description="the call's page (absolute)")
    title: str = Field(description="the call's name, as its banner shows it")


CHAT_MEMBERS = "the members of the call's chat"

register_event(
    "call.started",
    CallStartedPayload,
    doc="A call began in a chat: its banner «Идёт звонок · Войти» appears.",
    recipients=CHAT_MEMBERS,
    chat_event=True,
)
register_event(
    "call.ended",
    CallPayload,
    doc="A call ended (for everyone, by time, or nobody was left): its banner goes.",
    recipients=CHAT_MEMBERS,
    chat_event=True,
)
register_event(
    "call.updated",
    CallPayload,
    doc="Someone joined or left, raised a hand, was muted, or the call's settings changed: refetch the call's state.",
    recipients="the people in the call (and those who just left it)",
)
register_event(
    "call.removed",
    CallPayload,
    doc="The organizer removed the recipient from the call: leave its page.",
    recipients="the person removed",
)
