"""Many WebSocket clients in one asyncio process (the `websockets` library), each signed in with its own session,
resumed, and timestamping every frame the moment it is read."""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import resource
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

CONNECT_CONCURRENCY = 100  # handshakes in flight at once (the server's listen backlog is 2,048)


def raise_fd_limit() -> int:
    """Lifts this process's open-file limit to its hard limit (children inherit it): one descriptor per socket."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


@dataclass
class Client:
    index: int
    url: str
    session_key: str
    socket: ClientConnection | None = None
    reader: asyncio.Task[None] | None = None


@dataclass
class Swarm:
    """N clients; `receipts[message_id]` collects (client index, receive time) for every `message.new` event."""

    cookie_name: str
    compression: str | None = "deflate"  # what browsers offer; None to measure without per-message deflate
    clients: list[Client] = field(default_factory=list)
    receipts: dict[int, list[tuple[int, float]]] = field(default_factory=lambda: defaultdict(list))
    events_received: int = 0
    seqs: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # per client: what arrived, in order
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, urls: Sequence[str], session_keys: Sequence[str]) -> None:
        for url, key in zip(urls, session_keys, strict=True):
            self.clients.append(Client(index=len(self.clients), url=url, session_key=key))

    async def connect_all(self) -> float:
        """Connects and resumes every client (after 0); returns the seconds it took."""
        started = time.perf_counter()
        limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(client: Client) -> None:
            async with limit:
                await self._connect(client)

        await asyncio.gather(*(one(client) for client in self.clients))
        # The clients' own objects are long-lived: out of the collector's sight, a full collection in this process
        # cannot pause the receipts it is timing (the server's collector is left as it is: that cost is real).
        gc.collect()
        gc.freeze()
        return time.perf_counter() - started

    async def _connect(self, client: Client) -> None:
        origin = client.url.replace("ws://", "http://").removesuffix("/ws/")
        socket = await connect(
            client.url,
            origin=origin,  # type: ignore[arg-type]
            additional_headers={"Cookie": f"{self.cookie_name}={client.session_key}"},
            compression=self.compression,
            proxy=None,
            open_timeout=60,
            ping_interval=None,  # idle means idle: no client pings during the measurements
            max_queue=None,
        )
        await socket.send('{"type":"resume","after":0}')
        while json.loads(await socket.recv())["type"] != "ready":
            pass
        client.socket = socket
        client.reader = asyncio.create_task(self._read(client))

    async def _read(self, client: Client) -> None:
        assert client.socket is not None
        try:
            async for raw in client.socket:
                received = time.time()  # first thing: the parsing below is the client's cost, not the server's
                frame: dict[str, Any] = json.loads(raw)
                if frame["type"] != "events":
                    continue
                for event in frame["events"]:
                    self.events_received += 1
                    self.seqs[client.index].append(event["seq"])
                    if event["type"] == "message.new":
                        self.receipts[event["payload"]["message"]["id"]].append((client.index, received))
                self.arrived.set()
        except Exception:  # noqa: S110 - a closed connection ends its reader; the figures show what arrived
            pass

    async def wait_for(self, message_id: int, count: int, timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        while len(self.receipts[message_id]) < count:
            self.arrived.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self.arrived.wait(), remaining)
            except TimeoutError:
                return False
        return True

    def anomalies(self) -> dict[str, int]:
        """Clients whose events arrived out of order, twice, or with a hole (each must be 0)."""
        disorder = duplicates = holes = 0
        for seqs in self.seqs.values():
            disorder += any(b < a for a, b in itertools.pairwise(seqs))
            duplicates += len(seqs) != len(set(seqs))
            holes += any(b > a + 1 for a, b in itertools.pairwise(seqs))
        return {"out of order": disorder, "duplicated": duplicates, "with a hole": holes}

    async def close_all(self) -> None:
        async def one(client: Client) -> None:
            if client.socket is not None:
                await client.socket.close()
            if client.reader is not None:
                await client.reader

        await asyncio.gather(*(one(client) for client in self.clients), return_exceptions=True)
