"""Board tabs in one asyncio process (`websockets`), speaking y-websocket's protocol with pycrdt as the browser's
provider does (web/messenger/board/provider.js): the session cookie, the permissions frame, sync step 1 answered
and sent, step 2 applied; afterwards every relayed update is timestamped the moment it is read, then applied."""

from __future__ import annotations

import asyncio
import gc
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pycrdt import (
    Awareness,
    Decoder,
    YMessageType,
    YSyncMessageType,
    create_awareness_message,
    create_sync_message,
    create_update_message,
    handle_sync_message,
)
from websockets.asyncio.client import ClientConnection, connect

from tests.bench.boards.strokes import Pen, item_count

COOKIE = "parta_messenger_session"
SYNC_STEP1 = bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP1])
SYNC_STEP2 = bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP2])
SYNC_UPDATE = bytes([YMessageType.SYNC, YSyncMessageType.SYNC_UPDATE])


@dataclass
class Joined:
    """How one tab's opening went: seconds from the connect call to the whole document applied, and the sizes."""

    connect_s: float  # the WebSocket handshake (the session is read there)
    step2_s: float  # from the connect call to the server's step 2 read
    applied_s: float  # … to the step 2 applied to the tab's document and its items counted
    step2_bytes: int
    items: int


@dataclass
class Room:
    """Every tab of a run; `sent[frame]` is when a drawer sent an update frame and `receipts[frame]` when each other
    tab read it (a relayed update is the very frame its author sent)."""

    tabs: list[Tab] = field(default_factory=list)
    compression: str | None = "deflate"  # what browsers offer; None to see what per-message deflate costs
    sent: dict[bytes, float] = field(default_factory=dict)
    receipts: dict[bytes, list[tuple[int, float]]] = field(default_factory=lambda: defaultdict(list))
    refused: list[dict[str, Any]] = field(default_factory=list)
    awareness_frames: int = 0

    async def open_all(self) -> None:
        for tab in self.tabs:  # one after another: a class joining, not a thundering herd
            await tab.open()
        gc.collect()
        gc.freeze()  # the clients' long-lived objects stay out of this process's collections

    async def close_all(self) -> None:
        await asyncio.gather(*(tab.close() for tab in self.tabs), return_exceptions=True)

    def closed(self) -> int:
        """Tabs whose socket has closed (the server closes one that does not answer its pings in time)."""
        return sum(tab.reader is not None and tab.reader.done() for tab in self.tabs)

    def expected(self) -> int:
        return len(self.sent) * (len(self.tabs) - 1)

    def delivered(self) -> int:
        return sum(len(r) for r in self.receipts.values())

    async def drain(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while self.delivered() < self.expected() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    def first_last_ms(self, frames: set[bytes]) -> tuple[list[float], list[float]]:
        """Per update: when the first and the last other tab read it (the server's own time, then its fan-out)."""
        firsts, lasts = [], []
        for frame in frames:
            times = [received for _, received in self.receipts.get(frame, [])]
            if times:
                firsts.append((min(times) - self.sent[frame]) * 1000)
                lasts.append((max(times) - self.sent[frame]) * 1000)
        return firsts, lasts

    def latencies_ms(self, frames: set[bytes] | None = None, tabs: set[int] | None = None) -> list[float]:
        return [
            (received - self.sent[frame]) * 1000
            for frame, receipts in self.receipts.items()
            if (frames is None or frame in frames) and frame in self.sent
            for index, received in receipts
            if tabs is None or index in tabs
        ]


@dataclass
class Tab:
    room: Room
    index: int
    url: str  # ws://127.0.0.1:<port>/ws/boards/<public id>/
    session_key: str
    author: int
    name: str
    pen: Pen = field(default_factory=Pen)
    socket: ClientConnection | None = None
    reader: asyncio.Task[None] | None = None
    awareness: Awareness | None = None

    async def open(self) -> Joined:
        started = time.perf_counter()
        origin = self.url.split("/ws/", 1)[0].replace("ws://", "http://")
        socket = await connect(
            self.url,
            origin=origin,  # type: ignore[arg-type]
            additional_headers={"Cookie": f"{COOKIE}={self.session_key}"},
            compression=self.room.compression,
            proxy=None,
            open_timeout=60,
            ping_interval=None,
            max_queue=None,
            max_size=None,
        )
        connected = time.perf_counter()
        doc = self.pen.doc
        step2_at, step2_bytes = 0.0, 0
        while not step2_bytes:
            frame = await socket.recv()
            if isinstance(frame, str):
                self._text(json.loads(frame))
            elif frame[:2] == SYNC_STEP1:
                reply = handle_sync_message(frame[1:], doc)
                assert reply is not None
                await socket.send(reply)
                await socket.send(create_sync_message(doc))
            elif frame[:2] == SYNC_STEP2:
                step2_at, step2_bytes = time.perf_counter(), len(frame)
                handle_sync_message(frame[1:], doc)
            elif frame[:2] == SYNC_UPDATE:
                self._apply(frame)
        items = item_count(doc)
        applied = time.perf_counter()
        self.socket = socket
        self.awareness = Awareness(doc)
        self.awareness.set_local_state({"user": {"name": self.name, "color": "#1f6feb"}, "cursor": None})
        self.reader = asyncio.create_task(self._read())
        return Joined(connected - started, step2_at - started, applied - started, step2_bytes, items)

    def _text(self, frame: dict[str, Any]) -> None:
        if frame.get("type") == "board.refused":
            self.room.refused.append(frame)

    def _apply(self, frame: bytes) -> None:
        update = Decoder(frame[2:]).read_message()
        if update is not None:
            self.pen.doc.apply_update(update)

    async def _read(self) -> None:
        assert self.socket is not None
        try:
            async for frame in self.socket:
                received = time.perf_counter()  # first: what follows is the client's cost, not the server's
                if isinstance(frame, str):
                    self._text(json.loads(frame))
                elif frame[:2] == SYNC_UPDATE:
                    self.room.receipts[frame].append((self.index, received))
                    self._apply(frame)
                elif frame[0] == YMessageType.AWARENESS:
                    self.room.awareness_frames += 1
        except Exception:  # noqa: S110 - a closed connection ends its reader; the figures show what arrived
            pass

    async def send_update(self, update: bytes) -> None:
        assert self.socket is not None
        frame = create_update_message(update)
        self.room.sent[frame] = time.perf_counter()
        await self.socket.send(frame)

    async def send_cursor(self, x: float, y: float) -> None:
        """The cursor as the board reports it while the pen moves (at most every 50 ms, session.js)."""
        assert self.socket is not None and self.awareness is not None
        self.awareness.set_local_state_field("cursor", {"x": round(x), "y": round(y), "page": "page-1"})
        payload = self.awareness.encode_awareness_update([self.awareness.client_id])
        await self.socket.send(create_awareness_message(payload))

    async def draw(self, rng: random.Random, *, every_s: float, cursors: bool) -> set[bytes]:
        """One pen stroke: the item, then its growing points every `every_s`; answers the frames it sent."""
        frames: set[bytes] = set()
        for update in self.pen.stroke(author=self.author, rng=rng):
            await self.send_update(update)
            frames.add(create_update_message(update))
            if cursors:
                await self.send_cursor(rng.uniform(0, 1600), rng.uniform(0, 1000))
            await asyncio.sleep(every_s)
        return frames

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self.reader is not None:
            await self.reader
