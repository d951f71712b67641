"""Reopening: the teacher's earlier boards of lessons with the same class, and a copy of one opened in the new lesson
(only the teacher's own boards; only onto an empty board)."""

# covers: V5 (the board of a lesson reopened by its teacher for the next lesson)

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from parta.messenger.boards import exports, services
from parta.messenger.boards.models import Board, BoardBackground
from parta.messenger.calls.models import Call, CallKind, CallStatus, Participant
from parta.messenger.calls.selectors import CallActor
from tests.messenger.boards.files import add_page, make_pdf, pen_item, text_item, upload
from tests.messenger.boards.helpers import Lesson, draw, make_lesson, new_doc
from tests.messenger.calls.helpers import browser, ok, refused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def lesson_of_class(class_id: str = "7b") -> Lesson:
    lesson = make_lesson()
    Call.objects.filter(pk=lesson.call.pk).update(class_external_id=class_id)
    lesson.call.refresh_from_db()
    return lesson


def drawn_and_ended(lesson: Lesson, text: str = "Прошлый урок") -> None:
    teacher = browser(lesson.teacher)
    worksheet = ok(
        teacher.post(f"/api/v1/boards/{lesson.board.public_id}/backgrounds", {"file": upload(make_pdf(1), "w.pdf")})
    )
    doc = new_doc()
    image = {"background_id": worksheet["id"], **worksheet["pages"][0]}
    for update in (add_page(doc, items=[pen_item(), text_item(text)]), add_page(doc, items=[], image=image)):
        services.apply_update(board=lesson.board, profile=lesson.teacher, update=update)
    Call.objects.filter(pk=lesson.call.pk).update(status=CallStatus.ENDED, ended_at=timezone.now())


def next_lesson(earlier: Lesson, class_id: str = "7b") -> Lesson:
    """The same teacher's next lesson call with the class (no board opened yet)."""
    call = Call.objects.create(kind=CallKind.LESSON, title="7Б — Математика, урок 2", chat=earlier.call.chat,
                               created_by=earlier.teacher, class_external_id=class_id)  # fmt: skip
    Participant.objects.create(call=call, profile=earlier.teacher, display_name="Анна Учитель", is_admin=True)
    for student in earlier.students:
        Participant.objects.create(call=call, profile=student, display_name=student.first_name)
    board = Board(call=call)  # not saved: the call's board is made by opening it
    return Lesson(call=call, teacher=earlier.teacher, students=earlier.students, board=board)


def test_the_teacher_sees_earlier_boards_of_the_class_newest_first() -> None:
    first = lesson_of_class()
    drawn_and_ended(first)
    other_class = lesson_of_class("8a")
    Call.objects.filter(pk=other_class.call.pk).update(created_by=first.teacher)  # the teacher's, another class
    drawn_and_ended(other_class)
    other_teacher = lesson_of_class()  # the same class, another teacher
    drawn_and_ended(other_teacher)
    empty = lesson_of_class()
    Call.objects.filter(pk=empty.call.pk).update(created_by=first.teacher, status=CallStatus.ENDED)
    second = next_lesson(first)
    found = ok_list(browser(first.teacher).get(f"/api/v1/boards/earlier?call_id={second.call.public_id}"))
    assert [row["id"] for row in found] == [str(first.board.public_id)]
    row = found[0]
    assert row == {"id": str(first.board.public_id), "call_id": str(first.call.public_id),
                   "title": "7Б — Математика", "ended_at": row["ended_at"], "pages": 2}  # fmt: skip
    assert row["ended_at"] is not None
    student = browser(first.students[0])
    refused(student.get(f"/api/v1/boards/earlier?call_id={second.call.public_id}"), 403, "board_organizer_only")


def ok_list(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return list(response.json())


def test_the_teacher_opens_a_copy_of_an_earlier_board() -> None:
    first = lesson_of_class()
    drawn_and_ended(first)
    second = next_lesson(first)
    body = {"call_id": str(second.call.public_id), "copy_from": str(first.board.public_id)}
    opened = ok(browser(first.teacher).post("/api/v1/boards/", body, content_type="application/json"))
    board = Board.objects.get(public_id=opened["id"])
    assert board.call_id == second.call.pk and opened["live"] is True
    old_pages = exports.pages_of(services.board_state(first.board))
    new_pages = exports.pages_of(services.board_state(board))
    assert [p["items"] for p in new_pages] == [p["items"] for p in old_pages]
    image = new_pages[1]["image"]
    copied = BoardBackground.objects.get(board=board)
    assert image["background_id"] == str(copied.public_id) != old_pages[1]["image"]["background_id"]
    assert image["url"] == f"/api/v1/boards/{board.public_id}/backgrounds/{copied.public_id}/pages/1"
    assert browser(first.students[0]).get(image["url"]).status_code == 200  # the new lesson's people see it
    again = browser(first.teacher).post("/api/v1/boards/", body, content_type="application/json")
    refused(again, 409, "board_not_empty")


def test_a_copy_goes_only_onto_an_empty_board_and_only_from_ones_own() -> None:
    first = lesson_of_class()
    drawn_and_ended(first)
    stranger = lesson_of_class()
    drawn_and_ended(stranger)
    second = next_lesson(first)
    teacher = browser(first.teacher)

    def copy(client: Any, source: Lesson) -> Any:
        body = {"call_id": str(second.call.public_id), "copy_from": str(source.board.public_id)}
        return client.post("/api/v1/boards/", body, content_type="application/json")

    refused(copy(teacher, stranger), 404, "board_not_found")  # another teacher's board
    refused(copy(browser(first.students[0]), first), 403, "board_organizer_only")
    board = services.open_board(actor=CallActor(profile=first.teacher), call=second.call)
    services.apply_update(board=board, profile=first.teacher, update=draw(new_doc(), author=first.teacher.pk))
    refused(copy(teacher, first), 409, "board_not_empty")
    assert exports.pages_of(services.board_state(board))[0]["items"][0]["kind"] == "pen"  # untouched
