"""What the boards web API takes and answers (docs/board.md)."""

from __future__ import annotations

from typing import Literal

from ninja import Schema

DrawModeName = Literal["organizer", "everyone", "chosen"]


class OpenIn(Schema):
    call_id: str


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
