"""Janus while recording (issue 11): Janus's CPU and memory while N students publish camera + microphone, with the
room's recording off and then on — what «Запись» costs the media server of a lesson.

Janus is started by the messenger's own `run_janus` (the production config), inside a network namespace like the
call tests (tests/e2e_calls/conftest.py says why). One Chromium with a few pages driving janus.js directly
(tests/e2e_calls/janus_page.js): each page publishes several students, each one a WebRTC PeerConnection with the fake
camera (320×240 at 15 fps by default, VP8) and the fake microphone (Opus) — the same ICE, DTLS and SRTP work per
student as a real class. Nobody subscribes: the figure is what the publishers and the recording cost.

The room is made as the messenger makes it (VP8 + Opus) with `record: false` and a `rec_dir`; after a warm-up,
Janus's CPU (utime + stime from /proc/<pid>/stat) is read over a window (60 s) with recording off; then the VideoRoom
`enable_recording` (record: true) starts every publisher's .mjr files, and the same window is measured again (with
the bytes Janus wrote). RSS is read at the end of each window. Prints BENCH lines.

    tests/e2e_calls/netns.sh up parta-bench-rec
    ip netns exec parta-bench-rec .venv/bin/python -m tests.bench.recordings.janus_cpu --students 30
    tests/e2e_calls/netns.sh down parta-bench-rec

or `scripts/bench-calls.sh`'s way with this module. Needs root (the namespace).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from tests.e2e.servers import REPO
from tests.e2e_calls.environment import CHROMIUM, CHROMIUM_ARGS, context_options, namespace_problem
from tests.e2e_calls.janus_client import open_client
from tests.e2e_calls.janus_server import JanusConfig, JanusServer, running_janus

ROOM_SECRET = "bench"


@dataclass
class Window:
    seconds: float
    cpu_percent: float  # of one core
    rss_mb: float
    machine_percent: float  # the whole machine, all cores
    written_mb: float  # .mjr bytes Janus wrote in the window
    sent_kbps: float  # what the students' pages sent in all
    video_fps: float  # median frames sent per second per camera
    width: int
    height: int


def rss_mb(janus: JanusServer) -> float:
    for line in Path(f"/proc/{janus.janus_pid()}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def machine_busy_ticks() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*.mjr"))


def create_room(janus: JanusServer, room: int, rec_dir: Path, publishers: int) -> None:
    answer = janus.videoroom(
        {
            "request": "create",
            "room": room,
            "permanent": False,
            "is_private": True,
            "secret": ROOM_SECRET,
            "publishers": publishers,
            "audiocodec": "opus",
            "videocodec": "vp8",
            "record": False,
            "rec_dir": str(rec_dir),
            "admin_key": janus.config.admin_key,
        }
    )
    assert answer.get("videoroom") == "created", answer


def enable_recording(janus: JanusServer, room: int, record: bool) -> None:
    answer = janus.videoroom({"request": "enable_recording", "room": room, "secret": ROOM_SECRET, "record": record})
    assert answer.get("videoroom") == "success", answer
    state = janus.videoroom({"request": "exists", "room": room})
    assert state.get("exists"), state


def outbound(pages: list[Page]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for index, page in enumerate(pages):
        for entry in page.evaluate("() => window.janusBench.rtpStats()"):
            if entry["direction"] == "out":
                found.append({**entry, "page": index})
    return found


def measure(janus: JanusServer, pages: list[Page], rec_dir: Path, seconds: float) -> Window:
    sent_before = {(e["page"], e["handle"], e["kind"]): e for e in outbound(pages)}
    written_before = folder_bytes(rec_dir)
    cpu_before, busy_before, at_before = janus.cpu_ticks(), machine_busy_ticks(), time.monotonic()
    pages[0].wait_for_timeout(seconds * 1000)
    cpu_after, busy_after, at_after = janus.cpu_ticks(), machine_busy_ticks(), time.monotonic()
    sent_after = outbound(pages)
    elapsed = at_after - at_before
    fps = []
    sent = 0
    width = height = 0
    for entry in sent_after:
        before = sent_before.get((entry["page"], entry["handle"], entry["kind"]))
        if before is None:
            continue
        sent += entry["bytes"] - before["bytes"]
        if entry["kind"] == "video":
            fps.append((entry["framesSent"] - before["framesSent"]) / elapsed)
            width, height = max(width, entry["frameWidth"]), max(height, entry["frameHeight"])
    fps.sort()
    return Window(
        seconds=elapsed,
        cpu_percent=(cpu_after - cpu_before) / os.sysconf("SC_CLK_TCK") / elapsed * 100,
        rss_mb=rss_mb(janus),
        machine_percent=(busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1]) * 100,
        written_mb=(folder_bytes(rec_dir) - written_before) / 1e6,
        sent_kbps=sent * 8 / 1000 / elapsed,
        video_fps=fps[len(fps) // 2] if fps else 0.0,
        width=width,
        height=height,
    )


def describe(label: str, window: Window, students: int) -> str:
    return (
        f"BENCH janus recording {label}: Janus CPU {window.cpu_percent:.1f} % of one core over {window.seconds:.0f} s, "
        f"RSS {window.rss_mb:.0f} MB; {students} cameras sent {window.width}×{window.height} at median "
        f"{window.video_fps:.1f} fps, {window.sent_kbps / 1000:.1f} Mbit/s in all; .mjr written "
        f"{window.written_mb:.1f} MB ({window.written_mb / window.seconds * 60:.0f} MB/min); "
        f"the whole machine ({os.cpu_count()} cores) {window.machine_percent:.0f} % busy"
    )


def run(students: int, pages_count: int, seconds: float, width: int, height: int, fps: int, keep: bool) -> int:
    folder = Path(tempfile.mkdtemp(prefix="parta-bench-rec-"))
    rec_dir = folder / "recordings" / "room"
    rec_dir.mkdir(parents=True)
    config = JanusConfig.fresh()
    env = {
        **os.environ,
        "PARTA_SECRET_KEY": os.environ.get("PARTA_SECRET_KEY", "bench-only-secret-key"),
        "PARTA_DATA_DIR": str(folder / "data"),
        "PYTHONPATH": str(REPO),
        **config.env(),
    }
    room = 424242
    camera = {"width": width, "height": height, "frameRate": fps}
    try:
        with running_janus(config, folder, env) as janus, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
            create_room(janus, room, rec_dir, publishers=students + 2)
            try:
                pages = [
                    open_client(browser.new_context(**context_options("http://127.0.0.1")), janus)
                    for _ in range(pages_count)
                ]
                started = time.monotonic()
                for student in range(students):
                    pages[student % pages_count].evaluate(
                        "([r, f, c]) => window.janusBench.publish(r, f, 'camera', 30000, c)",
                        [room, 1000 + student, camera],
                    )
                print(
                    f"BENCH janus recording: {students} students publishing from {pages_count} pages "
                    f"after {time.monotonic() - started:.1f} s; warming up 15 s"
                )
                pages[0].wait_for_timeout(15_000)  # bandwidth estimates and the encoders settle
                off = measure(janus, pages, rec_dir, seconds)
                print(describe("off", off, students))
                enable_recording(janus, room, True)
                pages[0].wait_for_timeout(3000)
                files = sorted(rec_dir.glob("*.mjr"))
                print(f"BENCH janus recording: enable_recording → {len(files)} .mjr files in {rec_dir}")
                on = measure(janus, pages, rec_dir, seconds)
                print(describe("on", on, students))
                enable_recording(janus, room, False)
                print(
                    f"BENCH janus recording: recording adds {on.cpu_percent - off.cpu_percent:+.1f} points of one "
                    f"core ({on.cpu_percent / max(off.cpu_percent, 0.1):.2f}×) and "
                    f"{on.rss_mb - off.rss_mb:+.0f} MB RSS for {students} students; "
                    f"{on.written_mb / on.seconds * 60 / students:.2f} MB of .mjr per student-minute"
                )
                for page in pages:
                    page.evaluate("() => window.janusBench.close()")
            finally:
                janus.videoroom({"request": "destroy", "room": room, "secret": ROOM_SECRET})
                browser.close()
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--pages", type=int, default=3, help="browser pages the students' publishers are spread over")
    parser.add_argument("--seconds", type=float, default=60.0, help="each measuring window")
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--height", type=int, default=240)
    parser.add_argument("--fps", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder with the .mjr files")
    args = parser.parse_args(argv)
    problem = namespace_problem()
    if problem:
        print(f"janus_cpu: {problem}", file=sys.stderr)
        return 2
    return run(args.students, args.pages, args.seconds, args.width, args.height, args.fps, args.keep)


if __name__ == "__main__":
    sys.exit(main())
