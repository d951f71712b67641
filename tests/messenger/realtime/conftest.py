from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from channels.layers import channel_layers, get_channel_layer

from parta.messenger.realtime.services import run_on_layer_loop


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
