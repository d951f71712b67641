"""Reads for calls, always from the person's side: a call one may not join does not exist (404, never 403).

Who may see (and join) a call: its organizer; a member of the call's chat; for a lesson call, a student linked in
the lesson's class now (added to the call's chat on joining); a guest whom this browser session joined as; anyone
with the link when the organizer allows guests. A removed participant still sees the call (`me.removed`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet

from parta.messenger.accounts.models import Profile
from parta.messenger.calls import errors
from parta.messenger.calls.models import Call, CallKind, CallStatus, Participant, Recording, RecordingStatus
from parta.messenger.calls.schemas import Abilities, CallOut, CallState, MeOut, ParticipantOut, RecordingOut
from parta.messenger.chats.models import Chat, Membership
from parta.messenger.integration.models import LinkedRole, MirrorPerson, PersonKind


@dataclass(frozen=True)
class CallActor:
    """Who is asking: a signed-in profile, or a browser session that joined calls as a guest (or both, or neither)."""

    profile: Profile | None
    guest_ids: Mapping[str, int] = field(default_factory=dict)  # call public id → participant id (the session's)

    @property
    def profile_id(self) -> int | None:
        return self.profile.pk if self.profile is not None else None


def call_url(call: Call) -> str:
    return f"{settings.MESSENGER_URL}/calls/{call.public_id}/"


def chat_url(chat_id: int) -> str:
    return f"{settings.MESSENGER_URL}/chats/{chat_id}/"


def parse_public_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise errors.call_not_found() from None


def find_call(public_id: str, *, lock: bool = False) -> Call:
    queryset: QuerySet[Call] = Call.objects.all()
    if lock:
        queryset = queryset.select_for_update()
    call = queryset.filter(public_id=parse_public_id(public_id)).first()
    if call is None:
        raise errors.call_not_found()
    return call


def participant_of(actor: CallActor, call: Call) -> Participant | None:
    if actor.profile is not None:
        found = Participant.objects.filter(call=call, profile_id=actor.profile.pk).first()
        if found is not None:
            return found
    guest_id = actor.guest_ids.get(str(call.public_id))
    if guest_id is not None:
        return Participant.objects.filter(call=call, pk=guest_id, profile=None).first()
    return None


def is_class_student(call: Call, profile_id: int) -> bool:
    """A lesson call: is this profile a student linked in the lesson's class now (the roster says so)."""
    if call.journal_id is None:
        return False
    roster_ids = LinkedRole.objects.filter(
        school__journal_id=call.journal_id,
        school__external_id=call.school_external_id,
        kind=PersonKind.STUDENT,
        link__profile_id=profile_id,
    ).values("roster_id")
    return MirrorPerson.objects.filter(
        school__journal_id=call.journal_id,
        school__external_id=call.school_external_id,
        kind=PersonKind.STUDENT,
        external_id__in=roster_ids,
        school_class__external_id=call.class_external_id,
    ).exists()


def is_chat_member(call: Call, profile_id: int) -> bool:
    return Membership.objects.filter(chat_id=call.chat_id, profile_id=profile_id).exists()


def may_see(actor: CallActor, call: Call, participant: Participant | None) -> bool:
    if participant is not None or call.allow_anonymous:
        return True
    profile_id = actor.profile_id
    if profile_id is None:
        return False
    return (
        profile_id == call.created_by_id
        or is_chat_member(call, profile_id)
        or (call.kind == "lesson" and is_class_student(call, profile_id))
    )


def visible_call(actor: CallActor, public_id: str, *, lock: bool = False) -> tuple[Call, Participant | None]:
    """The call and the actor's participant in it; 404 when the actor may not see it (403 `guests_not_allowed` for a
    person who is not signed in, so the page can ask them to sign in)."""
    call = find_call(public_id, lock=lock)
    participant = participant_of(actor, call)
    if not may_see(actor, call, participant):
        raise errors.guests_not_allowed() if actor.profile is None else errors.call_not_found()
    return call, participant


def live_call_of_chat(profile: Profile, chat_id: int) -> Call | None:
    """The chat's live call (a call started in it, or the lesson whose chat it is), for one of its members; None when
    it has none now. Someone outside the chat gets `call_not_found`, as for a chat that does not exist."""
    if not Membership.objects.filter(chat_id=chat_id, profile_id=profile.pk).exists():
        raise errors.call_not_found()
    return Call.objects.filter(chat_id=chat_id, status=CallStatus.LIVE).order_by("-created_at").first()


# --- what a participant may do (V8) -----------------------------------------------------------------------------------


def abilities(call: Call, participant: Participant | None) -> Abilities:
    """The organizer may always do everything; others what their own setting, else the call's, allows."""
    if participant is not None and participant.is_admin:
        return Abilities(screen=True, microphone=True, camera=True)

    def pick(own: bool | None, everyone: bool) -> bool:
        return everyone if own is None else own

    if participant is None:
        return Abilities(screen=call.allow_screen, microphone=call.allow_microphone, camera=call.allow_camera)
    return Abilities(
        screen=pick(participant.may_screen, call.allow_screen),
        microphone=pick(participant.may_microphone, call.allow_microphone),
        camera=pick(participant.may_camera, call.allow_camera),
    )


# --- recording (issue 11) ---------------------------------------------------------------------------------------------


def recording_allowed(call: Call) -> bool:
    """Whether the call may be recorded at all: a lesson always; a call in a chat when the chat's admins allow it."""
    if call.kind == CallKind.LESSON:
        return True
    return bool(Chat.objects.filter(pk=call.chat_id, allow_call_recording=True).exists())


def may_record(call: Call, participant: Participant | None, *, allowed: bool | None = None) -> bool:
    """Whether the participant may start and stop the recording: the organizer, or one the organizer allowed
    (`may_record`), in a call that may be recorded. Guests never (a recording is started by a profile)."""
    if participant is None or participant.removed_at is not None or participant.profile_id is None:
        return False
    if not (participant.is_admin or participant.may_record):
        return False
    return recording_allowed(call) if allowed is None else allowed


def active_recording(call: Call) -> Recording | None:
    return (
        Recording.objects.select_related("started_by")
        .filter(call=call, status=RecordingStatus.RECORDING)
        .order_by("-started_at")
        .first()
    )


def recording_out(call: Call) -> RecordingOut:
    recording = active_recording(call)
    if recording is None:
        return RecordingOut(active=False, started_at=None, started_by_name=None, catch_up=call.catch_up_enabled)
    by = recording.started_by
    return RecordingOut(
        active=True,
        started_at=recording.started_at,
        started_by_name=by.full_name or by.short_name,
        catch_up=call.catch_up_enabled,
    )


# --- answers ----------------------------------------------------------------------------------------------------------


def call_out(call: Call) -> CallOut:
    return CallOut(
        id=str(call.public_id),
        url=call_url(call),
        title=call.title,
        kind=call.kind,  # type: ignore[arg-type]
        status=call.status,  # type: ignore[arg-type]
        chat_id=call.chat_id,
        starts_at=call.starts_at,
        ends_at=call.ends_at,
    )


def _participant_out(call: Call, p: Participant) -> ParticipantOut:
    return ParticipantOut(
        id=p.pk,
        profile_id=p.profile_id,
        name=p.display_name,
        is_admin=p.is_admin,
        present=p.is_present,
        microphone=p.microphone_on,
        camera=p.camera_on,
        screen=p.screen_on,
        hand_raised_at=p.hand_raised_at,
        feed_id=p.feed_id,
        screen_feed_id=p.screen_feed_id,
        board_feed_id=p.board_feed_id,
        may=abilities(call, p),
        may_record=p.may_record,
    )


def call_state(call: Call, me: Participant | None) -> CallState:
    """The whole call as the page shows it (1 query for the participants). Removed people are not listed."""
    people = list(Participant.objects.filter(call=call, removed_at=None))
    people.sort(key=lambda p: (not p.is_present, p.display_name.casefold(), p.pk))
    raised = [(p.hand_raised_at, p.pk) for p in people if p.hand_raised_at is not None and p.is_present]
    recording = recording_out(call)
    mine = None
    if me is not None:
        mine = MeOut(
            participant_id=me.pk,
            is_admin=me.is_admin,
            may=abilities(call, me),
            removed=me.removed_at is not None,
            moderation_seq=me.moderation_seq,
            may_record=may_record(call, me),
        )
    return CallState(
        id=str(call.public_id),
        url=call_url(call),
        title=call.title,
        kind=call.kind,  # type: ignore[arg-type]
        status=call.status,  # type: ignore[arg-type]
        chat_id=call.chat_id,
        chat_url=chat_url(call.chat_id),
        starts_at=call.starts_at,
        ends_at=call.ends_at,
        ended_at=call.ended_at,
        allow_anonymous=call.allow_anonymous,
        everyone=abilities(call, None),
        me=mine,
        participants=[_participant_out(call, p) for p in people],
        hands=[pk for _, pk in sorted(raised)],
        recording=recording,
        recording_active=recording.active,
    )


def get_call_state(actor: CallActor, public_id: str) -> CallState:
    call, participant = visible_call(actor, public_id)
    return call_state(call, participant)
