"""/api/v1/boards/…: opening a call's board and the organizer's permission changes, as the call page will call them."""

# covers: issue 10 (opening the board, permissions through the web API)

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from parta.messenger.boards.models import Board
from parta.messenger.calls.models import Participant
from parta.messenger.realtime.models import Event
from tests.messenger.boards.helpers import make_lesson
from tests.messenger.calls.helpers import browser, ok, refused
from tests.messenger.realtime.builders import make_profile

pytestmark = pytest.mark.django_db


def boards(client: Client, method: str, path: str, body: Any = None) -> Any:
    """One call of /api/v1/boards/… with a JSON body."""
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(client, method.lower())(f"/api/v1/boards/{path}", **kwargs)


def test_the_organizer_opens_the_board_and_a_participant_gets_it() -> None:
    lesson = make_lesson()
    Board.objects.all().delete()
    student = browser(lesson.students[0])
    refused(boards(student, "POST", "", {"call_id": str(lesson.call.public_id)}), 404, "board_not_found")
    opened = ok(boards(browser(lesson.teacher), "POST", "", {"call_id": str(lesson.call.public_id)}))
    assert opened["draw_mode"] == "organizer"
    assert opened["socket"] == f"/ws/boards/{opened['id']}/"
    assert opened["live"] is True and opened["locked"] is False and opened["drawers"] == []
    assert ok(boards(student, "POST", "", {"call_id": str(lesson.call.public_id)}))["id"] == opened["id"]
    assert ok(boards(student, "GET", opened["id"]))["id"] == opened["id"]
    stranger = browser(make_profile())
    refused(boards(stranger, "GET", opened["id"]), 404, "call_not_found")


def test_opening_the_board_tells_the_present_participants_pages() -> None:
    lesson = make_lesson()
    Board.objects.all().delete()
    Participant.objects.filter(call=lesson.call).update(is_present=True)
    Event.objects.all().delete()
    ok(boards(browser(lesson.teacher), "POST", "", {"call_id": str(lesson.call.public_id)}))
    told = set(Event.objects.filter(type="call.updated").values_list("profile_id", flat=True))
    assert told == {lesson.teacher.pk, *(s.pk for s in lesson.students)}
    Event.objects.all().delete()
    ok(boards(browser(lesson.students[0]), "POST", "", {"call_id": str(lesson.call.public_id)}))  # existing: no news
    assert not Event.objects.filter(type="call.updated").exists()


def test_the_organizer_changes_who_may_draw_and_others_may_not() -> None:
    lesson = make_lesson()
    teacher, student = browser(lesson.teacher), browser(lesson.students[0])
    board_id = str(lesson.board.public_id)
    changed = ok(boards(teacher, "PATCH", board_id, {"draw_mode": "chosen", "locked": True}))
    assert (changed["draw_mode"], changed["locked"]) == ("chosen", True)
    changed = ok(boards(teacher, "PUT", f"{board_id}/drawers/{lesson.students[0].pk}"))
    assert changed["drawers"] == [lesson.students[0].pk]
    assert ok(boards(teacher, "DELETE", f"{board_id}/drawers/{lesson.students[0].pk}"))["drawers"] == []
    refused(boards(student, "PATCH", board_id, {"locked": False}), 403, "board_organizer_only")
    refused(boards(teacher, "PATCH", board_id, {"draw_mode": "anyone"}), 422, "invalid_request")
