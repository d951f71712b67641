"""Two messenger server processes on one database, through Redis: a stroke drawn through process A reaches a tab on
process B, and a tab that opens the board on B after A has stopped gets every stroke (the database is the truth).
Browsers are pycrdt documents speaking y-websocket's framing over real WebSockets."""

# covers: issue 10 (the whiteboard across messenger processes; persistence)

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from django.conf import settings
from pycrdt import (
    Decoder,
    Doc,
    YMessageType,
    YSyncMessageType,
    create_sync_message,
    create_update_message,
    handle_sync_message,
)
from websockets.asyncio.client import ClientConnection, connect

from tests.messenger.boards.helpers import draw, new_doc, strokes
from tests.messenger.realtime.live import Server, deployment, redis_answers, redis_url, stop


async def open_tab(server: Server, board: str, session_key: str, doc: Doc) -> ClientConnection:
    """Opens the board like y-websocket: reads the permissions and step 1, answers, sends step 1, applies step 2."""
    socket = await connect(
        f"{server.url.replace('http', 'ws')}/ws/boards/{board}/",
        origin=server.url,  # type: ignore[arg-type]
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"},
        proxy=None,
        open_timeout=10,
    )
    permissions = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert permissions["type"] == "board.permissions", permissions
    step1 = await asyncio.wait_for(socket.recv(), 10)
    assert isinstance(step1, bytes) and step1[:2] == bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP1])
    reply = handle_sync_message(step1[1:], doc)
    assert reply is not None
    await socket.send(reply)
    await socket.send(create_sync_message(doc))
    step2 = await asyncio.wait_for(socket.recv(), 10)
    assert isinstance(step2, bytes) and step2[:2] == bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP2])
    handle_sync_message(step2[1:], doc)
    return socket


async def receive_update(socket: ClientConnection, doc: Doc) -> None:
    frame = await asyncio.wait_for(socket.recv(), 10)
    assert isinstance(frame, bytes) and frame[:2] == bytes([YMessageType.SYNC, YSyncMessageType.SYNC_UPDATE]), frame
    update = Decoder(frame[2:]).read_message()
    assert update is not None
    doc.apply_update(update)


def test_a_stroke_through_one_process_reaches_a_tab_of_another_and_survives_it(tmp_path: Path) -> None:
    url = redis_url()
    assert redis_answers(url), f"Redis must answer at {url} (scripts/services.sh starts it)"
    with deployment(tmp_path, redis=url) as dep:
        seeded = json.loads(dep.run("tests.messenger.boards.live_seed").strip().splitlines()[-1])
        board, (teacher_key, student_key) = seeded["board"], seeded["sessions"]
        server_a, server_b = dep.start_server(), dep.start_server()
        teacher_doc, student_doc = new_doc(), new_doc()
        drawn: list[dict[str, object]] = []

        async def lesson() -> None:
            student = await open_tab(server_b, board, student_key, student_doc)
            teacher = await open_tab(server_a, board, teacher_key, teacher_doc)
            await asyncio.sleep(0.5)  # the group subscriptions reach Redis
            for n in range(3):
                await teacher.send(create_update_message(draw(teacher_doc, author=seeded["teacher"], points=[n, 1.5])))
                await receive_update(student, student_doc)
            assert strokes(student_doc) == strokes(teacher_doc)
            drawn.extend(strokes(teacher_doc))
            await teacher.close()
            await student.close()

        asyncio.run(lesson())
        stop(server_a)  # process A is gone; a new tab on B reads the board from the database

        async def late_joiner() -> None:
            late_doc = new_doc()
            socket = await open_tab(server_b, board, student_key, late_doc)
            assert strokes(late_doc) == drawn and len(drawn) == 3
            await socket.close()

        asyncio.run(late_joiner())
