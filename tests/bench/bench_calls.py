"""Call benchmark (issue 5): how much of one CPU core Janus needs for a lesson — one teacher publishing camera and
microphone plus the screen, 30 students receiving all of it. Target: at most 100 % of one core.

Janus is started by the messenger's own `run_janus` (the production config), inside a network namespace like the
call tests (tests/e2e_calls/conftest.py says why). One Chromium, two pages driving janus.js directly
(tests/e2e_calls/janus_page.js): the teacher's page publishes the fake camera (640×480) with the microphone and the
fake screen (1280×720); the students' page holds one subscriber PeerConnection per student, each receiving all three
streams. 30 pages would need 30 renderers, too much for two cores beside Janus; the traffic Janus handles (one
PeerConnection, one DTLS/SRTP context and one copy of every packet per student) is the same. By default the students
receive and assemble every video frame but drop it before the decoder (insertable streams): decoding 60 videos
saturates two cores, and Janus then competes for the CPU and the browser loses packets (`--decode` shows that).
Janus's CPU is read from /proc/<pid>/stat (utime + stime) over the measuring window. Prints BENCH lines; exits 1
when Janus needs more than the target.

    scripts/bench-calls.sh [--subscribers 30] [--seconds 20] [--decode]

(runs `python -m tests.bench.bench_calls` inside a namespace of its own; needs root).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from tests.e2e.servers import REPO
from tests.e2e_calls.environment import CHROMIUM, CHROMIUM_ARGS, context_options, namespace_problem
from tests.e2e_calls.janus_client import create_room, destroy_room, open_client
from tests.e2e_calls.janus_server import JanusConfig, JanusServer, running_janus

CAMERA_FEED, SCREEN_FEED = 1, 2
TARGET_CORE_PERCENT = 100.0


def stats(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate("() => window.janusBench.rtpStats()"))


@dataclass
class Students:
    """The students' page: one subscriber PeerConnection per student, decoding the video or not (`decode`)."""

    page: Page
    room: int
    decode: bool

    @property
    def counter(self) -> str:
        # Without decoding, frames are still received and assembled (then dropped before the decoder).
        return "framesDecoded" if self.decode else "framesReceived"

    def subscribe(self) -> int:
        """One more student; answers its PeerConnection's index."""
        script = "([r, feeds, noDecode]) => window.janusBench.subscribe(r, feeds, 20000, noDecode)"
        return int(self.page.evaluate(script, [self.room, [CAMERA_FEED, SCREEN_FEED], not self.decode])) - 1

    def video_frames(self, entries: list[dict[str, Any]]) -> dict[tuple[int, str], int]:
        """(PeerConnection, mid) → frames, for every inbound video stream."""
        return {
            (e["handle"], str(e["mid"])): int(e[self.counter])
            for e in entries
            if e["direction"] == "in" and e["kind"] == "video"
        }

    def wait_all_receiving(self, expected_streams: int, timeout: float) -> None:
        """Until every student gets frames of both videos."""
        started = time.monotonic()
        while True:
            receiving = sum(1 for count in self.video_frames(stats(self.page)).values() if count > 0)
            if receiving >= expected_streams:
                return
            if time.monotonic() - started > timeout:
                raise SystemExit(
                    f"only {receiving} of {expected_streams} video streams have frames after {timeout:.0f}s"
                )
            self.page.wait_for_timeout(500)

    def late_join_seconds(self) -> float:
        """One more student joins the loaded room: seconds until its first video frame."""
        started = time.monotonic()
        handle = self.subscribe()
        while not any(count > 0 for (h, _), count in self.video_frames(stats(self.page)).items() if h == handle):
            if time.monotonic() - started > 30:
                raise SystemExit("the late subscriber got no frame in 30 s")
            self.page.wait_for_timeout(50)
        return time.monotonic() - started


def machine_busy_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def rss_mb(janus: JanusServer) -> float:
    for line in Path(f"/proc/{janus.janus_pid()}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(subscribers: int, seconds: float, decode: bool) -> int:
    folder = Path(tempfile.mkdtemp(prefix="parta-bench-calls-"))
    config = JanusConfig.fresh()
    env = {
        **os.environ,
        "PARTA_SECRET_KEY": os.environ.get("PARTA_SECRET_KEY", "bench-only-secret-key"),
        "PARTA_DATA_DIR": str(folder / "data"),
        "PYTHONPATH": str(REPO),
        **config.env(),
    }
    with running_janus(config, folder, env) as janus, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        room = create_room(janus, publishers=4)
        try:
            teacher = open_client(browser.new_context(**context_options("http://127.0.0.1")), janus)
            teacher.evaluate("([r, f]) => window.janusBench.publish(r, f, 'camera')", [room, CAMERA_FEED])
            teacher.evaluate("([r, f]) => window.janusBench.publish(r, f, 'screen')", [room, SCREEN_FEED])
            students = Students(
                open_client(browser.new_context(**context_options("http://127.0.0.1")), janus), room, decode
            )
            started = time.monotonic()
            for _ in range(subscribers):
                students.subscribe()
            students.wait_all_receiving(2 * subscribers, timeout=120)
            how = "decoding" if decode else "receiving (not decoding)"
            print(
                f"BENCH calls: {subscribers} subscribers {how} camera + screen after {time.monotonic() - started:.1f}s"
            )
            students.page.wait_for_timeout(3000)  # let the bandwidth estimates settle before measuring

            in_before, out_before = stats(students.page), stats(teacher)
            cpu_before, busy_before, at_before = janus.cpu_ticks(), machine_busy_ticks(), time.monotonic()
            students.page.wait_for_timeout(seconds * 1000)
            cpu_after, busy_after, at_after = janus.cpu_ticks(), machine_busy_ticks(), time.monotonic()
            in_after, out_after = stats(students.page), stats(teacher)
            elapsed = at_after - at_before
            janus_percent = (cpu_after - cpu_before) / os.sysconf("SC_CLK_TCK") / elapsed * 100
            machine_percent = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1]) * 100
            report(students, in_before, in_after, out_before, out_after, elapsed, subscribers)
            print(
                f"BENCH calls: Janus CPU {janus_percent:.1f} % of one core over {elapsed:.1f}s "
                f"(target ≤ {TARGET_CORE_PERCENT:.0f} %), RSS {rss_mb(janus):.0f} MB; "
                f"the whole machine ({os.cpu_count()} cores) {machine_percent:.0f} % busy"
            )
            print(
                f"BENCH calls: one more student joining the loaded room gets the first video frame after "
                f"{students.late_join_seconds():.2f}s"
            )
            teacher.evaluate("() => window.janusBench.close()")
            students.page.evaluate("() => window.janusBench.close()")
            return 0 if janus_percent <= TARGET_CORE_PERCENT else 1
        finally:
            destroy_room(janus, room)
            browser.close()


def report(
    students: Students,
    in_before: list[dict[str, Any]],
    in_after: list[dict[str, Any]],
    out_before: list[dict[str, Any]],
    out_after: list[dict[str, Any]],
    elapsed: float,
    subscribers: int,
) -> None:
    sent_before = {(e["handle"], e["kind"]): e for e in out_before}
    for key, entry in sorted({(e["handle"], e["kind"]): e for e in out_after}.items()):
        if entry["kind"] != "video":
            continue
        fps = (entry["framesSent"] - sent_before[key]["framesSent"]) / elapsed
        kbps = (entry["bytes"] - sent_before[key]["bytes"]) * 8 / 1000 / elapsed
        what = "camera" if key[0] == 0 else "screen"
        print(
            f"BENCH calls: teacher sends {what} {entry['frameWidth']}×{entry['frameHeight']} at {fps:.1f} fps, "
            f"{kbps:.0f} kbit/s"
        )
    sent = sum(e["bytes"] for e in out_after) - sum(e["bytes"] for e in out_before)
    before, after = students.video_frames(in_before), students.video_frames(in_after)
    rates = [(after[key] - before.get(key, 0)) / elapsed for key in after]
    received = sum(e["bytes"] for e in in_after) - sum(e["bytes"] for e in in_before)
    stalled = sum(1 for rate in rates if rate <= 0)
    counted = "decoded" if students.decode else "received"
    print(
        f"BENCH calls: {len(rates)} video streams at the subscribers ({subscribers} × camera + screen): "
        f"fps {counted} median {statistics.median(rates):.1f}, min {min(rates):.1f}; {stalled} stalled; "
        f"{received * 8 / 1e6 / elapsed:.1f} Mbit/s received in all, "
        f"{received / max(1, sent * subscribers) * 100:.0f} % of what the teacher sent × {subscribers}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--decode",
        action="store_true",
        help="the subscribers decode the video too (on two cores the browser then starves everything else)",
    )
    args = parser.parse_args(argv)
    problem = namespace_problem()
    if problem:
        print(f"bench_calls: {problem}", file=sys.stderr)
        return 2
    return run(args.subscribers, args.seconds, args.decode)


if __name__ == "__main__":
    sys.exit(main())
