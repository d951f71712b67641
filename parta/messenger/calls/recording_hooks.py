"""Who processes a stopped recording: a registry, because calls may not import the apps above it (the recordings app
registers its Huey task here in its `ready()`; pyproject.toml's layers contract).

    from parta.messenger.calls import recording_hooks
    recording_hooks.register_processor(lambda recording_id: process_recording(recording_id))

`enqueue_processing` is what calls runs after the stop's transaction commits; with nothing registered it logs a
warning and leaves the recording in "processing" (a worker started later finds it: the recordings app requeues the
stale ones).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

Processor = Callable[[int], object]

_processors: list[Processor] = []


def register_processor(processor: Processor) -> None:
    """Registers `processor(recording_pk)`; registering the same function twice is no error (one call)."""
    if processor not in _processors:
        _processors.append(processor)


def unregister_processor(processor: Processor) -> None:
    """Removes a processor (tests)."""
    if processor in _processors:
        _processors.remove(processor)


def registered_processors() -> tuple[Processor, ...]:
    return tuple(_processors)


def enqueue_processing(recording_pk: int) -> None:
    """Hands the recording to every registered processor; one that fails is logged and the others still run (the
    recording stays in "processing" and is requeued by the worker's periodic check)."""
    if not _processors:
        log.warning("recording %s stopped, but no recording processor is registered", recording_pk)
        return
    for processor in list(_processors):
        try:
            processor(recording_pk)
        except Exception:
            log.exception("the recording processor %r failed for recording %s", processor, recording_pk)
