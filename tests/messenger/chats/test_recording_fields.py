"""Issue 11 in the chats API: a video attachment's length and poster, and «Разрешить запись звонков»."""

# covers: C5, C6

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from parta.messenger.accounts.models import Profile
from parta.messenger.chats import services
from parta.messenger.chats.models import Attachment, AttachmentKind, Chat
from parta.messenger.chats.schemas import attachment_out
from tests.messenger.orgs.builders import World

API = "/api/v1/chats"


def client_for(profile: Profile) -> Client:
    client = Client()
    client.force_login(profile)
    return client


@pytest.fixture
def newspaper(world: World) -> Chat:
    return services.create_chat(creator=world.teacher, title="Стенгазета", member_ids=[world.student.pk])


def video(chat: Chat, sender: Profile, *, poster: bool = True) -> Attachment:
    message, _ = services.send_message(sender=sender, chat_id=chat.pk, client_id=uuid.uuid4(), text="Запись урока")
    attachment = Attachment(
        message=message,
        kind=AttachmentKind.VIDEO,
        original_name="Запись урока.mp4",
        content_type="video/mp4",
        size=4,
        width=1280,
        height=720,
        duration_ms=2_731_500,
    )
    attachment.file.save("lesson.mp4", ContentFile(b"mp4!"), save=False)
    if poster:
        attachment.thumbnail.save("lesson.webp", ContentFile(b"RIFF"), save=False)
    attachment.save()
    return attachment


def test_a_video_carries_its_duration_and_poster(world: World, newspaper: Chat) -> None:
    clip = video(newspaper, world.teacher)
    out = attachment_out(clip)
    assert out.duration_ms == 2_731_500
    assert out.poster_url == f"/attachments/{clip.pk}/thumbnail/" == out.thumbnail_url
    response = client_for(world.student).get(f"{API}/{newspaper.pk}/messages/")
    assert response.status_code == 200
    (shown,) = [m for m in response.json()["messages"] if m["attachments"]]
    assert shown["attachments"][0]["duration_ms"] == 2_731_500
    assert shown["attachments"][0]["poster_url"] == f"/attachments/{clip.pk}/thumbnail/"


def test_a_video_without_poster_and_a_photo_have_no_poster(world: World, newspaper: Chat) -> None:
    assert attachment_out(video(newspaper, world.teacher, poster=False)).poster_url is None
    clip = video(newspaper, world.teacher)
    clip.kind = AttachmentKind.IMAGE
    out = attachment_out(clip)
    assert out.poster_url is None and out.thumbnail_url is not None


def test_the_chats_admins_allow_recording_calls(world: World, newspaper: Chat) -> None:
    teacher = client_for(world.teacher)
    assert teacher.get(f"{API}/{newspaper.pk}/").json()["allow_call_recording"] is False
    response = teacher.patch(f"{API}/{newspaper.pk}/", {"allow_call_recording": True}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["allow_call_recording"] is True
    newspaper.refresh_from_db()
    assert newspaper.allow_call_recording is True
    assert newspaper.title == "Стенгазета" and newspaper.is_closed  # the rest is as it was


def test_a_plain_member_may_not_allow_recording(world: World, newspaper: Chat) -> None:
    response = client_for(world.student).patch(
        f"{API}/{newspaper.pk}/", {"allow_call_recording": True}, content_type="application/json"
    )
    assert response.status_code == 403
    newspaper.refresh_from_db()
    assert newspaper.allow_call_recording is False


def test_deleting_a_message_keeps_a_file_another_attachment_shares(
    world: World, newspaper: Chat, django_capture_on_commit_callbacks: Any
) -> None:
    """A recording and its catch-up copy are one stored file: deleting one message must not break the other."""
    original = video(newspaper, world.teacher)
    message, _ = services.send_message(sender=world.teacher, chat_id=newspaper.pk, client_id=uuid.uuid4(), text="Копия")
    copy = Attachment.objects.create(
        message=message,
        kind=AttachmentKind.VIDEO,
        file=original.file.name,
        thumbnail=original.thumbnail.name,
        original_name="Запись урока.mp4",
        content_type="video/mp4",
        size=4,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_message(actor=world.teacher, chat_id=newspaper.pk, message_id=original.message_id)
    assert default_storage.exists(copy.file.name) and default_storage.exists(copy.thumbnail.name)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_message(actor=world.teacher, chat_id=newspaper.pk, message_id=message.pk)
    assert not default_storage.exists(copy.file.name) and not default_storage.exists(copy.thumbnail.name)
