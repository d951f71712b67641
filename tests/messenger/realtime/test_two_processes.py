"""Acceptance (issue 3): a message sent through one messenger server process reaches a client connected to a second,
separate server process, through Redis. Real processes on one throwaway database (a SQLite file, or PostgreSQL when
MESSENGER_DATABASE_URL is): two uvicorn servers of `parta.messenger.asgi:application`, the message sent over HTTP to
the first one's chat API as the chat UI sends it — and once more from a third process (a worker or a command)."""

# covers: C6 (messages arrive live), issue 3 item 7 (Redis channel layer between processes)

from __future__ import annotations

import asyncio
import json
import secrets
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from websockets.asyncio.client import ClientConnection, connect

from tests.messenger.realtime.live import Deployment, Server, deployment, redis_answers, redis_url

# Quiet for longer than the Redis client's default 5 s read timeout: a layer whose blocking read races that timeout
# loses its connections here (it did, before settings.CHANNEL_LAYERS gave the reads a longer timeout).
QUIET_SECONDS = 6.5


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


async def next_message(socket: ClientConnection) -> dict[str, Any]:
    frame = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert frame["type"] == "events", frame
    [event] = frame["events"]
    assert event["type"] == "message.new", event
    message: dict[str, Any] = event["payload"]["message"]
    return message


def post_message(server: Server, session_key: str, chat_id: int, text: str) -> dict[str, Any]:
    """POST /api/v1/chats/<id>/messages/ as the signed-in browser does it (session cookie, CSRF token)."""
    token = secrets.token_hex(16)
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
        f"{server.url}/api/v1/chats/{chat_id}/messages/",
        data=json.dumps({"client_id": str(uuid.uuid4()), "text": text}).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={token}",
            "X-CSRFToken": token,
            "Origin": server.url,
        },
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        assert response.status == 201
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def test_a_message_sent_through_one_server_process_reaches_a_client_of_another(tmp_path: Path) -> None:
    url = redis_url()
    assert redis_answers(url), f"Redis must answer at {url} (scripts/services.sh starts it)"
    with deployment(tmp_path, redis=url) as dep:
        seeded = dep.tool("seed", "--members", "2")
        (sender, _), (sender_key, reader_key) = seeded["profiles"], seeded["sessions"]
        server_a, server_b = dep.start_server(), dep.start_server()
        assert server_a.pid != server_b.pid

        async def scenario(dep: Deployment) -> None:
            on_b = await open_live(server_b, reader_key)  # the reader, on process B
            on_a = await open_live(server_a, sender_key)  # the sender's own device, on process A
            await asyncio.sleep(QUIET_SECONDS)

            sent = await asyncio.to_thread(post_message, server_a, sender_key, seeded["chat"], "Привет из A")
            for socket in (on_b, on_a):
                message = await next_message(socket)
                assert (message["id"], message["text"]) == (sent["id"], "Привет из A")

            # A third process (a worker, a management command) publishes through Redis too.
            third = await asyncio.to_thread(
                dep.tool, "send", "--chat", str(seeded["chat"]), "--sender", str(sender), "--text", "Из воркера"
            )
            for socket in (on_b, on_a):
                message = await next_message(socket)
                assert (message["id"], message["text"]) == (third["message"], "Из воркера")
            await on_a.close()
            await on_b.close()

        asyncio.run(scenario(dep))
