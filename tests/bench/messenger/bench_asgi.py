"""The messenger's real ASGI application plus one bench-only HTTP endpoint, for the benchmarks' servers only:

    POST /__bench/send?chat=<id>&sender=<profile id>   → {"message": id, "committed_at": unix time}

It sends a message inside the server process, as a request of the chat UI would, so a one-process deployment (the
in-memory channel layer) can be measured too. Served only by `uvicorn tests.bench.messenger.bench_asgi:application`.
"""

from __future__ import annotations

import cProfile
import gc
import json
import os
import time
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async

from parta.messenger.asgi import application as messenger
from tests.bench.messenger.sending import send_stamped

if os.environ.get("PARTA_BENCH_GC_LOG"):  # the garbage collector's pauses, to tell them from the code's own time
    _gc_started: list[float] = []

    def _gc_pause(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            _gc_started[:] = [time.perf_counter()]
        elif _gc_started and (pause := (time.perf_counter() - _gc_started[0]) * 1000) > 5:
            print(f"gc generation {info['generation']}: {pause:.0f} ms, {info['collected']} collected", flush=True)

    gc.callbacks.append(_gc_pause)

if os.environ.get("PARTA_BENCH_GC_THRESHOLD"):  # an experiment: fewer collections (docs/performance.md)
    gc.set_threshold(*(int(n) for n in os.environ["PARTA_BENCH_GC_THRESHOLD"].split(",")))

# Where the server's time goes: PARTA_BENCH_PROFILE=<file>; POST /__bench/profile?start, then POST /__bench/profile.
_profile = cProfile.Profile() if os.environ.get("PARTA_BENCH_PROFILE") else None


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and scope["path"] == "/__bench/profile" and _profile is not None:
        if scope["query_string"] == b"start":
            _profile.enable()
        else:
            _profile.disable()
            _profile.dump_stats(os.environ["PARTA_BENCH_PROFILE"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    if scope["type"] == "http" and scope["path"] == "/__bench/send":
        query = parse_qs(scope["query_string"].decode())
        # database_sync_to_async: the same thread and connection handling as a Django view under ASGI
        result = await database_sync_to_async(send_stamped)(
            chat_id=int(query["chat"][0]), sender_id=int(query["sender"][0]), text=query.get("text", ["Привет!"])[0]
        )
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": json.dumps(result).encode()})
        return
    await messenger(scope, receive, send)
