"""Writes of the calls app (docs/calls.md). Every service is keyword-only, runs in one transaction that locks the
call's row, publishes its events inside it (delivered after commit) and talks to Janus last. Refusals are
`CallRefusal` with a stable code and a Russian message."""

from parta.messenger.calls.services.ending import end_call, finish, housekeeping
from parta.messenger.calls.services.joining import (
    Joined,
    board_ticket,
    confirm_joined,
    heartbeat,
    join_ticket,
    leave,
    screen_ticket,
)
from parta.messenger.calls.services.moderation import (
    lower_hand,
    mute,
    remove_participant,
    set_hand,
    set_permissions,
    update_settings,
)
from parta.messenger.calls.services.recording import set_catch_up, start_recording, stop_recording
from parta.messenger.calls.services.starting import create_lesson_call, lesson_call_ref, start_chat_call

__all__ = [
    "Joined",
    "board_ticket",
    "confirm_joined",
    "create_lesson_call",
    "end_call",
    "finish",
    "heartbeat",
    "housekeeping",
    "join_ticket",
    "leave",
    "lesson_call_ref",
    "lower_hand",
    "mute",
    "remove_participant",
    "screen_ticket",
    "set_catch_up",
    "set_hand",
    "set_permissions",
    "start_chat_call",
    "start_recording",
    "stop_recording",
    "update_settings",
]
