"""Publishing real-time events: stored first (durable, numbered per profile), pushed live after commit.

Every change a person must see (a new, edited or deleted message, a chat-list or membership change) goes through
`publish`. It writes one Event row per recipient, numbered from the recipient's own counter, inside the caller's
transaction; after commit it pushes a small "wake up" to the recipients' channel-layer groups, and connected clients
send their new events in order. A client that reconnects resumes from the last seq it saw, so it gets everything it
missed, in order, nothing twice — Redis pub/sub alone would lose messages.

Wake-ups (what `EventsConsumer.events_available` receives; see docs/realtime-protocol.md):

- to one profile's group `profile.<id>`: {"type": "events.available", "seq": N, "event_type": ..., "event": ...}
- for an event about one chat (`chat_id`), one wake-up to the chat's group `chat.<id>` instead of one per member:
  {"type": "events.available", "chat_id": X, "pids": <packed ids>, "seqs": <packed seqs>, "event_type": ..., "event":
  ...} — the recipients' profile ids in order and their seqs, as int64 arrays (`pack_ints`, `seq_in_wakeup`).
  One group send reaches every member's connections (Redis carries it once per server process), which is what keeps
  a 1,000-member fan-out fast; a connection not (yet) in the chat's group catches up from the database on its next
  wake-up, so nothing is lost either way.

`event` is the event's JSON text without its seq (`{"type": ..., "payload": ..., "created_at": ...}`), present when
small: a connection whose last sent seq is N-1 sends it as is, without reading the database; any other case (a gap,
a large event) reads the database. Wake-ups may be lost, repeated or reordered without harm: the database decides.
"""

from __future__ import annotations

import asyncio
import bisect
import datetime as dt
import hashlib
import json
import logging
import os
import sys
import threading
from array import array
from collections.abc import Coroutine, Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from parta.messenger.realtime.events import get_event
from parta.messenger.realtime.models import Event, EventCursor

log = logging.getLogger(__name__)

INLINE_EVENT_LIMIT = 8_192  # characters of event JSON carried in a wake-up; larger events are read from the database
PROFILE_SEND_CONCURRENCY = 32  # wake-ups in flight at once when each recipient is woken separately
PUSH_TIMEOUT = 10.0  # seconds a committed write waits at most for its wake-ups to be handed to Redis
PRUNE_BATCH = 5_000


def profile_group(profile_id: int) -> str:
    return f"profile.{profile_id}"


def chat_group(chat_id: int) -> str:
    return f"chat.{chat_id}"


def session_group(session_key: str) -> str:
    # A hash, not the key itself: group names are visible to anyone who can read Redis, session keys sign people in.
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def encode_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def publish(
    *, profile_ids: Iterable[int], type: str, payload: dict[str, Any], chat_id: int | None = None
) -> dict[int, int]:
    """Stores the event for every recipient and schedules the live push; returns {profile id: event seq}.

    Must run inside a transaction (the caller's). Locks the recipients' cursor rows in id order (the upsert walks
    them sorted), so events of one profile are numbered in commit order and two publishers never deadlock.

    `type` must be registered (`realtime/events.py`; each app registers its own) and, unless
    settings.REALTIME_VALIDATE_EVENTS is off, `payload` must fit its schema: else EventSchemaError, before anything
    is written. The payload is stored and sent as given, never as the schema would rewrite it.

    `chat_id` says the event is about that chat and its recipients are the chat's members: the live push is then one
    wake-up to the chat's group. For a chat event type (message.*, call.started/ended) it is taken from
    `payload["chat_id"]` when not given.
    """
    schema = get_event(type)
    recipients = sorted(set(profile_ids))
    if not recipients:
        return {}
    if not connection.in_atomic_block:
        raise RuntimeError("publish() must run inside the service's transaction")
    if chat_id is None and schema.chat_event and isinstance(payload.get("chat_id"), int):
        chat_id = payload["chat_id"]
    payload_json = encode_json(payload)
    if settings.REALTIME_VALIDATE_EVENTS:
        schema.check(payload_json)
    created_at = timezone.now()
    seqs = _store_events(recipients, type=type, payload=payload, payload_json=payload_json, created_at=created_at)
    event_json = f'{{"type":{encode_json(type)},"payload":{payload_json},"created_at":"{created_at.isoformat()}"}}'
    inline = event_json if len(event_json) <= INLINE_EVENT_LIMIT else None
    transaction.on_commit(lambda: push_wakeups(seqs, event_type=type, event_json=inline, chat_id=chat_id))
    return seqs


def _store_events(
    recipients: list[int], *, type: str, payload: dict[str, Any], payload_json: str, created_at: dt.datetime
) -> dict[int, int]:
    """Numbers and stores the event: on PostgreSQL one statement (upsert of the counters feeding the insert)."""
    cursors = EventCursor._meta.db_table
    events = Event._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""WITH numbered AS (
                      INSERT INTO {cursors} (profile_id, last_seq)
                      SELECT p, 1 FROM unnest(%s::bigint[]) AS p ORDER BY p
                      ON CONFLICT (profile_id) DO UPDATE SET last_seq = {cursors}.last_seq + 1
                      RETURNING profile_id, last_seq)
                    INSERT INTO {events} (profile_id, seq, type, payload, created_at)
                    SELECT profile_id, last_seq, %s, %s::jsonb, %s FROM numbered
                    RETURNING profile_id, seq""",  # noqa: S608 - table names come from the models, values are params
                [recipients, type, payload_json, created_at],
            )
            return dict(cursor.fetchall())
        # SQLite (and others): the whole database is locked for the write, so the order of the rows does not matter.
        values = ",".join(["(%s, 1)"] * len(recipients))
        cursor.execute(
            f"INSERT INTO {cursors} (profile_id, last_seq) VALUES {values} "  # noqa: S608 - see above
            f"ON CONFLICT (profile_id) DO UPDATE SET last_seq = last_seq + 1 RETURNING profile_id, last_seq",
            recipients,
        )
        seqs = dict(cursor.fetchall())
    Event.objects.bulk_create(
        [Event(profile_id=pid, seq=seqs[pid], type=type, payload=payload, created_at=created_at) for pid in recipients]
    )
    return seqs


def wakeups(
    seqs: dict[int, int], *, event_type: str, event_json: str | None, chat_id: int | None
) -> list[tuple[str, dict[str, Any]]]:
    """The (group, message) pairs that wake the recipients' connections: one per chat, or one per profile."""
    extra: dict[str, Any] = {"event_type": event_type}
    if event_json is not None:
        extra["event"] = event_json
    if chat_id is not None:
        pids = sorted(seqs)
        packed = {"pids": pack_ints(pids), "seqs": pack_ints([seqs[pid] for pid in pids])}
        return [(chat_group(chat_id), {"type": "events.available", "chat_id": chat_id, **packed, **extra})]
    return [(profile_group(pid), {"type": "events.available", "seq": seq, **extra}) for pid, seq in seqs.items()]


def pack_ints(values: list[int]) -> bytes:
    """Integers as little-endian int64s: a 1,000-member chat's seqs travel as 16 KB that every connection searches
    in microseconds, where a map would be decoded whole by each of them (~0.1 ms apiece with Redis)."""
    packed = array("q", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def unpack_ints(data: bytes) -> array[int]:
    values = array("q")
    values.frombytes(data)
    if sys.byteorder == "big":
        values.byteswap()
    return values


def seq_in_wakeup(message: dict[str, Any], profile_id: int) -> int | None:
    """The profile's seq in a wake-up: its own group's, or its entry in a chat wake-up (None: not a recipient)."""
    if "pids" not in message:
        seq = message.get("seq")
        return seq if isinstance(seq, int) else None
    pids = unpack_ints(message["pids"])
    index = bisect.bisect_left(pids, profile_id)
    if index == len(pids) or pids[index] != profile_id:
        return None
    return int.from_bytes(message["seqs"][index * 8 : index * 8 + 8], "little", signed=True)


def push_wakeups(
    seqs: dict[int, int], *, event_type: str = "", event_json: str | None = None, chat_id: int | None = None
) -> None:
    """Tells the recipients' open connections that events are stored. Best effort: a lost wake-up is recovered by the
    connection's next wake-up or the client's next resume, never by the data itself."""
    layer = get_channel_layer()
    if layer is None:
        return
    messages = wakeups(seqs, event_type=event_type, event_json=event_json, chat_id=chat_id)
    try:
        run_on_layer_loop(layer, _send_all(layer, messages))
    except Exception:  # a down Redis must not fail the write that already committed
        log.warning("live push of %s events failed; clients will resume from the database", len(seqs), exc_info=True)


def run_on_layer_loop(layer: BaseChannelLayer, coroutine: Coroutine[Any, Any, None]) -> None:
    """Runs the sends where they work best, and waits for them (a process about to exit must not lose them).

    The in-memory layer's queues belong to the server's event loop: `async_to_sync` hops onto it. A Redis layer works
    from any loop, so sends go through one long-lived loop of this process instead: no new event loop and Redis
    connection per call in a worker or a command, and no wait for the server's loop when it is busy delivering.
    """
    if isinstance(layer, InMemoryChannelLayer):
        async_to_sync(_wait_for)(coroutine)
    else:
        asyncio.run_coroutine_threadsafe(coroutine, _push_loop()).result(timeout=PUSH_TIMEOUT)


async def _wait_for(coroutine: Coroutine[Any, Any, None]) -> None:
    await coroutine


_loop_guard = threading.Lock()
_loop: tuple[int, asyncio.AbstractEventLoop] | None = None  # (pid, loop): a forked child starts its own


def _push_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _loop_guard:
        if _loop is None or _loop[0] != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="realtime-push", daemon=True).start()
            _loop = (os.getpid(), loop)
        return _loop[1]


async def _send_all(layer: BaseChannelLayer, messages: list[tuple[str, dict[str, Any]]]) -> None:
    # One trip into the event loop for all wake-ups; with Redis a few are in flight at once (each is 4 round trips).
    limit = asyncio.Semaphore(PROFILE_SEND_CONCURRENCY)

    async def send(group: str, message: dict[str, Any]) -> None:
        async with limit:
            try:
                await layer.group_send(group, message)
            except Exception:
                log.warning("live push to %s failed; the client will resume from the database", group)

    if len(messages) == 1:
        await send(*messages[0])
    else:
        await asyncio.gather(*(send(group, message) for group, message in messages))


def end_session_connections(*, session_keys: Iterable[str]) -> None:
    """Closes the open WebSockets of signed-out devices (after commit: call it inside the sign-out's transaction)."""
    groups = [session_group(key) for key in session_keys]
    if not groups:
        return

    def push() -> None:
        layer = get_channel_layer()
        if layer is not None:
            try:
                run_on_layer_loop(layer, _send_all(layer, [(group, {"type": "session.ended"}) for group in groups]))
            except Exception:
                log.warning("closing the WebSockets of %s ended sessions failed", len(groups), exc_info=True)

    transaction.on_commit(push)


def prune_events(*, older_than: dt.datetime) -> int:
    """Deletes events created before `older_than`, in batches (short transactions); returns how many.

    A client that was away longer than that gets `reset` on its next resume and reloads its state over HTTP.
    The counters (EventCursor) stay, so numbering continues and a pruned stream never reuses a seq.
    """
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(Event.objects.filter(created_at__lt=older_than).values_list("id", flat=True)[:PRUNE_BATCH])
            if not ids:
                return deleted
            deleted += Event.objects.filter(id__in=ids).delete()[0]
