"""Where the streams go in the recording's picture (layout.py) and the ffmpeg command made of it (compose.py) —
pure planning, no media.

# covers: issue 11 §3 — the screen or board large with the active speakers' cameras beside it, a grid otherwise
"""

from __future__ import annotations

from pathlib import Path

import pytest

from parta.messenger.recordings import compose, media
from parta.messenger.recordings.layout import (
    HEIGHT,
    MAIN_WIDTH,
    WIDTH,
    Rect,
    VideoSpan,
    grid_rects,
    plan_runs,
)


def cam(key: str, start: float = 0.0, end: float = 60.0, owner: int | None = None) -> VideoSpan:
    return VideoSpan(key, owner if owner is not None else hash(key) % 1000, "camera", start, end)


def inside(rect: Rect) -> bool:
    return rect.x >= 0 and rect.y >= 0 and rect.x + rect.w <= WIDTH and rect.y + rect.h <= HEIGHT


@pytest.mark.parametrize("count", range(1, 10))
def test_grid_tiles_fit_the_canvas_and_never_overlap(count: int) -> None:
    rects = grid_rects(count)
    assert len(rects) == count and all(inside(r) for r in rects)
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y
    assert all(r.w % 2 == 0 and r.h % 2 == 0 for r in rects)


def test_one_camera_fills_the_picture() -> None:
    (run,) = plan_runs([cam("t")], 60, {})
    assert run.rect == Rect(0, 0, WIDTH, HEIGHT) and (run.start, run.end) == (0, 60)


def test_a_screen_takes_the_left_and_the_cameras_move_beside_it_while_it_is_shown() -> None:
    spans = [cam("t"), cam("s1", 5, 60), VideoSpan("scr", 1, "screen", 20, 40)]
    runs = plan_runs(spans, 60, {})
    screen = [r for r in runs if r.key == "scr"]
    assert len(screen) == 1 and screen[0].rect == Rect(0, 0, MAIN_WIDTH, HEIGHT)
    assert (screen[0].start, screen[0].end) == (20, 40)
    beside = [r for r in runs if r.key != "scr" and r.start == 20]
    assert len(beside) == 2 and all(r.rect.x == MAIN_WIDTH and r.rect.w == WIDTH - MAIN_WIDTH for r in beside)
    teacher = [r for r in runs if r.key == "t"]
    assert [(r.start, r.end) for r in teacher] == [(0, 5), (5, 20), (20, 40), (40, 60)]
    assert teacher[0].rect == Rect(0, 0, WIDTH, HEIGHT) and teacher[-1].rect == teacher[1].rect  # grid again


def test_beside_the_board_the_four_loudest_speakers() -> None:
    spans = [cam(f"c{n}", owner=n) for n in range(6)] + [VideoSpan("board", 99, "board", 0, 60)]
    loudness = {0: -40.0, 1: -20.0, 2: -35.0, 3: -18.0, 4: -60.0, 5: -25.0}
    runs = plan_runs(spans, 60, loudness)
    tiles = {r.key for r in runs if r.rect.x == MAIN_WIDTH}
    assert tiles == {"c1", "c3", "c5", "c2"}


def test_the_last_shown_screen_is_the_large_one() -> None:
    spans = [VideoSpan("board", 1, "board", 0, 60), VideoSpan("scr", 2, "screen", 30, 60)]
    runs = plan_runs(spans, 60, {})
    large = [(r.key, r.start) for r in runs if r.rect == Rect(0, 0, MAIN_WIDTH, HEIGHT)]
    assert large == [("board", 0), ("scr", 30)]


def test_boundaries_a_moment_apart_make_no_sliver_segments() -> None:
    runs = plan_runs([cam("a", 0, 60), cam("b", 0.2, 60)], 60, {})
    assert len(runs) == 2 and {(r.start, r.end) for r in runs} == {(0, 60)}


def test_the_command_seeks_each_run_and_delays_each_voice(tmp_path: Path) -> None:
    runs = plan_runs([cam("t", 2.0, 30.0), VideoSpan("scr", 1, "screen", 10, 20)], 30, {})
    args = compose.command(
        videos=[compose.VideoInput(tmp_path / f"{r.key}.webm", r) for r in runs],
        audios=[compose.AudioInput(tmp_path / "t.opus", 2.0), compose.AudioInput(tmp_path / "s.opus", 7.5)],
        total=30.0,
        output=tmp_path / "out.mp4",
    )
    graph = args[args.index("-filter_complex") + 1]
    assert "adelay=2000:all=1" in graph and "adelay=7500:all=1" in graph and "amix=inputs=2" in graph
    assert args.count("-reinit_filter") == len(runs)
    seeks = [args[i + 1] for i, a in enumerate(args) if a == "-ss"]
    assert seeks == ["0.000", "0.000", "8.000", "18.000"]  # the teacher at 10 s on the timeline: 8 s into its file
    assert args[args.index("-c:v") + 1] == "libx264" and "+faststart" in args and args[-1].endswith("out.mp4")


def test_a_full_disk_is_recognised_wherever_it_shows() -> None:
    import errno

    assert media.is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert media.is_disk_full(media.ToolFailed("ffmpeg", 1, "av_interleaved_write_frame(): No space left on device"))
    assert not media.is_disk_full(media.ToolFailed("ffmpeg", 1, "Invalid data found when processing input"))
