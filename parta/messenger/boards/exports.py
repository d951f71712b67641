"""The board after its call (docs/board.md "After the call"): its PDF, and that PDF posted into the call's chat.

When a call ends, its board (if anything is on it) is posted once into the call's chat as a file message from the
call's organizer: «Доска: <title>» with «Доска — <title>.pdf». Once: the message's client id is derived from the
board, so chats' own retry rule (same sender and client id → the stored message) holds even when two processes try
at the same time, and `Board.exported_at` marks it done. It runs after the end commits (the call's signal); a try
that fails is counted and `boards_housekeeping` tries again, BOARDS_EXPORT_TRIES times at most.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pycrdt import Array, Doc

from parta.messenger.boards import pdf, services
from parta.messenger.boards.models import BackgroundKind, Board, BoardBackground
from parta.messenger.calls.models import CallStatus
from parta.messenger.chats.models import Message
from parta.messenger.chats.services.messages import send_message

log = logging.getLogger(__name__)
EXPORT_TRIES = 5  # a board whose PDF could not be posted this many times is left alone (the log says why)
EXPORT_NAMESPACE = uuid.UUID("0f5d6a3e-2b8c-4c1e-9a57-6c1f3b2d9e10")


def pages_of(state: bytes) -> list[dict[str, Any]]:
    """The document's pages as plain data (docs/board.md "The document"); none when it has no such array."""
    doc: Doc = Doc()
    if state:
        doc.apply_update(state)
    try:
        pages = doc.get("pages", type=Array).to_py() or []
    except (TypeError, ValueError):  # a document some client shaped otherwise: nothing to draw
        return []
    return [page for page in pages if isinstance(page, dict)]


def has_content(pages: list[dict[str, Any]]) -> bool:
    return any(page.get("items") or page.get("image") for page in pages)


def _backdrops(board: Board, pages: list[dict[str, Any]]) -> pdf.Backdrops:
    ids = set()
    for page in pages:
        image = page.get("image")
        if isinstance(image, dict) and isinstance(image.get("background_id"), str):
            try:
                ids.add(uuid.UUID(image["background_id"]))
            except ValueError:
                continue
    pdfs: dict[str, bytes] = {}
    pictures: dict[tuple[str, int], bytes] = {}
    for background in BoardBackground.objects.filter(board=board, public_id__in=ids):
        key = str(background.public_id)
        if background.kind == BackgroundKind.PDF:
            with background.original.open("rb") as handle:
                pdfs[key] = handle.read()
            continue
        for entry in background.pages:
            with background.original.storage.open(entry["file"], "rb") as handle:
                pictures[(key, int(entry["page"]))] = handle.read()
    return pdf.Backdrops(pdfs=pdfs, pictures=pictures)


def board_pdf(board: Board) -> bytes:
    """The board's PDF now: every page, vectors, its backgrounds under the items."""
    pages = pages_of(services.board_state(board))
    return pdf.board_pdf(pages, _backdrops(board, pages))


def pdf_name(board: Board) -> str:
    title = board.call.title.replace("/", "-").replace("\\", "-").strip() or "—"
    return _("Whiteboard — %(title)s.pdf") % {"title": title}


def export_client_id(board: Board) -> uuid.UUID:
    return uuid.uuid5(EXPORT_NAMESPACE, str(board.public_id))


def export_to_chat(*, board_id: int) -> Message | None:
    """Posts the ended call's board into its chat as the organizer's file message, once; answers the message (None
    for an empty board or a live call). Locks the board's row; raises what rendering or chats raise (the caller
    counts it)."""
    with transaction.atomic():
        board = Board.objects.select_for_update(of=("self",)).select_related("call").filter(pk=board_id).first()
        if board is None or board.call.status != CallStatus.ENDED:
            return None
        if board.exported_at is not None:
            return board.export_message
        pages = pages_of(services.board_state(board))
        message = None
        if has_content(pages):
            data = pdf.board_pdf(pages, _backdrops(board, pages))
            with translation.override(settings.LANGUAGE_CODE):  # the chat's language, whoever ended the call
                text = _("Whiteboard: %(title)s") % {"title": board.call.title}
                upload = SimpleUploadedFile(pdf_name(board), data, content_type="application/pdf")
            message, _created = send_message(
                sender=board.call.created_by,
                chat_id=board.call.chat_id,
                client_id=export_client_id(board),
                text=text,
                files=[upload],
            )
        board.exported_at, board.export_message = timezone.now(), message
        board.save(update_fields=["exported_at", "export_message"])
    return message


def export_quietly(*, board_id: int) -> bool:
    """`export_to_chat`, a failure logged and counted for housekeeping's next try; answers whether it is done."""
    try:
        export_to_chat(board_id=board_id)
    except Exception:  # the call has ended whatever happens here; housekeeping tries again
        log.warning("board %s: posting its PDF into the call's chat failed", board_id, exc_info=True)
        Board.objects.filter(pk=board_id).update(export_failures=F("export_failures") + 1)
        return False
    return True


def export_pending() -> tuple[int, int]:
    """Housekeeping: boards of ended calls not yet posted (fewer than EXPORT_TRIES failures); (posted, failed)."""
    pending = Board.objects.filter(
        exported_at=None, call__status=CallStatus.ENDED, export_failures__lt=EXPORT_TRIES
    ).values_list("pk", flat=True)
    done = failed = 0
    for board_id in list(pending[:100]):
        if export_quietly(board_id=board_id):
            done += 1
        else:
            failed += 1
    return done, failed
