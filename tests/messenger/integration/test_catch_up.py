# covers: issue 11 point 5 (the catch-up pack: the messenger's half)
"""POST /integration/v1/calls/{call_id}/catch-up and the webhook `call.recording_ready`: the absent students of a
recorded lesson get the recording, the board's PDF, the topic and the homework from the lesson's organizer, their
parents a notice; idempotent; refused for another journal, before the recording is ready, when turned off."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from parta.messenger.accounts.models import Profile
from parta.messenger.boards.models import Board, DrawMode
from parta.messenger.calls.models import Call, CallKind, CallStatus, Recording, RecordingStatus
from parta.messenger.chats.models import Attachment, AttachmentKind, Chat, ChatKind, MemberRole, Membership, Message
from parta.messenger.chats.services.chats import direct_key
from parta.messenger.chats.services.messages import send_message
from parta.messenger.integration.models import Journal, WebhookDelivery
from parta.messenger.integration_api import integration_api
from parta.messenger.realtime.models import Event
from parta.messenger.recordings.catchup import on_recording_ready
from tests.messenger.calls.helpers import World
from tests.messenger.integration.helpers import call, person, person_token, register, send_roster, server_token

pytestmark = pytest.mark.django_db

TOPIC = "Квадратные уравнения"
HOMEWORK = "№ 112, 114 (с. 45)"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db: None) -> World:
    """«Школа № 1», everyone linked; st4 Вова joins 7Б in the roster but never links."""
    world = World()
    upserts = {"students": [person("st4", "Волков", "Вова", class_id="c7b")]}
    assert send_roster(world.client, world.server, world.school.change(upserts)).status_code == 200
    return world


@dataclass
class Lesson:
    world: World
    call: Call
    recording: Recording
    video: Attachment
    board_pdf: Attachment

    @property
    def teacher(self) -> Profile:
        return self.world.people["t3"]

    def post(self, body: dict[str, Any] | None = None, *, token: str | None = None, call_id: str = "") -> Any:
        return call(
            self.world.client,
            "POST",
            f"/calls/{call_id or self.call.public_id}/catch-up",
            self.world.server if token is None else token,
            request_body(self.recording, **(body or {})),
        )

    def sent(self, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.post(body)
        assert response.status_code == 200, response.content
        return dict(response.json())


def request_body(recording: Recording, **fields: Any) -> dict[str, Any]:
    return {
        "recording_id": str(recording.public_id),
        "absent_person_ids": ["st2"],
        "topic": TOPIC,
        "homework": HOMEWORK,
        "lesson_date": "2026-12-03",
        "subject": "Алгебра",
        **fields,
    }


def attach(message: Message, kind: str, name: str, content: bytes, content_type: str) -> Attachment:
    attachment = Attachment(
        message=message, kind=kind, original_name=name, content_type=content_type, size=len(content)
    )
    attachment.file.save(name, ContentFile(content), save=False)
    if kind == AttachmentKind.VIDEO:
        attachment.thumbnail.save("poster.webp", ContentFile(b"RIFF-poster"), save=False)
    attachment.save()
    return attachment


def recorded_lesson(world: World, *, call_status: str = CallStatus.ENDED) -> Lesson:
    """An ended lesson call of t3 in 7Б (st1 was there), recorded: the video and the board's PDF in its chat."""
    teacher = world.people["t3"]
    journal = Journal.objects.get()
    chat = Chat.objects.create(kind=ChatKind.CALL, title="7Б — Математика, 2-й урок", created_by=teacher)
    Membership.objects.create(chat=chat, profile=teacher, role=MemberRole.ADMIN)
    Membership.objects.create(chat=chat, profile=world.people["st1"], role=MemberRole.MEMBER)
    lesson_call = Call.objects.create(
        kind=CallKind.LESSON,
        title=chat.title,
        chat=chat,
        created_by=teacher,
        status=call_status,
        ended_at=timezone.now() if call_status == CallStatus.ENDED else None,
        journal=journal,
        school_external_id="s1",
        lesson_external_id="L1",
        class_external_id="c7b",
        teacher_external_id="t3",
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() - dt.timedelta(minutes=15),
    )
    video_message, _ = send_message(sender=teacher, chat_id=chat.pk, client_id=uuid.uuid4(), text="Запись урока")
    video = attach(video_message, AttachmentKind.VIDEO, "Запись урока.mp4", b"\x00\x00\x00\x18ftypmp42", "video/mp4")
    board_message, _ = send_message(sender=teacher, chat_id=chat.pk, client_id=uuid.uuid4(), text="Доска")
    board_pdf = attach(board_message, AttachmentKind.FILE, "Доска.pdf", b"%PDF-1.7 board", "application/pdf")
    Board.objects.create(
        call=lesson_call, draw_mode=DrawMode.ORGANIZER, exported_at=timezone.now(), export_message=board_message
    )
    recording = Recording.objects.create(
        call=lesson_call,
        started_by=teacher,
        stopped_at=timezone.now(),
        status=RecordingStatus.READY,
        folder="/nonexistent",
        message=video_message,
        duration_ms=2_400_000,
    )
    return Lesson(world=world, call=lesson_call, recording=recording, video=video, board_pdf=board_pdf)


@pytest.fixture
def lesson(world: World) -> Lesson:
    return recorded_lesson(world)


def direct_messages(a: Profile, b: Profile) -> list[Message]:
    chat = Chat.objects.filter(direct_key=direct_key(a.pk, b.pk)).first()
    return list(Message.objects.filter(chat=chat).order_by("seq")) if chat else []


def browser(profile: Profile) -> Client:
    client = Client()
    client.force_login(profile)
    return client


# --- who gets what --------------------------------------------------------------------------------------------------


def test_an_absent_student_gets_the_recording_the_board_the_topic_and_the_homework(lesson: Lesson) -> None:
    people = lesson.world.people

    result = lesson.sent()

    assert result == {
        "recording_id": str(lesson.recording.public_id),
        "sent": 1,
        "already_sent": 0,
        "skipped_unlinked": 0,
        "skipped_not_in_class": 0,
        "skipped_unreachable": 0,
        "parents_notified": 1,
    }
    [message] = direct_messages(lesson.teacher, people["st2"])
    assert message.sender_id == lesson.teacher.pk
    assert message.text == (
        "Вы пропустили урок «Алгебра» 3 декабря.\n"
        f"Тема: {TOPIC}\n"
        f"Домашнее задание: {HOMEWORK}\n"
        "Запись урока и доска — во вложениях."
    )
    video, pdf = message.attachments.order_by("pk")
    # New rows for the same stored files: nothing copied (the recording's deletion removes them together).
    assert (video.kind, video.file.name, video.thumbnail.name) == (
        "video",
        lesson.video.file.name,
        lesson.video.thumbnail.name,
    )
    assert (video.original_name, video.content_type, video.size) == ("Запись урока.mp4", "video/mp4", 12)
    assert (pdf.kind, pdf.file.name, pdf.original_name) == ("file", lesson.board_pdf.file.name, "Доска.pdf")
    assert Attachment.objects.filter(file=lesson.video.file.name).count() == 2
    event = Event.objects.filter(profile_id=people["st2"].pk, type="message.new").last()
    assert event is not None and event.payload["message"]["id"] == message.pk
    assert len(event.payload["message"]["attachments"]) == 2
    lesson.recording.refresh_from_db()
    assert lesson.recording.catch_up_sent_at is not None


def test_the_parents_of_an_absent_student_get_a_short_notice(lesson: Lesson) -> None:
    people = lesson.world.people

    lesson.sent()

    [notice] = direct_messages(lesson.teacher, people["p2"])
    assert notice.text == (
        "Маша пропустил(а) онлайн-урок «Алгебра» 3 декабря. Запись и материалы урока отправлены ему(ей) в Парте."
    )
    assert not notice.attachments.exists()
    assert direct_messages(lesson.teacher, people["p1"]) == []  # Петя's father: Петя was not absent


def test_the_present_the_unlinked_and_the_outsiders_get_nothing(lesson: Lesson) -> None:
    people = lesson.world.people

    result = lesson.sent({"absent_person_ids": ["st2", "st4", "st3", "nobody", "t1", "st2"]})

    assert (result["sent"], result["skipped_unlinked"], result["skipped_not_in_class"]) == (1, 1, 3)
    assert direct_messages(lesson.teacher, people["st1"]) == []  # present: not asked for
    assert direct_messages(lesson.teacher, people["st3"]) == []  # 8А: not this lesson's class
    assert direct_messages(lesson.teacher, people["t1"]) == []
    assert len(direct_messages(lesson.teacher, people["st2"])) == 1  # named twice, sent once


def test_asking_again_sends_nothing_twice(lesson: Lesson) -> None:
    people = lesson.world.people
    first = lesson.sent({"absent_person_ids": ["st2"]})
    again = lesson.sent({"absent_person_ids": ["st2", "st1"]})

    assert (first["sent"], first["parents_notified"]) == (1, 1)
    assert (again["sent"], again["already_sent"], again["parents_notified"]) == (1, 1, 1)  # st1 (and p1) are new
    assert len(direct_messages(lesson.teacher, people["st2"])) == 1
    assert len(direct_messages(lesson.teacher, people["p2"])) == 1
    assert len(direct_messages(lesson.teacher, people["st1"])) == 1


def test_without_a_board_the_message_has_the_recording_only(world: World) -> None:
    lesson = recorded_lesson(world)
    Board.objects.filter(call=lesson.call).delete()

    lesson.sent()

    [message] = direct_messages(lesson.teacher, world.people["st2"])
    assert message.text.endswith("Запись урока — во вложении.")
    assert [a.kind for a in message.attachments.all()] == ["video"]


def test_the_latest_ready_recording_when_none_is_named_and_the_board_only_once(lesson: Lesson) -> None:
    lesson.sent({"recording_id": None})
    later_message, _ = send_message(
        sender=lesson.teacher, chat_id=lesson.call.chat_id, client_id=uuid.uuid4(), text="Запись урока"
    )
    attach(later_message, AttachmentKind.VIDEO, "Запись 2.mp4", b"second-video", "video/mp4")
    second = Recording.objects.create(
        call=lesson.call, started_by=lesson.teacher, status=RecordingStatus.READY, folder="/x", message=later_message
    )

    result = lesson.sent({"recording_id": None})

    assert result["recording_id"] == str(second.public_id) and result["sent"] == 1
    first, latest = direct_messages(lesson.teacher, lesson.world.people["st2"])
    assert first.attachments.count() == 2
    assert [a.original_name for a in latest.attachments.all()] == ["Запись 2.mp4"]  # the board came with the first


def test_only_the_members_of_the_direct_chat_fetch_the_shared_file(lesson: Lesson) -> None:
    people = lesson.world.people
    lesson.sent()
    [message] = direct_messages(lesson.teacher, people["st2"])
    copy = message.attachments.get(kind="video")

    response = browser(people["st2"]).get(f"/attachments/{copy.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x00\x00\x00\x18ftypmp42"  # type: ignore[attr-defined]
    assert browser(people["st1"]).get(f"/attachments/{copy.pk}/").status_code == 404  # not in that chat
    assert browser(people["p2"]).get(f"/attachments/{copy.pk}/").status_code == 404
    assert Client().get(f"/attachments/{copy.pk}/").status_code in (302, 404)


# --- refusals ---------------------------------------------------------------------------------------------------------


def refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["message"] and "help_url" in body


def test_the_journal_servers_token_only(lesson: Lesson) -> None:
    refused(lesson.post(token="not-a-token"), 401, "invalid_token")
    token = person_token(lesson.teacher, lesson.world.journal)
    refused(lesson.post(token=token), 403, "server_token_required")
    assert Message.objects.filter(chat__kind=ChatKind.DIRECT).count() == 0


def test_another_journals_call_is_not_found(lesson: Lesson) -> None:
    other = register("journal-2", name="Другой журнал", region="Казань", base_url="http://other.test")
    token = server_token(lesson.world.client, other)

    refused(lesson.post(token=token), 404, "call_not_found")
    refused(lesson.post(call_id=str(uuid.uuid4())), 404, "call_not_found")
    refused(lesson.post(call_id="not-a-uuid"), 404, "call_not_found")
    refused(lesson.post({"recording_id": str(uuid.uuid4())}), 404, "recording_not_found")
    assert Message.objects.filter(chat__kind=ChatKind.DIRECT).count() == 0


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"recording": {"status": RecordingStatus.PROCESSING}}, 409, "recording_not_ready"),
        ({"call": {"status": CallStatus.LIVE, "ended_at": None}}, 409, "recording_not_ready"),
        ({"board": {"exported_at": None}}, 409, "recording_not_ready"),
        ({"recording": {"status": RecordingStatus.FAILED}}, 409, "recording_gone"),
        ({"recording": {"status": RecordingStatus.DELETED}}, 409, "recording_gone"),
        ({"call": {"catch_up_enabled": False}}, 409, "catch_up_off"),
    ],
)
def test_nothing_is_sent_before_the_recording_is_ready_or_when_turned_off(
    lesson: Lesson, change: dict[str, dict[str, Any]], status: int, code: str
) -> None:
    Recording.objects.filter(pk=lesson.recording.pk).update(**change.get("recording", {}))
    Call.objects.filter(pk=lesson.call.pk).update(**change.get("call", {}))
    Board.objects.filter(call=lesson.call).update(**change.get("board", {}))

    refused(lesson.post(), status, code)

    assert Message.objects.filter(chat__kind=ChatKind.DIRECT).count() == 0
    lesson.recording.refresh_from_db()
    assert lesson.recording.catch_up_sent_at is None


def test_a_board_whose_pdf_failed_for_good_does_not_hold_the_recording_back(lesson: Lesson) -> None:
    Board.objects.filter(call=lesson.call).update(exported_at=None, export_message=None, export_failures=5)

    assert lesson.sent()["sent"] == 1
    [message] = direct_messages(lesson.teacher, lesson.world.people["st2"])
    assert [a.kind for a in message.attachments.all()] == ["video"]


def test_a_body_that_does_not_fit_is_422(lesson: Lesson) -> None:
    refused(lesson.post({"lesson_date": "вчера"}), 422, "invalid_request")
    refused(lesson.post({"absent_person_ids": "st2"}), 422, "invalid_request")


def test_the_endpoint_is_in_the_openapi_with_its_errors() -> None:
    schema = json.loads(json.dumps(integration_api.get_openapi_schema(path_prefix="/integration/v1/")))
    operation = schema["paths"]["/integration/v1/calls/{call_id}/catch-up"]["post"]
    assert operation["operationId"] == "parta_messenger_integration_api_send_catch_up"
    assert {"200", "401", "403", "404", "409", "422"} <= set(operation["responses"])
    assert "CatchUpRequest" in schema["components"]["schemas"]


# --- the webhook ------------------------------------------------------------------------------------------------------


def test_a_ready_recording_of_a_lesson_tells_its_journal(lesson: Lesson) -> None:
    with transaction.atomic():
        on_recording_ready(lesson.recording)

    delivery = WebhookDelivery.objects.get(type="call.recording_ready")
    body = json.loads(delivery.body)
    assert body["data"] == {
        "call_id": str(lesson.call.public_id),
        "school_id": "s1",
        "lesson_id": "L1",
        "recording_id": str(lesson.recording.public_id),
        "catch_up": True,
    }


def test_the_journal_hears_of_a_recording_with_the_catch_up_turned_off_too(lesson: Lesson) -> None:
    Call.objects.filter(pk=lesson.call.pk).update(catch_up_enabled=False)
    on_recording_ready(lesson.recording)
    body = json.loads(WebhookDelivery.objects.get(type="call.recording_ready").body)
    assert body["data"]["catch_up"] is False


def test_a_chat_calls_recording_tells_no_journal(lesson: Lesson) -> None:
    Call.objects.filter(pk=lesson.call.pk).update(kind=CallKind.CHAT, journal=None)
    on_recording_ready(lesson.recording)
    assert not WebhookDelivery.objects.filter(type="call.recording_ready").exists()


def test_deleting_a_catch_up_message_keeps_the_recordings_file(lesson: Lesson) -> None:
    from django.core.files.storage import default_storage

    from parta.messenger.chats.services.messages import delete_message

    lesson.sent()
    [message] = direct_messages(lesson.teacher, lesson.world.people["st2"])
    with transaction.atomic():
        delete_message(actor=lesson.teacher, chat_id=message.chat_id, message_id=message.pk)

    assert default_storage.exists(lesson.video.file.name) and default_storage.exists(lesson.board_pdf.file.name)
    assert default_storage.exists(lesson.video.thumbnail.name)
    response = browser(lesson.world.people["st1"]).get(f"/attachments/{lesson.video.pk}/")
    assert response.status_code == 200
