"""The media tools the worker runs: janus-pp-rec (package janus-tools), ffmpeg and ffprobe (package ffmpeg).

Every run goes through `run_tool`, which polls the process so a long run keeps the job's heartbeat fresh (a stale
heartbeat means a dead worker: the job is requeued), gives up after RECORDINGS_PROCESSING_TIMEOUT, and turns a full
disk into `DiskFull` wherever it shows (a tool's own "No space left on device" or ENOSPC from Python).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import json
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings

Beat = Callable[[], None]
HEARTBEAT_SECONDS = 10.0
NO_SPACE = ("No space left on device", "ENOSPC", "Disk quota exceeded")


_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec: a worker killed mid-run takes its ffmpeg along (Linux), so a resumed job never
    races an orphan for the same files."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class ToolFailed(Exception):
    """A tool exited with an error; `output` is the end of what it printed."""

    def __init__(self, tool: str, code: int | None, output: str) -> None:
        super().__init__(f"{tool} exited with {code}: {output[-500:]}")
        self.tool, self.code, self.output = tool, code, output


class DiskFull(Exception):
    """The disk (of the work folder or of the storage) is full."""


def is_disk_full(error: BaseException) -> bool:
    if isinstance(error, DiskFull):
        return True
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return isinstance(error, ToolFailed) and any(marker in error.output for marker in NO_SPACE)


def run_tool(
    args: Sequence[str],
    *,
    beat: Beat,
    on_line: Callable[[str], None] | None = None,
    timeout: float | None = None,
) -> str:
    """Runs a tool to its end, calling `beat` at least every HEARTBEAT_SECONDS and `on_line` with each line it
    prints on stdout; answers its stderr (the last 64 KB). Raises ToolFailed, DiskFull or TimeoutError."""
    limit = time.monotonic() + (timeout or settings.RECORDINGS_PROCESSING_TIMEOUT)
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 - fixed tools, arguments are paths and numbers we made
            list(args),
            stdout=subprocess.PIPE if on_line else subprocess.DEVNULL,
            stderr=errors,
            preexec_fn=_die_with_parent,
        )
        last_beat = time.monotonic()
        lines = _Lines(process.stdout, on_line) if on_line is not None and process.stdout is not None else None
        try:
            while process.poll() is None:
                if lines is not None:
                    lines.read()
                if time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
                    beat()
                    last_beat = time.monotonic()
                if time.monotonic() > limit:
                    raise TimeoutError(f"{args[0]} ran longer than {settings.RECORDINGS_PROCESSING_TIMEOUT} s")
                time.sleep(0.2)
            if lines is not None:
                lines.read()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        errors.seek(max(0, errors.tell() - 65536))
        output = errors.read().decode(errors="replace")
    if process.returncode != 0:
        failed = ToolFailed(Path(args[0]).name, process.returncode, output)
        if is_disk_full(failed):
            raise DiskFull(output[-300:]) from failed
        raise failed
    return output


class _Lines:
    """A tool's stdout read without blocking, handed on line by line."""

    def __init__(self, stream: IO[bytes], on_line: Callable[[str], None]) -> None:
        self.fd = stream.fileno()
        os.set_blocking(self.fd, False)
        self.on_line, self.rest = on_line, b""

    def read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except BlockingIOError:
                return
            if not chunk:
                return
            *lines, self.rest = (self.rest + chunk).split(b"\n")
            for line in lines:
                self.on_line(line.decode(errors="replace").strip())


# -- janus-pp-rec ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MjrHeader:
    """What an .mjr file says of itself (`janus-pp-rec --json`): its kind, codec, and when it was created and got its
    first packet (µs since the epoch, Janus's clock)."""

    media: str  # "audio" | "video" | "data"
    codec: str
    created_us: int
    first_packet_us: int


def read_header(path: Path, *, beat: Beat) -> MjrHeader:
    """The file's header; raises ToolFailed when janus-pp-rec cannot read it (not an .mjr, cut off at the start)."""
    with tempfile.NamedTemporaryFile("w+b") as out:
        args = [settings.RECORDINGS_JANUS_PP_REC, "--json", str(path)]
        process = subprocess.run(args, stdout=out, stderr=subprocess.PIPE, timeout=60, check=False)  # noqa: S603
        beat()
        out.seek(0)
        text = out.read().decode(errors="replace").strip()
    try:
        data = json.loads(text.splitlines()[-1]) if text else {}
    except json.JSONDecodeError:
        data = {}
    if process.returncode != 0 or not isinstance(data, dict) or "t" not in data:
        raise ToolFailed("janus-pp-rec", process.returncode, process.stderr.decode(errors="replace") + text)
    media = {"a": "audio", "v": "video", "d": "data"}.get(str(data["t"]), str(data["t"]))
    return MjrHeader(media, str(data.get("c", "")), int(data.get("s") or 0), int(data.get("u") or data.get("s") or 0))


def convert(path: Path, target: Path, *, beat: Beat) -> Path:
    """The .mjr as a playable file (`target`'s extension: .webm for video, .opus for audio). A finished target is
    reused (a resumed job); a run cut short leaves only a `.part` file, never a half target."""
    if target.exists() and target.stat().st_size > 0:
        return target
    partial = target.with_name(f"{target.stem}.part{target.suffix}")
    partial.unlink(missing_ok=True)
    run_tool([settings.RECORDINGS_JANUS_PP_REC, str(path), str(partial)], beat=beat)
    if not partial.exists() or partial.stat().st_size == 0:
        raise ToolFailed("janus-pp-rec", 0, f"{path.name}: no media in the file")
    partial.replace(target)
    return target


# -- ffprobe -----------------------------------------------------------------------------------------------------


def probe(path: Path) -> dict[str, object]:
    """ffprobe's view of a file: {"format": {...}, "streams": [...]}."""
    args = [settings.RECORDINGS_FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams"]
    result = subprocess.run([*args, str(path)], capture_output=True, timeout=120, check=False)  # noqa: S603
    if result.returncode != 0:
        raise ToolFailed("ffprobe", result.returncode, result.stderr.decode(errors="replace"))
    data: dict[str, object] = json.loads(result.stdout or b"{}")
    return data


def duration_of(path: Path) -> float:
    """Seconds of media in the file (0 when ffprobe sees none)."""
    try:
        fmt = probe(path).get("format") or {}
        return float(fmt.get("duration") or 0) if isinstance(fmt, dict) else 0.0
    except (ToolFailed, ValueError, subprocess.TimeoutExpired):
        return 0.0


def mean_volume(path: Path, *, beat: Beat) -> float:
    """The track's mean volume in dB (volumedetect): who speaks the most gets a tile first."""
    try:
        output = run_tool(
            [settings.RECORDINGS_FFMPEG, "-hide_banner", "-nostdin", "-i", str(path), "-vn", "-af", "volumedetect",
             "-f", "null", "-"],
            beat=beat,
        )  # fmt: skip
    except ToolFailed:
        return float("-inf")
    for line in output.splitlines():
        if "mean_volume:" in line:
            try:
                return float(line.rsplit("mean_volume:", 1)[1].split()[0])
            except (IndexError, ValueError):
                break
    return float("-inf")
