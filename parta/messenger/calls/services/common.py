"""What every calls service needs: the locked call with the actor's participant, events, and the call's Janus room.

Janus requests run inside the service's transaction, after its database writes: when Janus refuses or cannot be
reached the service answers 503 `calls_unavailable` and the transaction rolls back, so the database never says
what Janus did not do. Undoing Janus (destroying a room) happens after commit, best effort.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.utils import timezone

from parta.messenger.calls import errors
from parta.messenger.calls.janus import JanusError, JanusServer, JanusUnavailable, VideoRoom, server_by_name
from parta.messenger.calls.models import Call, Participant, Presence
from parta.messenger.calls.selectors import CallActor, visible_call
from parta.messenger.chats.selectors import member_ids
from parta.messenger.realtime.services import publish

log = logging.getLogger(__name__)

TOKEN_TTL = dt.timedelta(seconds=60)  # a room token not confirmed by /joined within this leaves the room's list
MEDIA_KIND: dict[str, Literal["audio", "video"]] = {"microphone": "audio", "camera": "video"}  # of the camera feed


# --- the call and who is asking ---------------------------------------------------------------------------------------


def lock_call(actor: CallActor, public_id: str) -> tuple[Call, Participant | None]:
    """The call locked (select_for_update: serializes every change of one call) and the actor's participant."""
    return visible_call(actor, public_id, lock=True)


def require_live(call: Call) -> None:
    if not call.is_live:
        raise errors.call_ended()


def require_participant(participant: Participant | None) -> Participant:
    """The actor's participant, who has joined and was not removed."""
    if participant is None:
        raise errors.not_joined()
    if participant.removed_at is not None:
        raise errors.removed()
    return participant


def require_organizer(actor: CallActor, call: Call, participant: Participant | None) -> Participant | None:
    """The organizer, joined or not (they may end the call or change settings from outside it); answers their
    participant, if any."""
    if participant is not None and participant.removed_at is None and participant.is_admin:
        return participant
    if actor.profile_id is not None and actor.profile_id == call.created_by_id:
        return participant
    raise errors.organizer_only()


def target_participant(call: Call, participant_id: int) -> Participant:
    target = Participant.objects.filter(call=call, pk=participant_id, removed_at=None).first()
    if target is None:
        raise errors.participant_not_found()
    return target


def display(participant: Participant, kind: str) -> str:
    """The Janus `display` of a feed: who it is and which of their feeds."""
    return json.dumps({"p": participant.pk, "k": kind}, separators=(",", ":"))


# --- presence ---------------------------------------------------------------------------------------------------------


def open_presence(participant: Participant, now: dt.datetime) -> None:
    if not participant.is_present:
        Presence.objects.create(participant=participant, joined_at=now)
    participant.is_present = True
    participant.last_seen_at = now


def close_presence(participant: Participant, now: dt.datetime) -> None:
    """Marks the participant as gone: the open stretch ends, hand down, nothing on (caller saves)."""
    Presence.objects.filter(participant=participant, left_at=None).update(left_at=now)
    participant.is_present = False
    participant.hand_raised_at = None
    participant.microphone_on = participant.camera_on = participant.screen_on = False


PARTICIPANT_STATE = [
    "moderation_seq",
    "is_present",
    "last_seen_at",
    "hand_raised_at",
    "microphone_on",
    "camera_on",
    "screen_on",
    "pending_tokens",
]


# --- events -----------------------------------------------------------------------------------------------------------


def present_profile_ids(call: Call) -> list[int]:
    return list(
        Participant.objects.filter(call=call, is_present=True, profile__isnull=False).values_list(
            "profile_id", flat=True
        )
    )


def publish_updated(call: Call, *, also: list[int] | None = None) -> None:
    """ "call.updated" to the present participants (and `also`): their pages refetch the call's state."""
    recipients = set(present_profile_ids(call)) | set(also or ())
    if recipients:
        publish(
            profile_ids=sorted(recipients),
            type="call.updated",
            payload={"call_id": str(call.public_id), "chat_id": call.chat_id},
        )


def publish_to_chat(call: Call, event_type: str, payload: dict[str, Any]) -> None:
    """ "call.started" / "call.ended" to every member of the call's chat."""
    recipients = member_ids(call.chat_id)
    if recipients:
        publish(profile_ids=recipients, type=event_type, payload=payload, chat_id=call.chat_id)


# --- Janus ------------------------------------------------------------------------------------------------------------


def call_server(call: Call) -> JanusServer:
    server = server_by_name(call.server_name)
    if server is None:
        log.warning("call %s: Janus server %r is not configured", call.pk, call.server_name)
        raise errors.calls_unavailable()
    return server


@contextmanager
def janus_room(call: Call) -> Iterator[VideoRoom]:
    """The call's server as a VideoRoom client; Janus unreachable or refusing → 503 `calls_unavailable`."""
    try:
        with VideoRoom(call_server(call)) as room:
            yield room
    except (JanusUnavailable, JanusError) as error:
        log.warning("call %s: Janus failed: %r", call.pk, error)
        raise errors.calls_unavailable() from error


def room_rec_dir(room_id: int) -> str:
    """The folder a room's recordings go into (each recording in a folder of its own inside it, docs/recording.md)."""
    return str(Path(settings.CALLS_RECORDINGS_DIR) / str(room_id))


def token_values(participant: Participant, *, confirmed: bool | None = None) -> list[str]:
    """The participant's room tokens in the room's `allowed` list (all, or only the (un)confirmed ones)."""
    return [
        str(entry["token"])
        for entry in participant.pending_tokens
        if confirmed is None or bool(entry.get("confirmed")) == confirmed
    ]


def add_token(participant: Participant, token: str, now: dt.datetime) -> None:
    participant.pending_tokens = [
        *participant.pending_tokens,
        {"token": token, "issued_at": now.isoformat(), "confirmed": False},
    ]


def stale_tokens(participant: Participant, now: dt.datetime) -> list[str]:
    """Tokens issued more than TOKEN_TTL ago and never confirmed by /joined."""
    return [
        str(entry["token"])
        for entry in participant.pending_tokens
        if not entry.get("confirmed") and dt.datetime.fromisoformat(entry["issued_at"]) < now - TOKEN_TTL
    ]


def drop_tokens(participant: Participant, tokens: list[str]) -> None:
    participant.pending_tokens = [entry for entry in participant.pending_tokens if entry["token"] not in tokens]


def moderate_quietly(room: VideoRoom, call: Call, *, feed_id: int | None, what: str, mute: bool) -> None:
    """Mutes (or unmutes) on the server every stream of `what` ("microphone": audio, "camera": video) the feed
    publishes now (janus.py finds their mids); a feed that is not there, or publishes no such stream, is no error."""
    if feed_id is None or call.room_id is None:
        return
    try:
        room.mute(room_id=call.room_id, secret=call.room_secret, feed_id=feed_id, kind=MEDIA_KIND[what], mute=mute)
    except JanusError as error:  # not publishing (yet), or not this stream
        log.info("call %s: moderate %s/%s refused: %r", call.pk, feed_id, what, error)


def now() -> dt.datetime:
    return timezone.now()
