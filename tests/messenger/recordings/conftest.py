"""Real recordings for the processing tests: the real Janus (tests/messenger/calls/conftest.py starts it) records
short feeds that ffmpeg sends as plain RTP on loopback (janus_feed.py), once per test session; each test copies the
.mjr files into its own recording's folder, whose rows (call, participants, recording, tracks) are made as the
calls app makes them at a stop (H1's `list_tracks` reads the files)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from parta.messenger.accounts.models import Profile
from parta.messenger.calls.models import Call, CallKind, Participant, Recording, RecordingStatus, RecordingTrack
from parta.messenger.calls.services.recording import list_tracks
from tests.messenger.calls.conftest import JanusProcess, _JanusProcesses, janus_processes  # noqa: F401
from tests.messenger.realtime.builders import make_chat, make_profile
from tests.messenger.recordings.janus_feed import Feed, encode_clip, record

TEACHER_CAMERA, TEACHER_SCREEN, STUDENT_CAMERA, STUDENT_AGAIN = 11, 12, 21, 22
SCENARIOS: dict[str, list[Feed]] = {
    # 0–6 s the teacher's camera; 1–6 s a student's; 2–5 s the teacher's screen (picture only).
    "lesson": [
        Feed(TEACHER_CAMERA, start=0.0, duration=6.0, tone=440),
        Feed(STUDENT_CAMERA, start=1.0, duration=5.0, tone=660),
        Feed(TEACHER_SCREEN, start=2.0, duration=3.0, audio=False, size="1280x720", rate=5),
    ],
    # A student 0–2.5 s, gone, back with a new feed 4.5–7 s: the gap in the middle must stay 2 s long.
    "gap": [
        Feed(STUDENT_CAMERA, start=0.0, duration=2.5, tone=500),
        Feed(STUDENT_AGAIN, start=4.5, duration=2.5, tone=500),
    ],
}


@dataclass(frozen=True)
class Recorded:
    room_id: int
    folder: Path


@pytest.fixture(scope="session")
def recorded(janus_processes: _JanusProcesses, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Recorded]:  # noqa: F811
    """Every scenario recorded once by the real Janus (~15 s in all)."""
    process: JanusProcess = janus_processes.get("janus-a")
    base = tmp_path_factory.mktemp("recorded")
    camera = encode_clip(base / "camera.webm", seconds=7, size="640x360", rate=15, audio=True)
    screen = encode_clip(base / "screen.webm", seconds=7, size="1280x720", rate=5, audio=False)
    found = {}
    for number, (name, feeds) in enumerate(SCENARIOS.items()):
        room_id = 900_000 + number
        sent = [replace(feed, source=camera if feed.audio else screen) for feed in feeds]
        files = record(process.server, base / name, sent, room_id=room_id)
        assert files, f"Janus recorded nothing for {name}"
        found[name] = Recorded(room_id, base / name)
    return found


@dataclass
class Lesson:
    call: Call
    teacher: Profile
    student: Profile
    recording: Recording


@pytest.fixture(autouse=True)
def _folders(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CALLS_RECORDINGS_DIR = str(tmp_path / "recordings")
    settings.RECORDINGS_WORK_DIR = tmp_path / "work"
    settings.RECORDINGS_FFMPEG_THREADS = 1  # the test machine's cores are shared


@pytest.fixture
def make_recording(recorded: dict[str, Recorded], tmp_path: Path) -> Iterator[Any]:
    def make(scenario: str, *, kind: str = CallKind.LESSON) -> Lesson:
        source = recorded[scenario]
        teacher = make_profile("Анна", "Учитель")
        student = make_profile("Петя", "Иванов")
        chat = make_chat([teacher.pk, student.pk], title="7Б — Математика")
        call = Call.objects.create(
            kind=kind, title="7Б — Математика", chat=chat, created_by=teacher, room_id=source.room_id
        )
        Participant.objects.create(
            call=call, profile=teacher, display_name="Анна Учитель", is_admin=True,
            feed_id=TEACHER_CAMERA, screen_feed_id=TEACHER_SCREEN,
        )  # fmt: skip
        Participant.objects.create(call=call, profile=student, display_name="Петя", feed_id=STUDENT_CAMERA)
        recording = Recording.objects.create(
            call=call, started_by=teacher, status=RecordingStatus.PROCESSING, stopped_at=timezone.now()
        )
        folder = tmp_path / "recordings" / str(source.room_id) / str(recording.public_id)
        shutil.copytree(source.folder, folder)
        recording.folder = str(folder)
        recording.save(update_fields=["folder"])
        RecordingTrack.objects.bulk_create(list_tracks(call, recording))
        return Lesson(call, teacher, student, recording)

    yield make


@pytest.fixture
def huey_immediate() -> Iterator[None]:
    """Runs Huey tasks at once, in the test's process and transaction."""
    from huey.contrib.djhuey import HUEY

    saved = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = saved
