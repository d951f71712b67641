"""Refusals of the whiteboard: a stable code for programs (never rename one) and a Russian message for people."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from parta.messenger.errors import Refusal


class BoardRefusal(Refusal):
    """A refusal on the board; the WebSocket sends it as `{"type": "board.refused", "code", "message"}`."""


def board_not_found() -> BoardRefusal:
    return BoardRefusal("board_not_found", _("There is no whiteboard in this call yet."), status=404)


def draw_not_allowed() -> BoardRefusal:
    return BoardRefusal(
        "board_draw_not_allowed",
        _("You cannot draw on this whiteboard. Ask the organizer to let you draw."),
        status=403,
    )


def locked() -> BoardRefusal:
    return BoardRefusal(
        "board_locked", _("The organizer has locked the whiteboard: nobody can draw on it now."), status=409
    )


def call_ended() -> BoardRefusal:
    return BoardRefusal("board_call_ended", _("The call has ended: the whiteboard can only be viewed."), status=409)


def update_too_large() -> BoardRefusal:
    return BoardRefusal(
        "board_update_too_large",
        _("This change is too large for the whiteboard. Draw it in smaller parts."),
        status=413,
    )


def board_full() -> BoardRefusal:
    return BoardRefusal(
        "board_full", _("The whiteboard is full. Clear a page or start a new board to keep drawing."), status=413
    )


def malformed_update() -> BoardRefusal:
    return BoardRefusal(
        "board_malformed_update", _("The whiteboard could not read this change. Reload the page."), status=400
    )


def not_a_drawer() -> BoardRefusal:
    return BoardRefusal("board_not_a_participant", _("This person is not in the call."), status=404)


def organizer_only() -> BoardRefusal:
    return BoardRefusal("board_organizer_only", _("Only the call's organizer can change the whiteboard."), status=403)


def too_many_pages() -> BoardRefusal:
    return BoardRefusal(
        "board_too_many_pages",
        _("The whiteboard has as many pages as it can hold. Delete a page to add another."),
        status=413,
    )


def board_not_empty() -> BoardRefusal:
    return BoardRefusal(
        "board_not_empty",
        _("This call's whiteboard already has drawings: an earlier board can only be opened on an empty one."),
        status=409,
    )


def background_not_found() -> BoardRefusal:
    return BoardRefusal("board_background_not_found", _("There is no such page on this whiteboard."), status=404)


def background_not_supported(reason: str | Promise | None = None) -> BoardRefusal:
    """Not a PDF, PNG, JPEG or WebP by its content, or one that cannot be read; `reason` says which, for people."""
    return BoardRefusal(
        "board_background_not_supported",
        reason or _("This file cannot be put on the whiteboard: upload a PDF, or a PNG, JPEG or WebP picture."),
        status=400,
    )


def background_empty() -> BoardRefusal:
    return background_not_supported(_("The file is empty. Choose the file again."))


def background_broken_pdf() -> BoardRefusal:
    return background_not_supported(_("The PDF is damaged and cannot be opened. Save it again and upload it."))


def background_encrypted_pdf() -> BoardRefusal:
    return background_not_supported(
        _("The PDF is protected by a password. Save a copy without the password and upload it.")
    )


def background_broken_image() -> BoardRefusal:
    return background_not_supported(_("The picture is damaged and cannot be opened. Save it again and upload it."))


def background_too_large(limit_mb: int) -> BoardRefusal:
    return BoardRefusal(
        "board_background_too_large",
        _("The file is larger than %(limit)s MB, the most the whiteboard accepts.") % {"limit": limit_mb},
        status=413,
    )


def background_too_many_pixels() -> BoardRefusal:
    return BoardRefusal(
        "board_background_too_large",
        _("The picture is too large in pixels. Make it smaller (say, 4000 px on the long side) and upload it."),
        status=413,
    )


def background_too_many_pages(limit: int) -> BoardRefusal:
    return BoardRefusal(
        "board_background_too_many_pages",
        _("The PDF has more than %(limit)s pages, the most the whiteboard takes at once. Upload the pages you need.")
        % {"limit": limit},
        status=400,
    )
