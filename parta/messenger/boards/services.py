"""Writes of the whiteboard (docs/board.md, ADR 0019). Keyword-only; each runs in one transaction that locks the
board's row (`select_for_update`), which serializes every change of one board across processes.

The document is authoritative on the server: an update is stored only when its author may draw now, it fits the
limits and it decodes as a Yjs update; a refused one is never stored and never relayed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from pycrdt import Doc, YSyncMessageType, create_sync_message, handle_sync_message

from parta.messenger.accounts.models import Profile
from parta.messenger.boards import backgrounds, documents, errors, selectors
from parta.messenger.boards.models import Board, BoardBackground, BoardDrawer, BoardUpdate, DrawMode, background_path
from parta.messenger.calls.models import Call, CallKind, Participant
from parta.messenger.calls.selectors import CallActor
from parta.messenger.calls.services.common import publish_updated
from parta.messenger.realtime.services import run_on_layer_loop

log = logging.getLogger(__name__)


def board_group(board_id: int) -> str:
    return f"board.{board_id}"


def _lock(board: Board) -> Board:
    return Board.objects.select_for_update(of=("self",)).select_related("call").get(pk=board.pk)


def _catch_up(board: Board, entry: documents.Cached) -> None:
    """Brings this process's document up to the board's last seq (the caller holds the row lock or reads)."""
    if entry.seq > board.last_seq or entry.tentative_seq is not None:
        # a board recreated under the same id (tests), or a write that may have rolled back
        entry.doc, entry.seq, entry.tentative_seq = Doc(), 0, None
    if entry.seq < board.state_seq and board.state:
        entry.doc.apply_update(bytes(board.state))  # Yjs ignores what the document already has
        entry.seq = board.state_seq
    if entry.seq < board.last_seq:
        for seq, data in selectors.updates_after(board, entry.seq):
            entry.doc.apply_update(data)
            entry.seq = seq


# --- opening ----------------------------------------------------------------------------------------------------------


def open_board(*, actor: CallActor, call: Call) -> Board:
    """The call's board: its organizer creates it on first use (only the organizer draws by default in a lesson);
    a participant gets the existing one (`board_not_found` until then). Locks the call's row to create once."""
    with transaction.atomic():
        locked_call = Call.objects.select_for_update().get(pk=call.pk)
        _, organizer = selectors.in_call(actor, locked_call)
        board = Board.objects.filter(call=locked_call).first()
        if board is not None:
            return board
        if not organizer:
            raise errors.board_not_found()
        mode = DrawMode.ORGANIZER if locked_call.kind == CallKind.LESSON else DrawMode.EVERYONE
        board = Board.objects.create(call=locked_call, draw_mode=mode)
        # "call.updated" after commit: the others' call pages refetch the state and find the board now, not at
        # their next poll (up to 10 s later).
        publish_updated(locked_call)
        return board


# --- drawing ----------------------------------------------------------------------------------------------------------


def _check_may_draw(board: Board, *, profile: Profile | None, participant_id: int | None) -> None:
    call = board.call
    profile_id = profile.pk if profile is not None else None
    participant = None
    if profile_id is not None:
        participant = Participant.objects.filter(call=call, profile_id=profile_id).first()
    elif participant_id is not None:
        participant = Participant.objects.filter(call=call, pk=participant_id, profile=None).first()
    organizer = selectors.is_organizer(call, profile_id, participant)
    if not organizer and (participant is None or participant.removed_at is not None):
        raise errors.draw_not_allowed()
    if not call.is_live:
        raise errors.call_ended()
    if board.locked:
        raise errors.locked()
    if not selectors.may_draw(board, profile_id=profile_id, organizer=organizer):
        raise errors.draw_not_allowed()


def apply_update(
    *,
    board: Board,
    profile: Profile | None,
    update: bytes,
    participant_id: int | None = None,
    max_update_bytes: int | None = None,
) -> int:
    """Stores one Yjs update of `profile` (a guest: `profile` None and their `participant_id`) and returns its seq.

    Refused (`BoardRefusal`, nothing stored): the author may not draw now (`board_draw_not_allowed`, `board_locked`,
    `board_call_ended`), the update or the document would be too large (`board_update_too_large`, `board_full`), the
    bytes are not a Yjs update (`board_malformed_update`). Locks the board's row. `max_update_bytes`: the server's own
    changes (a copied board) may be larger than a browser's.
    """
    if len(update) > (max_update_bytes or settings.BOARDS_MAX_UPDATE_BYTES):
        raise errors.update_too_large()
    with transaction.atomic():
        locked = _lock(board)
        _check_may_draw(locked, profile=profile, participant_id=participant_id)
        if (
            locked.stored_bytes + len(update) > settings.BOARDS_MAX_DOCUMENT_BYTES
            and locked.last_seq > locked.state_seq
        ):
            _compact_locked(locked)
        if locked.stored_bytes + len(update) > settings.BOARDS_MAX_DOCUMENT_BYTES:
            raise errors.board_full()
        if not documents.is_yjs_update(update):
            raise errors.malformed_update()
        seq = locked.last_seq + 1
        if settings.BOARDS_MAX_PAGES:
            _check_pages(locked, update, seq)
        BoardUpdate.objects.create(board=locked, seq=seq, data=update, author=profile)
        locked.last_seq, locked.stored_bytes = seq, locked.stored_bytes + len(update)
        locked.save(update_fields=["last_seq", "stored_bytes"])
        transaction.on_commit(lambda: _remember(locked.pk, seq, update))
        if seq - locked.state_seq >= settings.BOARDS_COMPACT_AFTER:
            transaction.on_commit(lambda: compact(board_id=locked.pk))
    return seq


def _check_pages(board: Board, update: bytes, seq: int) -> None:
    """Refuses an update that would leave more than BOARDS_MAX_PAGES pages (`board_too_many_pages`; one that keeps or
    lowers the count always passes). The process's document takes the update now, marked tentative until the commit
    (`_remember`), so counting costs no copy of the document. Called under the board's row lock."""
    with documents.cached(board.pk) as entry:
        _catch_up(board, entry)
        before = documents.page_count(entry.doc)
        try:
            entry.doc.apply_update(update)
        except Exception:  # checked as a Yjs update already; whatever pycrdt thinks, the copy is rebuilt
            documents.forget(board.pk)
            raise errors.malformed_update() from None
        entry.seq, entry.tentative_seq = seq, seq
        after = documents.page_count(entry.doc)
    if after > settings.BOARDS_MAX_PAGES and after > before:
        documents.forget(board.pk)
        raise errors.too_many_pages()


def _remember(board_id: int, seq: int, update: bytes) -> None:
    """After commit: this process's document takes the update if it is the next one; otherwise its next use reads
    the log (so an update whose transaction rolled back never reaches a document)."""
    with documents.cached(board_id) as entry:
        if entry.tentative_seq == seq:  # already in: it was applied to count the pages
            entry.tentative_seq = None
            return
        if entry.seq != seq - 1:
            return
        try:
            entry.doc.apply_update(update)
            entry.seq = seq
        except Exception:  # the log is the truth: this process rebuilds its copy on the next use
            log.warning("board %s: the cached document failed; rebuilding it", board_id, exc_info=True)
            documents.forget(board_id)


def board_state(board: Board) -> bytes:
    """The whole document as one Yjs update (the snapshot and every later update merged). Locks the board's row for
    the read, so a compaction cannot slip between reading the snapshot and the log."""
    with _document(board) as doc:
        return doc.get_update()


def sync_step1(board: Board) -> bytes:
    """The sync step 1 message the server sends a new connection: its state vector (pycrdt's helper)."""
    with _document(board) as doc:
        return create_sync_message(doc)


def answer_sync_step1(board: Board, message: bytes) -> bytes:
    """Sync step 2 for a client's step 1 (the sync message without its leading type): all its state vector lacks."""
    if not message or message[0] != YSyncMessageType.SYNC_STEP1:
        raise ValueError("not a sync step 1")
    with _document(board) as doc:
        reply = handle_sync_message(message, doc)
    assert reply is not None  # noqa: S101 - a step 1 always has an answer
    return reply


@contextmanager
def _document(board: Board) -> Iterator[Doc]:
    with transaction.atomic():
        locked = _lock(board)
        with documents.cached(locked.pk) as entry:
            _catch_up(locked, entry)
            yield entry.doc


# --- compaction -------------------------------------------------------------------------------------------------------


def _compact_locked(board: Board) -> int:
    rows = selectors.updates_after(board, board.state_seq)
    if not rows:
        return 0
    state = documents.merged([bytes(board.state), *(data for _, data in rows)])
    board.state, board.state_seq, board.stored_bytes = state, rows[-1][0], len(state)
    board.save(update_fields=["state", "state_seq", "stored_bytes"])
    BoardUpdate.objects.filter(board=board, seq__lte=board.state_seq).delete()
    return len(rows)


def compact(*, board_id: int) -> int:
    """Merges the board's update log into its snapshot and deletes the merged rows; answers how many were merged.
    One transaction, the board's row locked: a writer waits, a reader sees either the old rows or the new snapshot."""
    with transaction.atomic():
        board = Board.objects.select_for_update().filter(pk=board_id).first()
        return _compact_locked(board) if board is not None else 0


def call_ended(*, board: Board) -> None:
    """The board's call has ended (after that commit): the log is compacted, the tabs get `live: false`."""
    compact(board_id=board.pk)
    with transaction.atomic():
        _push_permissions(_lock(board))


# --- permissions (the organizer) --------------------------------------------------------------------------------------


def _organizer_board(actor: CallActor, board: Board) -> Board:
    locked = _lock(board)
    _, organizer = selectors.in_call(actor, locked.call)
    if not organizer:
        raise errors.organizer_only()
    return locked


def _send_to_tabs(board_id: int, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        run_on_layer_loop(layer, layer.group_send(board_group(board_id), message))
    except Exception:  # a down Redis must not fail the change that committed; pages reconnect and read it
        log.warning("board %s: sending %s to its tabs failed", board_id, message["type"], exc_info=True)


def _push_permissions(board: Board) -> None:
    frame = selectors.permissions(board)
    transaction.on_commit(lambda: _send_to_tabs(board.pk, {"type": "board.permissions", "frame": frame}))


def relay_to_tabs(board_id: int, frame: bytes, seq: int) -> None:
    """Sends the board's tabs a change the server made (after it commits), as the consumer relays a browser's."""
    _send_to_tabs(board_id, {"type": "board.relay", "frame": frame, "seq": seq, "from": ""})


def close_participant_tabs(*, board_id: int, participant_id: int) -> None:
    """Closes the board's tabs of a participant the organizer removed (call it after that commit)."""
    _send_to_tabs(board_id, {"type": "board.removed", "participant_id": participant_id})


def set_draw_mode(*, actor: CallActor, board: Board, draw_mode: DrawMode) -> Board:
    """Who may draw: the organizer only, everyone, or the organizer and chosen people. Organizer only; locks."""
    with transaction.atomic():
        locked = _organizer_board(actor, board)
        locked.draw_mode = DrawMode(draw_mode)
        locked.save(update_fields=["draw_mode"])
        _push_permissions(locked)
    return locked


def allow_drawer(*, actor: CallActor, board: Board, profile_id: int) -> Board:
    """Adds a person of the call to the chosen drawers (takes effect in draw mode "chosen"). Organizer only."""
    with transaction.atomic():
        locked = _organizer_board(actor, board)
        if not Participant.objects.filter(call=locked.call, profile_id=profile_id, removed_at=None).exists():
            raise errors.not_a_drawer()
        BoardDrawer.objects.get_or_create(board=locked, profile_id=profile_id)
        _push_permissions(locked)
    return locked


def disallow_drawer(*, actor: CallActor, board: Board, profile_id: int) -> Board:
    with transaction.atomic():
        locked = _organizer_board(actor, board)
        BoardDrawer.objects.filter(board=locked, profile_id=profile_id).delete()
        _push_permissions(locked)
    return locked


def _set_locked(actor: CallActor, board: Board, value: bool) -> Board:
    with transaction.atomic():
        locked = _organizer_board(actor, board)
        locked.locked = value
        locked.save(update_fields=["locked"])
        _push_permissions(locked)
    return locked


def lock(*, actor: CallActor, board: Board) -> Board:
    """Nobody draws (the organizer included) until `unlock`. Organizer only."""
    return _set_locked(actor, board, True)


def unlock(*, actor: CallActor, board: Board) -> Board:
    return _set_locked(actor, board, False)


# --- backgrounds (the organizer) --------------------------------------------------------------------------------------


def add_background(*, actor: CallActor, board: Board, upload: UploadedFile) -> BoardBackground:
    """Checks an uploaded PDF or picture, stores it and its page pictures (MEDIA_ROOT/boards/<board>/<id>/), and
    answers the background; the organizer's browser then adds a page per picture to the document. Organizer only,
    call live; refusals of `backgrounds.prepare_background`. The pictures are made before the board's row is locked,
    so drawing goes on meanwhile."""
    _, organizer = selectors.in_call(actor, board.call)
    if not organizer:
        raise errors.organizer_only()
    if not board.call.is_live:
        raise errors.call_ended()
    prepared = backgrounds.prepare_background(upload)
    with transaction.atomic():
        locked = _organizer_board(actor, board)
        if not locked.call.is_live:
            raise errors.call_ended()
        background = BoardBackground(
            board=locked,
            kind=prepared.kind,
            name=prepared.name,
            content_type=prepared.content_type,
            page_count=len(prepared.pages),
        )
        background.original.save(prepared.original_name, ContentFile(prepared.original), save=False)
        background.pages = [
            {
                "page": number,
                "width": picture.width,
                "height": picture.height,
                "file": default_storage.save(
                    background_path(background, f"page-{number}.{prepared.extension}"), ContentFile(picture.data)
                ),
            }
            for number, picture in enumerate(prepared.pages, start=1)
        ]
        background.save()
    return background
