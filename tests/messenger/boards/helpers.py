"""A call with its people straight through the ORM (opening a board needs a Call row and participants, not Janus),
and pycrdt documents playing the browser's `yjs` + `y-protocols` over the board's WebSocket."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

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

from parta.messenger.accounts.models import Profile
from parta.messenger.boards import services
from parta.messenger.boards.models import Board
from parta.messenger.calls.models import Call, CallKind, Participant
from parta.messenger.calls.selectors import CallActor
from tests.messenger.realtime.builders import cookie_header, make_chat, make_profile, sign_in
from tests.messenger.realtime.wsclient import WebsocketCommunicator, application, db

_strokes = itertools.count(1)


@dataclass
class Lesson:
    call: Call
    teacher: Profile
    students: list[Profile]
    board: Board


def make_lesson(students: int = 2, *, kind: str = CallKind.LESSON) -> Lesson:
    """A live call organized by a teacher, everyone joined (Participant rows as joining leaves them), and its board
    opened by the teacher."""
    teacher = make_profile("Анна", "Учитель")
    people = [make_profile(f"Ученик{n}", "Тестов") for n in range(students)]
    chat = make_chat([teacher.pk, *(p.pk for p in people)], title="7Б — Математика")
    call = Call.objects.create(kind=kind, title="7Б — Математика", chat=chat, created_by=teacher)
    Participant.objects.create(call=call, profile=teacher, display_name="Анна Учитель", is_admin=True)
    for person in people:
        Participant.objects.create(call=call, profile=person, display_name=person.first_name)
    board = services.open_board(actor=CallActor(profile=teacher), call=call)
    return Lesson(call=call, teacher=teacher, students=people, board=board)


def actor(profile: Profile) -> CallActor:
    return CallActor(profile=profile)


# --- a document like the browser's (docs/board.md) --------------------------------------------------------------------


def new_doc() -> Doc:
    doc: Doc = Doc()
    doc["pages"] = Array()
    return doc


def draw(doc: Doc, *, author: int, page: int = 0, points: list[float] | None = None) -> bytes:
    """Adds a pen stroke to a page (a first page made if there is none); answers the Yjs update it made."""
    before = doc.get_state()
    pages = doc.get("pages", type=Array)
    with doc.transaction():
        if len(pages) <= page:
            pages.append(Map({"id": f"page-{page}", "title": f"Страница {page + 1}", "items": Array()}))
        items = pages[page]["items"]
        items.append(
            Map(
                {
                    "id": f"stroke-{next(_strokes)}",
                    "kind": "pen",
                    "author": author,
                    "color": "#1f6feb",
                    "width": 3,
                    "points": points or [0.0, 0.0, 10.0, 12.5],
                }
            )
        )
    return doc.get_update(before)


def strokes(doc: Doc) -> list[dict[str, Any]]:
    """Every item of every page as plain data, in order (what "the same document" means in these tests)."""
    pages = doc.get("pages", type=Array)
    return [item.to_py() for page in pages for item in page["items"]]


def content_of(update: bytes) -> list[dict[str, Any]]:
    doc: Doc = Doc()
    doc.apply_update(update)
    return strokes(doc)


# --- a browser on the board's WebSocket -------------------------------------------------------------------------------


@dataclass
class BoardClient:
    """One browser tab: its own document, a WebSocket to the board, the text frames it got."""

    socket: WebsocketCommunicator
    doc: Doc = field(default_factory=new_doc)
    texts: list[dict[str, Any]] = field(default_factory=list)

    async def sync(self) -> None:
        """What y-websocket does on connect: reads the server's step 1 and answers it, sends its own step 1 and
        applies the server's step 2."""
        server_step1 = await self.binary()
        assert server_step1[:2] == bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP1])
        reply = handle_sync_message(server_step1[1:], self.doc)
        assert reply is not None
        await self.socket.send_to(bytes_data=reply)
        await self.socket.send_to(bytes_data=create_sync_message(self.doc))
        step2 = await self.binary()
        assert step2[:2] == bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP2])
        handle_sync_message(step2[1:], self.doc)

    async def binary(self, timeout: float = 5) -> bytes:
        """The next binary frame (text frames on the way are kept in `texts`)."""
        while True:
            frame = await self.socket.receive_output(timeout=timeout)
            assert frame["type"] == "websocket.send", frame
            if frame.get("bytes") is not None:
                return bytes(frame["bytes"])
            self.texts.append(json.loads(frame["text"]))

    async def text(self, timeout: float = 5) -> dict[str, Any]:
        if self.texts:
            return self.texts.pop(0)
        frame = await self.socket.receive_output(timeout=timeout)
        assert frame["type"] == "websocket.send" and frame.get("text") is not None, frame
        return dict(json.loads(frame["text"]))

    async def send_update(self, update: bytes) -> None:
        await self.socket.send_to(bytes_data=create_update_message(update))

    async def receive_update(self) -> None:
        """Reads one relayed sync update and applies it to this tab's document."""
        frame = await self.binary()
        assert frame[:2] == bytes([YMessageType.SYNC, YSyncMessageType.SYNC_UPDATE]), frame[:4]
        update = Decoder(frame[2:]).read_message()
        assert update is not None
        self.doc.apply_update(update)


async def open_board_socket(
    board: Board, profile: Profile | None, *, session_key: str | None = None, slash: str = "/"
) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://127.0.0.1")]
    key = session_key or (await db(sign_in)(profile.pk) if profile is not None else None)
    if key:
        headers.append((b"cookie", cookie_header(key).encode()))
    socket = WebsocketCommunicator(application, f"/ws/boards/{board.public_id}{slash}", headers=headers)
    connected, _ = await socket.connect(timeout=5)
    assert connected
    return socket


async def join(
    board: Board, profile: Profile | None, *, session_key: str | None = None, doc: Doc | None = None
) -> BoardClient:
    """A tab that opened the board and synced: the permissions frame read, the document synced both ways."""
    client = BoardClient(socket=await open_board_socket(board, profile, session_key=session_key), doc=doc or new_doc())
    permissions = await client.text()
    assert permissions["type"] == "board.permissions", permissions
    await client.sync()
    return client
