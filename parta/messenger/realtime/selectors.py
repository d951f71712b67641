"""Reads of the durable event sequence: what a client resumes from, over the WebSocket or the HTTP catch-up.

Every read takes the signed-in profile's id and reads only that profile's events: there is no way to name another
profile's stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from parta.messenger.chats.models import Membership
from parta.messenger.realtime.models import Event, EventCursor

PAGE_LIMIT = 500  # the most events one read returns; resuming a long gap takes several reads


@dataclass(frozen=True)
class EventPage:
    """Events after a given seq, oldest first, and where the profile's stream stands.

    `last_seq` is the profile's newest event number (0 before its first event). `reset` says the events right after
    `after` were pruned (older than the retention period): the client must reload its state over HTTP and continue
    from `last_seq`, because what it missed can no longer be replayed.
    """

    events: list[dict[str, Any]]
    last_seq: int
    has_more: bool
    reset: bool


def get_last_seq(*, profile_id: int) -> int:
    """The profile's newest event number: a page rendered now embeds it, and its client resumes after it."""
    return EventCursor.objects.filter(profile_id=profile_id).values_list("last_seq", flat=True).first() or 0


def list_events_after(*, profile_id: int, after: int, limit: int = PAGE_LIMIT) -> EventPage:
    """The profile's events with seq > `after`, oldest first, at most `limit` (two queries).

    A client that claims to be ahead of the stream (`after` > last seq: a stale browser storage after a database
    restore) is answered as if it were at the stream's end, so that its next events are not skipped.
    """
    limit = max(1, min(limit, PAGE_LIMIT))
    last_seq = get_last_seq(profile_id=profile_id)
    after = max(0, min(after, last_seq))
    rows = list(
        Event.objects.filter(profile_id=profile_id, seq__gt=after)
        .order_by("seq")
        .values_list("seq", "type", "payload", "created_at")[: limit + 1]
    )
    events = [
        {"seq": seq, "type": type_, "payload": payload, "created_at": created_at.isoformat()}
        for seq, type_, payload, created_at in rows[:limit]
    ]
    # Seqs of a profile have no holes (one counter, one transaction), except where old events were pruned.
    reset = after > 0 and (events[0]["seq"] if events else last_seq + 1) > after + 1 and after < last_seq
    return EventPage(events=events, last_seq=last_seq, has_more=len(rows) > limit, reset=reset)


def list_chat_ids(*, profile_id: int) -> list[int]:
    """The chats the profile is a member of: their groups carry the chats' wake-ups and typing to a connection."""
    return list(Membership.objects.filter(profile_id=profile_id).values_list("chat_id", flat=True))


def is_member(*, profile_id: int, chat_id: int) -> bool:
    return Membership.objects.filter(profile_id=profile_id, chat_id=chat_id).exists()
