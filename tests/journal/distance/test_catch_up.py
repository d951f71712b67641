# covers: issue 11 point 5 (the catch-up pack: the journal's half)
"""The webhook `call.recording_ready` → a CatchUp → the Huey task → POST /integration/v1/calls/{id}/catch-up with the
lesson's absent students, topic and homework; retries while the messenger is unavailable or not ready; the page."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from parta.journal.distance import catch_up as catch_up_service
from parta.journal.distance import tasks
from parta.journal.distance.models import CatchUp, CatchUpStatus, DistanceLesson, DistanceStatus
from parta.journal.school.models import ClassGroup
from parta.journal.timetable.models import Lesson
from tests.journal.builders import SmallSchool
from tests.journal.distance.conftest import client_for, distance_for
from tests.journal.distance.test_attendance import deliver, ended_event, seen
from tests.journal.messenger_link.fake_messenger import FakeMessenger

RECORDING = "5e1c0f3a-0000-4000-8000-000000000001"


def ready_event(distance: DistanceLesson, *, catch_up: bool = True, recording_id: str = RECORDING) -> bytes:
    body = {
        "id": str(uuid.uuid4()),
        "type": "call.recording_ready",
        "created_at": timezone.now().isoformat(),
        "data": {
            "call_id": distance.call_id,
            "school_id": str(distance.lesson.school_id),
            "lesson_id": str(distance.lesson_id),
            "recording_id": recording_id,
            "catch_up": catch_up,
        },
    }
    return json.dumps(body).encode()


def path(distance: DistanceLesson) -> str:
    return f"/integration/v1/calls/{distance.call_id}/catch-up"


def answer(sent: int = 2, **counts: int) -> tuple[int, dict[str, Any]]:
    return 200, {"recording_id": RECORDING, "sent": sent, **counts}


@pytest.fixture
def huey_immediate() -> Iterator[None]:
    saved = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = saved


@pytest.fixture
def lesson(school: SmallSchool, messenger: FakeMessenger) -> Lesson:
    """Today's 7Б Математика, two hours ago, with a topic and homework."""
    start = timezone.localtime(timezone.now() - dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    return Lesson.objects.create(
        school=school.builder.school,
        school_class=school.cls_7b,
        subject=school.math,
        teacher=school.teacher,
        date=start.date(),
        starts_at=start.time(),
        ends_at=(start + dt.timedelta(minutes=45)).time(),
        topic="Квадратные уравнения",
        homework="№ 112, 114",
    )


@pytest.fixture
def live(lesson: Lesson) -> DistanceLesson:
    return distance_for(lesson)


@pytest.fixture
def ended(school: SmallSchool, live: DistanceLesson, django_capture_on_commit_callbacks: Any) -> DistanceLesson:
    """Пётр was there for 25 minutes; Мария joined for a moment that counted 0 seconds; Илья never joined."""
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(ended_event(live, [seen(school, 0, 1500), seen(school, 1, 0)])).status_code == 200
    live.refresh_from_db()
    assert live.status == DistanceStatus.ENDED
    return live


def absent_ids(school: SmallSchool) -> set[str]:
    return {str(school.students[1].user_id), str(school.students[2].user_id)}


def test_a_recording_of_an_ended_lesson_goes_to_the_students_who_missed_it(
    school: SmallSchool,
    ended: DistanceLesson,
    messenger: FakeMessenger,
    huey_immediate: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    messenger.script("POST", path(ended), answer(sent=1, skipped_unlinked=1, parents_notified=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(ready_event(ended)).json() == {"status": "ok"}

    [request] = messenger.calls("POST", path(ended))
    assert request.headers["authorization"] == "Bearer server-token"
    body = request.json
    assert set(body.pop("absent_person_ids")) == absent_ids(school)
    assert body == {
        "recording_id": RECORDING,
        "topic": "Квадратные уравнения",
        "homework": "№ 112, 114",
        "lesson_date": ended.lesson.date.isoformat(),
        "subject": "Математика",
    }
    catch_up = CatchUp.objects.get()
    assert catch_up.distance_id == ended.pk and catch_up.status == CatchUpStatus.SENT
    assert (catch_up.absent, catch_up.sent, catch_up.skipped, catch_up.parents_notified) == (2, 1, 1, 1)
    assert catch_up.sent_at is not None and catch_up.attempts == 0


def test_a_repeated_webhook_makes_one_catch_up_and_one_request(
    ended: DistanceLesson, messenger: FakeMessenger, huey_immediate: None, django_capture_on_commit_callbacks: Any
) -> None:
    messenger.script("POST", path(ended), answer())
    body = ready_event(ended)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(body).json() == {"status": "ok"}
        assert deliver(body).json() == {"status": "duplicate"}
        assert deliver(ready_event(ended)).json() == {"status": "ok"}  # another event about the same recording

    assert CatchUp.objects.count() == 1
    assert len(messenger.calls("POST", path(ended))) == 1


def test_a_recording_ready_before_the_end_waits_for_the_attendance(
    school: SmallSchool,
    live: DistanceLesson,
    messenger: FakeMessenger,
    huey_immediate: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    messenger.script("POST", path(live), answer())
    with django_capture_on_commit_callbacks(execute=True):
        deliver(ready_event(live))
    assert CatchUp.objects.get().status == CatchUpStatus.WAITING
    assert messenger.calls("POST", path(live)) == []

    with django_capture_on_commit_callbacks(execute=True):
        deliver(ended_event(live, [seen(school, 0, 1500)]))

    [request] = messenger.calls("POST", path(live))
    assert len(request.json["absent_person_ids"]) == 2
    assert CatchUp.objects.get().status == CatchUpStatus.SENT


def test_turned_off_by_the_teacher_nothing_is_sent(
    ended: DistanceLesson, messenger: FakeMessenger, huey_immediate: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        deliver(ready_event(ended, catch_up=False))

    assert CatchUp.objects.get().status == CatchUpStatus.OFF
    assert messenger.calls("POST", path(ended)) == []


def test_a_call_the_journal_does_not_know_is_ignored(messenger: FakeMessenger, live: DistanceLesson) -> None:
    other = DistanceLesson(call_id="unknown-call", lesson=live.lesson)
    assert deliver(ready_event(other)).json() == {"status": "ok"}
    assert not CatchUp.objects.exists()


@pytest.fixture
def waiting(ended: DistanceLesson) -> CatchUp:
    return CatchUp.objects.create(distance=ended, recording_id=RECORDING)


def test_an_unavailable_messenger_is_tried_again_later(
    waiting: CatchUp, messenger: FakeMessenger, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[tuple[int, int]] = []
    monkeypatch.setattr(catch_up_service, "kick", lambda pk, delay=0: queued.append((pk, delay)))
    messenger.script("POST", path(waiting.distance), (503, {"code": "x", "message": "x"}), (500, b"oops"))

    catch_up_service.deliver_catch_up(catch_up_id=waiting.pk)
    catch_up_service.deliver_catch_up(catch_up_id=waiting.pk)
    waiting.refresh_from_db()
    assert waiting.status == CatchUpStatus.WAITING and waiting.attempts == 2 and waiting.last_error
    assert queued == [(waiting.pk, 30), (waiting.pk, 60)]

    messenger.stop()  # down: nothing answers at all
    catch_up_service.deliver_catch_up(catch_up_id=waiting.pk)
    messenger.start()
    assert queued[-1] == (waiting.pk, 120)

    messenger.script("POST", path(waiting.distance), answer())
    catch_up_service.deliver_catch_up(catch_up_id=waiting.pk)
    waiting.refresh_from_db()
    assert waiting.status == CatchUpStatus.SENT and waiting.sent == 2 and waiting.last_error == ""


def test_an_answer_that_is_not_a_catch_up_result_is_tried_again(
    waiting: CatchUp, messenger: FakeMessenger, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(catch_up_service, "kick", lambda pk, delay=0: queued.append(delay))
    messenger.script("POST", path(waiting.distance), (200, {"hello": "world"}))

    catch_up_service.deliver_catch_up(catch_up_id=waiting.pk)

    waiting.refresh_from_db()
    assert waiting.status == CatchUpStatus.WAITING and queued == [30]


def test_an_event_with_unexpected_data_is_recorded_and_ignored(ended: DistanceLesson, messenger: FakeMessenger) -> None:
    body = json.loads(ready_event(ended))
    del body["data"]["recording_id"]

    assert deliver(json.dumps(body).encode()).json() == {"status": "ok"}
    assert not CatchUp.objects.exists()


def test_not_ready_is_tried_again_and_gives_up_after_the_last_attempt(
    waiting: CatchUp, messenger: FakeMessenger, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(catch_up_service, "kick", lambda pk, delay=0: queued.append(delay))
    not_ready = (409, {"code": "recording_not_ready", "message": "Запись ещё обрабатывается.", "help_url": None})
    messenger.script("POST", path(waiting.distance), not_ready)
    catch_up_service.deliver_catch_up(catch_up_id=waiting.pk)
    assert queued == [30]

    CatchUp.objects.filter(pk=waiting.pk).update(attempts=catch_up_service.MAX_ATTEMPTS - 1)
    messenger.script("POST", path(waiting.distance), not_ready)
    catch_up_service.deliver_catch_up(catch_up_id=waiting.pk)
    waiting.refresh_from_db()
    assert waiting.status == CatchUpStatus.FAILED and queued == [30]


@pytest.mark.parametrize(
    ("code", "status"), [("catch_up_off", CatchUpStatus.OFF), ("recording_gone", CatchUpStatus.FAILED)]
)
def test_a_final_refusal_is_recorded_and_not_retried(
    waiting: CatchUp, messenger: FakeMessenger, monkeypatch: pytest.MonkeyPatch, code: str, status: str
) -> None:
    monkeypatch.setattr(catch_up_service, "kick", lambda pk, delay=0: pytest.fail("retried"))
    messenger.script("POST", path(waiting.distance), (409, {"code": code, "message": "Нет.", "help_url": None}))

    catch_up_service.deliver_catch_up(catch_up_id=waiting.pk)

    waiting.refresh_from_db()
    assert waiting.status == status and waiting.last_error.startswith(code)
    catch_up_service.deliver_catch_up(catch_up_id=waiting.pk)  # not waiting any more: nothing is asked again
    assert len(messenger.calls("POST", path(waiting.distance))) == 1


def test_nobody_absent_sends_nothing(school: SmallSchool, ended: DistanceLesson, messenger: FakeMessenger) -> None:
    everyone = [seen(school, index, 600) for index in range(3)]
    DistanceLesson.objects.filter(pk=ended.pk).update(attendance=everyone)
    waiting = CatchUp.objects.create(distance=ended, recording_id=RECORDING)

    catch_up_service.deliver_catch_up(catch_up_id=waiting.pk)

    waiting.refresh_from_db()
    assert waiting.status == CatchUpStatus.SENT and waiting.absent == 0
    assert messenger.calls("POST", path(ended)) == []


def test_a_group_lesson_counts_the_group_only(
    school: SmallSchool, ended: DistanceLesson, messenger: FakeMessenger
) -> None:
    group = ClassGroup.objects.create(school_class=school.cls_7b, name="Группа 1")
    group.students.set([school.students[0], school.students[2]])
    Lesson.objects.filter(pk=ended.lesson_id).update(group=group)
    waiting = CatchUp.objects.create(distance=ended, recording_id=RECORDING)
    messenger.script("POST", path(ended), answer(sent=1))

    catch_up_service.deliver_catch_up(catch_up_id=waiting.pk)

    [request] = messenger.calls("POST", path(ended))
    assert request.json["absent_person_ids"] == [str(school.students[2].user_id)]


def test_the_task_keeps_its_name() -> None:
    assert HUEY._registry.task_to_string(tasks.send_catch_up_pack.task_class) == (
        "parta.journal.distance.tasks.send_catch_up_pack"
    )


def test_the_attendance_page_says_who_got_the_recording(
    school: SmallSchool, ended: DistanceLesson, messenger: FakeMessenger
) -> None:
    CatchUp.objects.create(distance=ended, recording_id=RECORDING, status=CatchUpStatus.SENT, sent=2, skipped=1)
    CatchUp.objects.create(distance=ended, recording_id="second", status=CatchUpStatus.OFF)
    page = client_for(school.teacher.user).get(reverse("distance:attendance", args=[ended.lesson_id]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Запись урока отправлена 2 пропустившим." in text
    assert "1 ученик не привязал профиль в мессенджере и не получил её." in text
    assert "отправка записи пропустившим выключена" in text


def test_the_page_of_a_lesson_without_recordings_says_nothing_of_them(
    school: SmallSchool, ended: DistanceLesson, messenger: FakeMessenger
) -> None:
    page = client_for(school.teacher.user)
    assert "data-catch-up" not in page.get(reverse("distance:attendance", args=[ended.lesson_id])).content.decode()
