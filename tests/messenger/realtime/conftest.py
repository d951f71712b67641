from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from channels.layers import channel_layers, get_channel_layer

from parta.messenger.realtime.events import EventPayload, register_event, unregister_event
from parta.messenger.realtime.services import run_on_layer_loop

NOTE = "test.note"  # the events these tests publish: the layer below the apps' events, tested without them
CHAT_NOTE = "test.chat_note"  # …and one about a chat (woken through the chat's group, like message.*)


class NotePayload(EventPayload):
    n: int = 0


class ChatNotePayload(EventPayload):
    chat_id: int
    text: str = ""


def _loop_running_here() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture(autouse=True)
def _fresh_channel_layer() -> Iterator[None]:
    """Each test starts with empty groups (the in-memory layer, or Redis db 15 when REDIS_URL is set)."""
    channel_layers.backends.clear()
    yield
    layer: Any = get_channel_layer()
    # Playwright's sync API keeps its loop in this thread: such a test drives other processes, not this one's layer.
    if layer is not None and not _loop_running_here():
        run_on_layer_loop(layer, layer.flush())  # where publish() pushes: Redis connections close on their own loop
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _note_event() -> Iterator[None]:
    """The test events are registered for the realtime tests only (the protocol's generated list never shows them)."""
    register_event(NOTE, NotePayload, doc="A numbered note (tests only).", recipients="whoever the test says")
    register_event(CHAT_NOTE, ChatNotePayload, doc="A chat's note (tests only).", recipients="any", chat_event=True)
    yield
    unregister_event(NOTE)
    unregister_event(CHAT_NOTE)
