"""Bench data for the board benchmarks, run inside the deployment's environment (Django set up):

python -m tests.bench.boards.seed lesson --students 30 --draw-mode everyone   a live lesson call, everyone
    joined, its board opened with a first page; prints JSON: board ids, teacher, students, a session each
python -m tests.bench.boards.seed fill --board-id N --strokes 5000 --authors 31   stores a board of N pen strokes
    as the server would after compaction (the snapshot, no log); prints JSON with the time and the size
python -m tests.bench.boards.seed stats --board-id N    log rows, snapshot and log bytes
python -m tests.bench.boards.seed compact --board-id N  `services.compact` timed (what the call's end runs)
"""

from __future__ import annotations

import argparse
import json
import random
import time
from typing import Any

from pycrdt import Doc

from tests.bench.boards.strokes import Pen, first_page, item_count


def lesson(students: int, draw_mode: str) -> dict[str, Any]:
    from parta.messenger.accounts.models import Profile
    from parta.messenger.boards import services
    from parta.messenger.boards.models import Board
    from tests.bench.messenger.seed import sessions_for
    from tests.messenger.boards.helpers import make_lesson

    made = make_lesson(students=students)
    Board.objects.filter(pk=made.board.pk).update(draw_mode=draw_mode)
    doc: Doc = Doc()
    first_page(doc)
    board = Board.objects.select_related("call").get(pk=made.board.pk)
    services.apply_update(board=board, profile=Profile.objects.get(pk=made.teacher.pk), update=doc.get_update())
    people = [made.teacher.pk, *(p.pk for p in made.students)]
    return {
        "board": str(board.public_id),
        "board_id": board.pk,
        "teacher": made.teacher.pk,
        "students": [p.pk for p in made.students],
        "sessions": sessions_for(people),  # ordered by profile id: the teacher was made first
    }


def build(base: bytes, *, strokes: int, authors: list[int], seed: int) -> bytes:
    """The document `base` plus `strokes` pen strokes by `authors` in turn, each author drawing in its own document
    (its own Yjs client id) brought up to date before it draws, as their browsers would be."""
    rng = random.Random(seed)
    board: Doc = Doc()
    board.apply_update(base)
    pens = {author: Pen() for author in authors}
    for n in range(strokes):
        author = authors[n % len(authors)]
        pen = pens[author]
        pen.doc.apply_update(board.get_update(pen.doc.get_state()))
        for update in pen.stroke(author=author, rng=rng):
            board.apply_update(update)
    return board.get_update()


def fill(board_id: int, strokes: int, authors: int) -> dict[str, Any]:
    from django.db import transaction

    from parta.messenger.boards import services
    from parta.messenger.boards.models import Board, BoardUpdate

    board = Board.objects.select_related("call").get(pk=board_id)
    started = time.perf_counter()
    people = [board.call.created_by_id, *board.call.participants.exclude(profile=None)
              .exclude(profile_id=board.call.created_by_id).values_list("profile_id", flat=True)][:authors]  # fmt: skip
    state = build(services.board_state(board), strokes=strokes, authors=people, seed=board_id)
    built_s = time.perf_counter() - started
    with transaction.atomic():
        locked = Board.objects.select_for_update().get(pk=board_id)
        seq = locked.last_seq + 1
        locked.state, locked.state_seq, locked.last_seq, locked.stored_bytes = state, seq, seq, len(state)
        locked.save(update_fields=["state", "state_seq", "last_seq", "stored_bytes"])
        BoardUpdate.objects.filter(board=locked).delete()
    check: Doc = Doc()
    check.apply_update(state)
    return {"built_s": built_s, "state_bytes": len(state), "items": item_count(check), "authors": len(people)}


def stats(board_id: int) -> dict[str, Any]:
    from django.db.models import Count, Sum
    from django.db.models.functions import Length

    from parta.messenger.boards.models import Board, BoardUpdate

    board = Board.objects.get(pk=board_id)
    log = BoardUpdate.objects.filter(board=board).aggregate(rows=Count("pk"), bytes=Sum(Length("data")))
    return {
        "state_bytes": len(bytes(board.state)),
        "log_rows": log["rows"],
        "log_bytes": log["bytes"] or 0,
        "state_seq": board.state_seq,
        "last_seq": board.last_seq,
        "stored_bytes": board.stored_bytes,
    }


def compact(board_id: int) -> dict[str, Any]:
    from parta.messenger.boards import services

    before = stats(board_id)
    started = time.perf_counter()
    merged = services.compact(board_id=board_id)
    took = time.perf_counter() - started
    return {"merged": merged, "compact_ms": took * 1000, "before": before, "after": stats(board_id)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.boards.seed")
    shapes = parser.add_subparsers(dest="shape", required=True)
    made = shapes.add_parser("lesson")
    made.add_argument("--students", type=int, required=True)
    made.add_argument("--draw-mode", default="organizer")
    filled = shapes.add_parser("fill")
    filled.add_argument("--board-id", type=int, required=True)
    filled.add_argument("--strokes", type=int, required=True)
    filled.add_argument("--authors", type=int, default=31)
    for name in ("stats", "compact"):
        shapes.add_parser(name).add_argument("--board-id", type=int, required=True)
    args = parser.parse_args()

    import django

    django.setup()
    if args.shape == "lesson":
        answer = lesson(args.students, args.draw_mode)
    elif args.shape == "fill":
        answer = fill(args.board_id, args.strokes, args.authors)
    elif args.shape == "stats":
        answer = stats(args.board_id)
    else:
        answer = compact(args.board_id)
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
