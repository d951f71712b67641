"""Janus's recording files (.mjr): their names and the times in them, read without janus-pp-rec.

Checked on Janus 1.1.2 (docs/recording.md): the VideoRoom writes one file per stream of a publisher,
`videoroom-<room>-user-<feed>-<µs since the epoch when the file was made>-<audio|video>-<mindex>.mjr`, into the
room's `rec_dir`. A file is

    b"MJR00002", a big-endian uint16 N, N bytes of JSON {"t": "a"|"v", "c": codec, "s": made, "u": first packet}
    then per packet: b"MEET", a big-endian uint32 (milliseconds since "u"), a big-endian uint16 L, L bytes of RTP

("s" and "u" in microseconds since the epoch). The header is written with the first packet: a file of a stream that
never sent one is empty. The last packet is found from the end (its length must reach the end of the file exactly),
so reading a file's times costs two small reads whatever its size.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

MAGIC = b"MJR00002"
PACKET = b"MEET"
PACKET_PREFIX = 10  # b"MEET" + uint32 + uint16
TAIL_BYTES = 256 * 1024  # an RTP packet is at most ~1.5 KB; the last one is well inside this

FILE_NAME = re.compile(
    r"^videoroom-(?P<room>\d+)-user-(?P<feed>\d+)-(?P<made>\d+)-(?P<media>audio|video|data)-(?P<mindex>\d+)\.mjr$"
)


@dataclass(frozen=True)
class MjrName:
    room_id: int
    feed_id: int
    made_us: int
    media: Literal["audio", "video", "data"]
    mindex: int


@dataclass(frozen=True)
class MjrTimes:
    kind: str  # "a" | "v" | "d"
    codec: str
    first_packet_at: dt.datetime
    last_packet_at: dt.datetime | None  # None: the file does not end on a whole packet (cut off)


def parse_name(name: str) -> MjrName | None:
    """The parts of a VideoRoom recording's file name; None for any other file."""
    found = FILE_NAME.match(name)
    if found is None:
        return None
    return MjrName(
        room_id=int(found["room"]),
        feed_id=int(found["feed"]),
        made_us=int(found["made"]),
        media=found["media"],  # type: ignore[arg-type]
        mindex=int(found["mindex"]),
    )


def _moment(microseconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(microseconds / 1_000_000, tz=dt.UTC)


def read_times(path: Path) -> MjrTimes | None:
    """The header and the first and last packets' times of a .mjr file; None when it has no header (no packet was
    ever written, or it is not a .mjr of this version)."""
    with path.open("rb") as file:
        head = file.read(len(MAGIC) + 2)
        if len(head) < len(MAGIC) + 2 or head[: len(MAGIC)] != MAGIC:
            return None
        (length,) = struct.unpack(">H", head[len(MAGIC) :])
        try:
            header = json.loads(file.read(length))
        except ValueError:
            return None
        if not isinstance(header, dict) or not isinstance(header.get("u"), int):
            return None
        first = _moment(header["u"])
        body_start = len(MAGIC) + 2 + length
        size = path.stat().st_size
        tail_start = max(body_start, size - TAIL_BYTES)
        file.seek(tail_start)
        tail = file.read()
    last_offset = _last_packet_offset(tail, size - tail_start)
    last = None if last_offset is None else first + dt.timedelta(milliseconds=last_offset)
    return MjrTimes(
        kind=str(header.get("t", "")), codec=str(header.get("c", "")), first_packet_at=first, last_packet_at=last
    )


def _last_packet_offset(tail: bytes, tail_length: int) -> int | None:
    """Milliseconds since the first packet of the packet that ends exactly at the end of `tail`."""
    position = tail.rfind(PACKET)
    while position >= 0:
        if position + PACKET_PREFIX <= tail_length:
            offset, length = struct.unpack(">IH", tail[position + 4 : position + PACKET_PREFIX])
            if position + PACKET_PREFIX + length == tail_length:
                return int(offset)
        position = tail.rfind(PACKET, 0, position)
    return None
