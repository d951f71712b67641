"""Acceptance (issue 3): a message sent by one messenger process reaches a client connected to a second, separate
server process, through Redis. Real processes: two uvicorn servers and a third process that sends the message
through `publish()`, all on one throwaway database (SQLite file, or PostgreSQL when MESSENGER_DATABASE_URL is)."""

# covers: C6 (messages arrive live), issue 3 item 7 (Redis channel layer between processes)

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from websockets.asyncio.client import ClientConnection, connect

from tests.messenger.realtime.live import Deployment, Server, deployment, redis_answers, redis_url


async def open_live(server: Server, session_key: str) -> ClientConnection:
    socket = await connect(
        server.ws_url,
        origin=server.url,  # type: ignore[arg-type]
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"},
        proxy=None,
        open_timeout=10,
    )
    await socket.send(json.dumps({"type": "resume", "after": 0}))
    ready = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert ready["type"] == "ready", ready
    return socket


async def next_frame(socket: ClientConnection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), 10))
    return frame


def test_a_message_sent_by_one_process_reaches_a_client_of_another_server_process(tmp_path: Path) -> None:
    url = redis_url()
    assert redis_answers(url), f"Redis must answer at {url} (scripts/services.sh starts it)"
    with deployment(tmp_path, redis=url) as dep:
        seeded = dep.tool("seed", "--members", "2")
        sender = seeded["profiles"][0]
        server_a, server_b = dep.start_server(), dep.start_server()
        assert server_a.pid != server_b.pid

        async def scenario(dep: Deployment) -> None:
            on_b = await open_live(server_b, seeded["sessions"][1])  # the reader, on process B
            on_a = await open_live(server_a, seeded["sessions"][0])  # the sender's own device, on process A
            sent = await asyncio.to_thread(
                dep.tool, "send", "--chat", str(seeded["chat"]), "--sender", str(sender), "--text", "Привет из A"
            )
            for socket in (on_b, on_a):
                frame = await next_frame(socket)
                assert frame["type"] == "events", frame
                [event] = frame["events"]
                assert event["type"] == "message.new"
                assert event["payload"]["message"]["id"] == sent["message"]
                assert event["payload"]["message"]["text"] == "Привет из A"
            await on_a.close()
            await on_b.close()

        asyncio.run(scenario(dep))
