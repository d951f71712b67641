"""Refusals a person (or a journal) can meet in calls: a stable code for programs and a Russian message for people.

Services raise `CallRefusal`; the web API answers `{"code", "message"}` with its status (`answer_refusals`), the
integration API answers it as `ApiError`. Codes are listed in docs/calls.md; never rename one.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from parta.messenger.errors import Refusal


class CallRefusal(Refusal):
    """A refusal in calls; `answer_refusals` turns it into the API's error answer."""


def call_not_found() -> CallRefusal:
    return CallRefusal("call_not_found", _("There is no such call, or you may not join it."), status=404)


def participant_not_found() -> CallRefusal:
    return CallRefusal("participant_not_found", _("There is no such participant in this call."), status=404)


def calls_unavailable() -> CallRefusal:
    return CallRefusal(
        "calls_unavailable", _("Calls are unavailable right now. Try again in a few minutes."), status=503
    )


def call_ended() -> CallRefusal:
    return CallRefusal("call_ended", _("The call has ended."), status=409)


def not_joined() -> CallRefusal:
    return CallRefusal("not_joined", _("Join the call first."), status=409)


def organizer_only() -> CallRefusal:
    return CallRefusal("organizer_only", _("Only the call's organizer can do this."), status=403)


def removed() -> CallRefusal:
    return CallRefusal(
        "removed", _("The organizer has removed you from this call: you cannot join it again."), status=403
    )


def organizer_stays() -> CallRefusal:
    return CallRefusal("organizer_stays", _("The organizer cannot be removed from their own call."), status=409)


def guests_not_allowed() -> CallRefusal:
    return CallRefusal(
        "guests_not_allowed",
        _("Only the call's participants can join it. Sign in to «Парта» with your educational profile."),
        status=403,
    )


def guest_name_required() -> CallRefusal:
    return CallRefusal("name_required", _("Enter your name so that the others know who you are."), status=400)


def not_started(starts_at: str) -> CallRefusal:
    return CallRefusal("not_started", _("The lesson starts at %(time)s.") % {"time": starts_at}, status=409)


def screen_not_allowed() -> CallRefusal:
    return CallRefusal("screen_not_allowed", _("The organizer has not allowed you to share your screen."), status=403)


def microphone_not_allowed() -> CallRefusal:
    return CallRefusal(
        "microphone_not_allowed", _("The organizer has not allowed you to turn on your microphone."), status=403
    )


def camera_not_allowed() -> CallRefusal:
    return CallRefusal("camera_not_allowed", _("The organizer has not allowed you to turn on your camera."), status=403)


def may_not_call() -> CallRefusal:
    return CallRefusal(
        "may_not_call", _("In this chat only its admins can start a call. Ask them to start one."), status=403
    )


def wrong_feed() -> CallRefusal:
    return CallRefusal("wrong_feed", _("This is not the feed the messenger gave you: join again."), status=409)


# --- recording (issue 11) ---------------------------------------------------------------------------------------------


def recording_not_allowed() -> CallRefusal:
    return CallRefusal(
        "recording_not_allowed",
        _("Only the organizer, or a participant the organizer has allowed, can record this call."),
        status=403,
    )


def chat_recording_off() -> CallRefusal:
    return CallRefusal(
        "recording_not_allowed",
        _("Calls in this chat are not recorded: the chat's admins can allow it in the chat's settings."),
        status=403,
    )


def recording_unavailable() -> CallRefusal:
    return CallRefusal(
        "recording_unavailable", _("Recording is unavailable right now. Try again in a few minutes."), status=503
    )


def participant_required() -> CallRefusal:
    return CallRefusal("participant_required", _("Choose the participant who may record."), status=400)


# --- lesson calls (the integration API) -------------------------------------------------------------------------------


def teacher_not_linked() -> CallRefusal:
    return CallRefusal(
        "teacher_not_linked",
        _(
            "Your journal account is not linked with an educational profile in «Парта» yet. Link your profile first "
            "(the «Парта» icon in the journal → «Привязать учебный профиль»), then create the online lesson again."
        ),
        status=409,
    )


def lesson_over() -> CallRefusal:
    return CallRefusal(
        "lesson_over", _("This lesson is already over: an online lesson cannot be created for it."), status=409
    )


def call_in_progress(title: str) -> CallRefusal:
    return CallRefusal(
        "call_in_progress",
        _("Until the lesson «%(title)s» has ended, a new one cannot be started.") % {"title": title},
        status=409,
    )
