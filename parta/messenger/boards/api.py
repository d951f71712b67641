"""The boards API (/api/v1/boards/…, docs/board.md): open a call's board, and the organizer's permission changes.

The same session authentication as the calls API (a signed-in profile, or a guest who joined the call by its link);
a board one may not see answers 404 like one that does not exist. The drawing itself goes over the WebSocket.
"""

from typing import Any, cast

from django.http import HttpRequest
from ninja import Router

from parta.messenger.boards import selectors, services
from parta.messenger.boards.models import Board, DrawMode
from parta.messenger.boards.schemas import BoardOut, BoardPatchIn, OpenIn
from parta.messenger.calls.api import call_session
from parta.messenger.calls.selectors import CallActor, visible_call
from parta.messenger.webapi import answer_refusals, error_responses

router = Router(tags=["boards"], auth=call_session)
REFUSALS: dict[int, Any] = error_responses(400, 403, 404, 409)


def _actor(request: HttpRequest) -> CallActor:
    return cast(CallActor, request.auth)  # type: ignore[attr-defined]


def _out(board: Board) -> BoardOut:
    return BoardOut(
        id=str(board.public_id),
        call_id=str(board.call.public_id),
        socket=f"/ws/boards/{board.public_id}/",
        draw_mode=board.draw_mode,  # type: ignore[arg-type]
        locked=board.locked,
        drawers=selectors.drawer_ids(board),
        live=board.call.is_live,
    )


def _visible_board(actor: CallActor, board_id: str) -> Board:
    board = selectors.find_board(board_id)
    selectors.in_call(actor, board.call)
    return board


@router.post("/", response={200: BoardOut, **REFUSALS}, summary="Open the call's board (the organizer creates it)")
@answer_refusals
def open_board(request: HttpRequest, payload: OpenIn) -> BoardOut:
    actor = _actor(request)
    call, _ = visible_call(actor, payload.call_id)
    return _out(services.open_board(actor=actor, call=call))


@router.get("/{board_id}", response={200: BoardOut, **REFUSALS}, summary="The board's permissions")
@answer_refusals
def board(request: HttpRequest, board_id: str) -> BoardOut:
    return _out(_visible_board(_actor(request), board_id))


@router.patch("/{board_id}", response={200: BoardOut, **REFUSALS}, summary="Who may draw; lock or unlock (organizer)")
@answer_refusals
def change_board(request: HttpRequest, board_id: str, payload: BoardPatchIn) -> BoardOut:
    actor = _actor(request)
    board = selectors.find_board(board_id)
    if payload.draw_mode is not None:
        board = services.set_draw_mode(actor=actor, board=board, draw_mode=DrawMode(payload.draw_mode))
    if payload.locked is not None:
        board = (services.lock if payload.locked else services.unlock)(actor=actor, board=board)
    if payload.draw_mode is None and payload.locked is None:
        board = _visible_board(actor, board_id)
    return _out(board)


@router.put("/{board_id}/drawers/{profile_id}", response={200: BoardOut, **REFUSALS}, summary="Let a person draw")
@answer_refusals
def allow_drawer(request: HttpRequest, board_id: str, profile_id: int) -> BoardOut:
    board = selectors.find_board(board_id)
    return _out(services.allow_drawer(actor=_actor(request), board=board, profile_id=profile_id))


@router.delete(
    "/{board_id}/drawers/{profile_id}", response={200: BoardOut, **REFUSALS}, summary="No longer let a person draw"
)
@answer_refusals
def disallow_drawer(request: HttpRequest, board_id: str, profile_id: int) -> BoardOut:
    board = selectors.find_board(board_id)
    return _out(services.disallow_drawer(actor=_actor(request), board=board, profile_id=profile_id))
