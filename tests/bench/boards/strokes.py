"""Pen strokes made the way the browser's board makes them (web/messenger/board/actions.js, docs/board.md "The
document"): the item is added to the page's `items` with its first point, then its `points` value — a plain array —
is replaced by the longer array every ~50–70 ms while the pen moves. Pure pycrdt: used by the bench's clients and by
the seed that stores a big board."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from pycrdt import Array, Doc, Map, TransactionEvent

PAGE_ID = "page-1"
PAGE_WIDTH, PAGE_HEIGHT = 1600, 1000
COLORS = ["#1f6feb", "#d1242f", "#1a7f37", "#000000", "#8250df"]
_ids = itertools.count(1)


def first_page(doc: Doc) -> None:
    """The board's first page, as the organizer's browser adds it when it opens an empty board."""
    doc["pages"] = Array()
    pages = doc.get("pages", type=Array)
    pages.append(Map({"id": PAGE_ID, "title": "Страница 1", "background": "blank", "width": PAGE_WIDTH,
                      "height": PAGE_HEIGHT, "items": Array()}))  # fmt: skip


def items_of(doc: Doc) -> Array:  # type: ignore[type-arg]
    return doc.get("pages", type=Array)[0]["items"]  # type: ignore[no-any-return]


def item_count(doc: Doc) -> int:
    pages = doc.get("pages", type=Array)
    return sum(len(page["items"]) for page in pages)


def pen_points(rng: random.Random, count: int) -> list[float]:
    """A hand-drawn curve: a random walk of `count` points ~6 units apart, rounded to 0.1 as the browser rounds."""
    x, y = rng.uniform(100, PAGE_WIDTH - 100), rng.uniform(100, PAGE_HEIGHT - 100)
    points: list[float] = []
    dx, dy = rng.uniform(-6, 6), rng.uniform(-6, 6)
    for _ in range(count):
        points += [round(x, 1), round(y, 1)]
        dx, dy = dx * 0.8 + rng.uniform(-2, 2), dy * 0.8 + rng.uniform(-2, 2)
        x, y = min(max(x + dx, 0), PAGE_WIDTH), min(max(y + dy, 0), PAGE_HEIGHT)
    return points


@dataclass
class Pen:
    """One person's document and the updates its own changes make (what y-websocket sends: the transaction's update,
    with only its own deletions — not a diff against a state vector, which carries the whole delete set)."""

    doc: Doc = field(default_factory=Doc)
    _made: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.doc.observe(self._observe)

    def _observe(self, event: TransactionEvent) -> None:
        self._made.append(event.update)

    def _last_update(self) -> bytes:
        """The update of the change just made (nothing awaits between the change and this call)."""
        return self._made[-1]

    def stroke(self, *, author: int, rng: random.Random, points: int = 60, chunks: int = 10) -> Iterator[bytes]:
        """The updates of one pen stroke, one per step: the item with its first point, then `chunks` growths."""
        flat = pen_points(rng, points)
        self._made.clear()
        item = Map({"id": f"stroke-{author}-{next(_ids)}", "kind": "pen", "author": author,
                    "color": rng.choice(COLORS), "width": 3, "points": flat[:2]})  # fmt: skip
        items_of(self.doc).append(item)
        yield self._last_update()
        remaining = points - 1
        for n in range(1, chunks + 1):
            upto = 1 + remaining * n // chunks
            self._made.clear()
            item["points"] = flat[: upto * 2]
            yield self._last_update()
        self._made.clear()
