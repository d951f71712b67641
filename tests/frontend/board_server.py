"""A stand-in for the messenger's board socket, for the browser tests of web/messenger/board/: the server side of
docs/board.md's wire protocol on a pycrdt document (sync step 1/2, updates, awareness relayed as they are, the
board.permissions and board.refused text frames, close codes), plus plain HTTP for the test page and the bundle —
one port on 127.0.0.1, run on its own event loop in a thread. Who may write is the test's to say (`writers`), so a
refusal is the server's, as in the real consumer."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from pycrdt import (
    Array,
    Decoder,
    Doc,
    Map,
    YMessageType,
    YSyncMessageType,
    create_sync_message,
    create_update_message,
    handle_sync_message,
)
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

EMPTY_UPDATE = b"\x00\x00"
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
T = TypeVar("T")


@dataclass
class Peer:
    who: str
    connection: ServerConnection


@dataclass
class BoardServer:
    files: dict[str, Path]  # URL path → file served over HTTP
    permissions: dict[str, Any] = field(
        default_factory=lambda: {"draw_mode": "everyone", "locked": False, "drawers": [], "live": True}
    )
    writers: set[str] | None = None  # who may change the doc (None: everyone)
    close_with: int | None = None  # a close code every new socket gets right away (4404 …)
    doc: Doc = field(default_factory=Doc)
    peers: list[Peer] = field(default_factory=list)
    accepted: list[tuple[str, bytes]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    awareness_frames: int = 0
    connections: int = 0

    def __post_init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server: Server = self.call(self._start())
        self.port = self.server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    # --- for the test (any thread) ----------------------------------------------------------------------------

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout=30)

    def run(self, fn: Callable[[], T]) -> T:
        async def inside() -> T:
            return fn()

        return self.call(inside())

    def pages(self) -> list[dict[str, Any]]:
        return self.run(lambda: self.doc.get("pages", type=Array).to_py() or [])  # type: ignore[no-any-return]

    def change(self, fn: Callable[[Array[Any]], None]) -> None:
        """A change made on the server (as another tab's accepted update would be), sent to every socket."""

        async def inside() -> None:
            before = self.doc.get_state()
            with self.doc.transaction():
                fn(self.doc.get("pages", type=Array))
            await self._broadcast(create_update_message(self.doc.get_update(before)), None)

        self.call(inside())

    def push_permissions(self, **changes: Any) -> None:
        self.permissions = {**self.permissions, **changes}
        frame = json.dumps({"type": "board.permissions", **self.permissions})
        self.call(self._send_all(frame))

    def drop_all(self, code: int = 1011) -> None:
        """Closes every socket, as a messenger restart would; the browsers reconnect."""

        async def inside() -> None:
            for peer in list(self.peers):
                await peer.connection.close(code, "going away")

        self.call(inside())

    def stop(self) -> None:
        self.call(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)

    # --- the server ----------------------------------------------------------------------------------------------

    async def _start(self) -> Server:
        return await serve(self._session, "127.0.0.1", 0, process_request=self._http, max_size=2**22)

    async def _stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()

    def _http(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return None
        path = urlsplit(request.path).path
        file = self.files.get(path)
        if file is None:
            return Response(404, "Not Found", Headers({"Content-Type": "text/plain"}), b"not found")
        headers = Headers(
            {"Content-Type": TYPES.get(file.suffix, "application/octet-stream"), "Cache-Control": "no-store"}
        )
        return Response(200, "OK", headers, file.read_bytes())

    async def _session(self, connection: ServerConnection) -> None:
        self.connections += 1
        if self.close_with is not None:
            await connection.close(self.close_with, "closed by the test")
            return
        query = parse_qs(urlsplit(connection.request.path if connection.request else "").query)
        peer = Peer(who=query.get("who", ["?"])[0], connection=connection)
        self.peers.append(peer)
        try:
            await connection.send(json.dumps({"type": "board.permissions", **self.permissions}))
            await connection.send(create_sync_message(self.doc))
            async for message in connection:
                if isinstance(message, bytes):
                    await self._on_binary(peer, message)
        finally:
            self.peers.remove(peer)

    async def _on_binary(self, peer: Peer, frame: bytes) -> None:
        decoder = Decoder(frame)
        kind = decoder.read_var_uint()
        payload = frame[decoder.i0 :]
        if kind == YMessageType.AWARENESS:
            self.awareness_frames += 1
            await self._broadcast(frame, peer)
            return
        if kind != YMessageType.SYNC:
            return
        if payload[0] == YSyncMessageType.SYNC_STEP1:
            reply = handle_sync_message(payload, self.doc)
            if reply is not None:
                await peer.connection.send(reply)
            return
        update = Decoder(payload[1:]).read_message() or b""
        if update == EMPTY_UPDATE:
            return
        if self.writers is not None and peer.who not in self.writers:
            self.refused.append(peer.who)
            refusal = {
                "type": "board.refused",
                "code": "board_draw_not_allowed",
                "message": "Рисовать может только организатор.",
            }
            await peer.connection.send(json.dumps(refusal, ensure_ascii=False))
            return
        self.doc.apply_update(update)
        self.accepted.append((peer.who, update))
        await self._broadcast(create_update_message(update), peer)

    async def _broadcast(self, frame: bytes, sender: Peer | None) -> None:
        for peer in list(self.peers):
            if peer is not sender:
                await peer.connection.send(frame)

    async def _send_all(self, text: str) -> None:
        for peer in list(self.peers):
            await peer.connection.send(text)


def stroke(item_id: str, author: int, points: list[float], color: str = "#1b1b1b") -> Map[Any]:
    """A pen item as a browser would add it (docs/board.md, "The document")."""
    return Map({"id": item_id, "kind": "pen", "author": author, "color": color, "width": 3, "points": points})


def page_map(page_id: str, items: list[Map[Any]] | None = None) -> Map[Any]:
    return Map(
        {
            "id": page_id,
            "title": "Страница",
            "background": "grid",
            "width": 1600,
            "height": 1000,
            "items": Array(items or []),
        }
    )
