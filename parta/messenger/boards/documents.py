"""The board's Yjs document in this process (pycrdt): built from the database, kept warm, never the truth.

The database holds the truth (the snapshot and the update log). Each process keeps the documents it serves in memory
with the seq they include and catches up from the log before it uses one (under the board's row lock when writing),
so a second messenger process and a restart cost a read, never a change.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pycrdt import Array, Doc

EMPTY_UPDATE = b"\x00\x00"  # a Yjs update with no structs and no deletions (what an empty sync step 2 carries)


@dataclass
class Cached:
    doc: Doc
    seq: int  # every update with a seq up to this one is in `doc`
    # The seq of an update applied before its transaction committed (to count the pages it leaves, under the board's
    # row lock); cleared when that commit is seen. Anyone who finds it set rebuilds: the write may have rolled back.
    tentative_seq: int | None = None


_guard = threading.RLock()  # pycrdt documents are not meant to be used from two threads at once
_docs: dict[int, Cached] = {}


@contextmanager
def cached(board_id: int) -> Iterator[Cached]:
    """The board's document in this process (a new empty one at seq 0 if none), held for the caller alone."""
    with _guard:
        entry = _docs.get(board_id)
        if entry is None:
            entry = _docs[board_id] = Cached(doc=Doc(), seq=0)
        yield entry


def forget(board_id: int) -> None:
    with _guard:
        _docs.pop(board_id, None)


def forget_all() -> None:
    with _guard:
        _docs.clear()


def is_yjs_update(update: bytes) -> bool:
    """Whether the bytes decode as a Yjs update (applied to a fresh document, so nothing else is touched)."""
    try:
        Doc().apply_update(update)
    except Exception:  # pycrdt raises ValueError for bytes it cannot decode; a panic of the decoder is not one
        return False
    return True


def page_count(doc: Doc) -> int:
    """How many pages the document has (its root array "pages"; 0 when some client made it something else)."""
    try:
        return len(doc.get("pages", type=Array))
    except (TypeError, ValueError):
        return 0


def merged(updates: Iterable[bytes]) -> bytes:
    """One update holding all of these (applied to one document: what compaction stores)."""
    doc: Doc = Doc()
    for update in updates:
        if update:
            doc.apply_update(update)
    return doc.get_update()
