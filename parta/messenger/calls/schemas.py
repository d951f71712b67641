"""What the calls web API takes and answers (docs/calls.md), and the payloads of its real-time events."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

# --- requests ---------------------------------------------------------------------------------------------------------


class StartIn(Schema):
    chat_id: int


class JoinIn(Schema):
    name: str | None = Field(default=None, max_length=100, description="a guest's name (guests only)")


class JoinedIn(Schema):
    feed_id: int


class HeartbeatIn(Schema):
    microphone: bool = False
    camera: bool = False
    screen: bool = False
    # `me.moderation_seq` of the last state the page applied; older than the server's → the organizer has turned
    # something off since, and this heartbeat's "on" for it is stale (ignored, not a refusal).
    moderation_seq: int | None = None


class HandIn(Schema):
    raised: bool


class MuteIn(Schema):
    what: Literal["microphone", "camera", "screen"]


class PermissionsIn(Schema):
    participant_id: int | None = Field(default=None, description="none: the setting for everyone")
    screen: bool | None = None
    microphone: bool | None = None
    camera: bool | None = None
    may_record: bool | None = Field(
        default=None, description="may start and stop the recording (one participant only; the organizer always may)"
    )


class RecordingActionIn(Schema):
    action: Literal["start", "stop"]


class RecordingSettingsIn(Schema):
    catch_up: bool = Field(description="after the lesson, send the recording to the students who missed it")


class SettingsIn(Schema):
    allow_anonymous: bool


# --- answers ----------------------------------------------------------------------------------------------------------


class CallOut(Schema):
    id: str  # the call's public id (as in /calls/<id>/)
    url: str  # the call page
    title: str
    kind: Literal["lesson", "chat"]
    status: Literal["live", "ended"]
    chat_id: int
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None


class Abilities(Schema):
    screen: bool
    microphone: bool
    camera: bool


class MeOut(Schema):
    participant_id: int
    is_admin: bool
    may: Abilities
    removed: bool
    moderation_seq: int = 0
    may_record: bool = False  # may start and stop the recording (issue 11)


class ParticipantOut(Schema):
    id: int
    profile_id: int | None  # the person's profile (None: a guest); the board's chosen drawers are profiles
    name: str
    is_admin: bool
    present: bool
    microphone: bool
    camera: bool
    screen: bool
    hand_raised_at: dt.datetime | None
    feed_id: int | None
    screen_feed_id: int | None
    board_feed_id: int | None = None  # the whiteboard's canvas published as a feed (while recording)
    may: Abilities
    may_record: bool | None = None  # the organizer's setting for this participant; None: the default (may not)


class RecordingOut(Schema):
    """The call's recording now (issue 11, docs/recording.md)."""

    active: bool  # someone pressed «Запись» and has not stopped it
    started_at: dt.datetime | None  # of the running recording
    started_by_name: str | None
    catch_up: bool  # after the lesson, the recording goes to the students who missed it (the organizer's switch)


class CallState(Schema):
    id: str
    url: str
    title: str
    kind: Literal["lesson", "chat"]
    status: Literal["live", "ended"]
    chat_id: int
    chat_url: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    ended_at: dt.datetime | None
    allow_anonymous: bool
    everyone: Abilities
    me: MeOut | None
    participants: list[ParticipantOut]  # present first, then by name
    hands: list[int]  # participant ids with a raised hand, oldest first
    recording: RecordingOut
    recording_active: bool  # the same as recording.active (what the page before joining shows)


class JoinTicket(Schema):
    janus_url: str  # Janus's HTTP API as the browser reaches it
    janus_token: str  # for `new Janus({token})`
    ice_servers: list[dict[str, object]]
    room_id: int
    room_token: str  # for the publisher's and the subscriber's `join` (`token`)
    feed_id: int  # the publisher `id` to join with
    display: str  # the publisher `display` to join with
    participant_id: int
    state: CallState


class ScreenTicket(Schema):
    room_token: str
    feed_id: int
    display: str
