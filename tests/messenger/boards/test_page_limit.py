"""The board's page limit (BOARDS_MAX_PAGES), checked by the server on every change, and the process's document staying
true when a change it counted is rolled back."""

# covers: issue 10 (limits in settings: pages), V5

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from pycrdt import Array

from parta.messenger.boards import services
from parta.messenger.boards.errors import BoardRefusal
from parta.messenger.boards.exports import pages_of
from parta.messenger.boards.models import Board, BoardUpdate
from tests.messenger.boards.files import add_page, pen_item
from tests.messenger.boards.helpers import make_lesson, new_doc

pytestmark = pytest.mark.django_db


def page_ids(state: bytes) -> list[str]:
    doc = new_doc()
    doc.apply_update(state)
    return [page["id"] for page in doc.get("pages", type=Array).to_py()]


def test_a_change_past_the_page_limit_is_refused_and_not_stored(settings: Any) -> None:
    settings.BOARDS_MAX_PAGES = 3
    lesson = make_lesson()
    doc = new_doc()

    def store(update: bytes) -> int:
        return services.apply_update(board=lesson.board, profile=lesson.teacher, update=update)

    for _ in range(2):
        store(add_page(doc, items=[pen_item()]))
    two_at_once = new_doc()
    two_at_once.apply_update(doc.get_update())
    add_page(two_at_once, items=[])
    add_page(two_at_once, items=[])
    add_page(two_at_once, items=[])
    with pytest.raises(BoardRefusal) as refused:
        store(two_at_once.get_update(doc.get_state()))
    assert refused.value.code == "board_too_many_pages" and refused.value.status == 413
    assert "страниц" in refused.value.message
    assert BoardUpdate.objects.filter(board=lesson.board).count() == 2
    assert page_ids(services.board_state(lesson.board)) == ["page-1", "page-2"]
    store(add_page(doc, items=[]))  # the third page fits
    with pytest.raises(BoardRefusal):
        store(add_page(doc, items=[]))
    assert page_ids(services.board_state(lesson.board)) == ["page-1", "page-2", "page-3"]


def test_a_board_over_a_lowered_limit_may_still_lose_pages(settings: Any) -> None:
    lesson = make_lesson()
    doc = new_doc()
    for _ in range(3):
        services.apply_update(board=lesson.board, profile=lesson.teacher, update=add_page(doc, items=[]))
    settings.BOARDS_MAX_PAGES = 2
    before = doc.get_state()
    pages = doc.get("pages", type=Array)
    del pages[2]
    services.apply_update(board=lesson.board, profile=lesson.teacher, update=doc.get_update(before))
    assert page_ids(services.board_state(lesson.board)) == ["page-1", "page-2"]


def test_a_counted_change_that_rolls_back_never_reaches_the_document() -> None:
    """The update is counted on this process's document before its commit; when the caller's transaction rolls back
    and another process then stores a different change under the same seq, this process must not keep the lost one."""
    lesson = make_lesson()
    doc = new_doc()
    services.apply_update(board=lesson.board, profile=lesson.teacher, update=add_page(doc, items=[]))
    services.board_state(lesson.board)  # this process's document is warm
    lost = new_doc()
    lost.apply_update(doc.get_update())
    update = add_page(lost, items=[], title="потерянная")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.apply_update(board=lesson.board, profile=lesson.teacher, update=update)
        raise RuntimeError("the caller's transaction fails after the change")
    elsewhere = add_page(doc, items=[])  # another process's change, stored without this process's document
    BoardUpdate.objects.create(board=lesson.board, seq=2, data=elsewhere, author=lesson.teacher)
    Board.objects.filter(pk=lesson.board.pk).update(last_seq=2)
    assert page_ids(services.board_state(lesson.board)) == ["page-1", "page-2"]
    assert [p.get("title") for p in pages_of(services.board_state(lesson.board))] == ["Страница 1", "Страница 2"]
