"""Processing a recording (issue 11 §3, §6): real .mjr files from the real Janus → one MP4 in the call's chat.

# covers: issue 11 — processing (layout, gaps aligned, progress in the chat, video message with duration and
# poster), failures (files missing, broken streams, disk full), the worker resuming a killed job
"""

from __future__ import annotations

import errno
import json
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils import timezone

from parta.messenger.calls.models import Recording, RecordingStatus
from parta.messenger.chats.models import Attachment, AttachmentKind, Message
from parta.messenger.recordings import messages, processing, tasks
from tests.messenger.recordings.conftest import STUDENT_AGAIN, STUDENT_CAMERA

pytestmark = pytest.mark.django_db


def ffprobe(path: Path) -> dict[str, Any]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
        capture_output=True, check=True,
    )  # fmt: skip
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def silences(path: Path) -> list[tuple[float, float]]:
    """Stretches of silence (below -50 dB for 0.5 s or more) in the file's sound: (start, end) in seconds."""
    detect = ["-af", "silencedetect=n=-50dB:d=0.5", "-f", "null", "-"]
    result = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-i", str(path), *detect], capture_output=True, text=True, check=True
    )
    lines = result.stderr.splitlines()
    starts = [float(line.rsplit("silence_start:", 1)[1]) for line in lines if "silence_start:" in line]
    ends = [float(line.split("silence_end:", 1)[1].split("|")[0]) for line in lines if "silence_end:" in line]
    return list(zip(starts, ends, strict=False))


def video_of(recording: Recording) -> Attachment:
    recording.refresh_from_db()
    assert recording.message_id is not None
    attachment = Attachment.objects.get(message_id=recording.message_id)
    assert attachment.kind == AttachmentKind.VIDEO and attachment.content_type == "video/mp4"
    return attachment


def stored_path(name: str) -> Path:
    return Path(default_storage.path(name))


def span_of(recording: Recording, **filters: Any) -> tuple[float, float]:
    """(first packet, last packet) of the recording's tracks, seconds after its first packet — from the .mjr files
    themselves as the calls app read them at the stop (calls/mjr.py), not from the worker's own reckoning."""
    every = list(recording.tracks.all())
    origin = min(track.started_at for track in every if track.started_at)
    chosen = list(recording.tracks.filter(**filters))
    first = min(track.started_at for track in chosen if track.started_at)
    last = max(track.ended_at for track in chosen if track.ended_at)
    return (first - origin).total_seconds(), (last - origin).total_seconds()


def test_a_lesson_becomes_one_video_in_the_call_chat(make_recording: Any) -> None:
    lesson = make_recording("lesson")
    assert lesson.recording.tracks.count() == 5  # two cameras (sound + picture), one screen (picture)
    _first, length = span_of(lesson.recording)
    shown: list[int] = []
    with mock.patch.object(messages, "show_progress", wraps=messages.show_progress) as progress:
        tasks.run(lesson.recording.pk)
        shown = [call.args[1] for call in progress.call_args_list]
    recording = Recording.objects.get(pk=lesson.recording.pk)
    assert recording.status == RecordingStatus.READY and recording.progress == 100 and recording.error_code == ""
    assert recording.attempts == 1
    message = Message.objects.get(pk=recording.message_id)
    assert message.text == "Запись урока: 7Б — Математика"
    assert message.sender_id == lesson.teacher.pk and message.chat_id == lesson.call.chat_id
    attachment = video_of(recording)
    info = ffprobe(stored_path(attachment.file.name))
    codecs = {stream["codec_type"]: stream for stream in info["streams"]}
    assert codecs["video"]["codec_name"] == "h264" and codecs["video"]["pix_fmt"] == "yuv420p"
    assert (codecs["video"]["width"], codecs["video"]["height"]) == (1280, 720)
    assert codecs["audio"]["codec_name"] == "aac"
    assert "mp4" in info["format"]["format_name"]
    duration = float(info["format"]["duration"])
    assert (
        abs(duration - length) < 1.0 and 5.0 < duration < 9.0
    )  # the tracks span ~6 s (each feed's ffmpeg starts late)
    assert attachment.duration_ms == recording.duration_ms and abs(attachment.duration_ms - duration * 1000) < 100
    assert (attachment.width, attachment.height) == (1280, 720)
    assert attachment.size == stored_path(attachment.file.name).stat().st_size
    assert attachment.thumbnail.name.endswith(".webp")
    assert stored_path(attachment.thumbnail.name).read_bytes()[8:12] == b"WEBP"
    # the progress moved, in steps, up to the end, and the message said so on the way
    assert shown == sorted(shown) and len(shown) >= 3 and shown[-1] >= 90 and any(15 < p < 90 for p in shown)
    # the tracks learnt their times; the work folder and Janus's files are gone
    assert all(track.started_at and track.ended_at for track in recording.tracks.all())
    assert not processing.work_dir(recording).exists()
    assert not Path(recording.folder).exists()


def test_the_message_shows_the_progress_and_publishes_each_change(make_recording: Any) -> None:
    lesson = make_recording("lesson")
    recording = Recording.objects.select_related("call").get(pk=lesson.recording.pk)
    message = messages.ensure_message(recording)
    assert message is not None and message.text == "Запись обрабатывается…"
    assert messages.ensure_message(recording) == message  # once
    with mock.patch.object(messages, "publish_message") as published:
        messages.show_progress(recording, 40)
    message.refresh_from_db()
    assert message.text == "Запись обрабатывается… 40 %" and message.edited_at is None
    assert published.call_args.args[0] == "message.edited"


def test_the_parts_before_and_after_a_gap_stay_in_their_places(make_recording: Any) -> None:
    lesson = make_recording("gap")
    _start, left = span_of(lesson.recording, feed_id=STUDENT_CAMERA)
    back, length = span_of(lesson.recording, feed_id=STUDENT_AGAIN)
    assert 1.0 < back - left < 3.0  # about 2 s away
    tasks.run(lesson.recording.pk)
    recording = Recording.objects.get(pk=lesson.recording.pk)
    assert recording.status == RecordingStatus.READY
    path = stored_path(video_of(recording).file.name)
    assert abs(float(ffprobe(path)["format"]["duration"]) - length) < 1.0
    quiet = [(start, end) for start, end in silences(path) if end - start > 1.0]
    assert len(quiet) == 1, quiet
    start, end = quiet[0]
    assert abs(start - left) < 0.4 and abs(end - back) < 0.4  # silence exactly while the student was away


def test_janus_files_missing_fail_with_a_message_and_never_touch_the_call(make_recording: Any) -> None:
    lesson = make_recording("lesson")
    for track in lesson.recording.tracks.all():
        Path(track.path).unlink()
    tasks.run(lesson.recording.pk)
    recording = Recording.objects.get(pk=lesson.recording.pk)
    assert recording.status == RecordingStatus.FAILED and recording.error_code == "janus_files_missing"
    message = Message.objects.get(pk=recording.message_id)
    assert message.text == "Запись не удалась: файлы записи на медиасервере не найдены."
    lesson.call.refresh_from_db()
    assert lesson.call.status == "live"


def test_broken_pictures_keep_the_sound(make_recording: Any) -> None:
    lesson = make_recording("lesson")
    for track in lesson.recording.tracks.filter(media="video"):
        Path(track.path).write_bytes(b"MJR00002garbage" * 100)
    tasks.run(lesson.recording.pk)
    recording = Recording.objects.get(pk=lesson.recording.pk)
    assert recording.status == RecordingStatus.READY and recording.error_code == "stream_broken"
    message = Message.objects.get(pk=recording.message_id)
    assert message.text.startswith("Запись урока: 7Б — Математика\n")
    assert "сохранён только звук" in message.text
    info = ffprobe(stored_path(video_of(recording).file.name))
    assert {s["codec_type"] for s in info["streams"]} == {"video", "audio"}


def test_all_streams_broken_fail_with_a_message(make_recording: Any) -> None:
    lesson = make_recording("lesson")
    for track in lesson.recording.tracks.all():
        Path(track.path).write_bytes(b"not a recording at all")
    tasks.run(lesson.recording.pk)
    recording = Recording.objects.get(pk=lesson.recording.pk)
    assert recording.status == RecordingStatus.FAILED and recording.error_code == "stream_broken"
    assert Message.objects.get(pk=recording.message_id).text.startswith("Запись не удалась: записанные потоки")


def test_a_full_disk_is_reported_not_lost(make_recording: Any) -> None:
    lesson = make_recording("lesson")
    full = OSError(errno.ENOSPC, "No space left on device")
    with mock.patch.object(FileSystemStorage, "_save", side_effect=full):
        tasks.run(lesson.recording.pk)
    recording = Recording.objects.get(pk=lesson.recording.pk)
    assert recording.status == RecordingStatus.FAILED and recording.error_code == "disk_full"
    message = Message.objects.get(pk=recording.message_id)
    assert message.text == "Запись не удалась: на сервере закончилось место на диске"
    assert not Attachment.objects.filter(message=message).exists()
    assert Path(recording.folder).exists()  # Janus's files stay for an administrator to process again


def test_a_killed_job_is_requeued_and_resumes_with_what_it_had_made(make_recording: Any, huey_immediate: None) -> None:
    lesson = make_recording("lesson")
    recording = processing.claim(lesson.recording.pk)  # a worker took it …
    assert recording is not None
    progress = processing.Progress(recording)
    prepared, _lost, _broken = processing.prepare_tracks(
        list(recording.tracks.all()), processing.work_dir(recording), progress
    )
    assert len(prepared) == 5 and all(item.path.exists() for item in prepared)
    # … and died: its heartbeat goes stale
    Recording.objects.filter(pk=recording.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=3))
    with mock.patch.object(processing.media, "run_tool", wraps=processing.media.run_tool) as tools:
        tasks.requeue_stale_recordings.call_local()
    recording.refresh_from_db()
    assert recording.status == RecordingStatus.READY and recording.attempts == 2
    ran = [Path(call.args[0][0]).name for call in tools.call_args_list]
    assert "janus-pp-rec" not in ran and "ffmpeg" in ran  # the files it had made were used again
    assert video_of(recording).duration_ms


def test_a_job_interrupted_too_often_fails_with_a_message(make_recording: Any, huey_immediate: None) -> None:
    lesson = make_recording("lesson")
    Recording.objects.filter(pk=lesson.recording.pk).update(
        attempts=3, heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    tasks.requeue_stale_recordings.call_local()
    recording = Recording.objects.get(pk=lesson.recording.pk)
    assert recording.status == RecordingStatus.FAILED and recording.error_code == "processing_failed"
    assert Message.objects.get(pk=recording.message_id).text.startswith(
        "Запись не удалась: обработка прерывалась 3 раза"
    )


def test_a_recent_heartbeat_is_left_alone(make_recording: Any, huey_immediate: None) -> None:
    lesson = make_recording("lesson")
    Recording.objects.filter(pk=lesson.recording.pk).update(attempts=1, heartbeat_at=timezone.now())
    with mock.patch.object(tasks, "run") as run:
        tasks.requeue_stale_recordings.call_local()
    run.assert_not_called()


def test_the_stop_hook_posts_the_message_and_queues_the_job(make_recording: Any, huey_immediate: None) -> None:
    from parta.messenger.calls import recording_hooks

    assert tasks.enqueue in recording_hooks.registered_processors()
    lesson = make_recording("lesson")
    with mock.patch.object(tasks, "run") as run:
        recording_hooks.enqueue_processing(lesson.recording.pk)
    run.assert_called_once_with(lesson.recording.pk)
    lesson.recording.refresh_from_db()
    assert Message.objects.get(pk=lesson.recording.message_id).text == "Запись обрабатывается…"
