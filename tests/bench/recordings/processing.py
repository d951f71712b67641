"""`python -m tests.bench.recordings processing`: how long the worker takes for a lesson (see __main__.py)."""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

from tests.messenger.recordings.janus_feed import encode_clip


def _setup_django(folder: Path) -> None:
    os.environ.setdefault("PARTA_SECRET_KEY", "bench-recordings")
    os.environ.setdefault("PARTA_DATA_DIR", str(folder / "data"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "parta.messenger.settings"
    import django

    django.setup()


def encode_sources(folder: Path, minutes: float) -> tuple[Path, Path]:
    """The lesson's two streams as VP8 (+ Opus) WebM clips of a minute, looped while they are sent (`-c copy`)."""
    seconds = min(60.0, minutes * 60)
    camera = encode_clip(folder / "camera.webm", seconds=seconds, size="640x480", rate=15, audio=True, tone=300)
    screen = encode_clip(folder / "screen.webm", seconds=seconds, size="1280x720", rate=5, audio=False)
    return camera, screen


class NoDatabase:
    """The worker's progress without its row or message: the bench times the media work only."""

    recording = None
    percent = 0

    def beat(self) -> None:
        pass

    def set(self, percent: float) -> None:
        self.percent = max(self.percent, int(percent))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.recordings processing")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--speed", type=float, default=8.0, help="how much faster than real time RTP is sent")
    parser.add_argument("--keep", action="store_true", help="keep the folder (the .mjr files and the video)")
    options = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-recordings-"))
    _setup_django(folder)

    from django.conf import settings

    from parta.messenger.calls.models import RecordingTrack
    from parta.messenger.recordings import media, processing
    from tests.messenger.calls.conftest import JanusProcess
    from tests.messenger.recordings.janus_feed import Feed, record

    length = options.minutes * 60
    began = time.monotonic()
    camera, screen = encode_sources(folder, options.minutes)
    print(f"sources encoded in {time.monotonic() - began:.0f} s")
    janus = JanusProcess("bench", folder / "janus")
    try:
        began = time.monotonic()
        files = record(
            janus.server,
            folder / "mjr",
            [
                Feed(1, 0.0, length, source=camera, speed=options.speed),
                Feed(2, 0.0, length, audio=False, source=screen, speed=options.speed),
            ],
        )
        print(f"recorded by Janus in {time.monotonic() - began:.0f} s: " + ", ".join(
            f"{path.name.split('-', 4)[-1]} {path.stat().st_size / 1e6:.1f} MB" for path in files
        ))  # fmt: skip
    finally:
        janus.stop()
    tracks = []
    for number, path in enumerate(files, start=1):
        name = path.name
        tracks.append(
            RecordingTrack(
                pk=number, feed_id=1 if "-user-1-" in name else 2, source="camera" if "-user-1-" in name else "screen",
                media="audio" if "-audio-" in name else "video", path=str(path),
            )
        )  # fmt: skip
    work = folder / "work"
    progress = NoDatabase()
    settings.RECORDINGS_FFMPEG_THREADS = os.cpu_count() or 2
    cpu_before = os.times()
    began = time.monotonic()
    prepared, lost, broken = processing.prepare_tracks(tracks, work, progress)  # type: ignore[arg-type]
    converted = time.monotonic() - began
    assert prepared and not lost and not broken, (lost, broken)
    output = processing.compose_video(prepared, work, progress)  # type: ignore[arg-type]
    composed = time.monotonic() - began - converted
    duration = media.duration_of(output)
    processing.make_poster(output, duration, work, progress)  # type: ignore[arg-type]
    total = time.monotonic() - began
    cpu_after = os.times()
    cpu = (cpu_after.children_user + cpu_after.children_system) - (
        cpu_before.children_user + cpu_before.children_system
    )
    size = output.stat().st_size
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    print(f"lesson: {length / 60:.1f} min, two streams (camera 640x480 15 fps + sound, screen 1280x720 5 fps)")
    print(f"video: {duration / 60:.2f} min, {size / 1e6:.1f} MB = {size / 1e6 / (duration / 60):.2f} MB per minute")
    print(f"janus-pp-rec: {converted:.1f} s; ffmpeg compose: {composed:.1f} s; in all {total:.1f} s")
    print(f"processing time / lesson length: {total / length:.3f}x (target <= 0.5x); tools' CPU {cpu:.0f} s")
    if not options.keep:
        subprocess.run(["rm", "-rf", str(folder)], check=False)
    else:
        print(f"kept in {folder}")
    return 0
