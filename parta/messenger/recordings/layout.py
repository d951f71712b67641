"""Where each stream goes in the recording's picture, and when (docs/recording.md "Processing", ADR 0022).

Pure planning, no media: the tracks' time ranges (from their .mjr headers) become a timeline; wherever the set of
streams that show changes, a new segment starts, and each segment gets a layout on the 1280x720 canvas:

- a screen or the board shown: it takes the left 960x720; up to four cameras are stacked on the right (320x180
  each) — the loudest speakers when there are more;
- nothing shown: the cameras in a grid (1 full, 2 side by side, 3–4 in 2x2, 5–9 in 3x3; the nine loudest).

A stream that keeps its place over neighbouring segments is one *run*, so the common lesson (a teacher's camera
all along, a screen for a while) is a handful of runs, and ffmpeg decodes each stretch of a stream once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

WIDTH, HEIGHT = 1280, 720
MAIN_WIDTH = 960  # the screen or board
SIDE_TILES = 4  # cameras beside it
GRID_MAX = 9  # cameras in the grid when nothing is shown
MIN_SEGMENT = 0.5  # s: boundaries closer than this are merged (a stream that starts a moment after another)
SHOWN_SOURCES = ("screen", "board")


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class VideoSpan:
    """A video stream's stretch on the timeline (seconds from the recording's start)."""

    key: str  # the track's own name (its intermediate file)
    owner: int  # the feed it belongs to: its audio tells how much that person speaks
    source: str  # camera | screen | board
    start: float
    end: float


@dataclass(frozen=True)
class Run:
    """One stream shown in one place from `start` to `end` (timeline seconds)."""

    key: str
    rect: Rect
    start: float
    end: float
    span_start: float  # where the stream itself starts on the timeline (to seek inside its file)


def side_rects() -> list[Rect]:
    tile_h = HEIGHT // SIDE_TILES
    return [Rect(MAIN_WIDTH, i * tile_h, WIDTH - MAIN_WIDTH, tile_h) for i in range(SIDE_TILES)]


def grid_rects(count: int) -> list[Rect]:
    """Tiles for `count` cameras (at most GRID_MAX), centred on the canvas, 16:9 each."""
    if count <= 0:
        return []
    if count == 1:
        return [Rect(0, 0, WIDTH, HEIGHT)]
    columns = 2 if count <= 4 else 3
    rows = (count + columns - 1) // columns
    tile_w = WIDTH // columns
    tile_h = tile_w * 9 // 16
    tile_h -= tile_h % 2
    top = (HEIGHT - rows * tile_h) // 2
    rects = []
    for index in range(count):
        row, column = divmod(index, columns)
        in_row = min(columns, count - row * columns)  # a last row that is not full is centred too
        left = (WIDTH - in_row * tile_w) // 2
        rects.append(Rect(left + column * tile_w, top + row * tile_h, tile_w, tile_h))
    return rects


def boundaries(spans: Sequence[VideoSpan], total: float) -> list[float]:
    points = sorted({0.0, total, *(s.start for s in spans), *(s.end for s in spans)})
    merged: list[float] = []
    for point in points:
        if point < 0 or point > total:
            continue
        if merged and point - merged[-1] < MIN_SEGMENT:
            if point == total:
                merged[-1] = total
            continue
        merged.append(point)
    if merged[-1] != total:
        merged.append(total)
    return merged


def _segment_layout(active: Sequence[VideoSpan], loudness: Mapping[int, float]) -> dict[str, Rect]:
    """The places of the streams active in one segment."""
    shown = [s for s in active if s.source in SHOWN_SOURCES]
    cameras = [s for s in active if s.source not in SHOWN_SOURCES]
    # The loudest speakers first; equal ones in the order they came (stable sort), so tiles do not jump around.
    cameras.sort(key=lambda s: -loudness.get(s.owner, float("-inf")))
    if shown:
        main = max(shown, key=lambda s: s.start)  # the one shown last is the one people are looking at
        places = {main.key: Rect(0, 0, MAIN_WIDTH, HEIGHT)}
        places.update({s.key: rect for s, rect in zip(cameras[:SIDE_TILES], side_rects(), strict=False)})
        return places
    chosen = cameras[:GRID_MAX]
    chosen.sort(key=lambda s: (s.start, s.key))  # grid order: who came first, not who is louder
    return {s.key: rect for s, rect in zip(chosen, grid_rects(len(chosen)), strict=True)}


def plan_runs(spans: Sequence[VideoSpan], total: float, loudness: Mapping[int, float]) -> list[Run]:
    """The runs of the whole recording, in timeline order."""
    if total <= 0:
        return []
    points = boundaries(spans, total)
    open_runs: dict[str, Run] = {}
    runs: list[Run] = []
    by_key = {s.key: s for s in spans}
    for start, end in pairwise(points):
        middle = (start + end) / 2
        active = [s for s in spans if s.start <= middle < s.end]
        places = _segment_layout(active, loudness)
        for key, run in list(open_runs.items()):
            if places.get(key) != run.rect:
                runs.append(run)
                del open_runs[key]
        for key, rect in places.items():
            if key in open_runs:
                run = open_runs[key]
                open_runs[key] = Run(key, rect, run.start, end, run.span_start)
            else:
                open_runs[key] = Run(key, rect, start, end, by_key[key].start)
    runs.extend(open_runs.values())
    return sorted(runs, key=lambda r: (r.start, r.key))
