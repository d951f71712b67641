"""Only the chat's members get a recording's file (issue 11, «Хранение и доступ»): the attachment view checks the
membership; a member seeks in it (206 with Range), an outsider and a signed-out browser get 404, and so does
everyone once the recording is deleted. A catch-up copy is served to its own chat's members."""

from __future__ import annotations

from typing import Any

from django.test import Client

from parta.messenger.recordings import retention
from tests.messenger.orgs.builders import World
from tests.messenger.recordings.retention_helpers import (
    VIDEO,
    _media_in_tmp,
    catch_up_copy,
    client_for,
    lesson_chat,
    recorded_call,
    world,
)

__all__ = ["_media_in_tmp", "world"]


def content(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_members_seek_in_a_recording_outsiders_get_404(world: World, django_capture_on_commit_callbacks: Any) -> None:
    recording = recorded_call(world, lesson_chat(world))
    assert recording.message is not None
    video = recording.message.attachments.get()
    url = f"/attachments/{video.pk}/"

    member = client_for(world.student).get(url, headers={"Range": "bytes=100-199"})
    assert member.status_code == 206
    assert member["Content-Range"] == f"bytes 100-199/{len(VIDEO)}"
    assert member["Content-Type"] == "video/mp4" and member["Accept-Ranges"] == "bytes"
    assert content(member) == VIDEO[100:200]
    assert client_for(world.student).get(f"{url}thumbnail/").status_code == 200

    for outsider in (client_for(world.classmate), client_for(world.other_teacher), Client()):
        assert outsider.get(url, headers={"Range": "bytes=0-99"}).status_code == 404
        assert outsider.get(f"{url}thumbnail/").status_code == 404

    copy = catch_up_copy(world, recording)  # Маша's direct chat: hers to play, not the call's chat
    assert (
        client_for(world.classmate).get(f"/attachments/{copy.pk}/", headers={"Range": "bytes=0-9"}).status_code == 206
    )
    assert client_for(world.student).get(f"/attachments/{copy.pk}/").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        retention.delete_recording(world.teacher, str(recording.public_id))
    assert client_for(world.student).get(url, headers={"Range": "bytes=0-9"}).status_code == 404
    assert client_for(world.classmate).get(f"/attachments/{copy.pk}/").status_code == 404
