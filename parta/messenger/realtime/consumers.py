"""The messenger's one WebSocket, `/ws/`: a signed-in profile's events, live and resumed, plus typing indicators.

Protocol (JSON text frames; the full reference with examples is docs/realtime-protocol.md):

client → server
    {"type": "resume", "after": N}        first thing after connecting: N is the last event seq the client has seen
                                           (0 for none); may be sent again later to replay from another point
    {"type": "typing", "chat_id": X}      "I am typing in chat X": relayed to the chat's other members, never stored;
                                           at most one per 2 s per chat per connection (extra ones are dropped)
    {"type": "ping"}                      keepalive; answered by {"type": "pong"}

server → client
    {"type": "events", "events": [{"seq", "type", "payload", "created_at"}, ...]}
                                           stored events of this profile, strictly in seq order, each once per
                                           connection; the backlog after a resume comes in batches of at most 100
    {"type": "ready", "seq": N, "reset": bool}
                                           the backlog is sent; N is the last seq sent (or the stream's end). `reset`:
                                           the events after the client's seq were pruned — reload state over HTTP and
                                           continue from N
    {"type": "typing", "chat_id": X, "profile_id": P, "name": "Имя Фамилия"}
    {"type": "pong"}
    {"type": "error", "code": "...", "message": "..."}   a frame the server could not use; the connection stays

Close codes: 4401 — not signed in (or the device's session was ended); the client must not reconnect until it signs
in again.

How delivery stays exact: the consumer remembers the last seq it SENT on this connection. A wake-up from the channel
layer (`events.available`, sent by `services.publish` after commit) only says "events up to N exist": if N is the next
seq and the wake-up carries the event, it is sent as is; if there is a gap, the consumer reads everything after its
last sent seq from the database. Lost, repeated or reordered wake-ups therefore cost at most a read, never an event.

Groups: `profile.<id>` (the profile's own wake-ups), `chat.<id>` for each chat the profile is a member of (wake-ups
about that chat, and typing), `session.<hash>` (closing a signed-out device). Membership events change the chat
groups as they are sent. Chat groups are also how typing is relayed: one group send reaches every connected member.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from parta.messenger.realtime import selectors
from parta.messenger.realtime.services import chat_group, encode_json, profile_group, seq_in_wakeup, session_group

log = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
FRAME_EVENTS = 100  # events per "events" frame while sending a backlog
TYPING_INTERVAL = 2.0  # seconds between two relayed typing frames of one chat from one connection
GROUP_REFRESH = 3_600.0  # seconds: group memberships expire in the channel layer after a day unless renewed
MAX_FRAME = 4_096  # characters: every client frame is tiny; anything bigger is refused unread

list_events_after = database_sync_to_async(selectors.list_events_after)
list_chat_ids = database_sync_to_async(selectors.list_chat_ids)


class EventsConsumer(AsyncWebsocketConsumer):
    profile_id: int
    last_sent: int  # the last event seq sent on this connection
    resumed: bool  # wake-ups are ignored until the first resume: it reads everything from the database anyway

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.accept()  # a close code reaches the browser only after the handshake
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.profile_id = user.pk
        self.name = user.short_name
        self.last_sent, self.resumed = 0, False
        self.typing_sent: dict[int, float] = {}
        self.chat_ids: set[int] = set(await list_chat_ids(profile_id=self.profile_id))
        groups = [profile_group(self.profile_id), *(chat_group(chat_id) for chat_id in self.chat_ids)]
        session = self.scope.get("session")
        if session is not None and session.session_key:
            groups.append(session_group(session.session_key))
        for group in groups:  # before the resume's read: an event committed after that read still wakes us
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups = groups  # AsyncWebsocketConsumer leaves these groups on disconnect
        self.groups_refreshed = time.monotonic()
        await self.accept()

    async def dispatch(self, message: dict[str, Any]) -> None:
        """As Channels' own, without its `close_old_connections` before every handler: that is a hop to the database
        thread per message, so a wake-up to 1,000 connections queued 1,000 hops (~0.3 s). This consumer reaches the
        database only through `database_sync_to_async`, which tidies connections around each call itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        frame = self._parse(text_data)
        if frame is None:
            return await self.send_error("bad_frame", "Expected a JSON object with a known type.")
        kind = frame.get("type")
        if kind == "resume":
            return await self.resume(frame.get("after"))
        if kind == "typing":
            return await self.typing(frame.get("chat_id"))
        if kind == "ping":
            await self.refresh_groups()
            return await self.send(text_data='{"type":"pong"}')
        return await self.send_error("bad_frame", "Expected a JSON object with a known type.")

    @staticmethod
    def _parse(text_data: str | None) -> dict[str, Any] | None:
        if not text_data or len(text_data) > MAX_FRAME:
            return None
        try:
            frame = json.loads(text_data)
        except ValueError:
            return None
        return frame if isinstance(frame, dict) else None

    async def send_error(self, code: str, message: str) -> None:
        await self.send(text_data=encode_json({"type": "error", "code": code, "message": message}))

    # Events ------------------------------------------------------------------------------------------------------

    async def resume(self, after: Any) -> None:
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            return await self.send_error("bad_resume", "`after` must be a whole number, 0 or more.")
        first = await list_events_after(profile_id=self.profile_id, after=after)
        self.last_sent = min(after, first.last_seq)  # a client ahead of the stream is brought back to its end
        if first.reset:
            self.last_sent = first.last_seq
        elif await self.send_page(first.events) or first.has_more:
            await self.catch_up()
        self.resumed = True
        await self.send(text_data=encode_json({"type": "ready", "seq": self.last_sent, "reset": first.reset}))

    async def catch_up(self) -> None:
        """Sends every stored event after the last one sent, reading the database page by page."""
        more = True
        while more:
            page = await list_events_after(profile_id=self.profile_id, after=self.last_sent)
            joined = await self.send_page(page.events)
            more = page.has_more or joined  # after joining a chat's group, read once more (see follow_membership)

    async def send_page(self, events: list[dict[str, Any]]) -> bool:
        """Sends events in frames; returns whether a membership event made this connection join a chat's group."""
        joined = False
        for start in range(0, len(events), FRAME_EVENTS):
            batch = events[start : start + FRAME_EVENTS]
            await self.send(text_data=encode_json({"type": "events", "events": batch}))
            self.last_sent = batch[-1]["seq"]
            for event in batch:
                joined = await self.follow_membership(event["type"], event["payload"]) or joined
        return joined

    async def events_available(self, message: dict[str, Any]) -> None:
        """A wake-up from `services.publish`: send what is new, exactly once and in order (see the module doc)."""
        if not self.resumed:
            return
        seq = seq_in_wakeup(message, self.profile_id)
        if seq is None or seq <= self.last_sent:
            return  # not ours, or already sent
        event = message.get("event")
        if seq != self.last_sent + 1 or not event:
            return await self.catch_up()
        await self.send(text_data=f'{{"type":"events","events":[{{"seq":{seq},{event[1:]}]}}')
        self.last_sent = seq
        event_type = message.get("event_type", "")
        if event_type.startswith("membership.") and await self.follow_membership(
            event_type, json.loads(event)["payload"]
        ):
            await self.catch_up()

    async def follow_membership(self, event_type: str, payload: dict[str, Any]) -> bool:
        """Joins or leaves a chat's group as the profile's memberships change (their events say so).

        Returns True when it joined a group: the chat's events committed before the join woke nobody here, so the
        caller must read the database once more before it relies on wake-ups again.
        """
        if event_type == "membership.added":
            chat_id = payload.get("chat", {}).get("id")
            if isinstance(chat_id, int) and chat_id not in self.chat_ids:
                self.chat_ids.add(chat_id)
                self.groups.append(chat_group(chat_id))
                await self.channel_layer.group_add(chat_group(chat_id), self.channel_name)
                return True
        elif event_type == "membership.removed":
            chat_id = payload.get("chat_id")
            if isinstance(chat_id, int) and chat_id in self.chat_ids:
                self.chat_ids.discard(chat_id)
                self.groups.remove(chat_group(chat_id))
                self.typing_sent.pop(chat_id, None)
                await self.channel_layer.group_discard(chat_group(chat_id), self.channel_name)
        return False

    async def refresh_groups(self) -> None:
        if time.monotonic() - self.groups_refreshed < GROUP_REFRESH:
            return
        self.groups_refreshed = time.monotonic()
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)

    # Typing and sessions -----------------------------------------------------------------------------------------

    async def typing(self, chat_id: Any) -> None:
        if not isinstance(chat_id, int) or chat_id not in self.chat_ids:
            return await self.send_error("not_member", "You are not a member of this chat.")
        now = time.monotonic()
        if now - self.typing_sent.get(chat_id, -TYPING_INTERVAL) < TYPING_INTERVAL:
            return  # the indicator is already showing on the other side; more frames would only cost
        self.typing_sent[chat_id] = now
        await self.channel_layer.group_send(
            chat_group(chat_id),
            {"type": "typing.relay", "chat_id": chat_id, "profile_id": self.profile_id, "name": self.name},
        )

    async def typing_relay(self, message: dict[str, Any]) -> None:
        if message["profile_id"] == self.profile_id or message["chat_id"] not in self.chat_ids:
            return  # not to the typist's own devices; not to a connection that has just left the chat
        await self.send(
            text_data=encode_json(
                {
                    "type": "typing",
                    "chat_id": message["chat_id"],
                    "profile_id": message["profile_id"],
                    "name": message["name"],
                }
            )
        )

    async def session_ended(self, message: dict[str, Any]) -> None:
        await self.close(code=CLOSE_UNAUTHENTICATED)
