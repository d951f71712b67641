"""Whiteboard benchmarks (issue 10, docs/performance.md "Whiteboard"). Prints figures; asserts nothing about time.

    python -m tests.bench.boards [fanout|fanout-redis|lesson|latejoin|all] [options]

Real processes on 127.0.0.1 as in tests/bench/messenger: a throwaway PostgreSQL database (MESSENGER_DATABASE_URL a
postgres:// URL; a database "bb_board_…" is created and dropped) or a SQLite file, migrated; uvicorn processes of
the messenger; every board tab in this one asyncio process (`websockets` + pycrdt, y-websocket's protocol, signed in
with its own session cookie); Redis (REDIS_URL) for the two-process run.

fanout        the teacher draws pen strokes (an item, then its points every ~50 ms) to 30 students on one server
              process: time from the teacher's socket sending each update to each student's socket reading it
fanout-redis  the same through two server processes and Redis, half the tabs on each
lesson        a 45-minute lesson compressed in time, everyone drawing: server RSS, stored size, log rows, compaction
latejoin      a board of 5,000 strokes (stored, compacted): a new tab's time to the whole document
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from websockets.exceptions import ConnectionClosed

from tests.bench.boards.clients import Room, Tab
from tests.bench.boards.strokes import item_count
from tests.bench.messenger.__main__ import machine, percentile, report, rss_kb
from tests.messenger.realtime.live import Database, Deployment, Server, deployment_env, redis_answers, redis_url, stop


@contextlib.contextmanager
def deployment(folder: Path, *, redis: str | None) -> Iterator[Deployment]:
    """live.deployment with this bench's own database prefix (parallel runs on one PostgreSQL stay apart)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    database = Database.create(folder, prefix="bb_board")
    dep = Deployment(folder=folder, database=database, env=deployment_env(folder, database, redis=redis, extra=None))
    try:
        dep.run("parta.messenger", "migrate", "--no-input", "-v", "0")
        yield dep
    finally:
        for server in dep.servers:
            stop(server)
        with contextlib.suppress(Exception):
            database.drop()


EXPERIMENT_APP = "tests.bench.boards.bench_asgi:application"


def start(dep: Deployment, options: argparse.Namespace) -> Server:
    """A server process of the messenger (with `--experiment dispatch`: the bench's patched board consumer)."""
    if options.experiment == "dispatch":
        return dep.start_server(app=EXPERIMENT_APP)
    return dep.start_server()


def tool(dep: Deployment, *args: str) -> dict[str, Any]:
    return json.loads(dep.run("tests.bench.boards.seed", *args).strip().splitlines()[-1])  # type: ignore[no-any-return]


def board_url(server: Server, board: str) -> str:
    return f"ws://127.0.0.1:{server.port}/ws/boards/{board}/"


def make_room(servers: list[Server], seeded: dict[str, Any], options: argparse.Namespace) -> Room:
    """Tab 0 is the teacher's, on the first server; student n is on server n % len(servers)."""
    room = Room(compression="deflate" if options.deflate else None)
    people = [seeded["teacher"], *seeded["students"]]
    for n, (person, key) in enumerate(zip(people, seeded["sessions"], strict=True)):
        server = servers[0] if n == 0 else servers[(n - 1) % len(servers)]
        room.tabs.append(
            Tab(room, n, board_url(server, seeded["board"]), key, person, f"Ученик {n}" if n else "Учитель")
        )
    return room


def spread(values: list[float]) -> str:
    if not values:
        return "no receipts"
    return (f"p50 {statistics.median(values):.1f} ms, p95 {percentile(values, 0.95):.1f} ms, "
            f"p99 {percentile(values, 0.99):.1f} ms, max {max(values):.1f} ms")  # fmt: skip


def tabs_mode(options: argparse.Namespace) -> str:
    experiment = ", EXPERIMENT: no close_old_connections per consumer message" if options.experiment else ""
    return (f"cursors {'on' if options.cursors else 'off'}, per-message deflate {'on' if options.deflate else 'off'}"
            f"{experiment}")  # fmt: skip


# Fan-out ----------------------------------------------------------------------------------------------------------


async def measure_fanout(servers: list[Server], seeded: dict[str, Any], options: argparse.Namespace) -> dict[str, Any]:
    room = make_room(servers, seeded, options)
    await room.open_all()
    await asyncio.sleep(0.5)  # the group subscriptions reach Redis
    teacher, rng = room.tabs[0], random.Random(1)
    measured: set[bytes] = set()
    started = time.perf_counter()
    drawn = 0
    try:
        for n in range(options.warmup + options.strokes):
            frames = await teacher.draw(rng, every_s=options.every_ms / 1000, cursors=options.cursors)
            if n >= options.warmup:
                measured |= frames
                drawn += 1
            await asyncio.sleep(options.pause_ms / 1000)  # the pen lifted between strokes
    except ConnectionClosed as closed:  # a server far behind: the figures show how far, and where it stopped
        print(f"the teacher's socket closed after {drawn} measured strokes: {closed}", flush=True)
    drawing_s = time.perf_counter() - started
    await room.drain()
    latencies = room.latencies_ms(measured)
    firsts, lasts = room.first_last_ms(measured)
    other = {t.index for t in room.tabs[1:] if t.url != teacher.url}
    result = {
        "all": latencies,
        "first": firsts,
        "last": lasts,
        "same": room.latencies_ms(measured, {t.index for t in room.tabs[1:] if t.url == teacher.url}),
        "other": room.latencies_ms(measured, other) if other else [],
        "updates": len(measured),
        "drawn": drawn,
        "closed": room.closed(),
        "expected": len(measured) * (len(room.tabs) - 1),
        "drawing_s": drawing_s,
        "refused": len(room.refused),
        "converged": sum(t.pen.doc.get_state() == teacher.pen.doc.get_state() for t in room.tabs[1:]),
        "bytes": sum(len(f) for f in measured) / max(1, len(measured)),
    }
    await room.close_all()
    return result


def fanout(folder: Path, options: argparse.Namespace, *, processes: int) -> None:
    name = "fanout" if processes == 1 else "fanout-redis"
    redis = redis_url() if processes > 1 else None
    with deployment(folder / name, redis=redis) as dep:
        seeded = tool(dep, "lesson", "--students", str(options.students), "--draw-mode", "organizer")
        servers = [start(dep, options) for _ in range(processes)]
        result = asyncio.run(measure_fanout(servers, seeded, options))
    split = ""
    if processes > 1:
        split = (
            f" (same process as the teacher: {spread(result['same'])}; the other process: {spread(result['other'])})"
        )
    report(
        name,
        f"teacher + {options.students} students on {processes} server process(es), "
        f"{'Redis' if redis else 'in-memory'} layer, {dep.database.vendor}, "
        f"{tabs_mode(options)}: "
        f"{result['drawn']} strokes = {result['updates']} updates (avg {result['bytes']:.0f} B), "
        f"update sent → read by each student {spread(result['all'])}{split}; first student per update "
        f"{spread(result['first'])}; last student per update {spread(result['last'])}; "
        f"{len(result['all'])}/{result['expected']} receipts, {result['refused']} refused, "
        f"{result['closed']} sockets closed by the server, "
        f"{result['converged']}/{options.students} students' documents equal to the teacher's; "
        f"drawn in {result['drawing_s']:.0f} s",
    )


# Lesson -----------------------------------------------------------------------------------------------------------


def schedule(options: argparse.Namespace, people: int, rng: random.Random) -> list[list[float]]:
    """Start times (seconds from the start, compressed) of each person's strokes: the teacher one every
    `teacher_every` s, each student one every `student_every` s with a random phase, for `minutes` of lesson."""
    lesson_s = options.minutes * 60
    plans = []
    for n in range(people):
        every = options.teacher_every if n == 0 else options.student_every
        phase = rng.uniform(0, every)
        plans.append([(phase + k * every) / options.speedup for k in range(int(lesson_s // every))])
    return plans


async def measure_lesson(server: Server, seeded: dict[str, Any], options: argparse.Namespace) -> dict[str, Any]:
    rss = {"idle": rss_kb(server.pid)}
    room = make_room([server], seeded, options)
    await room.open_all()
    rss["connected"] = rss_kb(server.pid)
    rng = random.Random(2)
    plans = schedule(options, len(room.tabs), rng)
    started = time.perf_counter()

    async def person(tab: Tab, plan: list[float]) -> None:
        own = random.Random(tab.index)
        try:
            for at in plan:
                await asyncio.sleep(max(0.0, started + at - time.perf_counter()))
                await tab.draw(own, every_s=options.every_ms / 1000, cursors=options.cursors)
        except ConnectionClosed as closed:
            print(f"tab {tab.index}'s socket closed: {closed}", flush=True)

    await asyncio.gather(*(person(tab, plan) for tab, plan in zip(room.tabs, plans, strict=True)))
    drawing_s = time.perf_counter() - started
    await room.drain(timeout=60)
    rss["drawn"] = rss_kb(server.pid)
    strokes = sum(len(plan) for plan in plans)
    counts = [item_count(t.pen.doc) for t in room.tabs]
    closed = room.closed()
    await room.close_all()
    await asyncio.sleep(2)
    rss["closed"] = rss_kb(server.pid)
    return {"rss": rss, "strokes": strokes, "updates": len(room.sent), "latencies": room.latencies_ms(),
            "expected": room.expected(), "drawing_s": drawing_s, "refused": len(room.refused),
            "complete": sum(c == strokes for c in counts), "closed": closed}  # fmt: skip


def lesson(folder: Path, options: argparse.Namespace) -> None:
    with deployment(folder / "lesson", redis=None) as dep:
        seeded = tool(dep, "lesson", "--students", str(options.students), "--draw-mode", "everyone")
        server = start(dep, options)
        result = asyncio.run(measure_lesson(server, seeded, options))
        stored = tool(dep, "compact", "--board-id", str(seeded["board_id"]))
    rss = {k: v / 1024 for k, v in result["rss"].items()}
    before, after = stored["before"], stored["after"]
    report(
        "lesson",
        f"{options.minutes:g} min lesson ×{options.speedup:g} faster (teacher 1 stroke/{options.teacher_every:g} s, "
        f"{options.students} students 1 stroke/{options.student_every:g} s each, 60 points in 1 + 10 updates, "
        f"{tabs_mode(options)}), 1 server process, {dep.database.vendor}: "
        f"{result['strokes']} strokes = {result['updates']} updates in {result['drawing_s']:.0f} s "
        f"({result['updates'] / result['drawing_s']:.0f} updates/s); delivery {spread(result['latencies'])}, "
        f"{len(result['latencies'])}/{result['expected']} receipts, {result['refused']} refused, "
        f"{result['closed']} sockets closed by the server, "
        f"{result['complete']}/{options.students + 1} tabs with every stroke; "
        f"server RSS {rss['idle']:.0f} MB idle → {rss['connected']:.0f} MB with {options.students + 1} tabs → "
        f"{rss['drawn']:.0f} MB after the lesson → {rss['closed']:.0f} MB tabs closed; stored before the final "
        f"compaction: snapshot {before['state_bytes'] / 1024:.0f} KB (seq {before['state_seq']}) + "
        f"{before['log_rows']} log rows {before['log_bytes'] / 1024:.0f} KB; compaction {stored['compact_ms']:.0f} ms "
        f"→ {after['state_bytes'] / 1024:.0f} KB, {after['log_rows']} rows",
    )


# Late joiner ------------------------------------------------------------------------------------------------------


async def measure_latejoin(server: Server, seeded: dict[str, Any], options: argparse.Namespace) -> list[Any]:
    room = Room(compression="deflate" if options.deflate else None)
    joins = []
    for n in range(options.joins):
        key = seeded["sessions"][1 + n % len(seeded["students"])]
        tab = Tab(room, n, board_url(server, seeded["board"]), key, seeded["students"][0], "Опоздавший")
        joins.append(await tab.open())
        await tab.close()
        await asyncio.sleep(0.2)
    return joins


def latejoin(folder: Path, options: argparse.Namespace) -> None:
    with deployment(folder / "latejoin", redis=None) as dep:
        seeded = tool(dep, "lesson", "--students", "30", "--draw-mode", "everyone")
        filled = tool(dep, "fill", "--board-id", str(seeded["board_id"]), "--strokes", str(options.board_strokes))
        server = start(dep, options)
        joins = asyncio.run(measure_latejoin(server, seeded, options))
    warm = joins[1:] or joins
    ms = [j.applied_s * 1000 for j in warm]
    report(
        "latejoin",
        f"a board of {filled['items']} strokes by {filled['authors']} people (60 points each, stored compacted: "
        f"{filled['state_bytes'] / 1024:.0f} KB), 1 server process, {dep.database.vendor}, per-message deflate "
        f"{'on' if options.deflate else 'off'}: connect → whole document "
        f"applied: first join after the server started (document read from the database) "
        f"{joins[0].applied_s * 1000:.0f} ms; the next {len(warm)} p50 {statistics.median(ms):.0f} ms, "
        f"max {max(ms):.0f} ms (handshake p50 {statistics.median(j.connect_s * 1000 for j in warm):.0f} ms, step 2 "
        f"read p50 {statistics.median(j.step2_s * 1000 for j in warm):.0f} ms); "
        f"step 2 {joins[0].step2_bytes / 1024:.0f} KB; items counted {sorted({j.items for j in joins})}",
    )


# Command line -----------------------------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.boards", description=__doc__.split("\n")[0])
    parser.add_argument("scenario", choices=["fanout", "fanout-redis", "lesson", "latejoin", "all"], nargs="?",
                        default="all")  # fmt: skip
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--strokes", type=int, default=200, help="fanout: strokes measured")
    parser.add_argument("--warmup", type=int, default=5, help="fanout: strokes drawn before measuring")
    parser.add_argument("--every-ms", type=float, default=50, help="between a stroke's updates")
    parser.add_argument("--pause-ms", type=float, default=200, help="fanout: between strokes")
    parser.add_argument("--no-deflate", dest="deflate", action="store_false", help="tabs without per-message deflate")
    parser.add_argument("--experiment", choices=["dispatch"], help="dispatch: the board consumer without Channels' "
                        "close_old_connections per message (bench_asgi.py)")  # fmt: skip
    parser.add_argument("--no-cursors", dest="cursors", action="store_false", help="no awareness cursor frames")
    parser.add_argument("--minutes", type=float, default=45, help="lesson: its length")
    parser.add_argument("--speedup", type=float, default=15, help="lesson: how much faster than real time")
    parser.add_argument("--teacher-every", type=float, default=10, help="lesson: seconds between the teacher's strokes")
    parser.add_argument("--student-every", type=float, default=60, help="lesson: seconds between a student's strokes")
    parser.add_argument("--board-strokes", type=int, default=5000, help="latejoin: strokes on the board")
    parser.add_argument("--joins", type=int, default=11, help="latejoin: tabs joining one after another")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    options = parse(argv)
    if options.scenario in {"fanout-redis", "all"} and not redis_answers(redis_url()):
        sys.exit(f"Redis must answer at {redis_url()} (scripts/services.sh starts it)")
    print(f"machine: {machine()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="parta-bench-boards-") as tmp:
        folder = Path(tmp)
        if options.scenario in {"fanout", "all"}:
            fanout(folder, options, processes=1)
        if options.scenario in {"fanout-redis", "all"}:
            fanout(folder, options, processes=2)
        if options.scenario in {"lesson", "all"}:
            lesson(folder, options)
        if options.scenario in {"latejoin", "all"}:
            latejoin(folder, options)


if __name__ == "__main__":
    main()
