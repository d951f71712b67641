"""Recordings and attachments in an S3-compatible bucket (issue 11, point 4): moto's standalone server on loopback
stands for MinIO / Yandex Object Storage; STORAGES comes from storages_from_env as in production. Nothing leaves
127.0.0.1: explicit endpoint, dummy keys, no EC2 metadata lookups."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("storages.backends.s3")
boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

from django.core.files.storage import default_storage, storages  # noqa: E402

from parta.common.settings_base import storages_from_env  # noqa: E402
from parta.messenger.chats import services  # noqa: E402
from parta.messenger.recordings import retention  # noqa: E402
from tests.messenger.orgs.builders import World  # noqa: E402
from tests.messenger.recordings.retention_helpers import (  # noqa: E402
    VIDEO,
    _media_in_tmp,
    client_for,
    lesson_chat,
    recorded_call,
    video_attachment,
    world,
)

__all__ = ["_media_in_tmp", "world"]  # the fixtures

BUCKET = "parta-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    mp = pytest.MonkeyPatch()
    mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
    mp.setenv("AWS_ACCESS_KEY_ID", "testing")
    mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
    mp.delenv("AWS_PROFILE", raising=False)
    mp.setenv("AWS_CONFIG_FILE", "/dev/null")
    mp.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        mp.undo()


@pytest.fixture
def bucket(s3_endpoint: str, settings: Any) -> Iterator[Any]:
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = storages_from_env(
        "messenger",
        {
            "PARTA_S3_BUCKET": BUCKET,
            "PARTA_S3_ENDPOINT_URL": s3_endpoint,
            "PARTA_S3_REGION": "us-east-1",
            "PARTA_S3_ACCESS_KEY_ID": "testing",
            "PARTA_S3_SECRET_ACCESS_KEY": "testing",
        },
    )
    # Django resets default_storage on setting_changed; check we really talk to the bucket.
    assert type(storages["default"]).__name__ == "S3Storage"
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client: Any) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_a_recording_lives_in_the_bucket_is_served_to_members_with_ranges_and_goes_with_it(
    world: World, bucket: Any, django_capture_on_commit_callbacks: Any
) -> None:
    recording = recorded_call(world, lesson_chat(world))  # the worker's way: attachment.file.save(...)
    assert recording.message is not None
    video = recording.message.attachments.get()
    assert {f"messenger/{video.file.name}", f"messenger/{video.thumbnail.name}"} <= keys(bucket)
    assert default_storage.exists(video.file.name)

    member = client_for(world.student)
    url = f"/attachments/{video.pk}/"
    whole = member.get(url)
    assert whole.status_code == 200 and whole["Content-Length"] == str(len(VIDEO))
    assert b"".join(whole.streaming_content) == VIDEO

    part = member.get(url, HTTP_RANGE="bytes=100-299")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-299/{len(VIDEO)}" and part["Content-Length"] == "200"
    assert b"".join(part.streaming_content) == VIDEO[100:300]
    tail = member.get(url, HTTP_RANGE="bytes=-16")
    assert tail.status_code == 206 and b"".join(tail.streaming_content) == VIDEO[-16:]
    poster = member.get(f"/attachments/{video.pk}/thumbnail/")
    assert poster.status_code == 200 and b"".join(poster.streaming_content) == b"RIFF....WEBP"

    assert client_for(world.classmate).get(url).status_code == 404  # not in the call's chat

    with django_capture_on_commit_callbacks(execute=True):
        retention.delete_recording(world.teacher, str(recording.public_id))
    assert keys(bucket) == set()


def test_deleting_a_message_deletes_its_attachment_in_the_bucket(
    world: World, bucket: Any, django_capture_on_commit_callbacks: Any
) -> None:
    chat = lesson_chat(world)
    message, _ = services.send_message(sender=world.student, chat_id=chat.pk, client_id=uuid.uuid4(), text="Видео")
    attachment = video_attachment(message)
    assert f"messenger/{attachment.file.name}" in keys(bucket)
    assert client_for(world.teacher).get(f"/attachments/{attachment.pk}/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_message(actor=world.student, chat_id=chat.pk, message_id=message.pk)
    assert keys(bucket) == set()
