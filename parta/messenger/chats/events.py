"""The chats' real-time events: payload schemas, registered on import (`ChatsConfig.ready` imports
this module, so they are known before any publish).

Published by `services/events.py` (messages, chat list, membership) and `services/messages.py` (`chat.read`).
Messages and chats travel as the web API shows them (`MessageOut`, `ChatOut`: OpenAPI at /api/v1/docs).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, create_model

from parta.messenger.chats.schemas import ChatOut, MessageOut
from parta.messenger.realtime.events import EventPayload, register_event

# ChatOut without the reader's own counters: one payload serves every member with the same role, and the client keeps
# its unread count from "message.new" and "chat.read" (chats/schemas.py).
PER_READER_FIELDS = frozenset({"unread", "last_read_seq"})
_chat_event_fields: dict[str, Any] = {
    name: (info.annotation, info) for name, info in ChatOut.model_fields.items() if name not in PER_READER_FIELDS
}
ChatEventOut = create_model("ChatEventOut", __base__=EventPayload, **_chat_event_fields)


class MessagePayload(EventPayload):
    chat_id: int
    message: MessageOut = Field(description="as the web API shows it")


class MessageDeletedPayload(EventPayload):
    chat_id: int
    message_id: int = Field(description="the message's id (MessageOut.id)")
    seq: int = Field(description="the message's seq in its chat")


class ChatPayload(EventPayload):
    chat: ChatEventOut = Field(description="ChatOut as this recipient sees it, without unread and last_read_seq")  # type: ignore[valid-type]


class MembershipRemovedPayload(EventPayload):
    chat_id: int


class ChatReadPayload(EventPayload):
    chat_id: int
    last_read_seq: int = Field(description="the seq of the newest message read")


MEMBERS = "the chat's members (the sender's devices too)"


register_event("message.new", MessagePayload, doc="A message was sent.", recipients=MEMBERS, chat_event=True)
register_event(
    "message.edited", MessagePayload, doc="A message's text was changed.", recipients=MEMBERS, chat_event=True
)
register_event(
    "message.deleted",
    MessageDeletedPayload,
    doc="A message was deleted: show «Сообщение удалено».",
    recipients=MEMBERS,
    chat_event=True,
)
register_event(
    "chat.updated",
    ChatPayload,
    doc="A chat's title, settings, members or roles changed.",
    recipients="the chat's members (not the ones just added)",
)
register_event(
    "membership.added",
    ChatPayload,
    doc="The recipient joined a chat (added, by an invite, by the roster): add it to the list.",
    recipients="the profiles added",
)
register_event(
    "membership.removed",
    MembershipRemovedPayload,
    doc="The recipient is no longer in a chat (removed, left, the roster): drop it from the list.",
    recipients="the profiles removed",
)
register_event(
    "chat.read",
    ChatReadPayload,
    doc="The recipient read the chat up to `last_read_seq` on one device: the others update its unread count.",
    recipients="the reader (each of their devices)",
)
