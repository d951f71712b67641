"""One sending process of the throughput benchmark (run inside the deployment's environment):

    python -m tests.bench.messenger.sender --plan plan.json --start-at <unix time> --seconds 10 --seed 1

Waits for the common start, then sends messages one after another — each in its own transaction, by a random member
of a random chat of the plan — until the time is up. Prints JSON: how many, and the send times' p50/p99 (ms).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.messenger.sender")
    parser.add_argument("--plan", type=Path, required=True)
    parser.add_argument("--start-at", type=float, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--minimal", action="store_true", help="the minimal send instead of the chats service")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from tests.bench.messenger.sending import MINIMAL_PATH, SEND_PATH, send

    chats = json.loads(args.plan.read_text())["chats"]
    rng = random.Random(args.seed)
    connection.ensure_connection()  # connected before the start, like a server process that is already up
    time.sleep(max(0.0, args.start_at - time.time()))
    deadline = args.start_at + args.seconds
    timings: list[float] = []
    while time.time() < deadline:
        n, chat = len(timings), rng.choice(chats)
        started = time.perf_counter()
        send(chat_id=chat["id"], sender_id=rng.choice(chat["members"]), text=f"Сообщение {n}", minimal=args.minimal)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(
        json.dumps(
            {
                "sent": len(timings),
                "p50_ms": statistics.median(timings) if timings else None,
                "p99_ms": timings[int(len(timings) * 0.99)] if timings else None,
                "path": MINIMAL_PATH if args.minimal else SEND_PATH,
            }
        )
    )


if __name__ == "__main__":
    main()
