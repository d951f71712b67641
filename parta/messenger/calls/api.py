"""The calls API (/api/v1/calls/…, docs/calls.md): thin endpoints over the services and selectors.

A call's endpoints take the session of a signed-in profile or of a guest who joined by the call's link (the guest's
participant ids live in their Django session); CSRF is checked for both. Starting a call and finding a chat's live
call need a signed-in profile. A call one may not see answers 404 like one that does not exist; refusals answer
{"code", "message"} (ErrorOut) with a 4xx status (503 `calls_unavailable` when no media server answers).
"""

from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status
from ninja.security import SessionAuth, django_auth

from parta.messenger.accounts.current import current_profile
from parta.messenger.accounts.models import Profile
from parta.messenger.calls import selectors, services
from parta.messenger.calls.schemas import (
    CallOut,
    CallState,
    HandIn,
    HeartbeatIn,
    JoinedIn,
    JoinIn,
    JoinTicket,
    MuteIn,
    PermissionsIn,
    RecordingActionIn,
    RecordingSettingsIn,
    ScreenTicket,
    SettingsIn,
    StartIn,
)
from parta.messenger.calls.selectors import CallActor
from parta.messenger.webapi import answer_refusals, error_responses

GUESTS_SESSION_KEY = "call_guests"


class CallSession(SessionAuth):
    """The Django session (cookie), CSRF checked, whether or not a profile is signed in: a guest who joined by the
    call's link is known by the participant ids their session holds."""

    openapi_description = "The messenger's session cookie: a signed-in profile, or a guest who joined by a link."

    def authenticate(self, request: HttpRequest, key: str | None) -> CallActor:
        profile = cast(Profile, request.user) if request.user.is_authenticated else None
        guests = request.session.get(GUESTS_SESSION_KEY) or {}
        return CallActor(profile=profile, guest_ids={str(k): int(v) for k, v in guests.items()})


call_session = CallSession()
router = Router(tags=["calls"], auth=call_session)


# Every endpoint may answer any refusal status (ninja needs each one declared, or it fails with a 500).
REFUSALS: dict[int, Any] = error_responses(400, 403, 404, 409, 503)


def _actor(request: HttpRequest) -> CallActor:
    return cast(CallActor, request.auth)  # type: ignore[attr-defined]


@router.post(
    "/",
    auth=django_auth,
    response={200: CallOut, 201: CallOut, **REFUSALS},
    summary="Start a call in a chat («Позвонить»), or get its live call",
)
@answer_refusals
def start_call(request: HttpRequest, payload: StartIn) -> Status:
    call, created = services.start_chat_call(actor=current_profile(request), chat_id=payload.chat_id)
    return Status(201 if created else 200, selectors.call_out(call))


@router.get(
    "/live",
    auth=django_auth,
    response={200: CallOut, 204: None, **REFUSALS},
    summary="A chat's live call (204: the chat has none now)",
)
@answer_refusals
def live_call(request: HttpRequest, chat_id: int) -> Status:
    # No live call is the usual answer for a chat page, not an error: 204, so the browser logs nothing.
    call = selectors.live_call_of_chat(current_profile(request), chat_id)
    return Status(204, None) if call is None else Status(200, selectors.call_out(call))


@router.get("/{call_id}", response={200: CallState, **REFUSALS}, summary="The call's state")
@answer_refusals
def call_state(request: HttpRequest, call_id: str) -> CallState:
    return selectors.get_call_state(_actor(request), call_id)


@router.post(
    "/{call_id}/join",
    response={200: JoinTicket, **REFUSALS},
    summary="A ticket into the call's media room",
)
@answer_refusals
def join(request: HttpRequest, call_id: str, payload: JoinIn) -> JoinTicket:
    """Lessons open `CALLS_EARLY_JOIN_SECONDS` before they start (409 `not_started`, «Урок начнётся в 10:00»); the
    organizer comes in at any time. A guest (no profile) gives `name`; the session remembers them."""
    actor = _actor(request)
    joined = services.join_ticket(actor=actor, call_id=call_id, name=payload.name)
    if joined.participant.profile_id is None:
        guests = dict(request.session.get(GUESTS_SESSION_KEY) or {})
        guests[joined.ticket.state.id] = joined.participant.pk
        request.session[GUESTS_SESSION_KEY] = guests
    return joined.ticket


@router.post("/{call_id}/joined", response={200: CallState, **REFUSALS}, summary="The browser has joined the room")
@answer_refusals
def joined(request: HttpRequest, call_id: str, payload: JoinedIn) -> CallState:
    return services.confirm_joined(actor=_actor(request), call_id=call_id, feed_id=payload.feed_id)


@router.post(
    "/{call_id}/heartbeat",
    response={200: CallState, **REFUSALS},
    summary=f"Still here, with this on (every {settings.CALLS_HEARTBEAT_SECONDS} s and on change)",
)
@answer_refusals
def heartbeat(request: HttpRequest, call_id: str, payload: HeartbeatIn) -> CallState:
    return services.heartbeat(
        actor=_actor(request),
        call_id=call_id,
        microphone=payload.microphone,
        camera=payload.camera,
        screen=payload.screen,
        moderation_seq=payload.moderation_seq,
    )


@router.post("/{call_id}/leave", response={204: None, **REFUSALS}, summary="Leave the call")
@answer_refusals
def leave(request: HttpRequest, call_id: str) -> Status:
    services.leave(actor=_actor(request), call_id=call_id)
    return Status(204, None)


@router.post("/{call_id}/screen", response={200: ScreenTicket, **REFUSALS}, summary="Share the screen")
@answer_refusals
def screen(request: HttpRequest, call_id: str) -> ScreenTicket:
    return services.screen_ticket(actor=_actor(request), call_id=call_id)


@router.post("/{call_id}/hand", response={200: CallState, **REFUSALS}, summary="Raise or lower my hand")
@answer_refusals
def hand(request: HttpRequest, call_id: str, payload: HandIn) -> CallState:
    return services.set_hand(actor=_actor(request), call_id=call_id, raised=payload.raised)


@router.post(
    "/{call_id}/participants/{int:participant_id}/lower-hand",
    response={200: CallState, **REFUSALS},
    summary="Lower a participant's hand (organizer)",
)
@answer_refusals
def lower_hand(request: HttpRequest, call_id: str, participant_id: int) -> CallState:
    return services.lower_hand(actor=_actor(request), call_id=call_id, participant_id=participant_id)


@router.post(
    "/{call_id}/participants/{int:participant_id}/mute",
    response={200: CallState, **REFUSALS},
    summary="Turn off a participant's microphone, camera or screen (organizer)",
)
@answer_refusals
def mute(request: HttpRequest, call_id: str, participant_id: int, payload: MuteIn) -> CallState:
    return services.mute(actor=_actor(request), call_id=call_id, participant_id=participant_id, what=payload.what)


@router.post(
    "/{call_id}/participants/{int:participant_id}/remove",
    response={200: CallState, **REFUSALS},
    summary="Remove a participant for good (organizer)",
)
@answer_refusals
def remove(request: HttpRequest, call_id: str, participant_id: int) -> CallState:
    return services.remove_participant(actor=_actor(request), call_id=call_id, participant_id=participant_id)


@router.post(
    "/{call_id}/permissions",
    response={200: CallState, **REFUSALS},
    summary="«Доступы участников»: what everyone, or one participant, may do (organizer)",
)
@answer_refusals
def permissions(request: HttpRequest, call_id: str, payload: PermissionsIn) -> CallState:
    return services.set_permissions(
        actor=_actor(request),
        call_id=call_id,
        participant_id=payload.participant_id,
        screen=payload.screen,
        microphone=payload.microphone,
        camera=payload.camera,
        may_record=payload.may_record,
    )


@router.post(
    "/{call_id}/settings",
    response={200: CallState, **REFUSALS},
    summary="Whether guests may join by the link (organizer)",
)
@answer_refusals
def call_settings(request: HttpRequest, call_id: str, payload: SettingsIn) -> CallState:
    return services.update_settings(actor=_actor(request), call_id=call_id, allow_anonymous=payload.allow_anonymous)


@router.post(
    "/{call_id}/recording",
    response={200: CallState, **REFUSALS},
    summary="«Запись» / «Остановить запись» (the organizer, or a participant allowed to record)",
)
@answer_refusals
def recording(request: HttpRequest, call_id: str, payload: RecordingActionIn) -> CallState:
    """403 `recording_not_allowed` (not allowed to record, or a chat whose admins do not allow recording calls);
    503 `recording_unavailable` when the media server cannot record now. Starting or stopping twice changes nothing."""
    if payload.action == "start":
        return services.start_recording(actor=_actor(request), call_id=call_id)
    return services.stop_recording(actor=_actor(request), call_id=call_id)


@router.patch(
    "/{call_id}/recording",
    response={200: CallState, **REFUSALS},
    summary="Whether the absent students get the recording after the lesson (organizer)",
)
@answer_refusals
def recording_settings(request: HttpRequest, call_id: str, payload: RecordingSettingsIn) -> CallState:
    return services.set_catch_up(actor=_actor(request), call_id=call_id, enabled=payload.catch_up)


@router.post(
    "/{call_id}/board-feed",
    response={200: ScreenTicket, **REFUSALS},
    summary="Publish the whiteboard as a feed of its own, to be recorded (whoever may record)",
)
@answer_refusals
def board_feed(request: HttpRequest, call_id: str) -> ScreenTicket:
    return services.board_ticket(actor=_actor(request), call_id=call_id)


@router.post("/{call_id}/end", response={200: CallState, **REFUSALS}, summary="End for everyone (organizer)")
@answer_refusals
def end(request: HttpRequest, call_id: str) -> CallState:
    return services.end_call(actor=_actor(request), call_id=call_id)
