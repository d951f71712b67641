"""Attachment files (members only, safe headers, byte ranges) and the invite page /join/<token>/ (C4–C6)."""

# covers: C4, C5, C6, C7

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from parta.messenger.accounts.models import Profile
from parta.messenger.chats import services
from parta.messenger.chats.models import Attachment, Chat, InviteLink, Membership
from parta.messenger.chats.views import chat_page_url
from tests.messenger.chats.test_uploads import WEBM, png_bytes
from tests.messenger.orgs.builders import World


def client_for(profile: Profile) -> Client:
    client = Client()
    client.force_login(profile)
    return client


@pytest.fixture
def newspaper(world: World) -> Chat:
    return services.create_chat(creator=world.teacher, title="Стенгазета", member_ids=[world.student.pk])


def attach(world: World, chat: Chat, name: str, data: bytes, content_type: str) -> Attachment:
    message, _ = services.send_message(
        sender=world.teacher,
        chat_id=chat.pk,
        client_id=uuid.uuid4(),
        files=[SimpleUploadedFile(name, data, content_type=content_type)],
    )
    return message.attachments.get()


def content(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_a_photo_is_served_inline_to_members_with_safe_headers(world: World, newspaper: Chat) -> None:
    data = png_bytes()
    photo = attach(world, newspaper, "макет.png", data, "image/png")
    response = client_for(world.student).get(f"/attachments/{photo.pk}/")
    assert response.status_code == 200
    assert content(response) == data
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''%D0%BC%D0%B0%D0%BA%D0%B5%D1%82.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        "default-src 'none'" in response["Content-Security-Policy"] and "sandbox" in response["Content-Security-Policy"]
    )
    thumbnail = client_for(world.student).get(f"/attachments/{photo.pk}/thumbnail/")
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/webp"
    download = client_for(world.student).get(f"/attachments/{photo.pk}/?download=1")
    assert download["Content-Disposition"].startswith("attachment;")


def test_files_are_downloads_never_pages(world: World, newspaper: Chat) -> None:
    page = attach(world, newspaper, "page.html", b"<!doctype html><script>alert(1)</script>", "text/html")
    response = client_for(world.student).get(f"/attachments/{page.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert client_for(world.student).get(f"/attachments/{page.pk}/thumbnail/").status_code == 404


def test_only_members_get_files(world: World, newspaper: Chat) -> None:
    photo = attach(world, newspaper, "макет.png", png_bytes(), "image/png")
    assert client_for(world.classmate).get(f"/attachments/{photo.pk}/").status_code == 404
    assert client_for(world.classmate).get(f"/attachments/{photo.pk}/thumbnail/").status_code == 404
    assert Client().get(f"/attachments/{photo.pk}/").status_code == 404
    services.delete_message(actor=world.teacher, chat_id=newspaper.pk, message_id=photo.message_id)
    assert client_for(world.student).get(f"/attachments/{photo.pk}/").status_code == 404


def test_video_and_audio_can_seek(world: World, newspaper: Chat) -> None:
    clip = attach(world, newspaper, "clip.webm", WEBM, "video/webm")
    student = client_for(world.student)
    response = student.get(f"/attachments/{clip.pk}/", headers={"Range": "bytes=4-9"})
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 4-9/{len(WEBM)}"
    assert content(response) == WEBM[4:10]
    tail = student.get(f"/attachments/{clip.pk}/", headers={"Range": "bytes=-5"})
    assert content(tail) == WEBM[-5:]
    whole = student.get(f"/attachments/{clip.pk}/", headers={"Range": "bytes=999999-"})
    assert whole.status_code == 200 and content(whole) == WEBM
    assert whole["Content-Type"] == "video/webm" and whole["Accept-Ranges"] == "bytes"


def test_join_page_shows_the_chat_and_joins(world: World, newspaper: Chat) -> None:
    invite = services.create_invite(actor=world.teacher, chat_id=newspaper.pk)
    classmate = client_for(world.classmate)
    page = classmate.get(f"/join/{invite.token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Стенгазета" in html and "2 участника" in html and "Вступить" in html
    joined = classmate.post(f"/join/{invite.token}/")
    assert joined.status_code == 302 and joined["Location"] == chat_page_url(newspaper.pk)
    assert Membership.objects.filter(chat=newspaper, profile=world.classmate).exists()
    again = classmate.get(f"/join/{invite.token}/").content.decode()
    assert "Вы уже состоите в этом чате" in again and "3 участника" in again


def test_join_page_signed_out_leads_to_sign_in_and_back(world: World, newspaper: Chat) -> None:
    invite = services.create_invite(actor=world.teacher, chat_id=newspaper.pk)
    page = Client().get(f"/join/{invite.token}/")
    assert page.status_code == 200
    assert f'href="/?next=/join/{invite.token}/"' in page.content.decode()
    post = Client().post(f"/join/{invite.token}/")
    assert post.status_code == 302 and post["Location"] == f"/?next=/join/{invite.token}/"


def test_bad_links_get_a_clear_page(world: World, newspaper: Chat) -> None:
    assert "не найдена" in Client().get("/join/nope/").content.decode()
    assert Client().get("/join/nope/").status_code == 404
    expired = services.create_invite(actor=world.teacher, chat_id=newspaper.pk)
    InviteLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = Client().get(f"/join/{expired.token}/")
    assert response.status_code == 410
    assert "истёк" in response.content.decode() and "Стенгазета" not in response.content.decode()
    used = services.create_invite(actor=world.teacher, chat_id=newspaper.pk, max_uses=1)
    services.join_by_invite(profile=world.classmate, token=used.token)
    assert client_for(world.parent).post(f"/join/{used.token}/").status_code == 410


def test_a_child_of_another_school_is_told_why_it_cannot_join(world: World, newspaper: Chat) -> None:
    invite = services.create_invite(actor=world.teacher, chat_id=newspaper.pk)
    response = client_for(world.other_student).post(f"/join/{invite.token}/")
    assert response.status_code == 403
    assert "Чтобы защитить детей" in response.content.decode()
