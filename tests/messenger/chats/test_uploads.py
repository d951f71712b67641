"""Uploaded files (C6): type sniffing (the declared type is not trusted), size limits, photo thumbnails."""

# covers: C6

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from parta.messenger.chats import services
from parta.messenger.chats.models import Message
from parta.messenger.chats.uploads import clean_name, prepare_upload, prepare_uploads
from tests.messenger.chats.helpers import new_id, refused
from tests.messenger.orgs.builders import World

WINDOWS_PROGRAM = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
)
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 64


def png_bytes(size: tuple[int, int] = (800, 400), mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30, 255) if mode == "RGBA" else (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes(size: tuple[int, int] = (640, 960)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_program_renamed_to_jpg_is_refused() -> None:
    with refused("file_type_refused", 415) as caught:
        prepare_upload(upload("котик.jpg", WINDOWS_PROGRAM, "image/jpeg"))
    assert "котик.jpg" in caught.value.message


@pytest.mark.parametrize("name", ["setup.exe", "run.bat", "script.js", "app.apk", "PAYLOAD.SCR"])
def test_program_extensions_are_refused_whatever_the_content(name: str) -> None:
    with refused("file_type_refused", 415):
        prepare_upload(upload(name, b"echo hello\n"))


def test_elf_program_refused() -> None:
    with refused("file_type_refused", 415):
        prepare_upload(upload("notes.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 100))


def test_a_real_png_becomes_a_photo_with_a_thumbnail() -> None:
    prepared = prepare_upload(upload("газета.png", png_bytes((800, 400)), "application/octet-stream"))
    assert (prepared.kind, prepared.content_type) == ("image", "image/png")
    assert (prepared.width, prepared.height) == (800, 400)
    assert prepared.thumbnail is not None
    with Image.open(io.BytesIO(prepared.thumbnail)) as thumbnail:
        assert thumbnail.format == "WEBP"
        assert thumbnail.size == (320, 160)


def test_a_jpeg_declared_as_text_is_still_a_photo() -> None:
    prepared = prepare_upload(upload("IMG_0001.txt", jpeg_bytes(), "text/plain"))
    assert (prepared.kind, prepared.content_type, prepared.extension) == ("image", "image/jpeg", "jpg")
    assert max(Image.open(io.BytesIO(prepared.thumbnail or b"")).size) == 320


def test_a_fake_photo_is_kept_as_a_plain_file() -> None:
    prepared = prepare_upload(upload("photo.png", b"\x89PNG\r\n\x1a\n" + b"broken" * 20, "image/png"))
    assert (prepared.kind, prepared.content_type, prepared.thumbnail) == ("file", "application/octet-stream", None)


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"\xef\xbb\xbf  <svg onload=alert(1)>",
    ],
)
def test_html_and_svg_are_stored_as_downloads(data: bytes) -> None:
    prepared = prepare_upload(upload("picture.svg", data, "image/svg+xml"))
    assert (prepared.kind, prepared.content_type) == ("file", "application/octet-stream")


def test_voice_recordings_are_audio_and_webm_video_is_video() -> None:
    voice = prepare_upload(upload("voice.webm", WEBM, "audio/webm;codecs=opus"))
    assert (voice.kind, voice.content_type) == ("audio", "audio/webm")
    clip = prepare_upload(upload("clip.webm", WEBM, "video/webm"))
    assert (clip.kind, clip.content_type) == ("video", "video/webm")
    song = prepare_upload(upload("song.ogg", b"OggS" + b"\x00" * 60, "application/octet-stream"))
    assert (song.kind, song.content_type) == ("audio", "audio/ogg")


def test_documents_keep_their_sniffed_type() -> None:
    pdf = prepare_upload(upload("план.pdf", b"%PDF-1.7\n" + b"0" * 100, "application/octet-stream"))
    assert (pdf.kind, pdf.content_type) == ("file", "application/pdf")
    text = prepare_upload(upload("readme.txt", "Привет".encode(), "text/plain"))
    assert (text.kind, text.content_type) == ("file", "application/octet-stream")


def test_size_limits_depend_on_the_kind(settings: object) -> None:
    settings.CHATS_MAX_PHOTO_BYTES = 2048  # type: ignore[attr-defined]
    settings.CHATS_MAX_FILE_BYTES = 50_000  # type: ignore[attr-defined]
    with refused("file_too_large", 413) as caught:
        prepare_upload(upload("big.png", png_bytes((600, 600), "RGB") + b"\x00" * 2000, "image/png"))
    assert caught.value.message == "Файл «big.png» больше 2 КБ — это предел для такого вида файлов в чате."
    assert prepare_upload(upload("doc.pdf", b"%PDF-1.7\n" + b"0" * 10_000)).kind == "file"
    with refused("file_too_large", 413):
        prepare_upload(upload("doc.pdf", b"%PDF-1.7\n" + b"0" * 60_000))


def test_too_many_files_refused(settings: object) -> None:
    settings.CHATS_MAX_ATTACHMENTS = 2  # type: ignore[attr-defined]
    with refused("too_many_files"):
        prepare_uploads([upload(f"{n}.pdf", b"%PDF-1.7\n") for n in range(3)])


def test_names_lose_folders_and_control_characters() -> None:
    assert clean_name("C:\\Users\\Петя\\..\\доклад.docx") == "доклад.docx"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("evil\u202egpj.exe") == "evilgpj.exe"
    assert clean_name("") == "file"
    assert len(clean_name("а" * 300 + ".pdf")) <= 200 and clean_name("а" * 300 + ".pdf").endswith(".pdf")


def test_sending_files_stores_attachments_with_the_message(world: World) -> None:
    chat = services.create_chat(creator=world.teacher, title="Стенгазета", member_ids=[world.student.pk])
    files = [
        upload("макет.png", png_bytes(), "image/png"),
        upload("текст.pdf", b"%PDF-1.7\n" + b"0" * 100, "application/pdf"),
    ]
    message, created = services.send_message(sender=world.teacher, chat_id=chat.pk, client_id=new_id(), files=files)
    assert created and message.text == ""
    stored = list(message.attachments.order_by("id"))
    assert [(a.kind, a.original_name, a.content_type) for a in stored] == [
        ("image", "макет.png", "image/png"),
        ("file", "текст.pdf", "application/pdf"),
    ]
    assert stored[0].thumbnail and stored[0].width == 800
    assert not stored[1].thumbnail
    assert stored[0].file.name.startswith(f"chats/{chat.pk}/")


def test_a_refused_file_sends_nothing(world: World) -> None:
    chat = services.create_chat(creator=world.teacher, title="Стенгазета")
    with refused("file_type_refused", 415):
        services.send_message(
            sender=world.teacher,
            chat_id=chat.pk,
            client_id=new_id(),
            text="Смотрите",
            files=[upload("ok.pdf", b"%PDF-1.7\n"), upload("virus.jpg", WINDOWS_PROGRAM, "image/jpeg")],
        )
    assert not Message.objects.filter(chat=chat).exists()
