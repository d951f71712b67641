"""The in-memory channel layer of the embedded default (one process), made linear for fan-out.

Channels' `InMemoryChannelLayer` walks every channel and every group membership on each send and each receive (its
expiry sweep), deep-copies a group message once per member, and builds a queue on every call whether it needs one.
With 1,000 connections one message to a 1,000-member chat costs about 0.8 s that way (docs/performance.md). Here the
sweep runs at most once a second and a group send copies the message once for all members: connections read wake-ups
and never change them (a consumer that must change a message it received copies it first). The Redis layer is
unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from copy import deepcopy
from typing import Any

from channels.layers import InMemoryChannelLayer

SWEEP_INTERVAL = 1.0  # seconds between two expiry sweeps


class FanoutInMemoryChannelLayer(InMemoryChannelLayer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._swept_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at < SWEEP_INTERVAL:
            return
        self._swept_at = now
        super()._clean_expired()

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"  # noqa: S101 - the base class's own check
        self.require_valid_group_name(group)
        self._clean_expired()
        shared = (time.time() + self.expiry, deepcopy(message))  # one copy: the sender may reuse its dict
        for channel in list(self.groups.get(group, ())):
            queue = self._queue(channel)
            # As the base class: a full channel misses the message (a wake-up: recovered by the next one).
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(shared)

    async def receive(self, channel: str) -> dict[str, Any]:
        # No name check here (a regular expression per message): consumers receive on names `new_channel` made.
        self._clean_expired()
        queue = self._queue(channel)
        try:
            _, message = await queue.get()
        finally:
            if queue.empty():
                self.channels.pop(channel, None)
        return message

    def _queue(self, channel: str) -> asyncio.Queue[tuple[float, dict[str, Any]]]:
        # The base class's `setdefault(channel, asyncio.Queue(...))` builds a queue on every call, used or not.
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        return queue

    async def flush(self) -> None:
        await super().flush()
        self._swept_at = 0.0
