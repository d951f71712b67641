"""What the retention tests (H3, issue 11) build: a call in a chat, its recording with a video message, a catch-up
copy in a direct chat that shares the video's file. Fixtures here (not in a conftest: the recordings app's other
tests have their own)."""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from parta.messenger.accounts.models import Profile
from parta.messenger.calls.models import Call, CallKind, CallStatus, Recording, RecordingStatus
from parta.messenger.chats import services
from parta.messenger.chats.models import Attachment, AttachmentKind, Chat, Message
from tests.messenger.orgs.builders import World, build_world

VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8  # stands for an MP4: the view does not look inside


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CALLS_RECORDINGS_DIR = tmp_path / "recordings"
    return settings.MEDIA_ROOT


def client_for(profile: Profile) -> Client:
    client = Client()
    client.force_login(profile)
    return client


def lesson_chat(world: World) -> Chat:
    """The call's chat: the teacher (admin) and Петя; Маша is not in it."""
    return services.create_chat(creator=world.teacher, title="7Б — Математика", member_ids=[world.student.pk])


def video_attachment(message: Message, *, name: str | None = None, poster: str | None = None) -> Attachment:
    attachment = Attachment(
        message=message,
        kind=AttachmentKind.VIDEO,
        original_name="Запись урока.mp4",
        content_type="video/mp4",
        size=len(VIDEO),
        width=1280,
        height=720,
        duration_ms=3000,
    )
    if name is None:
        attachment.file.save("lesson.mp4", ContentFile(VIDEO), save=False)
    else:
        attachment.file.name = name  # shares a stored file (a catch-up copy)
    if poster is None:
        attachment.thumbnail.save("poster.webp", ContentFile(b"RIFF....WEBP"), save=False)
    else:
        attachment.thumbnail.name = poster
    attachment.save()
    return attachment


def recorded_call(
    world: World,
    chat: Chat,
    *,
    status: str = RecordingStatus.READY,
    stopped_days_ago: float = 0,
    folder: str = "",
    organizer: Profile | None = None,
) -> Recording:
    organizer = organizer or world.teacher
    call = Call.objects.create(
        kind=CallKind.CHAT,
        title="Урок",
        chat=chat,
        created_by=organizer,
        status=CallStatus.LIVE if status == RecordingStatus.RECORDING else CallStatus.ENDED,
    )
    message, _ = services.send_message(sender=organizer, chat_id=chat.pk, client_id=uuid.uuid4(), text="Запись")
    stopped = timezone.now() - datetime.timedelta(days=stopped_days_ago)
    recording = Recording.objects.create(
        call=call,
        started_by=organizer,
        started_at=stopped - datetime.timedelta(minutes=40),
        stopped_at=None if status == RecordingStatus.RECORDING else stopped,
        status=status,
        folder=folder,
        message=message,
        duration_ms=3000,
    )
    if status == RecordingStatus.READY:
        video_attachment(message)
    return recording


def catch_up_copy(world: World, recording: Recording) -> Attachment:
    """What H4's catch-up sends Маша: a direct message from the teacher with the same stored video."""
    chat, _ = services.open_direct_chat(actor=world.teacher, profile_id=world.classmate.pk)
    message, _ = services.send_message(
        sender=world.teacher, chat_id=chat.pk, client_id=uuid.uuid4(), text="Тема: дроби. Домашнее задание: № 5"
    )
    assert recording.message is not None
    original = recording.message.attachments.get()
    return video_attachment(message, name=original.file.name, poster=original.thumbnail.name)


def stored(name: str) -> bool:
    return bool(name) and default_storage.exists(name)
