"""Real-time events of chats, published inside the service's transaction (stored per recipient, pushed after commit).

Types and payload schemas: `chats/events.py`. A chat's payload differs between its members only by their
role (and, in a direct chat, by who the other person is), so recipients with the same payload share one publish.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection

from parta.messenger.chats.models import Chat, Message
from parta.messenger.chats.schemas import chat_event_payload, message_out
from parta.messenger.chats.selectors import member_ids, views_for_members
from parta.messenger.realtime.services import publish


def publish_message(event_type: str, message: Message) -> None:
    """ "message.new" or "message.edited" to every member of the message's chat (the sender's devices included)."""
    payload = {"chat_id": message.chat_id, "message": message_out(message).model_dump(mode="json")}
    publish(profile_ids=member_ids(message.chat_id), type=event_type, payload=payload)


def publish_message_deleted(message: Message) -> None:
    payload = {"chat_id": message.chat_id, "message_id": message.pk, "seq": message.seq}
    publish(profile_ids=member_ids(message.chat_id), type="message.deleted", payload=payload)


def publish_chat(chat: Chat, event_type: str, profile_ids: Collection[int]) -> None:
    """ "chat.updated" or "membership.added" with the chat as each recipient sees it."""
    groups: dict[str, list[int]] = defaultdict(list)
    payloads: dict[str, dict[str, object]] = {}
    for profile_id, view in views_for_members(chat, profile_ids).items():
        payload: dict[str, object] = {"chat": chat_event_payload(view)}
        key = json.dumps(payload, sort_keys=True)
        groups[key].append(profile_id)
        payloads[key] = payload
    for key, recipients in groups.items():
        publish(profile_ids=recipients, type=event_type, payload=payloads[key])


def publish_membership_change(
    chat: Chat, *, added: Collection[int] = (), removed: Collection[int] = (), changed: bool = True
) -> None:
    """After members came or went: "membership.added" to the newcomers, "membership.removed" to those who left,
    "chat.updated" (member count, roles, settings) to everyone else when `changed`."""
    if removed:
        publish(profile_ids=removed, type="membership.removed", payload={"chat_id": chat.pk})
    if added:
        publish_chat(chat, "membership.added", added)
    others = set(member_ids(chat.pk)) - set(added)
    if changed and others:
        publish_chat(chat, "chat.updated", others)
