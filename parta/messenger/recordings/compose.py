"""The one ffmpeg run that composes a recording (ADR 0022): its inputs and filter graph from the layout's runs.

- Input 0 is the canvas (a dark 1280x720 picture, 25 frames a second, as long as the recording).
- Each run is its own input: the stream's file opened at the run's stretch (`-ss`/`-t`), so nothing is decoded
  twice and no frames pile up waiting; shifted to its place on the timeline, scaled into its tile (aspect kept,
  the rest padded), laid over the canvas while its run lasts. `-reinit_filter 0`: a browser changes its camera's
  resolution as the network allows, which must not rebuild the graph midway (the scaler follows each frame).
- Every audio track is delayed to its start and all are mixed (without amix's 1/n scaling, then limited).
- Out: H.264 (libx264 veryfast, yuv420p) + AAC in MP4 with the index up front (+faststart): it plays in every
  current browser, Safari and iOS included, and starts playing before it has all arrived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from parta.messenger.recordings.layout import HEIGHT, WIDTH, Run

BACKGROUND = "0x1b1b1f"
FPS = 25
CRF = 26  # a lesson is mostly a face and a still screen: this keeps text readable at ~0.5–1.5 Mbit/s
MAX_RATE = "1500k"
AUDIO_RATE = "96k"
KEYFRAME_SECONDS = 4  # seeking lands within this


@dataclass(frozen=True)
class AudioInput:
    path: Path
    offset: float  # s on the timeline


@dataclass(frozen=True)
class VideoInput:
    path: Path
    run: Run


def _seconds(value: float) -> str:
    return f"{max(0.0, value):.3f}"


def command(*, videos: Sequence[VideoInput], audios: Sequence[AudioInput], total: float, output: Path) -> list[str]:
    """The ffmpeg command line: `-progress pipe:1` reports out_time_us, which the caller turns into progress."""
    args = [settings.RECORDINGS_FFMPEG, "-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
    args += ["-f", "lavfi", "-i", f"color=c={BACKGROUND}:s={WIDTH}x{HEIGHT}:r={FPS}:d={_seconds(total)}"]
    graph = ["[0:v]format=yuv420p[c0]"]
    index = 1
    for number, video in enumerate(videos):
        run = video.run
        seek = max(0.0, run.start - run.span_start)
        args += ["-reinit_filter", "0", "-ss", _seconds(seek), "-t", _seconds(run.end - run.start)]
        args += ["-i", str(video.path)]
        rect = run.rect
        graph.append(
            f"[{index}:v]setpts=PTS-STARTPTS+{_seconds(run.span_start + seek)}/TB,"
            f"scale={rect.w}:{rect.h}:force_original_aspect_ratio=decrease:force_divisible_by=2,"
            f"pad={rect.w}:{rect.h}:(ow-iw)/2:(oh-ih)/2:color={BACKGROUND},setsar=1,format=yuv420p[v{number}]"
        )
        graph.append(
            f"[c{number}][v{number}]overlay=x={rect.x}:y={rect.y}:eof_action=pass:repeatlast=0:"
            f"enable='between(t,{_seconds(run.start)},{_seconds(run.end)})'[c{number + 1}]"
        )
        index += 1
    graph.append(f"[c{len(videos)}]null[vout]")
    mixed = []
    for number, audio in enumerate(audios):
        args += ["-i", str(audio.path)]
        delay = round(max(0.0, audio.offset) * 1000)
        graph.append(
            f"[{index}:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,"
            f"adelay={delay}:all=1[a{number}]"
        )
        mixed.append(f"[a{number}]")
        index += 1
    if not mixed:
        args += ["-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo"]
        graph.append(f"[{index}:a]anull[aout]")
    elif len(mixed) == 1:
        graph.append(f"{mixed[0]}apad[aout]")
    else:
        graph.append(
            f"{''.join(mixed)}amix=inputs={len(mixed)}:duration=longest:dropout_transition=0:normalize=0,"
            "alimiter=limit=0.95:level=disabled,apad[aout]"
        )
    args += ["-filter_complex", ";".join(graph), "-map", "[vout]", "-map", "[aout]"]
    args += ["-c:v", "libx264", "-preset", "veryfast", "-crf", str(CRF), "-maxrate", MAX_RATE, "-bufsize", "3000k"]
    args += ["-pix_fmt", "yuv420p", "-g", str(FPS * KEYFRAME_SECONDS), "-r", str(FPS)]
    args += ["-c:a", "aac", "-b:a", AUDIO_RATE, "-ac", "2"]
    args += ["-threads", str(settings.RECORDINGS_FFMPEG_THREADS), "-t", _seconds(total)]
    args += ["-movflags", "+faststart", "-progress", "pipe:1", "-nostats", "-f", "mp4", str(output)]
    return args


def poster_command(source: Path, at: float, output: Path) -> list[str]:
    """One frame of the finished video as a WebP poster, 640 px wide."""
    return [
        settings.RECORDINGS_FFMPEG, "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
        "-ss", _seconds(at), "-i", str(source), "-frames:v", "1", "-vf", "scale=640:-2",
        "-c:v", "libwebp", "-quality", "75", "-f", "webp", str(output),
    ]  # fmt: skip
