"""Backgrounds: a PDF or a picture the organizer puts on the board, checked by content, and its page pictures served
only to the people of the call (and the call chat's members)."""

# covers: V5 (the board's PDF and image backgrounds), issue 10 (bad input refused clearly)

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from PIL import Image
from pypdf import PdfWriter

from parta.messenger.boards.models import BoardBackground
from parta.messenger.calls.models import Call, CallStatus, Participant
from tests.messenger.boards.files import encrypted_pdf, guest_browser, make_pdf, make_picture, upload
from tests.messenger.boards.helpers import Lesson, make_lesson
from tests.messenger.calls.helpers import browser, ok, refused
from tests.messenger.realtime.builders import make_profile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def send(client: Client, lesson: Lesson, data: bytes, name: str, content_type: str = "application/pdf") -> Any:
    return client.post(
        f"/api/v1/boards/{lesson.board.public_id}/backgrounds", {"file": upload(data, name, content_type)}
    )


def test_a_pdf_becomes_a_picture_per_page_and_keeps_its_original(settings: Any) -> None:
    lesson = make_lesson()
    original = make_pdf(3)
    answer = ok(send(browser(lesson.teacher), lesson, original, "worksheet.pdf"))
    assert answer["kind"] == "pdf" and answer["name"] == "worksheet.pdf"
    assert [page["page"] for page in answer["pages"]] == [1, 2, 3]
    first = answer["pages"][0]
    assert first["url"] == f"/api/v1/boards/{lesson.board.public_id}/backgrounds/{answer['id']}/pages/1"
    assert (first["width"], first["height"]) == (1414, 2000)  # A4, the long side 2000 px
    picture = browser(lesson.students[0]).get(first["url"])
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
    assert picture["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(b"".join(picture))) as image:
        assert image.size == (1414, 2000)
    background = BoardBackground.objects.get(public_id=answer["id"])
    assert background.original.name.startswith(f"boards/{lesson.board.public_id}/{answer['id']}/")
    assert background.original.read() == original
    assert background.page_count == 3


def test_a_picture_is_re_encoded_without_its_metadata_and_scaled_down(settings: Any) -> None:
    settings.BOARDS_PAGE_IMAGE_SIDE = 400
    lesson = make_lesson()
    answer = ok(send(browser(lesson.teacher), lesson, make_picture(800, 600, fmt="JPEG", exif=True), "photo.png"))
    assert answer["kind"] == "image"
    assert [(p["width"], p["height"]) for p in answer["pages"]] == [(400, 300)]
    picture = browser(lesson.teacher).get(answer["pages"][0]["url"])
    assert picture["Content-Type"] == "image/jpeg"  # the content's type, not the name's
    data = b"".join(picture)
    assert b"SecretCamera" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and not image.getexif()


@pytest.mark.parametrize(
    ("data", "name", "status", "code"),
    [
        (b"%PDX not really a pdf, just text" * 10, "worksheet.pdf", 400, "board_background_not_supported"),
        (b"", "empty.pdf", 400, "board_background_not_supported"),
        (b"%PDF-1.7\n" + b"\x00garbage" * 200, "broken.pdf", 400, "board_background_not_supported"),
        (b"GIF89a" + b"\x00" * 100, "anim.gif", 400, "board_background_not_supported"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "broken.png", 400, "board_background_not_supported"),
    ],
)
def test_what_is_not_a_pdf_or_a_picture_is_refused(data: bytes, name: str, status: int, code: str) -> None:
    lesson = make_lesson()
    message = refused(send(browser(lesson.teacher), lesson, data, name), status, code)
    assert any("а" <= ch <= "я" for ch in message.lower())  # said in Russian
    assert not BoardBackground.objects.exists()


def test_an_encrypted_pdf_is_refused_with_what_to_do() -> None:
    lesson = make_lesson()
    message = refused(send(browser(lesson.teacher), lesson, encrypted_pdf(), "secret.pdf"), 400,
                      "board_background_not_supported")  # fmt: skip
    assert "парол" in message


def test_limits_of_size_pages_and_pixels(settings: Any) -> None:
    lesson = make_lesson()
    teacher = browser(lesson.teacher)
    settings.BOARDS_MAX_PDF_PAGES = 2
    refused(send(teacher, lesson, make_pdf(3), "long.pdf"), 400, "board_background_too_many_pages")
    settings.BOARDS_MAX_IMAGE_PIXELS = 100 * 100
    refused(send(teacher, lesson, make_picture(101, 100), "big.png", "image/png"), 413, "board_background_too_large")
    settings.BOARDS_MAX_BACKGROUND_BYTES = 1000
    refused(send(teacher, lesson, make_pdf(1), "heavy.pdf"), 413, "board_background_too_large")
    assert not BoardBackground.objects.exists()


def test_only_the_organizer_uploads_and_only_while_the_call_is_live() -> None:
    lesson = make_lesson()
    refused(send(browser(lesson.students[0]), lesson, make_pdf(1), "w.pdf"), 403, "board_organizer_only")
    refused(send(browser(make_profile()), lesson, make_pdf(1), "w.pdf"), 404, "call_not_found")
    Call.objects.filter(pk=lesson.call.pk).update(status=CallStatus.ENDED)
    refused(send(browser(lesson.teacher), lesson, make_pdf(1), "w.pdf"), 409, "board_call_ended")
    assert not BoardBackground.objects.exists()


def test_page_pictures_are_for_the_call_and_its_chat_only() -> None:
    lesson = make_lesson()
    answer = ok(send(browser(lesson.teacher), lesson, make_pdf(1), "w.pdf"))
    url = answer["pages"][0]["url"]
    guest = Participant.objects.create(call=lesson.call, profile=None, display_name="Гость")
    assert guest_browser(lesson.call, guest).get(url).status_code == 200
    refused(browser(make_profile()).get(url), 404, "board_not_found")
    refused(Client().get(url), 404, "board_not_found")
    refused(browser(lesson.teacher).get(url.replace("/pages/1", "/pages/2")), 404, "board_background_not_found")
    other = make_lesson()
    refused(browser(other.teacher).get(url), 404, "board_not_found")
    # After the call: the call chat's members (who find the board's PDF there), not a removed participant's guest.
    Call.objects.filter(pk=lesson.call.pk).update(status=CallStatus.ENDED)
    Participant.objects.filter(call=lesson.call, profile=lesson.students[1]).delete()
    assert browser(lesson.students[1]).get(url).status_code == 200


def test_a_turned_page_is_shown_turned_and_a_sliver_of_a_page_is_refused() -> None:
    lesson = make_lesson()
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf(1)))
    writer.pages[0].rotate(90)  # a scanned worksheet saved sideways: /Rotate 90
    turned = io.BytesIO()
    writer.write(turned)
    answer = ok(send(browser(lesson.teacher), lesson, turned.getvalue(), "turned.pdf"))
    assert [(p["width"], p["height"]) for p in answer["pages"]] == [(2000, 1414)]
    sliver = make_pdf(1, size=(0.5, 5000))
    refused(send(browser(lesson.teacher), lesson, sliver, "sliver.pdf"), 400, "board_background_not_supported")
