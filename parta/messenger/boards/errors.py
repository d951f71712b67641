"""Refusals of the whiteboard: a stable code for programs (never rename one) and a Russian message for people."""

from __future__ import annotations

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
