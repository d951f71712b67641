"""The board's WebSocket, `/ws/boards/<public_id>/`: y-websocket's framing, so `yjs` + `y-protocols` speak it as is.

Binary frames: a varUint message type (0 sync, 1 awareness) and the y-protocols payload (docs/board.md). On connect
the server sends sync step 1 (its state vector); it answers a client's step 1 with step 2 (all the client lacks).
Every update a client sends (step 2 or update) goes through `services.apply_update`: accepted ones are relayed to the
board's other connections through the group `board.<id>` (any process, through Redis); a refused one answers a text
frame `{"type": "board.refused", "code", "message"}` and goes nowhere. Awareness (cursors) is relayed as it is.
Text frames from the server: `board.refused`, `board.permissions` (on connect and whenever the organizer changes them),
`board.resync` (the tab missed an update: it sends sync step 1 again and gets what it lacks as step 2).

Every frame to the tab goes through this connection's outbox, sent by its own task: a slow reader never holds up the
consumer's handling (its own strokes, the relays). The outbox is bounded (OUTBOX_MAX_BYTES): past it the connection
is closed with 4408 and the tab reconnects and resyncs, so a stuck reader costs bounded memory.

Each relayed update carries the server's seq; the consumer tracks which seqs this connection has had (relayed, or its
own) and when one is still missing GAP_WAIT_S after a later one arrived — the channel layer dropped it for a full
queue — it sends `board.resync`.

Close codes: 4401 not signed in (and no guest session for this call); 4403 the organizer removed this person from the
call; 4404 no such board, or not in its call; 4408 the tab fell too far behind (it reconnects).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from typing import Any, cast

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
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
CLOSE_TOO_FAR_BEHIND = 4408
FRAME_OVERHEAD = 16  # bytes: the message types and the update's length around an update
# What may wait for one slow tab before its connection is closed: a 45-minute lesson's board is ~1 MB, so a tab this
# far behind is better served by a fresh sync than by the backlog.
OUTBOX_MAX_BYTES = 4 * 1024 * 1024
GAP_WAIT_S = 2.0  # a relayed seq may arrive out of order (two writers' relays race); missing this long, it is lost
RESYNC_FRAME = json.dumps({"type": "board.resync"})


def _actor(scope: dict[str, Any]) -> CallActor:
    user = scope.get("user")
    profile = cast(Profile, user) if user is not None and user.is_authenticated and user.is_active else None
    session = scope.get("session")
    guests = (session.get(GUESTS_SESSION_KEY) if session is not None else None) or {}
    return CallActor(profile=profile, guest_ids={str(k): int(v) for k, v in guests.items()})


def _open(actor: CallActor, public_id: str) -> tuple[selectors.BoardAccess, Board, bytes, dict[str, object]]:
    access = selectors.board_access(actor, public_id)
    board = Board.objects.select_related("call").get(pk=access.board_id)
    step1 = services.sync_step1(board)
    board.refresh_from_db(fields=["last_seq"])  # the seq the tab's sync will cover at least
    return access, board, step1, selectors.permissions(board)


def _apply(access: selectors.BoardAccess, board: Board, update: bytes) -> int:
    profile = Profile.objects.get(pk=access.profile_id) if access.profile_id is not None else None
    return services.apply_update(board=board, profile=profile, update=update, participant_id=access.participant_id)


open_board = database_sync_to_async(_open)
answer_step1 = database_sync_to_async(services.answer_sync_step1_at)
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
        self.outbox: deque[bytes | str] = deque()
        self.outbox_bytes = 0
        self.outbox_ready = asyncio.Event()
        self.writer = asyncio.create_task(self._write())
        self.seen_upto = self.board.last_seq  # every seq up to this one is in the tab's document or on its way
        self.seen_ahead: set[int] = set()  # seqs past `seen_upto` that arrived (the ones between did not, yet)
        self.gap_check: asyncio.TimerHandle | None = None
        self.resyncs = 0
        self.group = services.board_group(self.board.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self._enqueue(json.dumps(permissions))
        self._enqueue(sync_step1)

    # --- the outbox ---------------------------------------------------------------------------------------------

    def _enqueue(self, frame: bytes | str) -> bool:
        """Queues a frame for the tab; False when the outbox is past its bound (the caller closes the connection)."""
        self.outbox.append(frame)
        self.outbox_bytes += len(frame)
        self.outbox_ready.set()
        return self.outbox_bytes <= OUTBOX_MAX_BYTES

    async def _write(self) -> None:
        """Sends the outbox in order; uvicorn's send waits while the socket's buffer is full (a slow reader)."""
        try:
            while True:
                if not self.outbox:
                    self.outbox_ready.clear()
                    await self.outbox_ready.wait()
                    continue
                frame = self.outbox.popleft()
                self.outbox_bytes -= len(frame)
                if isinstance(frame, str):
                    await self.send(text_data=frame)
                else:
                    await self.send(bytes_data=frame)
        except asyncio.CancelledError:
            raise
        except Exception:  # the socket is gone (uvicorn's ClientDisconnected, or a send after its close)
            log.debug("board %s: the tab's socket is gone", self.board.pk, exc_info=True)

    async def _send_or_drop(self, frame: bytes | str) -> None:
        if not self._enqueue(frame):
            await self._too_far_behind()

    async def _too_far_behind(self) -> None:
        """The tab reads slower than the board changes: its connection is closed (4408) rather than its backlog kept;
        it reconnects and gets what it lacks in one sync step 2."""
        log.info("board %s: a tab %d KB behind is closed", self.board.pk, self.outbox_bytes // 1024)
        self.writer.cancel()
        self.outbox.clear()
        self.outbox_bytes = 0
        await self.disconnect(CLOSE_TOO_FAR_BEHIND)
        # The close frame waits for room in the socket's buffer like any frame: a reader that is stuck never makes
        # room, so after a second the consumer simply ends and uvicorn drops the connection.
        with contextlib.suppress(Exception):  # timed out or gone: ending the consumer closes the transport
            await asyncio.wait_for(self.close(code=CLOSE_TOO_FAR_BEHIND), timeout=1)
        raise StopConsumer

    # --- seqs: a relay the channel layer dropped ----------------------------------------------------------------

    def _saw(self, seq: int) -> None:
        if seq <= self.seen_upto:
            return
        self.seen_ahead.add(seq)
        while self.seen_upto + 1 in self.seen_ahead:
            self.seen_upto += 1
            self.seen_ahead.discard(self.seen_upto)
        if self.seen_ahead and self.gap_check is None:
            self.gap_check = asyncio.get_running_loop().call_later(GAP_WAIT_S, self._check_gap, max(self.seen_ahead))

    def _check_gap(self, upto: int) -> None:
        """GAP_WAIT_S after a gap opened below `upto`: if a seq up to it still has not come, it never will (the layer
        drops a message for a full queue, it does not hold one that long); the tab resyncs."""
        self.gap_check = None
        if self.seen_upto < upto:
            self.resyncs += 1
            log.info("board %s: seqs after %d missed; the tab resyncs", self.board.pk, self.seen_upto)
            self._enqueue(RESYNC_FRAME)  # a few bytes: past the bound, the next relay closes the connection
            self._covered(upto)
        if self.seen_ahead:
            self.gap_check = asyncio.get_running_loop().call_later(GAP_WAIT_S, self._check_gap, max(self.seen_ahead))

    def _covered(self, seq: int) -> None:
        """Every seq up to `seq` is in the tab's document (a step 2 answered, or a resync asked for)."""
        if seq > self.seen_upto:
            self.seen_upto = seq
        self.seen_ahead = {s for s in self.seen_ahead if s > self.seen_upto}
        while self.seen_upto + 1 in self.seen_ahead:
            self.seen_upto += 1
            self.seen_ahead.discard(self.seen_upto)

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "group"):
            return
        if self.gap_check is not None:
            self.gap_check.cancel()
            self.gap_check = None
        if code != CLOSE_TOO_FAR_BEHIND:
            self.writer.cancel()
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
        await self._send_or_drop(json.dumps({"type": "board.refused", **refusal.body()}, ensure_ascii=False))

    async def _on_sync(self, payload: bytes) -> None:
        if not payload:
            raise ValueError("empty sync message")
        if payload[0] == YSyncMessageType.SYNC_STEP1:
            reply, seq = await answer_step1(self.board, payload)
            self._covered(seq)
            await self._send_or_drop(reply)
            return
        if payload[0] not in (YSyncMessageType.SYNC_STEP2, YSyncMessageType.SYNC_UPDATE):
            raise ValueError("unknown sync message")
        update = _read_update(payload)
        if update == EMPTY_UPDATE:
            return  # an empty step 2: a client that has nothing the server lacks
        seq = await apply(self.access, self.board, update)
        self._saw(seq)  # the tab's own update: in its document already
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
        if message.get("from") == self.channel_name:
            return
        seq = message.get("seq")
        if seq is not None:
            if seq <= self.seen_upto:
                return  # in the tab's document already (a step 2 answered after it was stored)
            self._saw(seq)
        await self._send_or_drop(bytes(message["frame"]))

    async def board_permissions(self, message: dict[str, Any]) -> None:
        await self._send_or_drop(json.dumps(message["frame"]))

    async def board_removed(self, message: dict[str, Any]) -> None:
        if self.access.participant_id is not None and message.get("participant_id") == self.access.participant_id:
            await self.close(code=CLOSE_REMOVED)
