"""An experiment for the board benchmarks only (`--experiment dispatch`): the messenger's real ASGI application with
the board's consumer dispatching as the realtime consumer does (parta/messenger/realtime/consumers.py), without
Channels' `close_old_connections` before every handler — a hop to the one database thread per message, so each
update relayed to 30 tabs queues 30 hops there, in line with the next update's `apply_update`.

    started by `python -m tests.bench.boards … --experiment dispatch`
"""

from __future__ import annotations

from typing import Any

from channels.consumer import get_handler_name

from parta.messenger.asgi import application as messenger
from parta.messenger.boards.consumers import BoardConsumer


async def _dispatch(self: BoardConsumer, message: dict[str, Any]) -> None:
    handler = getattr(self, get_handler_name(message), None)
    if handler is None:
        raise ValueError(f"No handler for message type {message['type']}")
    await handler(message)


BoardConsumer.dispatch = _dispatch  # type: ignore[method-assign]
application = messenger
