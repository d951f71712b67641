"""calls/mjr.py: Janus's recording file names, and the first and last packets' times read from a .mjr without
janus-pp-rec — also from files cut off or never written to. (Files Janus really wrote are read in
test_recording.py.)"""

from __future__ import annotations

import datetime as dt
import json
import struct
from pathlib import Path

from parta.messenger.calls import mjr

FIRST_US = 1_796_322_834_540_384  # "u" of a file Janus 1.1.2 wrote (2026-12-03 18:33:54.540384 UTC)


def packet(offset_ms: int, payload: bytes) -> bytes:
    return b"MEET" + struct.pack(">IH", offset_ms, len(payload)) + payload


def write_mjr(path: Path, packets: list[bytes], *, header: dict[str, object] | None = None) -> Path:
    text = json.dumps(header or {"t": "a", "c": "opus", "s": FIRST_US - 10_000, "u": FIRST_US}).encode()
    path.write_bytes(b"MJR00002" + struct.pack(">H", len(text)) + text + b"".join(packets))
    return path


def rtp(size: int) -> bytes:
    return b"\x80\x6f" + bytes(size - 2)


def test_names_of_videoroom_recordings_are_parsed_and_others_are_not() -> None:
    name = mjr.parse_name("videoroom-4242-user-1001-1796322834530271-video-1.mjr")
    assert name == mjr.MjrName(room_id=4242, feed_id=1001, made_us=1796322834530271, media="video", mindex=1)
    assert mjr.parse_name("videoroom-4242-user-1001-1796322834530003-audio-0.mjr") is not None
    for other in ("videoroom-4242-user-1001-audio-0.mjr", "notes.txt", "videoroom-1-user-2-3-audio-0.mjr.tmp"):
        assert mjr.parse_name(other) is None


def test_the_first_and_last_packets_times_are_read(tmp_path: Path) -> None:
    path = write_mjr(tmp_path / "a.mjr", [packet(0, rtp(60)), packet(20, rtp(61)), packet(1500, rtp(59))])

    times = mjr.read_times(path)

    assert times is not None and (times.kind, times.codec) == ("a", "opus")
    assert times.first_packet_at == dt.datetime(2026, 12, 3, 18, 33, 54, 540384, tzinfo=dt.UTC)
    assert times.last_packet_at == times.first_packet_at + dt.timedelta(milliseconds=1500)


def test_a_long_file_is_read_from_its_end(tmp_path: Path) -> None:
    packets = [packet(20 * i, rtp(1200)) for i in range(3000)]  # ~3.6 MB, one minute of packets
    path = write_mjr(tmp_path / "v.mjr", packets)

    times = mjr.read_times(path)

    assert times is not None and times.last_packet_at == times.first_packet_at + dt.timedelta(milliseconds=59_980)


def test_a_payload_that_looks_like_a_packet_does_not_fool_the_end(tmp_path: Path) -> None:
    decoy = b"MEET" + struct.pack(">IH", 999_999, 2) + b"xx"  # would "end" the file if it were believed
    path = write_mjr(tmp_path / "a.mjr", [packet(0, rtp(40)), packet(700, b"\x80\x6f" + decoy + bytes(20))])

    times = mjr.read_times(path)

    assert times is not None and times.last_packet_at == times.first_packet_at + dt.timedelta(milliseconds=700)


def test_a_file_cut_off_in_a_packet_has_no_last_time(tmp_path: Path) -> None:
    path = write_mjr(tmp_path / "a.mjr", [packet(0, rtp(60)), packet(20, rtp(60))])
    path.write_bytes(path.read_bytes()[:-7])  # what a Janus that died mid-write leaves

    times = mjr.read_times(path)

    assert times is not None and times.last_packet_at is None  # never a wrong end: the worker reads the file


def test_files_without_a_header_have_no_times(tmp_path: Path) -> None:
    never_sent = tmp_path / "never.mjr"
    never_sent.write_bytes(b"MJR00002")  # what Janus leaves for a stream that sent no packet
    empty = tmp_path / "empty.mjr"
    empty.write_bytes(b"")
    other = tmp_path / "old.mjr"
    other.write_bytes(b"MJR00001" + bytes(40))

    assert [mjr.read_times(p) for p in (never_sent, empty, other)] == [None, None, None]
