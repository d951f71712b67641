"""The organizer's controls (V5, V8): hands, muting, participants' permissions, removing people, guests.

Whatever the organizer turns off is also turned off on the media server: microphones and cameras are muted there
(VideoRoom `moderate`), screen feeds are kicked, a removed person's feeds are kicked and their tokens leave the room's
list. Every change publishes "call.updated", so every page (the affected person's too) refetches and turns it off.
"""

from __future__ import annotations

from django.db import transaction

from parta.messenger.calls import errors
from parta.messenger.calls.janus import VideoRoom
from parta.messenger.calls.models import Call, Participant
from parta.messenger.calls.schemas import Abilities, CallState
from parta.messenger.calls.selectors import CallActor, abilities, call_state
from parta.messenger.calls.services.common import (
    PARTICIPANT_STATE,
    close_presence,
    janus_room,
    lock_call,
    moderate_quietly,
    now,
    publish_updated,
    require_live,
    require_organizer,
    require_participant,
    target_participant,
    token_values,
)
from parta.messenger.realtime.services import publish

WHAT = ("microphone", "camera", "screen")


def set_hand(*, actor: CallActor, call_id: str, raised: bool) -> CallState:
    """Raises or lowers one's own hand (V5); a raised hand keeps its place in the queue. Locks the call row."""
    with transaction.atomic():
        call, participant = lock_call(actor, call_id)
        require_live(call)
        participant = require_participant(participant)
        if raised and participant.hand_raised_at is None:
            participant.hand_raised_at = now()
        elif not raised:
            participant.hand_raised_at = None
        participant.save(update_fields=["hand_raised_at"])
        publish_updated(call)
        return call_state(call, participant)


def lower_hand(*, actor: CallActor, call_id: str, participant_id: int) -> CallState:
    with transaction.atomic():
        call, me = lock_call(actor, call_id)
        require_live(call)
        me = require_organizer(actor, call, me)
        target = target_participant(call, participant_id)
        if target.hand_raised_at is not None:
            target.hand_raised_at = None
            target.save(update_fields=["hand_raised_at"])
            publish_updated(call)
        return call_state(call, me)


def _silence(room: VideoRoom, call: Call, target: Participant, what: str) -> None:
    """Turns `what` off on the media server: mutes the camera feed's audio or video, or kicks the screen feed."""
    if what == "screen":
        if target.screen_feed_id is not None and call.room_id is not None:
            room.kick(room_id=call.room_id, secret=call.room_secret, feed_id=target.screen_feed_id)
        return
    moderate_quietly(room, call, feed_id=target.feed_id, what=what, mute=True)


def mute(*, actor: CallActor, call_id: str, participant_id: int, what: str) -> CallState:
    """The organizer turns off someone's microphone, camera or screen sharing (they may turn the first two on again
    if allowed). Locks the call row."""
    if what not in WHAT:
        raise ValueError(what)
    with transaction.atomic():
        call, me = lock_call(actor, call_id)
        require_live(call)
        me = require_organizer(actor, call, me)
        target = target_participant(call, participant_id)
        setattr(target, f"{what}_on", False)
        target.moderation_seq += 1
        target.save(update_fields=PARTICIPANT_STATE)
        with janus_room(call) as room:
            _silence(room, call, target, what)
        publish_updated(call)
        return call_state(call, me)


def _changes(before: Abilities, after: Abilities) -> list[str]:
    return [what for what in WHAT if getattr(before, what) and not getattr(after, what)]


def set_permissions(
    *,
    actor: CallActor,
    call_id: str,
    participant_id: int | None,
    screen: bool | None = None,
    microphone: bool | None = None,
    camera: bool | None = None,
    may_record: bool | None = None,
) -> CallState:
    """«Доступы участников» (V8): what everyone (no participant) or one participant may do. What is withdrawn is
    turned off at once, on the media server too. `may_record` (issue 11) is one participant's only (400
    `participant_required` for everyone); withdrawing it does not stop a recording they started. Locks the call
    row."""
    wanted = {"screen": screen, "microphone": microphone, "camera": camera}
    with transaction.atomic():
        call, me = lock_call(actor, call_id)
        require_live(call)
        me = require_organizer(actor, call, me)
        if participant_id is not None:
            targets = [target_participant(call, participant_id)]
            if may_record is not None:
                targets[0].may_record = may_record
        else:
            if may_record is not None:
                raise errors.participant_required()
            targets = list(Participant.objects.filter(call=call, removed_at=None, is_admin=False))
        before = {target.pk: abilities(call, target) for target in targets}
        for what, value in wanted.items():
            if value is None:
                continue
            if participant_id is None:
                setattr(call, f"allow_{what}", value)
                Participant.objects.filter(call=call).update(**{f"may_{what}": None})
                for target in targets:
                    setattr(target, f"may_{what}", None)
            else:
                setattr(targets[0], f"may_{what}", value)
        call.save(update_fields=["allow_screen", "allow_microphone", "allow_camera"])
        withdrawn = {target.pk: _changes(before[target.pk], abilities(call, target)) for target in targets}
        for target in targets:
            for what in withdrawn[target.pk]:
                setattr(target, f"{what}_on", False)
            if withdrawn[target.pk]:
                target.moderation_seq += 1
            target.save(update_fields=[*PARTICIPANT_STATE, "may_screen", "may_microphone", "may_camera", "may_record"])
        silenced = [(t, w) for t in targets for w in withdrawn[t.pk] if t.is_present]
        if silenced:
            with janus_room(call) as room:
                for target, what in silenced:
                    _silence(room, call, target, what)
        publish_updated(call)
        return call_state(call, me)


def update_settings(*, actor: CallActor, call_id: str, allow_anonymous: bool) -> CallState:
    """Whether people without an educational profile may join by the call's link (V4). Locks the call row."""
    with transaction.atomic():
        call, me = lock_call(actor, call_id)
        require_live(call)
        me = require_organizer(actor, call, me)
        if call.allow_anonymous != allow_anonymous:
            call.allow_anonymous = allow_anonymous
            call.save(update_fields=["allow_anonymous"])
            publish_updated(call)
        return call_state(call, me)


def remove_participant(*, actor: CallActor, call_id: str, participant_id: int) -> CallState:
    """The organizer removes someone from the call for good: their feeds are kicked, their tokens leave the room's
    list, they get "call.removed" and never a new ticket. The organizer cannot remove themselves. Locks the call."""
    with transaction.atomic():
        call, me = lock_call(actor, call_id)
        require_live(call)
        me = require_organizer(actor, call, me)
        target = target_participant(call, participant_id)
        if target.is_admin:
            raise errors.organizer_stays()
        moment = now()
        close_presence(target, moment)
        target.removed_at = moment
        tokens = token_values(target)
        with janus_room(call) as room:
            if tokens and call.room_id is not None:
                room.allow(room_id=call.room_id, secret=call.room_secret, remove=tokens)
            feeds = [f for f in (target.feed_id, target.screen_feed_id, target.board_feed_id) if f is not None]
            if feeds and call.room_id is not None:
                # First: ends their Janus sessions, subscriptions included (kick alone leaves those receiving).
                room.evict(room_id=call.room_id, feed_ids=feeds)
            for feed_id in feeds:
                if call.room_id is not None:
                    room.kick(room_id=call.room_id, secret=call.room_secret, feed_id=feed_id)
        target.pending_tokens = []
        target.save(update_fields=[*PARTICIPANT_STATE, "removed_at"])
        if target.profile_id is not None:
            publish(
                profile_ids=[target.profile_id],
                type="call.removed",
                payload={"call_id": str(call.public_id), "chat_id": call.chat_id},
            )
        publish_updated(call)
        return call_state(call, me)
