from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from channels.layers import channel_layers, get_channel_layer

from parta.messenger.boards import documents
from parta.messenger.realtime.services import run_on_layer_loop


@pytest.fixture(autouse=True)
def _fresh_board_state() -> Iterator[None]:
    """Each test starts with empty groups (the in-memory layer, or Redis when REDIS_URL is set) and no documents kept
    in this process (as after a restart)."""
    channel_layers.backends.clear()
    documents.forget_all()
    yield
    layer: Any = get_channel_layer()
    if layer is not None:
        run_on_layer_loop(layer, layer.flush())
    channel_layers.backends.clear()
    documents.forget_all()
