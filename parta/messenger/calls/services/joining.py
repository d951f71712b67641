"""Being in a call (V2–V4): join tickets, confirming the join, heartbeats, leaving, the screen ticket.

A ticket carries a new room token, added to the room's `allowed` list: the browser joins the VideoRoom with it as a
publisher (with the feed id the messenger assigned) and as a subscriber. `/joined` confirms the token; a token not
confirmed within 60 s leaves the list (housekeeping), and all of a participant's tokens leave it when they leave or
are removed — so a removed person's old token no longer opens the room.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from parta.messenger.calls import errors
from parta.messenger.calls.janus import (
    ERROR_NO_SUCH_ROOM,
    JanusError,
    VideoRoom,
    api_token,
    new_feed_id,
    new_room_token,
)
from parta.messenger.calls.models import Call, CallKind, Participant, Recording, RecordingStatus
from parta.messenger.calls.schemas import CallState, JoinTicket, ScreenTicket
from parta.messenger.calls.selectors import (
    CallActor,
    abilities,
    call_state,
    is_chat_member,
    is_class_student,
    may_record,
)
from parta.messenger.calls.services.common import (
    MEDIA_KIND,
    PARTICIPANT_STATE,
    add_token,
    call_server,
    close_presence,
    display,
    drop_tokens,
    janus_room,
    lock_call,
    moderate_quietly,
    now,
    open_presence,
    publish_updated,
    require_live,
    require_participant,
    room_rec_dir,
    token_values,
)
from parta.messenger.chats.models import Membership
from parta.messenger.chats.services import ensure_system_chat

log = logging.getLogger(__name__)

CHAT_CALL_TOKEN_HOURS = 4
GUEST_NAME_MAX = 100


@dataclass(frozen=True)
class Joined:
    """A join ticket and the participant it is for (the API keeps a guest's participant id in their session)."""

    ticket: JoinTicket
    participant: Participant


def _local_time(moment: dt.datetime) -> str:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%H:%M")


def _check_window(call: Call, actor: CallActor) -> None:
    """A lesson opens CALLS_EARLY_JOIN_SECONDS before it starts; its organizer may come in at any time."""
    if call.kind != CallKind.LESSON or call.starts_at is None or actor.profile_id == call.created_by_id:
        return
    if now() < call.starts_at - dt.timedelta(seconds=settings.CALLS_EARLY_JOIN_SECONDS):
        raise errors.not_started(_local_time(call.starts_at))


def _add_class_student(call: Call, profile_id: int) -> None:
    """A student linked in the lesson's class after the call was made: into the call's chat, keeping everyone else
    (the call row is locked, so two joins never compute the members at once)."""
    if call.chat.system_key is None:
        return
    roles = dict(Membership.objects.filter(chat_id=call.chat_id).values_list("profile_id", "role"))
    ensure_system_chat(
        system_key=call.chat.system_key,
        kind=call.chat.kind,
        title=call.chat.title,
        organization=call.chat.organization,
        admin_ids=[pid for pid, role in roles.items() if role == "admin"],
        member_ids=[*roles, profile_id],
    )


def _new_participant(call: Call, actor: CallActor, name: str | None) -> Participant:
    profile = actor.profile
    if profile is not None:
        if (
            call.kind == CallKind.LESSON
            and profile.pk != call.created_by_id
            and not is_chat_member(call, profile.pk)
            and is_class_student(call, profile.pk)
        ):
            _add_class_student(call, profile.pk)
        display_name = " ".join(part for part in (profile.first_name, profile.last_name) if part) or str(profile)
        return Participant.objects.create(
            call=call, profile=profile, display_name=display_name, is_admin=profile.pk == call.created_by_id
        )
    name = " ".join((name or "").split())[:GUEST_NAME_MAX]
    if not name:
        raise errors.guest_name_required()
    return Participant.objects.create(call=call, profile=None, display_name=name)


def janus_token(call: Call) -> str:
    """The Janus core token of a participant's page: until the lesson's end plus grace, or 4 hours."""
    if call.ends_at is not None:
        expires_at = call.ends_at + dt.timedelta(seconds=settings.CALLS_GRACE_SECONDS)
    else:
        expires_at = now() + dt.timedelta(hours=CHAT_CALL_TOKEN_HOURS)
    return api_token(call_server(call), expires_at=expires_at)


def _allow(room: VideoRoom, call: Call, token: str) -> None:
    """Lets the token into the call's room. A room that is gone (its Janus restarted: rooms live in its memory) is made
    again with the same id and secret; everyone's page then joins again with a new ticket (ADR 0014)."""
    try:
        room.allow(room_id=call.room_id or 0, secret=call.room_secret, add=[token])
    except JanusError as error:
        if error.code != ERROR_NO_SUCH_ROOM:
            raise
        log.warning("call %s: room %s was gone from %s; made again", call.pk, call.room_id, call.server_name)
        room.create_room(
            room_id=call.room_id or 0,
            secret=call.room_secret,
            description=call.title,
            allowed=[token],
            publishers=settings.CALLS_MAX_PUBLISHERS,
            rec_dir=room_rec_dir(call.room_id or 0),
        )
        recording = Recording.objects.filter(call=call, status=RecordingStatus.RECORDING).first()
        if recording is not None:  # the new room records on into the same folder (new files, their own times)
            room.record_into(room_id=call.room_id or 0, secret=call.room_secret, rec_dir=recording.folder)


def join_ticket(*, actor: CallActor, call_id: str, name: str | None = None) -> Joined:
    """A ticket into the call's room: for the organizer, the call chat's members, a lesson's class students (added to
    the call's chat), a guest of this session, or anyone when the organizer allows guests (a guest gives a name).
    Refused: ended calls, removed participants, a lesson before its window (`not_started`). Locks the call row."""
    with transaction.atomic():
        call, participant = lock_call(actor, call_id)
        require_live(call)
        if participant is not None and participant.removed_at is not None:
            raise errors.removed()
        _check_window(call, actor)
        if participant is None:
            participant = _new_participant(call, actor, name)
        if participant.feed_id is None:
            participant.feed_id = new_feed_id()
        token, moment = new_room_token(), now()
        with janus_room(call) as room:
            _allow(room, call, token)
        add_token(participant, token, moment)
        participant.save(update_fields=["feed_id", "pending_tokens"])
        server = call_server(call)
        ticket = JoinTicket(
            janus_url=server.public_url,
            janus_token=janus_token(call),
            ice_servers=list(settings.CALLS_ICE_SERVERS),
            room_id=call.room_id or 0,
            room_token=token,
            feed_id=participant.feed_id,
            display=display(participant, "camera"),
            participant_id=participant.pk,
            state=call_state(call, participant),
        )
    return Joined(ticket=ticket, participant=participant)


def confirm_joined(*, actor: CallActor, call_id: str, feed_id: int) -> CallState:
    """The browser has joined the room with its feed: the participant is present (a new stretch of attendance),
    their tokens are confirmed. Repeating it changes nothing. Locks the call row."""
    with transaction.atomic():
        call, participant = lock_call(actor, call_id)
        require_live(call)
        participant = require_participant(participant)
        if feed_id != participant.feed_id:
            raise errors.wrong_feed()
        participant.pending_tokens = [{**entry, "confirmed": True} for entry in participant.pending_tokens]
        was_present = participant.is_present
        open_presence(participant, now())
        participant.save(update_fields=PARTICIPANT_STATE)
        if not was_present:
            publish_updated(call)
        return call_state(call, participant)


def heartbeat(
    *,
    actor: CallActor,
    call_id: str,
    microphone: bool,
    camera: bool,
    screen: bool,
    moderation_seq: int | None = None,
) -> CallState:
    """Every 15 s and on every change: the participant is still here, with this on. Turning on what the organizer
    has not allowed is refused (403) and stays off. Unmuting on the server what the organizer muted, when turned on
    again and allowed — unless the heartbeat names an older `moderation_seq` than the participant's (it was sent
    before the page saw the latest mute). 409 `not_joined` when the participant is not present (the page joins
    again)."""
    refusal = None
    with transaction.atomic():
        call, participant = lock_call(actor, call_id)
        require_live(call)
        participant = require_participant(participant)
        if not participant.is_present:
            raise errors.not_joined()
        may = abilities(call, participant)
        wanted = {"microphone": microphone, "camera": camera, "screen": screen}
        if moderation_seq is not None and moderation_seq < participant.moderation_seq:
            # Sent before the page saw the organizer's latest mute: its "on" is stale, what is off stays off.
            wanted = {what: on and getattr(participant, f"{what}_on") for what, on in wanted.items()}
        refused = [what for what, on in wanted.items() if on and not getattr(may, what)]
        if refused:
            refusal = {
                "microphone": errors.microphone_not_allowed,
                "camera": errors.camera_not_allowed,
                "screen": errors.screen_not_allowed,
            }[refused[0]]()
            wanted.update(dict.fromkeys(refused, False))
        turned_on = [what for what in MEDIA_KIND if wanted[what] and not getattr(participant, f"{what}_on")]
        changed = any(getattr(participant, f"{what}_on") != on for what, on in wanted.items())
        participant.microphone_on, participant.camera_on, participant.screen_on = (
            wanted["microphone"],
            wanted["camera"],
            wanted["screen"],
        )
        participant.last_seen_at = now()
        participant.save(update_fields=PARTICIPANT_STATE)
        if turned_on:
            with janus_room(call) as room:
                for what in turned_on:
                    moderate_quietly(room, call, feed_id=participant.feed_id, what=what, mute=False)
        if changed:
            publish_updated(call)
        state = call_state(call, participant)
    if refusal is not None:
        raise refusal
    return state


def leave(*, actor: CallActor, call_id: str) -> None:
    """The participant leaves (their stretch of attendance ends); their room tokens leave the room's list (best
    effort: housekeeping retries what Janus did not take). Leaving twice changes nothing. Locks the call row."""
    with transaction.atomic():
        call, participant = lock_call(actor, call_id)
        participant = require_participant(participant)
        if not participant.is_present and not participant.pending_tokens:
            return
        close_presence(participant, now())
        tokens = token_values(participant)
        if tokens and call.is_live:
            try:
                with janus_room(call) as room:
                    room.allow(room_id=call.room_id or 0, secret=call.room_secret, remove=tokens)
                drop_tokens(participant, tokens)
            except errors.CallRefusal:
                pass  # leaving never fails because of Janus; the tokens stay listed for housekeeping
        participant.save(update_fields=PARTICIPANT_STATE)
        publish_updated(call)


def _feed_ticket(
    *,
    actor: CallActor,
    call_id: str,
    feed: Literal["screen", "board"],
    allowed: Callable[[Call, Participant], bool],
    refusal: Callable[[], errors.CallRefusal],
) -> ScreenTicket:
    """A ticket for one more publisher of the participant (`<feed>_feed_id`, given once, and a one-time room token):
    for a present participant whom `allowed` lets publish it, `refusal()` else. Locks the call row."""
    field = f"{feed}_feed_id"
    with transaction.atomic():
        call, participant = lock_call(actor, call_id)
        require_live(call)
        participant = require_participant(participant)
        if not participant.is_present:
            raise errors.not_joined()
        if not allowed(call, participant):
            raise refusal()
        if getattr(participant, field) is None:
            setattr(participant, field, new_feed_id())
        token = new_room_token()
        with janus_room(call) as room:
            room.allow(room_id=call.room_id or 0, secret=call.room_secret, add=[token])
        add_token(participant, token, now())
        participant.save(update_fields=[field, "pending_tokens"])
    return ScreenTicket(room_token=token, feed_id=getattr(participant, field), display=display(participant, feed))


def screen_ticket(*, actor: CallActor, call_id: str) -> ScreenTicket:
    """A ticket for a second publisher, the screen (V5): its own feed id and room token. 403 `screen_not_allowed`
    unless the organizer allows this participant to share the screen (V8). Locks the call row."""
    return _feed_ticket(
        actor=actor,
        call_id=call_id,
        feed="screen",
        allowed=lambda call, participant: abilities(call, participant).screen,
        refusal=errors.screen_not_allowed,
    )


def board_ticket(*, actor: CallActor, call_id: str) -> ScreenTicket:
    """A ticket for one more publisher, the whiteboard's canvas (issue 11): the organizer's page publishes it while
    the call is recorded with the board open, so that Janus records the board as a feed of its own (`board_feed_id`,
    a track with source "board"). For whoever may record; 403 `recording_not_allowed` else. Locks the call row."""
    return _feed_ticket(
        actor=actor, call_id=call_id, feed="board", allowed=may_record, refusal=errors.recording_not_allowed
    )
