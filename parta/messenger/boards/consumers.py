"""The board's WebSocket, `/ws/boards/<public_id>/`: y-websocket's framing, so `yjs` + `y-protocols` speak it as is.

Binary frames: a varUint message type (0 sync, 1 awareness) and the y-protocols payload (docs/board.md). On connect
the server sends sync step 1 (its state vector); it answers a client's step 1 with step 2 (all the client lacks).
Every update a client sends (step 2 or update) goes through `services.apply_update`: accepted ones are relayed to the
board's other connections through the group `board.<id>` (any process, through Redis); a refused one answers a text
frame `{"type": "board.refused", "code", "message"}` and goes nowhere. Awareness (cursors) is relayed as it is.
Text frames from the server: `board.refused`, `board.permissions` (on connect and whenever the organizer changes them).

Close codes: 4401 not signed in (and no guest session for this call); 4403 the organizer removed this person from the
call; 4404 no such board, or not in its call.
"""

from __future__ import annotations

import json
import logging
from typing import Any, cast

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from pycrdt import (
    Awareness,
    Decoder,
    Doc,
    Encoder,
    YMessageType,
    YSyncMessageType,
    create_awareness_message,
    create_update_message,
)

from parta.messenger.accounts.models import Profile
from parta.messenger.boards import errors, selectors, services
from parta.messenger.boards.documents import EMPTY_UPDATE
from parta.messenger.boards.errors import BoardRefusal
from parta.messenger.boards.models import Board
from parta.messenger.calls.api import GUESTS_SESSION_KEY
from parta.messenger.calls.selectors import CallActor
from parta.messenger.errors import Refusal

log = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_REMOVED = 4403
CLOSE_NOT_FOUND = 4404
FRAME_OVERHEAD = 16  # bytes: the message types and the update's length around an update


def _actor(scope: dict[str, Any]) -> CallActor:
    user = scope.get("user")
    profile = cast(Profile, user) if user is not None and user.is_authenticated and user.is_active else None
    session = scope.get("session")
    guests = (session.get(GUESTS_SESSION_KEY) if session is not None else None) or {}
    return CallActor(profile=profile, guest_ids={str(k): int(v) for k, v in guests.items()})


def _open(actor: CallActor, public_id: str) -> tuple[selectors.BoardAccess, Board, bytes, dict[str, object]]:
    access = selectors.board_access(actor, public_id)
    board = Board.objects.select_related("call").get(pk=access.board_id)
    return access, board, services.sync_step1(board), selectors.permissions(board)


def _apply(access: selectors.BoardAccess, board: Board, update: bytes) -> int:
    profile = Profile.objects.get(pk=access.profile_id) if access.profile_id is not None else None
    return services.apply_update(board=board, profile=profile, update=update, participant_id=access.participant_id)


open_board = database_sync_to_async(_open)
answer_step1 = database_sync_to_async(services.answer_sync_step1)
apply = database_sync_to_async(_apply)


def _read_update(message: bytes) -> bytes:
    """The update inside a sync step 2 or update message (after the message type byte)."""
    update = Decoder(message[1:]).read_message()
    if update is None:
        raise ValueError("no update")
    return update


def _awareness_clients(payload: bytes) -> dict[int, int]:
    """The client ids and clocks an awareness update speaks for (a frame that does not decode raises)."""
    awareness = Awareness(Doc())
    awareness.apply_awareness_update(payload, "remote")
    return {
        client_id: int(meta["clock"]) for client_id, meta in awareness.meta.items() if client_id != awareness.client_id
    }


class BoardConsumer(AsyncWebsocketConsumer):
    access: selectors.BoardAccess
    board: Board
    group: str

    async def dispatch(self, message: dict[str, Any]) -> None:
        """As Channels' own, without its `close_old_connections` before every handler (as the realtime consumer):
        that is a hop to the one database thread per frame and per relay, so a stroke to 30 tabs with cursors queued
        ~1,240 hops a second there and the board fell behind (docs/performance.md, "Whiteboard"). This consumer
        reaches the database only through `database_sync_to_async`, which tidies connections around each call."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        actor = _actor(self.scope)
        public_id = str(self.scope["url_route"]["kwargs"]["public_id"])
        await self.accept()  # a close code reaches the browser only after the handshake
        try:
            self.access, self.board, sync_step1, permissions = await open_board(actor, public_id)
        except Refusal:
            await self.close(
                code=CLOSE_UNAUTHENTICATED if actor.profile is None and not actor.guest_ids else CLOSE_NOT_FOUND
            )
            return
        self.awareness_clients: dict[int, int] = {}
        self.group = services.board_group(self.board.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send(text_data=json.dumps(permissions))
        await self.send(bytes_data=sync_step1)

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "group"):
            return
        if self.awareness_clients:  # the others drop this connection's cursors now, not after y-protocols' 30 s
            encoder = Encoder()
            encoder.write_var_uint(len(self.awareness_clients))
            for client_id, clock in self.awareness_clients.items():
                encoder.write_var_uint(client_id)
                encoder.write_var_uint(clock + 1)
                encoder.write_var_string("null")
            await self._relay(create_awareness_message(encoder.to_bytes()), seq=None)
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not bytes_data:
            return  # the protocol is binary; text frames from a client mean nothing
        if len(bytes_data) > settings.BOARDS_MAX_UPDATE_BYTES + FRAME_OVERHEAD:
            await self._refuse(errors.update_too_large())  # not even decoded
            return
        try:
            decoder = Decoder(bytes_data)
            kind = decoder.read_var_uint()
            payload = bytes_data[decoder.i0 :]
            if kind == YMessageType.SYNC:
                await self._on_sync(payload)
            elif kind == YMessageType.AWARENESS:
                await self._on_awareness(bytes_data, payload)
        except BoardRefusal as refusal:
            await self._refuse(refusal)
        except (ValueError, IndexError, RuntimeError):  # what pycrdt's decoders raise on bytes that do not decode
            log.info("board %s: a frame that does not decode", self.board.pk)
            await self._refuse(errors.malformed_update())

    async def _refuse(self, refusal: Refusal) -> None:
        await self.send(text_data=json.dumps({"type": "board.refused", **refusal.body()}, ensure_ascii=False))

    async def _on_sync(self, payload: bytes) -> None:
        if not payload:
            raise ValueError("empty sync message")
        if payload[0] == YSyncMessageType.SYNC_STEP1:
            await self.send(bytes_data=await answer_step1(self.board, payload))
            return
        if payload[0] not in (YSyncMessageType.SYNC_STEP2, YSyncMessageType.SYNC_UPDATE):
            raise ValueError("unknown sync message")
        update = _read_update(payload)
        if update == EMPTY_UPDATE:
            return  # an empty step 2: a client that has nothing the server lacks
        seq = await apply(self.access, self.board, update)
        await self._relay(create_update_message(update), seq=seq)

    async def _on_awareness(self, frame: bytes, payload: bytes) -> None:
        if len(frame) > settings.BOARDS_MAX_AWARENESS_BYTES:
            return  # a cursor is a few dozen bytes: a big one is dropped, not relayed
        inner = Decoder(payload).read_message()
        if inner is None:
            raise ValueError("empty awareness message")
        for client_id, clock in _awareness_clients(inner).items():
            self.awareness_clients[client_id] = max(clock, self.awareness_clients.get(client_id, 0))
        await self._relay(frame, seq=None)

    async def _relay(self, frame: bytes, *, seq: int | None) -> None:
        message = {"type": "board.relay", "frame": frame, "seq": seq, "from": self.channel_name}
        await self.channel_layer.group_send(self.group, message)

    # --- from the channel layer -----------------------------------------------------------------------------------

    async def board_relay(self, message: dict[str, Any]) -> None:
        if message.get("from") != self.channel_name:
            await self.send(bytes_data=bytes(message["frame"]))

    async def board_permissions(self, message: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(message["frame"]))

    async def board_removed(self, message: dict[str, Any]) -> None:
        if self.access.participant_id is not None and message.get("participant_id") == self.access.participant_id:
            await self.close(code=CLOSE_REMOVED)
