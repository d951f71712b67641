"""A copy of an earlier board reaches the tabs already open on the new lesson's (empty) board, like a stroke."""

# covers: V5 (the board of a lesson reopened for the next lesson), issue 10 (everyone sees the same board live)

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from parta.messenger.boards import exports, reopening, services
from parta.messenger.calls.selectors import CallActor
from tests.messenger.boards.helpers import join
from tests.messenger.boards.test_reopen import drawn_and_ended, lesson_of_class, next_lesson
from tests.messenger.realtime.wsclient import db

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_an_open_tab_gets_the_copied_board() -> None:
    first = lesson_of_class()
    drawn_and_ended(first, text="Вчерашняя задача")
    second = next_lesson(first)
    board = services.open_board(actor=CallActor(profile=first.teacher), call=second.call)
    expected = [page["items"] for page in exports.pages_of(services.board_state(first.board))]

    async def scenario() -> None:
        student = await join(board, first.students[0])
        copy = db(reopening.open_copy)
        await copy(actor=CallActor(profile=first.teacher), call=second.call, copy_from=str(first.board.public_id))
        await student.receive_update()
        pages = [page["items"] for page in exports.pages_of(student.doc.get_update())]
        assert pages == expected
        assert any(item.get("text") == "Вчерашняя задача" for items in pages for item in items)
        await student.socket.disconnect()

    async_to_sync(scenario)()
