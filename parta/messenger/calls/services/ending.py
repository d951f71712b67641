"""The end of a call (V9) and what it leaves: attendance for the journal (B2), and housekeeping.

A call ends when its organizer ends it for everyone, when a lesson's time (plus grace) is over, or when nobody has
been in a chat call for a while. Its room is destroyed after commit; a lesson call tells its journal ("call.ended"
webhook, with attendance) in the same transaction as the end, through the webhook outbox.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q

from parta.common.integration.schemas import CallAttendance
from parta.messenger.calls.janus import JanusError, JanusUnavailable, VideoRoom, server_by_name
from parta.messenger.calls.models import Call, CallKind, CallStatus, EndReason, Participant, Presence
from parta.messenger.calls.schemas import CallState
from parta.messenger.calls.selectors import CallActor, call_state
from parta.messenger.calls.services.common import (
    PARTICIPANT_STATE,
    close_presence,
    drop_tokens,
    lock_call,
    now,
    publish_to_chat,
    publish_updated,
    require_organizer,
    stale_tokens,
)
from parta.messenger.calls.services.recording import stop_for_end
from parta.messenger.integration.models import LinkedRole, PersonLink
from parta.messenger.integration.services.webhooks import enqueue_webhook

log = logging.getLogger(__name__)


def attendance(call: Call) -> list[CallAttendance]:
    """Who of the journal's linked people was in the lesson call, and for how long (all stretches together). A person
    with several accounts of the journal is reported under the one with a role in the lesson's school."""
    stretches: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = defaultdict(list)
    for profile_id, joined_at, left_at in Presence.objects.filter(
        participant__call=call, participant__profile__isnull=False
    ).values_list("participant__profile_id", "joined_at", "left_at"):
        stretches[profile_id].append((joined_at, left_at))
    if call.journal_id is None or not stretches:
        return []
    in_school = set(
        LinkedRole.objects.filter(
            school__journal_id=call.journal_id, school__external_id=call.school_external_id
        ).values_list("link_id", flat=True)
    )
    person_of: dict[int, str] = {}
    for link_id, profile_id, person_id in (
        PersonLink.objects.filter(journal_id=call.journal_id, profile_id__in=stretches)
        .order_by("pk")
        .values_list("pk", "profile_id", "person_id")
    ):
        if profile_id not in person_of or link_id in in_school:
            person_of[profile_id] = person_id
    end = call.ended_at or now()
    result = []
    for profile_id, spans in stretches.items():
        if profile_id not in person_of:
            continue
        seconds = sum(int(((left or end) - joined).total_seconds()) for joined, left in spans)
        lefts = [left for _, left in spans]
        result.append(
            CallAttendance(
                person_id=person_of[profile_id],
                seconds=max(seconds, 0),
                first_joined_at=min(joined for joined, _ in spans),
                last_left_at=None if any(left is None for left in lefts) else max(left for left in lefts if left),
            )
        )
    return sorted(result, key=lambda row: row.person_id)


def _destroy_room_quietly(server_name: str, room_id: int | None, secret: str) -> None:
    server = server_by_name(server_name)
    if server is None or room_id is None:
        return
    try:
        with VideoRoom(server) as room:
            room.destroy_room(room_id=room_id, secret=secret)
    except (JanusUnavailable, JanusError) as error:  # a room of a lost server is gone with it
        log.warning("room %s on %s not destroyed: %r", room_id, server_name, error)


def finish(call: Call, reason: str) -> None:
    """Ends the locked live call: its recording stops (to processing), everyone's presence ends, "call.ended" to the
    chat's members, the journal's webhook for a lesson, the room destroyed after commit. Must run inside the
    transaction that locked the call."""
    stop_for_end(call)  # before the room is destroyed: Janus closes the files when it answers
    moment = now()
    # Everyone still in leaves at once (what close_presence does for one person, in two statements for all).
    present = Participant.objects.filter(call=call, is_present=True)
    present_profiles = [pk for pk in present.values_list("profile_id", flat=True) if pk is not None]
    Presence.objects.filter(participant__call=call, left_at=None).update(left_at=moment)
    present.update(is_present=False, hand_raised_at=None, microphone_on=False, camera_on=False, screen_on=False)
    call.status, call.ended_at, call.end_reason = CallStatus.ENDED, moment, reason
    call.save(update_fields=["status", "ended_at", "end_reason"])
    payload = {"call_id": str(call.public_id), "chat_id": call.chat_id}
    publish_to_chat(call, "call.ended", payload)
    publish_updated(call, also=present_profiles)
    if call.kind == CallKind.LESSON and call.journal is not None:
        enqueue_webhook(
            journal=call.journal,
            type="call.ended",
            data={
                "call_id": str(call.public_id),
                "school_id": call.school_external_id,
                "lesson_id": call.lesson_external_id,
                "ended_at": moment.isoformat(),
                "end_reason": reason,
                "attendance": [row.model_dump(mode="json") for row in attendance(call)],
            },
        )
    server_name, room_id, secret = call.server_name, call.room_id, call.room_secret
    transaction.on_commit(lambda: _destroy_room_quietly(server_name, room_id, secret))


def end_call(*, actor: CallActor, call_id: str) -> CallState:
    """«Завершить для всех» (V9): the organizer ends the call for everyone. Ending an ended call changes nothing."""
    with transaction.atomic():
        call, me = lock_call(actor, call_id)
        me = require_organizer(actor, call, me)
        if call.is_live:
            finish(call, EndReason.ADMIN)
        return call_state(call, me)


# --- housekeeping -----------------------------------------------------------------------------------------------------


@dataclass
class Housekeeping:
    ended: list[str] = field(default_factory=list)  # public ids
    left: int = 0
    tokens_removed: int = 0
    janus_failures: int = 0


def _end_if_still(call_pk: int, reason: str, still: Q) -> bool:
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(pk=call_pk, status=CallStatus.LIVE).first()
        if call is None or not Call.objects.filter(still, pk=call_pk).exists():
            return False
        finish(call, reason)
        return True


def end_expired_lessons(result: Housekeeping, moment: dt.datetime) -> None:
    deadline = moment - dt.timedelta(seconds=settings.CALLS_GRACE_SECONDS)
    still = Q(kind=CallKind.LESSON, ends_at__lt=deadline)
    for call_pk, public_id in Call.objects.filter(still, status=CallStatus.LIVE).values_list("pk", "public_id"):
        if _end_if_still(call_pk, EndReason.TIME, still):
            result.ended.append(str(public_id))


def end_empty_chat_calls(result: Housekeeping, moment: dt.datetime) -> None:
    """Chat calls nobody has been in for CALLS_EMPTY_END_SECONDS (since the last one left, or since it started)."""
    quiet_since = moment - dt.timedelta(seconds=settings.CALLS_EMPTY_END_SECONDS)
    candidates = (
        Call.objects.filter(kind=CallKind.CHAT, status=CallStatus.LIVE, created_at__lt=quiet_since)
        .exclude(participants__is_present=True)
        .annotate(last_left=Max("participants__presences__left_at"))
        .filter(Q(last_left__isnull=True) | Q(last_left__lt=quiet_since))
        .values_list("pk", "public_id")
    )
    for call_pk, public_id in candidates:
        still = Q(kind=CallKind.CHAT) & ~Q(participants__is_present=True)
        if _end_if_still(call_pk, EndReason.EMPTY, still):
            result.ended.append(str(public_id))


def mark_vanished(result: Housekeeping, moment: dt.datetime) -> None:
    """Participants whose page stopped reporting (4 missed heartbeats) have left."""
    cutoff = moment - dt.timedelta(seconds=4 * settings.CALLS_HEARTBEAT_SECONDS)
    vanished = Participant.objects.filter(is_present=True, last_seen_at__lt=cutoff, call__status=CallStatus.LIVE)
    for call_pk in sorted(set(vanished.values_list("call_id", flat=True))):
        with transaction.atomic():
            call = Call.objects.select_for_update().get(pk=call_pk)
            gone = list(Participant.objects.filter(call=call, is_present=True, last_seen_at__lt=cutoff))
            for participant in gone:
                close_presence(participant, participant.last_seen_at or moment)
                participant.save(update_fields=PARTICIPANT_STATE)
            result.left += len(gone)
            if gone:
                publish_updated(call)


def remove_stale_tokens(result: Housekeeping, moment: dt.datetime) -> None:
    """Room tokens never confirmed within a minute, and those of people who have left, leave the rooms' lists."""
    holders = Participant.objects.filter(call__status=CallStatus.LIVE).exclude(pending_tokens=[])
    for call_pk in sorted(set(holders.values_list("call_id", flat=True))):
        with transaction.atomic():
            call = Call.objects.select_for_update().get(pk=call_pk)
            participants = list(Participant.objects.filter(call=call).exclude(pending_tokens=[]))
            doomed = {
                p.pk: [str(e["token"]) for e in p.pending_tokens] if not p.is_present else stale_tokens(p, moment)
                for p in participants
            }
            tokens = [token for values in doomed.values() for token in values]
            server = server_by_name(call.server_name)
            if not tokens or server is None or call.room_id is None:
                continue
            try:
                with VideoRoom(server) as room:
                    room.allow(room_id=call.room_id, secret=call.room_secret, remove=tokens)
            except (JanusUnavailable, JanusError) as error:
                log.warning("call %s: tokens not removed: %r", call.pk, error)
                result.janus_failures += 1
                continue
            for participant in participants:
                if doomed[participant.pk]:
                    drop_tokens(participant, doomed[participant.pk])
                    participant.save(update_fields=["pending_tokens"])
            result.tokens_removed += len(tokens)


def housekeeping() -> Housekeeping:
    """One round: ends lessons past their time and empty chat calls, marks vanished people as left, takes stale
    tokens off the rooms' lists. Janus being unreachable only postpones the tokens."""
    result = Housekeeping()
    moment = now()
    mark_vanished(result, moment)
    end_expired_lessons(result, moment)
    end_empty_chat_calls(result, moment)
    remove_stale_tokens(result, moment)
    return result
