"""Reads of the whiteboard, from the person's side: who is asking, and whether they may see or draw on the board.

A board is seen by whoever may be in its call now: its organizer, and a participant who joined and was not removed
(a guest of the call by the participant their session holds). Anyone else meets `call_not_found` (404), as in calls.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from parta.messenger.boards import errors
from parta.messenger.boards.models import Board, BoardBackground, BoardDrawer, BoardUpdate, DrawMode
from parta.messenger.calls import errors as call_errors
from parta.messenger.calls.models import Call, Participant
from parta.messenger.calls.selectors import CallActor, is_chat_member, participant_of
from parta.messenger.errors import Refusal


@dataclass(frozen=True)
class BoardAccess:
    """Who is on a board's connection: the call's organizer or a participant (a guest has no profile)."""

    board_id: int
    call_id: int
    profile_id: int | None
    participant_id: int | None
    is_organizer: bool
    name: str


def is_organizer(call: Call, profile_id: int | None, participant: Participant | None) -> bool:
    if participant is not None and participant.removed_at is None and participant.is_admin:
        return True
    return profile_id is not None and profile_id == call.created_by_id


def in_call(actor: CallActor, call: Call) -> tuple[Participant | None, bool]:
    """The actor's participant and whether they are the organizer; refused when they are not in the call."""
    participant = participant_of(actor, call)
    organizer = is_organizer(call, actor.profile_id, participant)
    if not organizer and (participant is None or participant.removed_at is not None):
        raise call_errors.call_not_found()
    return participant, organizer


def find_board(public_id: str) -> Board:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise errors.board_not_found() from None
    board = Board.objects.select_related("call").filter(public_id=key).first()
    if board is None:
        raise errors.board_not_found()
    return board


def viewable_board(actor: CallActor, public_id: str) -> Board:
    """A board for reading its pictures and its PDF: for everyone in its call and for the call chat's members (who
    find its PDF in the chat after the call); `board_not_found` (404) for anyone else."""
    board = find_board(public_id)
    try:
        in_call(actor, board.call)
    except Refusal:
        if actor.profile_id is None or not is_chat_member(board.call, actor.profile_id):
            raise errors.board_not_found() from None
    return board


def background_page(board: Board, background_id: str, page: int) -> tuple[BoardBackground, dict[str, object]]:
    """A background of this board and its page's entry (`board_background_not_found` otherwise)."""
    try:
        key = uuid.UUID(str(background_id))
    except ValueError:
        raise errors.background_not_found() from None
    background = BoardBackground.objects.filter(board=board, public_id=key).first()
    entry = next((p for p in (background.pages if background else []) if p.get("page") == page), None)
    if background is None or entry is None:
        raise errors.background_not_found()
    return background, entry


def board_access(actor: CallActor, public_id: str) -> BoardAccess:
    """The board and who is asking, for a WebSocket about to open; refused as calls refuse a call one may not see."""
    board = find_board(public_id)
    participant, organizer = in_call(actor, board.call)
    name = participant.display_name if participant is not None else ""
    if not name and actor.profile is not None:
        name = actor.profile.short_name
    return BoardAccess(
        board_id=board.pk,
        call_id=board.call_id,
        profile_id=actor.profile_id,
        participant_id=participant.pk if participant is not None else None,
        is_organizer=organizer,
        name=name,
    )


def may_draw(board: Board, *, profile_id: int | None, organizer: bool) -> bool:
    """The draw mode alone (the caller checks that the call is live and the board unlocked)."""
    if organizer or board.draw_mode == DrawMode.EVERYONE:
        return True
    if board.draw_mode == DrawMode.CHOSEN and profile_id is not None:
        return BoardDrawer.objects.filter(board=board, profile_id=profile_id).exists()
    return False


def drawer_ids(board: Board) -> list[int]:
    return list(BoardDrawer.objects.filter(board=board).order_by("profile_id").values_list("profile_id", flat=True))


def permissions(board: Board) -> dict[str, object]:
    """What a `board.permissions` frame carries (docs/board.md)."""
    return {
        "type": "board.permissions",
        "draw_mode": board.draw_mode,
        "locked": board.locked,
        "drawers": drawer_ids(board),
        "live": board.call.is_live,
    }


def updates_after(board: Board, seq: int) -> list[tuple[int, bytes]]:
    return [
        (row_seq, bytes(data))
        for row_seq, data in BoardUpdate.objects.filter(board=board, seq__gt=seq)
        .order_by("seq")
        .values_list("seq", "data")
    ]
