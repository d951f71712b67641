"""Messenger real-time benchmarks (issue 3). Prints figures; asserts nothing about time.

    python -m tests.bench.messenger [fanout|memory|throughput|fanout-redis|all] [options]

Every scenario runs real processes on 127.0.0.1: a throwaway database (PostgreSQL when MESSENGER_DATABASE_URL is a
postgres:// URL — a database is created and dropped — else a SQLite file), migrated; uvicorn processes of the
messenger; all WebSocket clients in this one asyncio process (`websockets`); Redis db 15 where a scenario needs it.

fanout        one message to a 1,000-member chat, 1,000 clients connected to one server process (in-memory layer):
              delivery time from the sender's COMMIT to each client's receipt, p50/p99 over all receipts of all rounds
fanout-redis  the same across two server processes through Redis: half the clients on each, sent through the first
memory        RSS of the server process per idle connection (signed in, resumed), at 1,000 and 5,000 connections
throughput    N sender processes sending in small chats through the service layer for T seconds, every member
              connected to one server process (Redis layer, as when several processes serve): messages persisted
              per second, and events delivered to the clients per second
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.bench.messenger.clients import Swarm, raise_fd_limit
from tests.messenger.realtime.live import PYTHON, REPO, Deployment, Server, deployment, redis_answers, redis_url, stop

BENCH_APP = "tests.bench.messenger.bench_asgi:application"
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 only, never through a proxy


def report(name: str, text: str) -> None:
    print(f"BENCH {name}: {text}", flush=True)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def post_json(url: str) -> dict[str, Any]:
    with _opener.open(urllib.request.Request(url, method="POST", data=b""), timeout=60) as response:  # noqa: S310
        return json.loads(response.read())  # type: ignore[no-any-return]


def seed(dep: Deployment, *args: str) -> dict[str, Any]:
    return json.loads(dep.run("tests.bench.messenger.seed", *args).strip().splitlines()[-1])  # type: ignore[no-any-return]


def server_args(options: argparse.Namespace) -> list[str]:
    extra = ["--ws", options.ws]
    if not options.deflate:
        extra.append("--ws-per-message-deflate=false")
    return extra


# Fan-out ----------------------------------------------------------------------------------------------------------


async def measure_fanout(servers: list[Server], seeded: dict[str, Any], options: argparse.Namespace) -> dict[str, Any]:
    members = len(seeded["profiles"])
    swarm = Swarm(cookie_name="parta_messenger_session", compression="deflate" if options.deflate else None)
    swarm.add([servers[n % len(servers)].ws_url for n in range(members)], seeded["sessions"])
    connected_in = await swarm.connect_all()
    latencies: list[float] = []
    last_ms: list[float] = []
    lost, path = 0, ""
    for round_ in range(options.warmup + options.rounds):
        sent = await asyncio.to_thread(
            post_json, f"{servers[0].url}/__bench/send?chat={seeded['chat']}&sender={seeded['profiles'][0]}"
        )
        path = sent["path"]
        complete = await swarm.wait_for(sent["message"], members)
        receipts = swarm.receipts[sent["message"]]
        if round_ >= options.warmup:
            lost += members - len(receipts) if not complete else 0
            times = [(received - sent["committed_at"]) * 1000 for _, received in receipts]
            latencies.extend(times)
            last_ms.append(max(times))
            if options.verbose:
                print(f"  message {round_ - options.warmup + 1}: first {min(times):.1f} ms, median "
                      f"{statistics.median(times):.1f} ms, last {max(times):.1f} ms", flush=True)  # fmt: skip
        await asyncio.sleep(0.3)  # one message at a time: this measures a fan-out, not a queue
    await swarm.close_all()
    return {
        "connect_s": connected_in,
        "p50": statistics.median(latencies),
        "p90": percentile(latencies, 0.90),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
        "last_p50": statistics.median(last_ms),
        "receipts": len(latencies),
        "lost": lost,
        "path": path,
        "anomalies": swarm.anomalies(),
    }


def server_env(options: argparse.Namespace) -> dict[str, str]:
    return {"PARTA_BENCH_GC_THRESHOLD": options.gc_threshold} if options.gc_threshold else {}


def fanout(folder: Path, options: argparse.Namespace, *, processes: int) -> None:
    name = "fanout" if processes == 1 else "fanout-redis"
    redis = redis_url() if processes > 1 or options.layer == "redis" else None
    with deployment(folder / name, redis=redis, extra_env=server_env(options)) as dep:
        seeded = seed(dep, "fanout", "--members", str(options.members))
        servers = [dep.start_server(*server_args(options), app=BENCH_APP) for _ in range(processes)]
        result = asyncio.run(measure_fanout(servers, seeded, options))
    layer = "Redis" if redis else "in-memory"
    gc_note = f", gc threshold {options.gc_threshold}" if options.gc_threshold else ""
    report(
        name,
        f"{options.members} members, {options.members} clients on {processes} server process(es), {layer} layer"
        f"{gc_note}, "
        f"{dep.database.vendor}, send path: {result['path']}: "
        f"delivery after commit p50 {result['p50']:.1f} ms, p90 {result['p90']:.1f} ms, "
        f"p99 {result['p99']:.1f} ms, max {result['max']:.1f} ms; last client per message p50 {result['last_p50']:.1f} "
        f"ms; {result['receipts']} receipts over {options.rounds} messages, {result['lost']} missing; "
        f"clients connected in {result['connect_s']:.1f} s; clients with events out of order/twice/with a hole: "
        f"{'/'.join(str(n) for n in result['anomalies'].values())}",
    )


# Memory -----------------------------------------------------------------------------------------------------------


async def measure_memory(
    server: Server, seeded: dict[str, Any], count: int, options: argparse.Namespace
) -> dict[str, Any]:
    compression = "deflate" if options.deflate else None
    warm = Swarm(cookie_name="parta_messenger_session", compression=compression)
    warm.add([server.ws_url] * 50, seeded["sessions"][:50])
    await warm.connect_all()  # first connections load code and caches: not what an extra connection costs
    await warm.close_all()
    await asyncio.sleep(2)
    before = rss_kb(server.pid)
    swarm = Swarm(cookie_name="parta_messenger_session", compression=compression)
    swarm.add([server.ws_url] * count, seeded["sessions"][:count])
    connected_in = await swarm.connect_all()
    await asyncio.sleep(3)  # idle
    after = rss_kb(server.pid)
    await swarm.close_all()
    await asyncio.sleep(3)
    closed = rss_kb(server.pid)
    return {"before": before, "after": after, "closed": closed, "connect_s": connected_in}


def memory(folder: Path, options: argparse.Namespace) -> None:
    redis = redis_url() if options.layer == "redis" else None
    with deployment(folder / "memory", redis=redis, extra_env=server_env(options)) as dep:
        seeded = seed(dep, "fanout", "--members", str(max(options.connections)))
        for count in options.connections:
            server = dep.start_server(*server_args(options), app=BENCH_APP)
            result = asyncio.run(measure_memory(server, seeded, count, options))
            stop(server)
            per_kb = (result["after"] - result["before"]) / count
            report(
                "memory",
                f"{count} idle connections ({'Redis' if redis else 'in-memory'} layer, --ws {options.ws}, "
                f"per-message deflate {'on' if options.deflate else 'off'}): server RSS "
                f"{result['before'] / 1024:.0f} → {result['after'] / 1024:.0f} MB = {per_kb:.1f} KB per connection; "
                f"{result['closed'] / 1024:.0f} MB after they closed; connected in {result['connect_s']:.1f} s",
            )


# Throughput -------------------------------------------------------------------------------------------------------


async def measure_throughput(
    dep: Deployment, server: Server, seeded: dict[str, Any], options: argparse.Namespace
) -> dict[str, Any]:
    swarm = Swarm(cookie_name="parta_messenger_session", compression="deflate" if options.deflate else None)
    swarm.add([server.ws_url] * len(seeded["profiles"]), seeded["sessions"])
    await swarm.connect_all()
    plan = dep.folder / "plan.json"
    plan.write_text(json.dumps({"chats": seeded["chats"]}))
    start_at = time.time() + 6  # the senders' Django setup happens before the common start
    senders = [
        await asyncio.create_subprocess_exec(
            PYTHON, "-m", "tests.bench.messenger.sender", "--plan", str(plan), "--start-at", str(start_at),
            "--seconds", str(options.seconds), "--seed", str(n), *(["--minimal"] if options.minimal else []),
            cwd=REPO, env=dep.env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        for n in range(options.senders)
    ]  # fmt: skip
    outputs = [await process.communicate() for process in senders]
    for process, (_, err) in zip(senders, outputs, strict=True):
        if process.returncode != 0:
            raise RuntimeError(f"a sender failed:\n{err.decode()[-3000:]}")
    results = [json.loads(out.decode().strip().splitlines()[-1]) for out, _ in outputs]
    for _, err in outputs:
        if err.strip():
            print(f"sender's log:\n{err.decode()[-2000:]}", file=sys.stderr)
    sent = sum(result["sent"] for result in results)
    expected = sent * options.size  # every member of the chat gets the message, the sender's devices included
    drain_started = time.time()
    while sum(len(r) for r in swarm.receipts.values()) < expected and time.time() - drain_started < 30:
        await asyncio.sleep(0.05)
    receipts = [t for per_message in swarm.receipts.values() for _, t in per_message]
    in_window = sum(1 for t in receipts if start_at <= t <= start_at + options.seconds)
    anomalies = swarm.anomalies()
    await swarm.close_all()
    return {
        "sent": sent,
        "persisted_per_s": sent / options.seconds,
        "delivered_per_s": in_window / options.seconds,
        "delivered": len(receipts),
        "expected": expected,
        "drain_s": max(receipts) - (start_at + options.seconds) if receipts else 0.0,
        "send_p50": statistics.median(result["p50_ms"] for result in results),
        "send_p99": max(result["p99_ms"] for result in results),
        "path": results[0]["path"],
        "anomalies": anomalies,
    }


def throughput(folder: Path, options: argparse.Namespace) -> None:
    with deployment(folder / "throughput", redis=redis_url(), extra_env=server_env(options)) as dep:
        seeded = seed(dep, "small-chats", "--chats", str(options.chats), "--size", str(options.size))
        server = dep.start_server(*server_args(options), app=BENCH_APP)
        result = asyncio.run(measure_throughput(dep, server, seeded, options))
    report(
        "throughput",
        f"{options.senders} sender processes, {options.chats} chats of {options.size}, {len(seeded['profiles'])} "
        f"clients on 1 server process, Redis layer, {dep.database.vendor}, {options.seconds:.0f} s, send path: "
        f"{result['path']}: {result['persisted_per_s']:.0f} messages persisted/s "
        f"(send p50 {result['send_p50']:.1f} ms, p99 {result['send_p99']:.1f} ms), "
        f"{result['delivered_per_s']:.0f} events delivered/s; "
        f"{result['delivered']}/{result['expected']} delivered, the last {max(0.0, result['drain_s']):.2f} s after "
        f"the senders stopped; clients with events out of order/twice/with a hole: "
        f"{'/'.join(str(n) for n in result['anomalies'].values())}",
    )


# Command line -----------------------------------------------------------------------------------------------------


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    database = os.environ.get("MESSENGER_DATABASE_URL", "")
    vendor = "PostgreSQL" if database.startswith(("postgres://", "postgresql://")) else "SQLite"
    if vendor == "PostgreSQL":
        try:
            version = subprocess.run(
                ["psql", database.replace("postgres://", "postgresql://", 1), "-tAc", "show server_version"],
                capture_output=True, text=True, timeout=10, check=False,
            ).stdout.strip()  # fmt: skip
            vendor += f" {version}"
        except OSError:
            pass
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {vendor}; load average {load}"


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.messenger", description=__doc__.split("\n")[0])
    parser.add_argument(
        "scenario", choices=["fanout", "fanout-redis", "memory", "throughput", "all"], nargs="?", default="all"
    )
    parser.add_argument("--members", type=int, default=1000, help="fan-out: chat members = connected clients")
    parser.add_argument("--rounds", type=int, default=20, help="fan-out: messages measured")
    parser.add_argument("--warmup", type=int, default=3, help="fan-out: messages sent before measuring")
    parser.add_argument("--connections", type=lambda s: [int(n) for n in s.split(",")], default=[1000, 5000])
    parser.add_argument("--senders", type=int, default=4, help="throughput: sender processes")
    parser.add_argument("--seconds", type=float, default=10.0, help="throughput: how long they send")
    parser.add_argument("--chats", type=int, default=100, help="throughput: small chats")
    parser.add_argument("--size", type=int, default=3, help="throughput: members per small chat")
    parser.add_argument("--minimal", action="store_true", help="throughput: the minimal send, not the chats service")
    parser.add_argument("--layer", choices=["memory", "redis"], default="memory", help="fanout/memory: channel layer")
    parser.add_argument("--ws", default="auto", help="uvicorn's WebSocket implementation (auto = websockets)")
    parser.add_argument("--no-deflate", dest="deflate", action="store_false", help="without per-message deflate")
    parser.add_argument("--verbose", action="store_true", help="fan-out: a line per message")
    parser.add_argument(
        "--gc-threshold", default="", help="the servers' gc.set_threshold, e.g. 50000,20,100 (default: Python's)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    options = parse(argv)
    limit = raise_fd_limit()
    needs_redis = options.scenario in {"fanout-redis", "throughput", "all"} or options.layer == "redis"
    if needs_redis and not redis_answers(redis_url()):
        sys.exit(f"Redis must answer at {redis_url()} (scripts/services.sh starts it)")
    print(f"machine: {machine()}; open files limit {limit}", flush=True)
    with tempfile.TemporaryDirectory(prefix="parta-bench-") as tmp:
        folder = Path(tmp)
        if options.scenario in {"fanout", "all"}:
            fanout(folder, options, processes=1)
        if options.scenario in {"fanout-redis", "all"}:
            fanout(folder, options, processes=2)
        if options.scenario in {"memory", "all"}:
            memory(folder, options)
        if options.scenario in {"throughput", "all"}:
            throughput(folder, options)


if __name__ == "__main__":
    main()
