"""Real .mjr files from the real Janus: VideoRoom *remote publishers* fed plain RTP by ffmpeg on 127.0.0.1.

Janus 1.1.2's VideoRoom has `add_remote_publisher` (meant for cascading Janus servers): it opens a UDP port on the
given interface and takes RTP for the publisher's streams there, telling them apart by SSRC — 1000 + 10 × mindex
(REMOTE_PUBLISHER_BASE_SSRC and _STEP in janus_videoroom.c). The room records such a publisher like any other, with
one catch (tried): its recorders are made by `enable_recording` only — one added while the room records is never
recorded — so every feed is added first, then the room records, and each feed's ffmpeg starts at its own moment;
a file's first packet (its header's "u") is what places it in time, as for a browser. No WebRTC, no ICE: nothing
leaves loopback. Used by the tests and by the benchmark (tests/bench/recordings).
"""

from __future__ import annotations

import secrets
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from parta.messenger.calls.janus import JanusServer, VideoRoom

BASE_SSRC = 1000
SSRC_STEP = 10


@dataclass(frozen=True)
class Feed:
    """One publisher: what it sends, from when (s after the recording starts) and for how long."""

    feed_id: int
    start: float
    duration: float
    audio: bool = True
    video: bool = True
    tone: int = 440  # Hz of its sound (a sine wave)
    size: str = "640x360"
    rate: int = 15
    source: Path | None = None  # a pre-encoded file (VP8 + Opus WebM) to send as is, instead of a test picture
    speed: float = 1.0  # >1 sends faster than real time (Janus records what arrives; timestamps stay right)


def _streams(feed: Feed) -> list[dict[str, object]]:
    streams: list[dict[str, object]] = []
    if feed.audio:
        streams.append({"type": "audio", "mindex": len(streams), "mid": str(len(streams)), "codec": "opus"})
    if feed.video:
        streams.append({"type": "video", "mindex": len(streams), "mid": str(len(streams)), "codec": "vp8"})
    return streams


def feed_command(feed: Feed, port: int, ffmpeg: str = "ffmpeg") -> list[str]:
    args = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error"]
    outputs: list[str] = []
    target = f"rtp://127.0.0.1:{port}?pkt_size=1200"
    mindex = 0
    if feed.source is not None:  # looped as long as the feed lasts (timestamps go on across the loops)
        args += ["-stream_loop", "-1", "-readrate", str(feed.speed), "-t", f"{feed.duration:.3f}"]
        args += ["-i", str(feed.source)]
        audio_in, video_in, codec_a, codec_v = "0:a:0", "0:v:0", ["-c:a", "copy"], ["-c:v", "copy"]
    else:
        rate = ["-re"] if feed.speed == 1.0 else ["-readrate", str(feed.speed)]
        args += [
            *rate,
            "-t",
            f"{feed.duration:.3f}",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size={feed.size}:rate={feed.rate}",
        ]
        args += [
            *rate,
            "-t",
            f"{feed.duration:.3f}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency={feed.tone}:sample_rate=48000",
        ]
        audio_in, video_in = "1:a", "0:v"
        codec_a = ["-c:a", "libopus", "-b:a", "32k", "-application", "voip"]
        codec_v = ["-c:v", "libvpx", "-b:v", "400k", "-deadline", "realtime", "-cpu-used", "8", "-g", "30"]
    if feed.audio:
        outputs += ["-map", audio_in, *codec_a, "-payload_type", "111", "-ssrc", str(BASE_SSRC + SSRC_STEP * mindex)]
        outputs += ["-f", "rtp", target]
        mindex += 1
    if feed.video:
        outputs += ["-map", video_in, *codec_v, "-payload_type", "96", "-ssrc", str(BASE_SSRC + SSRC_STEP * mindex)]
        outputs += ["-f", "rtp", target]
    return args + outputs


def encode_clip(path: Path, *, seconds: float, size: str, rate: int, audio: bool, tone: int = 440) -> Path:
    """A test picture (and a tone) as VP8 + Opus WebM, made once and then sent as it is (`-c copy`): copying keeps
    the sending in real time however busy the machine is, so Janus's arrival times match the media's own."""
    if path.exists():
        return path
    args = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    args += ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:d={seconds:.3f}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency={tone}:sample_rate=48000:d={seconds:.3f}"]
        args += ["-c:a", "libopus", "-b:a", "32k", "-application", "voip"]
    args += ["-c:v", "libvpx", "-b:v", "400k", "-deadline", "realtime", "-cpu-used", "8", "-g", str(rate * 2)]
    subprocess.run([*args, str(path)], check=True, capture_output=True)
    return path


def record(server: JanusServer, folder: Path, feeds: Sequence[Feed], *, room_id: int | None = None) -> list[Path]:
    """Records the feeds into `folder` (made if missing) with the real Janus; answers the .mjr files it wrote."""
    folder.mkdir(parents=True, exist_ok=True)
    room = room_id or secrets.randbelow(2**40) + 1
    secret = secrets.token_hex(8)
    with VideoRoom(server) as videoroom:
        videoroom.request(
            {
                "request": "create", "room": room, "secret": secret, "admin_key": server.admin_key,
                "record": False, "rec_dir": str(folder), "audiocodec": "opus", "videocodec": "vp8",
                "publishers": max(10, len(feeds)), "permanent": False,
            }
        )  # fmt: skip
        try:
            ports = {}
            for feed in feeds:
                answer = videoroom.request(
                    {
                        "request": "add_remote_publisher", "room": room, "secret": secret, "id": feed.feed_id,
                        "display": f"feed {feed.feed_id}", "iface": "127.0.0.1", "streams": _streams(feed),
                    }
                )  # fmt: skip
                ports[feed.feed_id] = int(answer["port"])
            videoroom.request({"request": "enable_recording", "room": room, "secret": secret, "record": True})
            _feed_all(feeds, ports)
            time.sleep(0.3)  # the last packets reach the recorder
            videoroom.request({"request": "enable_recording", "room": room, "secret": secret, "record": False})
        finally:
            videoroom.request({"request": "destroy", "room": room, "secret": secret, "permanent": False})
    return sorted(folder.glob("*.mjr"))


def _feed_all(feeds: Sequence[Feed], ports: dict[int, int]) -> None:
    began = time.monotonic()
    failures: list[str] = []

    def send(feed: Feed) -> None:
        time.sleep(max(0.0, began + feed.start - time.monotonic()))
        result = subprocess.run(feed_command(feed, ports[feed.feed_id]), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            failures.append(result.stderr[-500:])

    threads = [threading.Thread(target=send, args=(feed,)) for feed in feeds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3600)
    if failures:
        raise RuntimeError("ffmpeg could not feed Janus:\n" + "\n".join(failures))
