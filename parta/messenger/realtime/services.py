"""Publishing real-time events: stored first (durable, numbered per profile), pushed live after commit.

Every change a person must see (a new, edited or deleted message, a chat-list or membership change) goes through
`publish`. It writes one Event row per recipient, numbered from the recipient's own counter, inside the caller's
transaction; after commit it pushes a small "wake up" to each recipient's channel-layer group, and connected clients
read their new events from the database by sequence. A client that reconnects resumes from the last seq it saw, so it
gets everything it missed, in order, nothing twice — Redis pub/sub alone would lose messages.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.db.models import F

from parta.messenger.realtime.models import Event, EventCursor

log = logging.getLogger(__name__)


def profile_group(profile_id: int) -> str:
    return f"profile.{profile_id}"


def publish(*, profile_ids: Iterable[int], type: str, payload: dict[str, Any]) -> dict[int, int]:
    """Stores the event for every recipient and schedules the live push; returns {profile id: event seq}.

    Must run inside a transaction (the caller's). Locks the recipients' cursor rows in id order, so events of one
    profile are numbered in commit order and two publishers never deadlock.
    """
    recipients = sorted(set(profile_ids))
    if not recipients:
        return {}
    if not connection.in_atomic_block:
        raise RuntimeError("publish() must run inside the service's transaction")
    EventCursor.objects.bulk_create(
        [EventCursor(profile_id=pid) for pid in recipients], ignore_conflicts=True, batch_size=1000
    )
    cursors = EventCursor.objects.filter(profile_id__in=recipients)
    list(cursors.select_for_update().order_by("profile_id").values_list("profile_id", flat=True))
    cursors.update(last_seq=F("last_seq") + 1)
    seqs = dict(cursors.values_list("profile_id", "last_seq"))
    Event.objects.bulk_create(
        [Event(profile_id=pid, seq=seqs[pid], type=type, payload=payload) for pid in recipients], batch_size=1000
    )
    transaction.on_commit(lambda: push_wakeups(seqs))
    return seqs


def push_wakeups(seqs: dict[int, int]) -> None:
    """Tells each recipient's open connections that events up to `seq` are stored. Best effort: a lost wake-up is
    recovered by the client's next resume, never by the data itself."""
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    for profile_id, seq in seqs.items():
        try:
            send(profile_group(profile_id), {"type": "events.available", "seq": seq})
        except Exception:  # a down Redis must not fail the write that already committed
            log.warning("live push to profile %s failed; the client will resume from the database", profile_id)
