"""Recording a call (issue 11, docs/recording.md): «Запись» … «Остановить запись», and the catch-up switch.

Who may: the organizer, and a participant the organizer allowed (`may_record`), in a lesson call — or in a chat
call when the chat's admins allow recording (`Chat.allow_call_recording`). Guests never.

Start: the recording gets a folder of its own, CALLS_RECORDINGS_DIR/<room id>/<recording's public id>, made here
(the messenger lists it at the stop, so Janus and the messenger share it); then the call's room records into it
(VideoRoom `edit` new_rec_dir, then `enable_recording`). Janus records every stream of every publisher, also of
those who start publishing later, one .mjr file per stream.

Stop: Janus stops recording (its files are complete when it answers); the folder's files become `RecordingTrack`s
(whose feed — a participant's camera, screen or board feed — and their first and last packets' times); the
recording is "processing"; after commit the processor registered in `recording_hooks` gets it. Ending the call stops
its recording the same way, and never fails because of Janus (the room is destroyed after commit anyway).

Every change publishes "call.updated", so every page shows (or hides) the recording indicator at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from django.db import transaction

from parta.messenger.accounts.models import Profile
from parta.messenger.calls import errors, mjr
from parta.messenger.calls.janus import (
    ERROR_NO_SUCH_ROOM,
    JanusError,
    JanusServer,
    JanusUnavailable,
    VideoRoom,
    server_by_name,
)
from parta.messenger.calls.models import (
    Call,
    Participant,
    Recording,
    RecordingStatus,
    RecordingTrack,
    TrackMedia,
    TrackSource,
)
from parta.messenger.calls.recording_hooks import enqueue_processing
from parta.messenger.calls.schemas import CallState
from parta.messenger.calls.selectors import CallActor, active_recording, call_state, may_record, recording_allowed
from parta.messenger.calls.services.common import (
    lock_call,
    now,
    publish_updated,
    require_live,
    require_organizer,
    room_rec_dir,
)

log = logging.getLogger(__name__)


# --- who may ----------------------------------------------------------------------------------------------------------


def _is_organizer(actor: CallActor, call: Call, participant: Participant | None) -> bool:
    if participant is not None and participant.removed_at is None and participant.is_admin:
        return True
    return actor.profile_id is not None and actor.profile_id == call.created_by_id


def _require_recorder(actor: CallActor, call: Call, participant: Participant | None, *, starting: bool) -> Profile:
    """The actor's profile when they may start (or stop) the call's recording; else `recording_not_allowed`.

    Stopping is also allowed to whoever started the running recording, and does not look at the chat's setting
    (a recording started before the chat's admins turned recording off can still be stopped)."""
    profile = actor.profile
    if profile is None:
        raise errors.recording_not_allowed()
    organizer = _is_organizer(actor, call, participant)
    allowed_one = organizer or (participant is not None and may_record(call, participant, allowed=True))
    if not starting:
        running = active_recording(call)
        if allowed_one or (running is not None and running.started_by_id == profile.pk):
            return profile
        raise errors.recording_not_allowed()
    if not allowed_one:
        raise errors.recording_not_allowed()
    if not recording_allowed(call):
        raise errors.chat_recording_off()
    return profile


# --- Janus ------------------------------------------------------------------------------------------------------------


def _server(call: Call) -> JanusServer:
    """The call's Janus server; `recording_unavailable` when it is not configured (or the call has no room)."""
    server = server_by_name(call.server_name)
    if server is None or call.room_id is None:
        log.warning("call %s: no Janus room to record (server %r)", call.pk, call.server_name)
        raise errors.recording_unavailable()
    return server


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(f"{folder} is not writable")
    except OSError as error:
        log.warning("recordings folder %s: %r", folder, error)
        raise errors.recording_unavailable() from error


def _remove_empty_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


# --- start and stop ---------------------------------------------------------------------------------------------------


def start_recording(*, actor: CallActor, call_id: str) -> CallState:
    """«Запись»: the call's room is recorded from now on. Pressing it while the call is recorded changes nothing.
    403 `recording_not_allowed`; 503 `recording_unavailable` when the folder cannot be made or Janus does not record
    (nothing is saved then). Locks the call row."""
    with transaction.atomic():
        call, me = lock_call(actor, call_id)
        require_live(call)
        profile = _require_recorder(actor, call, me, starting=True)
        if active_recording(call) is None:
            _start(call, profile)
            publish_updated(call)
        return call_state(call, me)


def _start(call: Call, profile: Profile) -> Recording:
    recording = Recording(call=call, started_by=profile, started_at=now(), status=RecordingStatus.RECORDING)
    folder = Path(room_rec_dir(call.room_id or 0)) / str(recording.public_id)
    recording.folder = str(folder)
    server = _server(call)
    _make_folder(folder)
    recording.save()
    try:
        with VideoRoom(server) as room:
            room.record_into(room_id=call.room_id or 0, secret=call.room_secret, rec_dir=recording.folder)
    except (JanusUnavailable, JanusError) as error:
        log.warning("call %s: recording not started: %r", call.pk, error)
        _remove_empty_folder(folder)
        raise errors.recording_unavailable() from error
    log.info("call %s: recording %s started into %s", call.pk, recording.public_id, recording.folder)
    return recording


def stop_recording(*, actor: CallActor, call_id: str) -> CallState:
    """«Остановить запись»: Janus stops recording, the recording's files are listed and it goes to processing (after
    commit). Stopping when nothing is recorded changes nothing. 503 `recording_unavailable` when Janus does not answer
    (the recording then goes on, and the indicator stays: it may still be recording). Locks the call row."""
    with transaction.atomic():
        call, me = lock_call(actor, call_id)
        _require_recorder(actor, call, me, starting=False)
        recording = active_recording(call)
        if recording is not None:
            try:
                with VideoRoom(_server(call)) as room:
                    room.enable_recording(room_id=call.room_id or 0, secret=call.room_secret, record=False)
            except JanusError as error:
                if error.code != ERROR_NO_SUCH_ROOM:  # a room that is gone records nothing any more
                    log.warning("call %s: recording not stopped: %r", call.pk, error)
                    raise errors.recording_unavailable() from error
            except JanusUnavailable as error:
                log.warning("call %s: recording not stopped: %r", call.pk, error)
                raise errors.recording_unavailable() from error
            close_recording(call, recording)
            publish_updated(call)
        return call_state(call, me)


def stop_for_end(call: Call) -> Recording | None:
    """The call ends (inside `finish`'s transaction): its running recording stops. Janus failing is logged, never
    raised — the room is destroyed after commit, which closes the files too."""
    recording = active_recording(call)
    if recording is None:
        return None
    try:
        with VideoRoom(_server(call)) as room:
            room.enable_recording(room_id=call.room_id or 0, secret=call.room_secret, record=False)
    except (JanusUnavailable, JanusError, errors.CallRefusal) as error:
        log.warning("call %s: recording %s not stopped on Janus at the end: %r", call.pk, recording.public_id, error)
    close_recording(call, recording)
    return recording


def close_recording(call: Call, recording: Recording) -> list[RecordingTrack]:
    """The recording has stopped (Janus is told): "processing", its tracks listed, the processor called after
    commit. Must run inside the transaction that locked the call."""
    recording.status = RecordingStatus.PROCESSING
    recording.stopped_at = now()
    recording.save(update_fields=["status", "stopped_at"])
    tracks = RecordingTrack.objects.bulk_create(list_tracks(call, recording))
    log.info("call %s: recording %s stopped, %d tracks", call.pk, recording.public_id, len(tracks))
    recording_pk = recording.pk
    transaction.on_commit(lambda: enqueue_processing(recording_pk))
    return tracks


def list_tracks(call: Call, recording: Recording) -> list[RecordingTrack]:
    """The recording's .mjr files (unsaved tracks): whose feed each is, and its first and last packets' times. Files
    of other rooms, data channels and empty files (a stream that never sent a packet) are left out; a feed the call
    does not know (there is none today) is kept as a camera without a participant."""
    folder = Path(recording.folder)
    try:
        names = sorted(entry.name for entry in os.scandir(folder) if entry.is_file())
    except OSError as error:
        log.warning("recording %s: folder %s not readable: %r", recording.public_id, folder, error)
        return []
    feeds: dict[int, tuple[Participant | None, str]] = {}
    for participant in Participant.objects.filter(call=call):
        for feed_id, source in (
            (participant.feed_id, str(TrackSource.CAMERA)),
            (participant.screen_feed_id, str(TrackSource.SCREEN)),
            (participant.board_feed_id, str(TrackSource.BOARD)),
        ):
            if feed_id is not None:
                feeds[feed_id] = (participant, source)
    tracks = []
    for name in names:
        parsed = mjr.parse_name(name)
        if parsed is None or parsed.room_id != call.room_id or parsed.media not in (TrackMedia.AUDIO, TrackMedia.VIDEO):
            continue
        path = folder / name
        try:
            times = mjr.read_times(path)
        except OSError as error:
            log.warning("recording %s: %s not readable: %r", recording.public_id, path, error)
            times = None
        if times is None:
            continue
        owner, source = feeds.get(parsed.feed_id, (None, str(TrackSource.CAMERA)))
        tracks.append(
            RecordingTrack(
                recording=recording,
                participant=owner,
                feed_id=parsed.feed_id,
                source=source,
                media=parsed.media,
                path=str(path),
                started_at=times.first_packet_at,
                ended_at=times.last_packet_at,
            )
        )
    return tracks


# --- the catch-up switch ----------------------------------------------------------------------------------------------


def set_catch_up(*, actor: CallActor, call_id: str, enabled: bool) -> CallState:
    """«Отправить запись пропустившим»: whether, after the lesson, the students who missed it get the recording
    (the organizer; also after the call has ended, until the recording is sent). Locks the call row."""
    with transaction.atomic():
        call, me = lock_call(actor, call_id)
        me = require_organizer(actor, call, me)
        if call.catch_up_enabled != enabled:
            call.catch_up_enabled = enabled
            call.save(update_fields=["catch_up_enabled"])
            publish_updated(call)
        return call_state(call, me)
