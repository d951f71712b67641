"""What the boards web API takes and answers (docs/board.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema

DrawModeName = Literal["organizer", "everyone", "chosen"]


class OpenIn(Schema):
    call_id: str
    copy_from: str | None = None  # an earlier board of the organizer's (GET /boards/earlier) to open a copy of


class BoardPatchIn(Schema):
    draw_mode: DrawModeName | None = None
    locked: bool | None = None


class BoardOut(Schema):
    id: str
    call_id: str
    socket: str  # the WebSocket's path: y-websocket's server URL is its part before the id
    draw_mode: DrawModeName
    locked: bool
    drawers: list[int]
    live: bool


class BackgroundPageOut(Schema):
    page: int  # from 1
    url: str  # the picture (PNG for a PDF page), for the people of the call
    width: int  # px = board units: the board page's size
    height: int


class BackgroundOut(Schema):
    id: str
    kind: Literal["pdf", "image"]
    name: str
    pages: list[BackgroundPageOut]


class EarlierOut(Schema):
    id: str
    call_id: str
    title: str
    ended_at: datetime | None
    pages: int
