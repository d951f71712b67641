"""The boards API (/api/v1/boards/…, docs/board.md): open a call's board (or a copy of an earlier one), the
organizer's permission changes and backgrounds, the pictures of the backgrounds and the board's PDF.

The same session authentication as the calls API (a signed-in profile, or a guest who joined the call by its link);
a board one may not see answers 404 like one that does not exist. The drawing itself goes over the WebSocket.
"""

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Router
from ninja.files import UploadedFile

from parta.messenger.boards import exports, reopening, selectors, services
from parta.messenger.boards.models import Board, BoardBackground, DrawMode
from parta.messenger.boards.schemas import (
    BackgroundOut,
    BackgroundPageOut,
    BoardOut,
    BoardPatchIn,
    EarlierOut,
    OpenIn,
)
from parta.messenger.calls.api import call_session
from parta.messenger.calls.selectors import CallActor, visible_call
from parta.messenger.webapi import answer_refusals, error_responses

router = Router(tags=["boards"], auth=call_session)
REFUSALS: dict[int, Any] = error_responses(400, 403, 404, 409)
UPLOAD_REFUSALS: dict[int, Any] = error_responses(400, 403, 404, 409, 413)
FILE_REFUSALS: dict[int, Any] = error_responses(404)
REQUIRED_FILE = File(...)  # multipart field `file`


def _binary(content_type: str, what: str) -> dict[str, Any]:
    """The OpenAPI of a file answer (ninja declares JSON answers only)."""
    body = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {200: {"description": what, "content": {content_type: body}}}}
# A served picture or PDF never runs as a page of the messenger (as chats serve attachments).
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


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


def _background_out(board: Board, background: BoardBackground) -> BackgroundOut:
    base = f"/api/v1/boards/{board.public_id}/backgrounds/{background.public_id}/pages"
    return BackgroundOut(
        id=str(background.public_id),
        kind=background.kind,  # type: ignore[arg-type]
        name=background.name,
        pages=[
            BackgroundPageOut(page=p["page"], url=f"{base}/{p['page']}", width=p["width"], height=p["height"])
            for p in background.pages
        ],
    )


def _file(data: bytes, *, content_type: str, filename: str, inline: bool) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@router.post(
    "/",
    response={200: BoardOut, **REFUSALS},
    summary="Open the call's board (the organizer creates it), or a copy of an earlier board (organizer)",
)
@answer_refusals
def open_board(request: HttpRequest, payload: OpenIn) -> BoardOut:
    actor = _actor(request)
    call, _ = visible_call(actor, payload.call_id)
    if payload.copy_from:
        return _out(reopening.open_copy(actor=actor, call=call, copy_from=payload.copy_from))
    return _out(services.open_board(actor=actor, call=call))


@router.get(
    "/earlier",
    response={200: list[EarlierOut], **REFUSALS},
    summary="The organizer's earlier boards of lessons with the same class, newest first (organizer)",
)
@answer_refusals
def earlier_boards(request: HttpRequest, call_id: str) -> list[EarlierOut]:
    actor = _actor(request)
    call, _ = visible_call(actor, call_id)
    return [
        EarlierOut(
            id=str(found.board.public_id),
            call_id=str(found.board.call.public_id),
            title=found.board.call.title,
            ended_at=found.ended_at,
            pages=found.pages,
        )
        for found in reopening.earlier_boards(actor=actor, call=call)
    ]


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


@router.post(
    "/{board_id}/backgrounds",
    response={200: BackgroundOut, **UPLOAD_REFUSALS},
    summary="Put a PDF (a page per page) or a picture on the board (organizer, live call)",
)
@answer_refusals
def add_background(request: HttpRequest, board_id: str, file: UploadedFile = REQUIRED_FILE) -> BackgroundOut:
    board = selectors.find_board(board_id)
    background = services.add_background(actor=_actor(request), board=board, upload=file)
    return _background_out(board, background)


@router.get(
    "/{board_id}/backgrounds/{background_id}/pages/{page}",
    response=FILE_REFUSALS,
    summary="A background's page picture (the people of the call, and the call chat's members)",
    openapi_extra=_binary("image/png", "The picture: PNG for a PDF page, the picture's own type otherwise"),
)
@answer_refusals
def background_page(request: HttpRequest, board_id: str, background_id: str, page: int) -> HttpResponse:
    board = selectors.viewable_board(_actor(request), board_id)
    background, entry = selectors.background_page(board, background_id, page)
    with background.original.storage.open(entry["file"], "rb") as handle:
        data = handle.read()
    extension = str(entry["file"]).rpartition(".")[2]
    return _file(data, content_type=background.content_type, filename=f"page-{page}.{extension}", inline=True)


@router.get(
    "/{board_id}/pdf",
    response=FILE_REFUSALS,
    summary="The board as a PDF (the people of the call, and the call chat's members)",
    openapi_extra=_binary("application/pdf", "The board's PDF, a download"),
)
@answer_refusals
def board_pdf(request: HttpRequest, board_id: str) -> HttpResponse:
    board = selectors.viewable_board(_actor(request), board_id)
    return _file(
        exports.board_pdf(board), content_type="application/pdf", filename=exports.pdf_name(board), inline=False
    )
