"""Reopening a lesson's board in the next lesson (docs/board.md "Reopening"): the teacher's earlier boards of the same
class, and a copy of one of them as the new call's board.

Only boards of calls the actor organized (`Call.created_by`) are offered or copied: a teacher never reaches another
teacher's board by its id. The copy is an ordinary change of the new board by its organizer (checked and stored by
`services.apply_update`), so the tabs already open get it like any stroke; backgrounds are copied with it (the same
files, new rows of the new board), so the new call's people may see them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from pycrdt import Array, Doc, Map, create_update_message

from parta.messenger.boards import documents, errors, selectors, services
from parta.messenger.boards.exports import has_content, pages_of
from parta.messenger.boards.models import Board, BoardBackground
from parta.messenger.calls.models import Call, CallKind
from parta.messenger.calls.selectors import CallActor

MAX_EARLIER = 10


@dataclass(frozen=True)
class EarlierBoard:
    board: Board
    pages: int

    @property
    def ended_at(self) -> datetime | None:
        return self.board.call.ended_at


def _stored_pages(board: Board) -> list[dict[str, Any]]:
    """The pages of a board as the database has them (no lock: an ended call's board does not change)."""
    rows = selectors.updates_after(board, board.state_seq)
    return pages_of(documents.merged([bytes(board.state), *(data for _, data in rows)]))


def _require_organizer(actor: CallActor, call: Call) -> None:
    _, organizer = selectors.in_call(actor, call)
    if not organizer:
        raise errors.organizer_only()


def earlier_boards(*, actor: CallActor, call: Call) -> list[EarlierBoard]:
    """The boards (with something on them) of the actor's earlier lesson calls with the same class, newest first, at
    most MAX_EARLIER. The call's organizer only (`board_organizer_only`); none for a chat call or a guest."""
    _require_organizer(actor, call)
    if call.kind != CallKind.LESSON or actor.profile_id is None or not call.class_external_id:
        return []
    journal = Q(call__journal_id=call.journal_id) if call.journal_id is not None else Q(call__journal__isnull=True)
    candidates = (
        Board.objects.select_related("call")
        .filter(
            journal,
            call__kind=CallKind.LESSON,
            call__created_by_id=actor.profile_id,
            call__class_external_id=call.class_external_id,
        )
        .exclude(call_id=call.pk)
        .order_by("-call__created_at")[: MAX_EARLIER * 3]
    )
    found = []
    for board in candidates:
        pages = _stored_pages(board)
        if has_content(pages):
            found.append(EarlierBoard(board=board, pages=len(pages)))
        if len(found) == MAX_EARLIER:
            break
    return found


def _source(actor: CallActor, call: Call, copy_from: str) -> Board:
    source = selectors.find_board(copy_from)
    if (
        actor.profile_id is None
        or source.call.created_by_id != actor.profile_id
        or source.call.kind != CallKind.LESSON
        or source.call_id == call.pk
    ):
        raise errors.board_not_found()
    return source


def _copied_backgrounds(source: Board, target: Board, pages: list[dict[str, Any]]) -> dict[str, str]:
    """New rows of `target` for the source's backgrounds its pages use (the same files); old id → new id."""
    used = {page["image"].get("background_id") for page in pages if isinstance(page.get("image"), dict)}
    renamed: dict[str, str] = {}
    for background in BoardBackground.objects.filter(board=source):
        if str(background.public_id) not in used:
            continue
        copy = BoardBackground.objects.create(
            board=target,
            public_id=uuid.uuid4(),
            kind=background.kind,
            name=background.name,
            original=background.original.name,
            content_type=background.content_type,
            page_count=background.page_count,
            pages=background.pages,
        )
        renamed[str(background.public_id)] = str(copy.public_id)
    return renamed


def _page_map(page: dict[str, Any], board: Board, renamed: dict[str, str]) -> Map:
    plain = {key: value for key, value in page.items() if key != "items"}
    image = plain.get("image")
    if isinstance(image, dict):
        new_id = renamed.get(str(image.get("background_id")))
        if new_id is None:
            plain.pop("image")
        else:
            page_number = image.get("page")
            number = int(page_number) if isinstance(page_number, int | float) else 1  # Yjs gives numbers as floats
            url = f"/api/v1/boards/{board.public_id}/backgrounds/{new_id}/pages/{number}"
            plain["image"] = {**image, "background_id": new_id, "url": url}
    items = [Map(item) for item in page.get("items") or [] if isinstance(item, dict)]
    return Map({**plain, "items": Array(items)})


def _copy_update(board: Board, pages: list[dict[str, Any]], renamed: dict[str, str]) -> bytes:
    """The change that replaces the (empty) board's pages with the copied ones."""
    doc: Doc = Doc()
    doc.apply_update(services.board_state(board))
    before = doc.get_state()
    target = doc.get("pages", type=Array)
    with doc.transaction():
        if len(target):
            del target[0 : len(target)]
        for page in pages:
            target.append(_page_map(page, board, renamed))
    return doc.get_update(before)


def open_copy(*, actor: CallActor, call: Call, copy_from: str) -> Board:
    """Opens the call's board (creating it) with a copy of the actor's earlier board `copy_from`. The organizer only;
    refused with `board_not_found` for a board the actor did not organize, `board_not_empty` (409) when the call's
    board already has something on it. Locks the board's row."""
    _require_organizer(actor, call)
    source = _source(actor, call, copy_from)
    board = services.open_board(actor=actor, call=call)
    pages = _stored_pages(source)
    with transaction.atomic():
        locked = Board.objects.select_for_update(of=("self",)).select_related("call").get(pk=board.pk)
        if not locked.call.is_live:
            raise errors.call_ended()
        if has_content(pages_of(services.board_state(locked))):
            raise errors.board_not_empty()
        update = _copy_update(locked, pages, _copied_backgrounds(source, locked, pages))
        seq = services.apply_update(
            board=locked, profile=actor.profile, update=update, max_update_bytes=settings.BOARDS_MAX_DOCUMENT_BYTES
        )
        frame = create_update_message(update)
        transaction.on_commit(lambda: services.relay_to_tabs(locked.pk, frame, seq))
    return locked
