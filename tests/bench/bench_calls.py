"""Call benchmark (issue 5): how much of one CPU core Janus needs for a lesson — one teacher publishing camera and
microphone plus the screen, 30 students receiving all of it. Target: at most 100 % of one core.

Janus is started by the messenger's own `run_janus` (the production config), inside a network namespace like the
call tests (tests/e2e_calls/conftest.py says why). One Chromium, two pages driving janus.js directly
(tests/e2e_calls/janus_page.js): the teacher's page publishes the fake camera (640×480) with the microphone and the
fake screen (1280×720); the students' page holds one subscriber PeerConnection per student, each receiving all three
streams — 30 pages would need 30 renderers, too much for two cores beside Janus, while the traffic Janus handles
(one PeerConnection, one DTLS/SRTP context and one copy of every packet per student) is the same. Janus's CPU is read
from /proc/<pid>/stat (utime + stime) over the measuring window. Prints BENCH lines.

    scripts/bench-calls.sh [--subscribers 30] [--seconds 20]

(runs `python -m tests.bench.bench_calls` inside a namespace of its own; needs root).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
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


FRAMES = "framesDecoded"  # or "framesReceived" when the subscribers do not decode (--no-decode)


def video_frames(entries: list[dict[str, Any]]) -> dict[tuple[int, str], int]:
    """(PeerConnection, mid) → frames decoded (or received), for every inbound video stream."""
    return {
        (e["handle"], str(e["mid"])): e[FRAMES]
        for e in entries
        if e["direction"] == "in" and e["kind"] == "video"
    }


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


def wait_all_receiving(page: Page, expected_streams: int, timeout: float) -> float:
    """Until every subscriber decodes both videos; answers how long that wait took."""
    started = time.monotonic()
    while True:
        frames = video_frames(stats(page))
        receiving = sum(1 for count in frames.values() if count > 0)
        if receiving >= expected_streams:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise SystemExit(f"only {receiving} of {expected_streams} video streams decoded after {timeout:.0f}s")
        page.wait_for_timeout(500)


def late_join_seconds(page: Page, room: int) -> float:
    """Subscribes one more PeerConnection to both feeds; seconds until its first decoded video frame."""
    started = time.monotonic()
    handle = int(
        page.evaluate("([r, feeds]) => window.janusBench.subscribe(r, feeds)", [room, [CAMERA_FEED, SCREEN_FEED]])
    )
    while not any(
        e["handle"] == handle - 1 and e["direction"] == "in" and e["kind"] == "video" and e["framesDecoded"] > 0
        for e in stats(page)
    ):
        if time.monotonic() - started > 30:
            raise SystemExit("the late subscriber decoded nothing in 30 s")
        page.wait_for_timeout(50)
    return time.monotonic() - started


def run(subscribers: int, seconds: float) -> int:
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
            students = open_client(browser.new_context(**context_options("http://127.0.0.1")), janus)
            started = time.monotonic()
            for _ in range(subscribers):
                students.evaluate(
                    "([r, feeds]) => window.janusBench.subscribe(r, feeds)", [room, [CAMERA_FEED, SCREEN_FEED]]
                )
            wait_all_receiving(students, 2 * subscribers, timeout=120)
            took = time.monotonic() - started
            print(f"BENCH calls: {subscribers} subscribers receiving camera + screen after {took:.1f}s")
            students.wait_for_timeout(3000)  # let the bandwidth estimates settle before measuring

            in_before, out_before = stats(students), stats(teacher)
            cpu_before, busy_before, at_before = janus.cpu_ticks(), machine_busy_ticks(), time.monotonic()
            students.wait_for_timeout(seconds * 1000)
            cpu_after, busy_after, at_after = janus.cpu_ticks(), machine_busy_ticks(), time.monotonic()
            in_after, out_after = stats(students), stats(teacher)
            elapsed = at_after - at_before
            tick = os.sysconf("SC_CLK_TCK")
            janus_percent = (cpu_after - cpu_before) / tick / elapsed * 100
            machine_percent = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1]) * 100
            report(in_before, in_after, out_before, out_after, elapsed, subscribers)
            print(
                f"BENCH calls: Janus CPU {janus_percent:.1f} % of one core over {elapsed:.1f}s "
                f"(target ≤ {TARGET_CORE_PERCENT:.0f} %), RSS {rss_mb(janus):.0f} MB; "
                f"the whole machine ({os.cpu_count()} cores) {machine_percent:.0f} % busy"
            )
            print(
                f"BENCH calls: one more student joining the loaded room decodes the first frame after "
                f"{late_join_seconds(students, room):.2f}s (subscribe → first decoded frame)"
            )
            teacher.evaluate("() => window.janusBench.close()")
            students.evaluate("() => window.janusBench.close()")
            return 0 if janus_percent <= TARGET_CORE_PERCENT else 1
        finally:
            destroy_room(janus, room)
            browser.close()


def report(
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
    before, after = video_frames(in_before), video_frames(in_after)
    rates = [(after[key] - before.get(key, 0)) / elapsed for key in after]
    received = sum(e["bytes"] for e in in_after) - sum(e["bytes"] for e in in_before)
    stalled = sum(1 for rate in rates if rate <= 0)
    print(
        f"BENCH calls: {len(rates)} video streams at the subscribers ({subscribers} × camera + screen): "
        f"fps decoded median {statistics.median(rates):.1f}, min {min(rates):.1f}; {stalled} stalled; "
        f"{received * 8 / 1e6 / elapsed:.1f} Mbit/s received in all, "
        f"{received / max(1, sent * subscribers) * 100:.0f} % of what the teacher sent × {subscribers}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args(argv)
    problem = namespace_problem()
    if problem:
        print(f"bench_calls: {problem}", file=sys.stderr)
        return 2
    return run(args.subscribers, args.seconds)


if __name__ == "__main__":
    sys.exit(main())
