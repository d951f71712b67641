"""Turning a stopped recording's .mjr files into one video in the call's chat (docs/recording.md "Processing").

1. Each track's .mjr → a playable file with `janus-pp-rec` (.webm video, .opus audio) in the recording's work
   folder; its header says when its first packet came, which places it on the recording's timeline, so the parts
   before and after a gap (a camera turned off and on is a new file) stay where they were said. A finished file is
   reused when a killed job runs again.
2. The layout (layout.py) and one ffmpeg run (compose.py); ffmpeg's `-progress` moves Recording.progress and the
   chat message («Запись обрабатывается… 40 %»); every step keeps `heartbeat_at` fresh.
3. A poster frame (WebP) and the duration (ffprobe); the video is stored through Django's storage and attached to
   the message (messages.py); the recording is READY; the catch-up (catchup.py, if present) is told.

What cannot be kept is said, what can be is kept: files Janus lost or that are broken are left out (the message
says so); none left → FAILED «Запись не удалась: …». A full disk → FAILED with error_code disk_full. Any other
error: the job runs again (RECORDINGS_MAX_ATTEMPTS in all), then FAILED. The call itself never hears of any of it.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parta.messenger.calls.models import Recording, RecordingErrorCode, RecordingStatus, RecordingTrack
from parta.messenger.recordings import compose, layout, media, messages

log = logging.getLogger(__name__)
CONVERT_SHARE = 15  # % of the progress bar for janus-pp-rec, the rest (to 95) for ffmpeg, then storing
COMPOSE_END = 95
PROGRESS_STEP = 5  # the chat message changes every 5 %
PROGRESS_WRITE_SECONDS = 5.0


class RecordingFailed(Exception):
    """Nothing playable can be made: `code` is Recording.error_code, `reason` what the chat message says."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass(frozen=True)
class Prepared:
    """A track made playable and placed on the timeline."""

    track: RecordingTrack
    key: str
    path: Path
    first_packet_us: int
    start_time: float  # the playable file's own first timestamp (janus-pp-rec may skip to a key frame)
    duration: float


class Progress:
    """The job's heartbeat and progress: the row at most every PROGRESS_WRITE_SECONDS, the message every 5 %."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self.percent = recording.progress
        self.shown = -PROGRESS_STEP
        self.written_at = 0.0

    def beat(self) -> None:
        Recording.objects.filter(pk=self.recording.pk).update(heartbeat_at=timezone.now())
        self.written_at = time.monotonic()

    def set(self, percent: float) -> None:
        value = max(0, min(99, int(percent)))
        if value <= self.percent and time.monotonic() - self.written_at < media.HEARTBEAT_SECONDS:
            return
        self.percent = max(self.percent, value)
        if time.monotonic() - self.written_at >= PROGRESS_WRITE_SECONDS or self.percent - self.shown >= PROGRESS_STEP:
            Recording.objects.filter(pk=self.recording.pk).update(progress=self.percent, heartbeat_at=timezone.now())
            self.written_at = time.monotonic()
        if self.percent - self.shown >= PROGRESS_STEP:
            self.shown = self.percent - self.percent % PROGRESS_STEP
            messages.show_progress(self.recording, self.shown)


def work_dir(recording: Recording) -> Path:
    return Path(settings.RECORDINGS_WORK_DIR) / str(recording.public_id)


# -- claiming, finishing -----------------------------------------------------------------------------------------


def claim(recording_id: int) -> Recording | None:
    """Takes the recording for this run (attempts + 1, fresh heartbeat); None when there is nothing to do (ready,
    failed, deleted, gone). Past RECORDINGS_MAX_ATTEMPTS it is marked failed instead. Locks the recording's row."""
    with transaction.atomic():
        recording = (
            Recording.objects.select_for_update(of=("self",))
            .select_related("call", "call__created_by")
            .filter(pk=recording_id)
            .first()
        )
        if recording is None or recording.status != RecordingStatus.PROCESSING:
            return None
        exhausted = recording.attempts >= settings.RECORDINGS_MAX_ATTEMPTS
        if exhausted:
            _mark_failed(recording, RecordingErrorCode.PROCESSING_FAILED)
        else:
            recording.attempts += 1
            recording.heartbeat_at = timezone.now()
            recording.save(update_fields=["attempts", "heartbeat_at"])
    if exhausted:
        messages.show_failure(recording, interrupted_reason(recording.attempts))
        return None
    return recording


def interrupted_reason(attempts: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return ngettext(
            "processing was interrupted %(count)s time; ask the administrator to check the server's worker.",
            "processing was interrupted %(count)s times; ask the administrator to check the server's worker.",
            attempts,
        ) % {"count": attempts}


def _mark_failed(recording: Recording, code: str) -> None:
    Recording.objects.filter(pk=recording.pk).update(status=RecordingStatus.FAILED, error_code=code)
    recording.status, recording.error_code = RecordingStatus.FAILED, code


def fail(recording: Recording, code: str, reason: str) -> None:
    """Marks the recording failed and says why in its chat message (the source files stay, for an administrator)."""
    _mark_failed(recording, code)
    messages.show_failure(recording, reason)
    log.warning("recording %s failed (%s): %s", recording.pk, code, reason)


def disk_full_reason() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("the server ran out of disk space")


def retry_or_fail(recording: Recording, error: BaseException) -> bool:
    """After an unexpected error: True when another attempt is due, else marks it failed."""
    if recording.attempts < settings.RECORDINGS_MAX_ATTEMPTS:
        Recording.objects.filter(pk=recording.pk).update(heartbeat_at=timezone.now())
        return True
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("the video could not be made (%(error)s).") % {"error": str(error)[:200]}
    fail(recording, RecordingErrorCode.PROCESSING_FAILED, reason)
    return False


def stale_recording_ids() -> list[int]:
    """Recordings in processing whose worker stopped beating (or that never started)."""
    limit = timezone.now() - timedelta(seconds=settings.RECORDINGS_STALE_SECONDS)
    stale = Recording.objects.filter(status=RecordingStatus.PROCESSING, heartbeat_at__lt=limit)
    never = Recording.objects.filter(status=RecordingStatus.PROCESSING, heartbeat_at=None, stopped_at__lt=limit)
    return sorted({*stale.values_list("pk", flat=True), *never.values_list("pk", flat=True)})


def mark_requeued(recording_id: int) -> bool:
    """Before a stale recording is queued again: its heartbeat is set to now (so the next minute's check does not
    queue it once more while it waits); past the attempts it is failed instead. True when it should be queued."""
    with transaction.atomic():
        recording = Recording.objects.select_for_update(of=("self",)).select_related("call").get(pk=recording_id)
        if recording.status != RecordingStatus.PROCESSING:
            return False
        exhausted = recording.attempts >= settings.RECORDINGS_MAX_ATTEMPTS
        if exhausted:
            _mark_failed(recording, RecordingErrorCode.PROCESSING_FAILED)
        else:
            Recording.objects.filter(pk=recording_id).update(heartbeat_at=timezone.now())
    if exhausted:
        messages.show_failure(recording, interrupted_reason(recording.attempts))
    return not exhausted


# -- the job -----------------------------------------------------------------------------------------------------


def process(recording: Recording) -> None:
    """The whole job for a claimed recording. Raises RecordingFailed, media.DiskFull, or what went wrong."""
    messages.ensure_message(recording)
    progress = Progress(recording)
    folder = work_dir(recording)
    tracks = list(recording.tracks.select_related("participant").order_by("pk"))
    prepared, lost, broken = prepare_tracks(tracks, folder, progress)
    _store_track_times(prepared)
    if not prepared:
        if lost and not broken:
            raise RecordingFailed(RecordingErrorCode.JANUS_FILES_MISSING, files_missing_reason())
        raise RecordingFailed(RecordingErrorCode.STREAM_BROKEN, streams_broken_reason())
    output = compose_video(prepared, folder, progress, attempt=recording.attempts)
    duration = media.duration_of(output)
    if duration <= 0:
        raise RecordingFailed(RecordingErrorCode.STREAM_BROKEN, streams_broken_reason())
    poster = make_poster(output, duration, folder, progress)
    progress.set(COMPOSE_END + 2)
    note = partial_note(prepared, lost, broken)
    code = ""
    if lost or broken:
        code = RecordingErrorCode.STREAM_BROKEN if broken else RecordingErrorCode.JANUS_FILES_MISSING
    finish(recording, output, poster, round(duration * 1000), note, code)
    cleanup(recording, tracks)


def prepare_tracks(
    tracks: list[RecordingTrack], folder: Path, progress: Progress
) -> tuple[list[Prepared], list[RecordingTrack], list[RecordingTrack]]:
    """(playable tracks, tracks whose file is gone, tracks whose file is broken)."""
    folder.mkdir(parents=True, exist_ok=True)
    prepared: list[Prepared] = []
    lost: list[RecordingTrack] = []
    broken: list[RecordingTrack] = []
    for number, track in enumerate(tracks):
        path = Path(track.path)
        if not path.is_file() or path.stat().st_size == 0:
            lost.append(track)
            continue
        key = f"{track.pk}-{track.media}"
        target = folder / f"{key}.{'webm' if track.media == 'video' else 'opus'}"
        try:
            header = media.read_header(path, beat=progress.beat)
            if header.media not in ("audio", "video"):
                continue
            media.convert(path, target, beat=progress.beat)
            info = media.probe(target)
        except media.ToolFailed:
            log.warning("recording track %s (%s) is broken", track.pk, path, exc_info=True)
            broken.append(track)
            continue
        fmt = info.get("format")
        fmt = fmt if isinstance(fmt, dict) else {}
        duration = float(fmt.get("duration") or 0)
        if duration <= 0:
            broken.append(track)
            continue
        start_time = max(0.0, float(fmt.get("start_time") or 0))
        prepared.append(Prepared(track, key, target, header.first_packet_us, start_time, duration))
        progress.set(CONVERT_SHARE * (number + 1) / len(tracks))
    return prepared, lost, broken


def make_poster(output: Path, duration: float, folder: Path, progress: Progress) -> Path:
    """A frame 10 s in (or from the middle of a shorter video) as the video's poster; none is no error."""
    poster = folder / "poster.webp"
    try:
        media.run_tool(compose.poster_command(output, min(10.0, duration / 2), poster), beat=progress.beat)
    except media.ToolFailed:
        log.warning("%s: no poster frame", output, exc_info=True)
        poster.unlink(missing_ok=True)
    return poster


def _store_track_times(prepared: list[Prepared]) -> None:
    for item in prepared:
        started = datetime.fromtimestamp(item.first_packet_us / 1e6, tz=UTC)
        ended = started + timedelta(seconds=item.start_time + item.duration)
        RecordingTrack.objects.filter(pk=item.track.pk).update(started_at=started, ended_at=ended)


def timeline(prepared: list[Prepared]) -> tuple[dict[str, float], float]:
    """Each track's start on the recording's timeline (s) and the recording's length."""
    origin = min(item.first_packet_us for item in prepared)
    starts = {item.key: (item.first_packet_us - origin) / 1e6 + item.start_time for item in prepared}
    total = max(starts[item.key] + item.duration for item in prepared)
    return starts, total


def compose_video(prepared: list[Prepared], folder: Path, progress: Progress, *, attempt: int = 1) -> Path:
    output = folder / "recording.mp4"
    if output.exists() and output.stat().st_size > 0:  # a resumed job whose ffmpeg had finished
        return output
    starts, total = timeline(prepared)
    videos = [item for item in prepared if item.track.media == "video"]
    spans = [
        layout.VideoSpan(
            item.key, item.track.feed_id, item.track.source, starts[item.key], starts[item.key] + item.duration
        )
        for item in videos
    ]
    cameras = [span for span in spans if span.source not in layout.SHOWN_SOURCES]
    loudness: dict[int, float] = {}
    if len(cameras) > layout.SIDE_TILES:  # only then does it matter who speaks the most
        for item in prepared:
            if item.track.media == "audio":
                level = media.mean_volume(item.path, beat=progress.beat)
                loudness[item.track.feed_id] = max(level, loudness.get(item.track.feed_id, float("-inf")))
    paths = {item.key: item.path for item in videos}
    runs = layout.plan_runs(spans, total, loudness)
    audios = [compose.AudioInput(item.path, starts[item.key]) for item in prepared if item.track.media == "audio"]
    partial = folder / f"recording.part-{attempt}.mp4"  # never the file of an earlier attempt's (orphaned) ffmpeg
    args = compose.command(
        videos=[compose.VideoInput(paths[run.key], run) for run in runs], audios=audios, total=total, output=partial
    )
    media.run_tool(args, beat=progress.beat, on_line=_progress_lines(progress, total))
    partial.replace(output)
    return output


def _progress_lines(progress: Progress, total: float) -> Callable[[str], None]:
    def on_line(line: str) -> None:
        if line.startswith("out_time_us=") and total > 0:
            try:
                done = int(line.split("=", 1)[1]) / 1e6
            except ValueError:
                return
            progress.set(CONVERT_SHARE + (COMPOSE_END - CONVERT_SHARE) * min(1.0, done / total))

    return on_line


def _video_size(output: Path) -> tuple[int, int]:
    try:
        streams = media.probe(output).get("streams") or []
    except media.ToolFailed:
        return 0, 0
    for stream in streams if isinstance(streams, list) else []:
        if isinstance(stream, dict) and stream.get("codec_type") == "video":
            return int(stream.get("width") or 0), int(stream.get("height") or 0)
    return 0, 0


def finish(recording: Recording, output: Path, poster: Path, duration_ms: int, note: str, code: str) -> None:
    width, height = _video_size(output)
    messages.attach_video(
        recording,
        video=output,
        poster=poster if poster.exists() else None,
        duration_ms=duration_ms,
        width=width,
        height=height,
        note=note,
    )
    Recording.objects.filter(pk=recording.pk).update(
        status=RecordingStatus.READY, progress=100, duration_ms=duration_ms, error_code=code
    )
    recording.refresh_from_db()
    tell_catch_up(recording)


def tell_catch_up(recording: Recording) -> None:
    """`catchup.on_recording_ready(recording)` when that module is there (the catch-up pack, issue 11 §5)."""
    name = "parta.messenger.recordings.catchup"
    if importlib.util.find_spec(name) is None:
        return
    try:
        importlib.import_module(name).on_recording_ready(recording)
    except Exception:  # the video is in the chat whatever the catch-up does
        log.exception("recording %s: the catch-up failed", recording.pk)


def cleanup(recording: Recording, tracks: list[RecordingTrack]) -> None:
    """The work folder goes; Janus's files too unless RECORDINGS_KEEP_SOURCES (the video is the recording now)."""
    shutil.rmtree(work_dir(recording), ignore_errors=True)
    if settings.RECORDINGS_KEEP_SOURCES:
        return
    for track in tracks:
        Path(track.path).unlink(missing_ok=True)
    folder = Path(recording.folder) if recording.folder else None
    if folder is not None and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


# -- what the chat is told ---------------------------------------------------------------------------------------


def files_missing_reason() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("the media server's files of this recording are missing.")


def streams_broken_reason() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("the recorded streams are damaged and cannot be played.")


def partial_note(prepared: list[Prepared], lost: list[RecordingTrack], broken: list[RecordingTrack]) -> str:
    if not lost and not broken:
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        if not any(item.track.media == "video" for item in prepared):
            return _("Part of the recording was not saved: there is no picture, only the sound.")
        if not any(item.track.media == "audio" for item in prepared):
            return _("Part of the recording was not saved: there is no sound, only the picture.")
        count = len(lost) + len(broken)
        return ngettext(
            "Part of the recording was not saved: %(count)s stream of %(total)s is missing or damaged.",
            "Part of the recording was not saved: %(count)s streams of %(total)s are missing or damaged.",
            count,
        ) % {"count": count, "total": count + len(prepared)}
