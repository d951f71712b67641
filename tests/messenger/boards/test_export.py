"""The board after its call: its PDF (vectors, Cyrillic text, a PDF background kept as the page under the strokes),
posted once into the call's chat when the call ends, and served to the people of the call and the chat's members."""

# covers: V5 (the board saved into the call's chat as a PDF), issue 10 (after the call)

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader, PdfWriter

from parta.messenger.boards import exports, services
from parta.messenger.boards.models import Board
from parta.messenger.calls.models import Call, CallStatus, Participant
from parta.messenger.chats.models import Attachment, Message
from tests.messenger.boards.files import add_page, guest_browser, make_pdf, pen_item, text_item, upload
from tests.messenger.boards.helpers import Lesson, make_lesson, new_doc
from tests.messenger.calls.helpers import browser, ok, refused
from tests.messenger.realtime.builders import make_profile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def drawn_lesson() -> Lesson:
    """A lesson whose board has two pages: a pen stroke and Cyrillic text, then a worksheet page with a note."""
    lesson = make_lesson()
    teacher = browser(lesson.teacher)
    worksheet = ok(
        teacher.post(
            f"/api/v1/boards/{lesson.board.public_id}/backgrounds",
            {"file": upload(make_pdf(1, text="Worksheet fractions"), "w.pdf")},
        )
    )
    doc = new_doc()
    first = add_page(doc, items=[pen_item(), pen_item(kind="highlighter"), text_item("Дроби: ½ и ¾")])
    image = {"background_id": worksheet["id"], **worksheet["pages"][0]}
    second = add_page(doc, items=[text_item("Решите задачу", kind="sticky", x=50, y=400)], image=image)
    for update in (first, second):
        services.apply_update(board=lesson.board, profile=lesson.teacher, update=update)
    return lesson


def end(call: Call, capture: Any) -> None:
    """What calls' `finish` saves when a call ends, its after-commit work run."""
    with capture(execute=True):
        fresh = Call.objects.get(pk=call.pk)
        fresh.status = CallStatus.ENDED
        fresh.save(update_fields=["status"])


def read_pdf(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def test_the_board_pdf_has_every_page_its_text_and_its_pdf_background() -> None:
    lesson = drawn_lesson()
    answer = browser(lesson.students[0]).get(f"/api/v1/boards/{lesson.board.public_id}/pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert "attachment" in answer["Content-Disposition"]
    reader = read_pdf(answer.content)
    assert len(reader.pages) == 2
    assert "Дроби" in reader.pages[0].extract_text()
    second = reader.pages[1].extract_text()
    assert "Worksheet fractions 1" in second  # the worksheet's own text: kept as vectors, not a picture
    assert "Решите задачу" in second
    width, height = float(reader.pages[1].mediabox.width), float(reader.pages[1].mediabox.height)
    assert round(height) == 842 and round(width) == round(842 * 1414 / 2000)  # the worksheet's A4 shape


def test_an_empty_board_is_one_blank_page_and_odd_items_are_left_out() -> None:
    lesson = make_lesson()
    assert len(read_pdf(exports.board_pdf(lesson.board)).pages) == 1
    doc = new_doc()
    odd = [{"kind": "rect", "x": "left", "w": None}, {"kind": "pen", "points": "nope"}, {"kind": "unknown"},
           {"kind": "text", "x": 1e308, "y": -1e308, "w": 10, "h": 10, "text": "Край", "size": True}]  # fmt: skip
    services.apply_update(board=lesson.board, profile=lesson.teacher, update=add_page(doc, items=odd))
    services.apply_update(board=lesson.board, profile=lesson.teacher, update=add_page(doc, items=[]))
    assert len(read_pdf(exports.board_pdf(lesson.board)).pages) == 2


def test_the_pdf_is_for_the_call_and_its_chat() -> None:
    lesson = drawn_lesson()
    url = f"/api/v1/boards/{lesson.board.public_id}/pdf"
    guest = Participant.objects.create(call=lesson.call, profile=None, display_name="Гость")
    assert guest_browser(lesson.call, guest).get(url).status_code == 200
    refused(browser(make_profile()).get(url), 404, "board_not_found")
    refused(Client().get(url), 404, "board_not_found")
    refused(browser(lesson.teacher).get("/api/v1/boards/not-a-board/pdf"), 404, "board_not_found")
    Call.objects.filter(pk=lesson.call.pk).update(status=CallStatus.ENDED)
    Participant.objects.filter(call=lesson.call, profile=lesson.students[1]).delete()
    assert browser(lesson.students[1]).get(url).status_code == 200  # a chat member after the call


def board_messages(lesson: Lesson) -> list[Message]:
    return list(Message.objects.filter(chat=lesson.call.chat).prefetch_related("attachments"))


def test_the_call_end_posts_the_board_into_its_chat_once(django_capture_on_commit_callbacks: Any) -> None:
    lesson = drawn_lesson()
    end(lesson.call, django_capture_on_commit_callbacks)
    end(lesson.call, django_capture_on_commit_callbacks)  # the end saved again: nothing more
    call_command("boards_housekeeping")
    messages = board_messages(lesson)
    assert len(messages) == 1
    message = messages[0]
    assert message.sender_id == lesson.teacher.pk
    assert message.text == "Доска: 7Б — Математика"
    attachment: Attachment = message.attachments.get()
    assert attachment.original_name == "Доска — 7Б — Математика.pdf"
    assert attachment.content_type == "application/pdf"
    assert len(read_pdf(attachment.file.read()).pages) == 2
    board = Board.objects.get(pk=lesson.board.pk)
    assert board.exported_at is not None and board.export_message_id == message.pk
    assert exports.export_to_chat(board_id=board.pk) == message  # asked again: the same message


def test_a_failed_post_is_retried_by_housekeeping(django_capture_on_commit_callbacks: Any) -> None:
    lesson = drawn_lesson()
    with mock.patch.object(exports.pdf, "board_pdf", side_effect=OSError("disk full")):
        end(lesson.call, django_capture_on_commit_callbacks)
    board = Board.objects.get(pk=lesson.board.pk)
    assert board.exported_at is None and board.export_failures == 1
    assert board_messages(lesson) == []
    call_command("boards_housekeeping")
    call_command("boards_housekeeping")
    assert len(board_messages(lesson)) == 1
    assert Board.objects.get(pk=lesson.board.pk).exported_at is not None


def test_housekeeping_gives_up_after_some_tries(django_capture_on_commit_callbacks: Any) -> None:
    lesson = drawn_lesson()
    Call.objects.filter(pk=lesson.call.pk).update(status=CallStatus.ENDED)
    with mock.patch.object(exports.pdf, "board_pdf", side_effect=OSError("disk full")):
        for _ in range(exports.EXPORT_TRIES + 2):
            call_command("boards_housekeeping")
    assert Board.objects.get(pk=lesson.board.pk).export_failures == exports.EXPORT_TRIES


def test_an_empty_board_posts_nothing_and_a_live_call_is_not_posted(django_capture_on_commit_callbacks: Any) -> None:
    lesson = make_lesson()
    assert exports.export_to_chat(board_id=lesson.board.pk) is None  # live: not yet
    assert Board.objects.get(pk=lesson.board.pk).exported_at is None
    end(lesson.call, django_capture_on_commit_callbacks)
    assert board_messages(lesson) == []
    assert Board.objects.get(pk=lesson.board.pk).exported_at is not None  # done: housekeeping leaves it


def test_a_turned_worksheet_page_stays_turned_and_text_in_the_board_pdf() -> None:
    lesson = make_lesson()
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf(1, text="Sideways sheet")))
    writer.pages[0].rotate(90)
    turned = io.BytesIO()
    writer.write(turned)
    worksheet = ok(
        browser(lesson.teacher).post(
            f"/api/v1/boards/{lesson.board.public_id}/backgrounds", {"file": upload(turned.getvalue(), "t.pdf")}
        )
    )
    doc = new_doc()
    image = {"background_id": worksheet["id"], **worksheet["pages"][0]}
    update = add_page(doc, items=[text_item("Поверх листа")], image=image)
    services.apply_update(board=lesson.board, profile=lesson.teacher, update=update)
    page = read_pdf(exports.board_pdf(lesson.board)).pages[0]
    assert round(float(page.mediabox.width)) == 842 and round(float(page.mediabox.height)) == round(842 * 1414 / 2000)
    text = page.extract_text()
    assert "Sideways sheet 1" in text and "Поверх листа" in text
