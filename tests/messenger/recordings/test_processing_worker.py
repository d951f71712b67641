"""The real worker: `python -m parta.messenger run_huey` (as run.sh starts it) takes a stopped recording from the
queue; killed in the middle (SIGKILL, its ffmpeg dies with it), a stale heartbeat gets the job queued again, and a
new worker finishes it with the files the first one had made.

# covers: issue 11 §3 (a real background worker of the messenger), §6 (a worker killed in the middle resumes)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from parta.messenger.calls.models import Recording, RecordingStatus
from parta.messenger.chats.models import Attachment
from parta.messenger.recordings import processing, tasks

pytestmark = pytest.mark.django_db(transaction=True)
REPO = Path(__file__).resolve().parents[3]


def database_url() -> str:
    db = django_settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        pytest.skip("the worker's process needs the test database on a server (PostgreSQL)")
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker_env(settings: Any, tmp_path: Path) -> dict[str, str]:
    # The worker is another process: it reads the test's database and queue, and stores into the media folder
    # its own settings give it — which this test's storage then reads.
    settings.MEDIA_ROOT = Path(os.environ.get("PARTA_DATA_DIR", REPO / "var")) / "media" / "messenger"
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        MESSENGER_DATABASE_URL=database_url(),
        PARTA_RECORDINGS_WORK_DIR=str(settings.RECORDINGS_WORK_DIR),
        PARTA_RECORDINGS_FFMPEG_THREADS="1",
        PYTHONPATH=str(REPO),
    )
    return env


class Worker:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "parta.messenger", "run_huey", "--workers", "1"],
                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers(worker_env: dict[str, str], tmp_path: Path) -> Iterator[Any]:
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(worker_env, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_for(check: Any, timeout: float, what: str, logs: list[Path]) -> Recording:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        recording = check()
        if recording is not None:
            return recording
        time.sleep(0.1)
    tails = "\n".join(log.read_text(errors="replace")[-3000:] for log in logs if log.exists())
    raise AssertionError(f"{what} did not happen within {timeout} s; the workers said:\n{tails}")


def test_the_worker_process_makes_the_video_and_a_killed_one_is_resumed(make_recording: Any, workers: Any) -> None:
    lesson = make_recording("lesson")
    first = workers()
    tasks.process_recording(lesson.recording.pk)  # as the stop's hook queues it
    pk = lesson.recording.pk

    def composing() -> Recording | None:
        found = Recording.objects.get(pk=pk)
        return found if found.progress >= processing.CONVERT_SHARE and found.status == "processing" else None

    wait_for(composing, 120, "the first worker reaching ffmpeg", [first.log])
    first.kill()  # mid-ffmpeg: its intermediate files are there, the video is not
    work = processing.work_dir(lesson.recording)
    made = sorted(path.name for path in work.iterdir())
    assert any(name.endswith(".webm") for name in made) and "recording.mp4" not in made
    Recording.objects.filter(pk=pk).update(heartbeat_at=timezone.now() - timedelta(minutes=3))  # as it goes stale

    second = workers()
    tasks.requeue_stale_recordings.call_local()  # what the worker's own minute-by-minute check does

    def ready() -> Recording | None:
        found = Recording.objects.get(pk=pk)
        return found if found.status in (RecordingStatus.READY, RecordingStatus.FAILED) else None

    recording = wait_for(ready, 180, "the second worker finishing", [first.log, second.log])
    assert recording.status == RecordingStatus.READY and recording.attempts == 2
    attachment = Attachment.objects.get(message_id=recording.message_id)
    stored = Path(attachment.file.path)
    assert stored.stat().st_size == attachment.size and 5000 < attachment.duration_ms < 9000
    for name in (attachment.file.name, attachment.thumbnail.name):
        attachment.file.storage.delete(name)
