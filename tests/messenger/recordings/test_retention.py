"""Deleting recordings (issue 11): the organizer's «Удалить запись», who may, what is left, the daily cleanup by
the organization's retention, and the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from parta.messenger.calls.models import Recording, RecordingStatus
from parta.messenger.chats import services
from parta.messenger.chats.models import Attachment, Message
from parta.messenger.errors import Refusal
from parta.messenger.orgs.models import Organization
from parta.messenger.realtime.models import Event
from parta.messenger.recordings import retention
from tests.messenger.orgs.builders import World
from tests.messenger.recordings.retention_helpers import (
    _media_in_tmp,
    catch_up_copy,
    client_for,
    lesson_chat,
    recorded_call,
    stored,
    world,
)

__all__ = ["_media_in_tmp", "world"]  # the fixtures

API = "/api/v1/recordings"


def refusal(caught: pytest.ExceptionInfo[Refusal], code: str, status: int) -> None:
    assert caught.value.code == code and caught.value.status == status
    assert any("а" <= ch <= "я" for ch in caught.value.message.lower())


def test_the_organizer_deletes_a_recording_with_its_files_and_copies(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    recording = recorded_call(world, lesson_chat(world))
    assert recording.message is not None
    video = recording.message.attachments.get()
    copy = catch_up_copy(world, recording)
    assert stored(video.file.name) and stored(video.thumbnail.name)
    Event.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        retention.delete_recording(world.teacher, str(recording.public_id))

    recording.refresh_from_db()
    assert recording.status == RecordingStatus.DELETED
    assert not stored(video.file.name) and not stored(video.thumbnail.name)
    assert not Attachment.objects.filter(pk__in=[video.pk, copy.pk]).exists()
    message = Message.objects.get(pk=recording.message.pk)
    assert message.text == "Запись удалена." and message.deleted_at is None
    copy_message = Message.objects.get(pk=copy.message_id)
    assert copy_message.text.startswith("Тема: дроби")  # the topic and homework stay; the video is gone
    edited = Event.objects.filter(type="message.edited")
    assert {e.profile_id for e in edited if e.payload["message"]["id"] == message.pk} == {
        world.teacher.pk,
        world.student.pk,
    }
    assert {e.profile_id for e in edited if e.payload["message"]["id"] == copy_message.pk} == {
        world.teacher.pk,
        world.classmate.pk,
    }

    # Twice: nothing more happens.
    retention.delete_recording(world.teacher, str(recording.public_id))


def test_the_schools_admin_may_delete_a_member_may_not_an_outsider_learns_nothing(world: World) -> None:
    recording = recorded_call(world, lesson_chat(world))
    with pytest.raises(Refusal) as caught:
        retention.delete_recording(world.student, str(recording.public_id))
    refusal(caught, "recording_delete_not_allowed", 403)
    for outsider in (world.classmate, world.other_teacher):
        with pytest.raises(Refusal) as caught:
            retention.delete_recording(outsider, str(recording.public_id))
        refusal(caught, "recording_not_found", 404)
    with pytest.raises(Refusal) as caught:
        retention.delete_recording(world.teacher, "not-a-uuid")
    refusal(caught, "recording_not_found", 404)
    retention.delete_recording(world.admin, str(recording.public_id))  # the school's admin, not in the chat
    recording.refresh_from_db()
    assert recording.status == RecordingStatus.DELETED


def test_a_running_recording_is_stopped_not_deleted_a_processing_one_waits(world: World) -> None:
    recording = recorded_call(world, lesson_chat(world), status=RecordingStatus.RECORDING)
    with pytest.raises(Refusal) as caught:
        retention.delete_recording(world.teacher, str(recording.public_id))
    refusal(caught, "recording_active", 409)
    Recording.objects.filter(pk=recording.pk).update(status=RecordingStatus.PROCESSING)
    with pytest.raises(Refusal) as caught:
        retention.delete_recording(world.teacher, str(recording.public_id))
    refusal(caught, "recording_processing", 409)


def test_a_failed_recordings_janus_files_go_too_but_nothing_outside_the_recordings_folder(
    world: World, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    folder = Path(settings.CALLS_RECORDINGS_DIR) / "1234" / "abc"
    folder.mkdir(parents=True)
    (folder / "videoroom-1234-user-1-audio-0.mjr").write_bytes(b"MJR00002")
    failed = recorded_call(world, lesson_chat(world), status=RecordingStatus.FAILED, folder=str(folder))
    elsewhere = tmp_path / "precious"
    elsewhere.mkdir()
    other = recorded_call(world, lesson_chat(world), status=RecordingStatus.FAILED, folder=str(elsewhere))
    with django_capture_on_commit_callbacks(execute=True):
        retention.delete_recording(world.teacher, str(failed.public_id))
        retention.delete_recording(world.teacher, str(other.public_id))
    assert not folder.exists()
    assert elsewhere.is_dir()


def test_the_daily_cleanup_follows_each_organizations_retention(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    Organization.objects.filter(pk=world.school.pk).update(recording_retention_days=30)
    chat = lesson_chat(world)
    old = recorded_call(world, chat, stopped_days_ago=31)
    recent = recorded_call(world, chat, stopped_days_ago=29)
    running = recorded_call(world, chat, status=RecordingStatus.RECORDING, stopped_days_ago=40)
    processing = recorded_call(world, lesson_chat(world), status=RecordingStatus.PROCESSING, stopped_days_ago=40)
    # Another school keeps its recordings (no retention set).
    other_chat = services.create_chat(creator=world.other_teacher, title="5А", member_ids=[world.other_student.pk])
    kept = recorded_call(world, other_chat, stopped_days_ago=400, organizer=world.other_teacher)

    with django_capture_on_commit_callbacks(execute=True):
        assert retention.delete_expired() == 1
    statuses = {r.pk: r.status for r in (old, recent, running, processing, kept) if r.refresh_from_db() is None}
    assert statuses == {
        old.pk: RecordingStatus.DELETED,
        processing.pk: RecordingStatus.PROCESSING,  # the worker's still: deleted once it is ready or failed
        recent.pk: RecordingStatus.READY,
        running.pk: RecordingStatus.RECORDING,
        kept.pk: RecordingStatus.READY,
    }
    assert retention.delete_expired() == 0  # the next day: nothing more


# --- the API ------------------------------------------------------------------------------------------------------


def test_the_chat_page_asks_which_recording_a_message_is(world: World) -> None:
    recording = recorded_call(world, lesson_chat(world))
    assert recording.message is not None
    query = {"message_id": recording.message.pk}
    teacher = client_for(world.teacher).get(f"{API}/", query)
    assert teacher.status_code == 200, teacher.content
    assert teacher.json() == {"id": str(recording.public_id), "status": "ready", "may_delete": True}
    student = client_for(world.student).get(f"{API}/", query)
    assert student.status_code == 200 and student.json()["may_delete"] is False
    outsider = client_for(world.classmate).get(f"{API}/", query)
    assert outsider.status_code == 404 and outsider.json()["code"] == "recording_not_found"
    plain = Message.objects.exclude(pk=recording.message.pk).first()
    assert plain is None or client_for(world.teacher).get(f"{API}/", {"message_id": plain.pk}).status_code == 404


def test_delete_over_the_api(world: World) -> None:
    recording = recorded_call(world, lesson_chat(world))
    path = f"{API}/{recording.public_id}"
    assert client_for(world.student).delete(path).status_code == 403
    assert client_for(world.classmate).delete(path).status_code == 404
    response = client_for(world.teacher).delete(path)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["status"] == "deleted" and answer["id"] == str(recording.public_id)
    assert answer["message"]["text"] == "Запись удалена." and answer["message"]["attachments"] == []
    assert client_for(world.teacher).get(f"{API}/", {"message_id": answer["message"]["id"]}).status_code == 404
