"""Talking to the real ASGI application (session authentication and all) through Channels' WebsocketCommunicator."""

from __future__ import annotations

import importlib.util
import sys
import types
from typing import Any

from channels.db import database_sync_to_async

if importlib.util.find_spec("daphne") is None:
    # `channels.testing` imports its live-server test case on import, which needs Daphne (not a dependency: uvicorn
    # serves the site). Only the communicator is used here, so a placeholder module stands in for Daphne's.
    _daphne = types.ModuleType("daphne")
    _daphne_testing = types.ModuleType("daphne.testing")
    _daphne_testing.DaphneProcess = object  # type: ignore[attr-defined]
    sys.modules.setdefault("daphne", _daphne)
    sys.modules.setdefault("daphne.testing", _daphne_testing)

from channels.testing import WebsocketCommunicator

from parta.messenger.asgi import application
from tests.messenger.realtime.builders import cookie_header, sign_in

db = database_sync_to_async


async def open_socket(session_key: str | None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://127.0.0.1")]
    if session_key:
        headers.append((b"cookie", cookie_header(session_key).encode()))
    socket = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await socket.connect(timeout=5)
    assert connected
    return socket


async def connect(profile_id: int) -> WebsocketCommunicator:
    return await open_socket(await db(sign_in)(profile_id))


async def resume(socket: WebsocketCommunicator, after: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Sends the resume and reads until "ready": the backlog's events and the ready frame."""
    await socket.send_json_to({"type": "resume", "after": after})
    events: list[dict[str, Any]] = []
    while True:
        frame = await socket.receive_json_from(timeout=5)
        if frame["type"] == "ready":
            return events, frame
        assert frame["type"] == "events", frame
        events.extend(frame["events"])


async def next_events(socket: WebsocketCommunicator, count: int) -> list[dict[str, Any]]:
    """Reads "events" frames until `count` events have come (more would fail the caller's checks)."""
    events: list[dict[str, Any]] = []
    while len(events) < count:
        frame = await socket.receive_json_from(timeout=5)
        assert frame["type"] == "events", frame
        events.extend(frame["events"])
    return events
