# covers: V9 (call.ended reaches the journal), B2 (attendance and «Отметить отсутствующих»)
"""The end of a call (webhook `call.ended`, or «Обновить»), the attendance page and the absences made from it."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parta.journal.distance.models import DistanceLesson, DistanceStatus
from parta.journal.gradebook.models import Absence
from parta.journal.messenger_link.models import WebhookReceipt
from parta.journal.timetable.models import Lesson
from tests.journal.builders import SmallSchool
from tests.journal.distance.conftest import CALL_ID, call_ref, client_for, distance_for
from tests.journal.messenger_link.fake_messenger import FakeMessenger
from tests.journal.messenger_link.webhooks.test_webhook import signed

WEBHOOK = "/messenger/webhook/"


def seen(school: SmallSchool, index: int, seconds: int, left: bool = True) -> dict[str, Any]:
    joined = timezone.now() - dt.timedelta(minutes=30)
    return {
        "person_id": str(school.students[index].user_id),
        "seconds": seconds,
        "first_joined_at": joined.isoformat(),
        "last_left_at": (joined + dt.timedelta(seconds=seconds)).isoformat() if left else None,
    }


def ended_event(distance: DistanceLesson, attendance: list[dict[str, Any]], event_id: str = "") -> bytes:
    data = {
        "call_id": distance.call_id,
        "school_id": str(distance.lesson.school_id),
        "lesson_id": str(distance.lesson_id),
        "ended_at": timezone.now().isoformat(),
        "end_reason": "organizer",
        "attendance": attendance,
    }
    body = {
        "id": event_id or str(uuid.uuid4()),
        "type": "call.ended",
        "created_at": timezone.now().isoformat(),
        "data": data,
    }
    return json.dumps(body).encode()


def deliver(body: bytes) -> Any:
    return Client().post(WEBHOOK, data=body, content_type="application/json", **signed(body))


@pytest.fixture
def live(school: SmallSchool, messenger: FakeMessenger, now_lesson: Lesson) -> DistanceLesson:
    return distance_for(now_lesson)


def test_call_ended_ends_the_distance_lesson_once(school: SmallSchool, live: DistanceLesson) -> None:
    body = ended_event(live, [seen(school, 0, 1500), seen(school, 2, 61)])
    assert deliver(body).json() == {"status": "ok"}
    live.refresh_from_db()
    assert live.status == DistanceStatus.ENDED and live.end_reason == "organizer" and live.ended_at is not None
    assert [item["person_id"] for item in live.attendance] == [
        str(school.students[0].user_id),
        str(school.students[2].user_id),
    ]
    ended_at = live.ended_at
    assert deliver(body).json() == {"status": "duplicate"}
    live.refresh_from_db()
    assert live.ended_at == ended_at and len(live.attendance) == 2
    assert WebhookReceipt.objects.filter(type="call.ended").count() == 1


def test_the_same_end_in_another_event_changes_nothing(school: SmallSchool, live: DistanceLesson) -> None:
    attendance = [seen(school, 0, 600)]
    body = ended_event(live, attendance)
    deliver(body)
    live.refresh_from_db()
    before = (live.status, live.ended_at, live.attendance)
    again = json.loads(body)
    again["id"] = str(uuid.uuid4())  # a second event about the same end
    assert deliver(json.dumps(again).encode()).json() == {"status": "ok"}
    live.refresh_from_db()
    assert (live.status, live.ended_at, live.attendance) == before


def test_call_ended_for_an_unknown_call_is_accepted_and_ignored(school: SmallSchool, live: DistanceLesson) -> None:
    body = ended_event(live, [])
    body = body.replace(live.call_id.encode(), b"unknown-call")
    assert deliver(body).json() == {"status": "ok"}
    live.refresh_from_db()
    assert live.status == DistanceStatus.LIVE


def attendance_url(lesson: Lesson) -> str:
    return reverse("distance:attendance", args=[lesson.pk])


def absent_url(lesson: Lesson) -> str:
    return reverse("distance:mark_absent", args=[lesson.pk])


def test_the_attendance_page_lists_the_students_alphabetically(school: SmallSchool, live: DistanceLesson) -> None:
    deliver(ended_event(live, [seen(school, 0, 1500), seen(school, 2, 20)]))
    response = client_for(school.teacher.user).get(attendance_url(live.lesson))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.student.user.last_name for row in rows] == ["Алексеева", "Борисов", "Иванов"]
    assert [(row.minutes, row.present) for row in rows] == [(0, False), (1, True), (25, True)]
    page = response.content.decode()
    assert "Отметить отсутствующих" in page and "Посещаемость дистанционного урока" in page


def test_mark_absent_adds_n_for_exactly_those_who_did_not_join_once(school: SmallSchool, live: DistanceLesson) -> None:
    deliver(ended_event(live, [seen(school, 0, 1500)]))
    lesson = live.lesson
    Absence.objects.create(lesson=lesson, student=school.students[2])  # the teacher had marked one already
    client = client_for(school.teacher.user)
    response = client.post(absent_url(lesson), follow=True)
    assert "1 ученик отмечен отсутствующим" in response.content.decode()
    absent = set(Absence.objects.filter(lesson=lesson).values_list("student_id", flat=True))
    assert absent == {school.students[1].pk, school.students[2].pk}
    added = Absence.objects.get(lesson=lesson, student=school.students[1])
    assert added.author_id == school.teacher.user_id
    response = client.post(absent_url(lesson), follow=True)
    assert "Все, кто не подключился, уже отмечены" in response.content.decode()
    assert Absence.objects.filter(lesson=lesson).count() == 2
    live.refresh_from_db()
    assert live.attendance_applied_at is not None


def test_absences_wait_for_the_end(school: SmallSchool, live: DistanceLesson) -> None:
    page = client_for(school.teacher.user).post(absent_url(live.lesson), follow=True).content.decode()
    assert "Посещаемость станет известна" in page
    assert not Absence.objects.exists()


def test_only_the_lessons_teacher_and_the_school_admin_see_the_attendance(
    school: SmallSchool, live: DistanceLesson
) -> None:
    deliver(ended_event(live, []))
    assert client_for(school.builder.admin()).get(attendance_url(live.lesson)).status_code == 200
    for user in (school.other_teacher.user, school.students[0].user, school.parent.user):
        assert client_for(user).get(attendance_url(live.lesson)).status_code == 403
        assert client_for(user).post(absent_url(live.lesson)).status_code == 403
    assert not Absence.objects.exists()


def test_refresh_reads_the_call_when_the_webhook_did_not_come(
    school: SmallSchool, messenger: FakeMessenger, now_lesson: Lesson
) -> None:
    live = DistanceLesson.objects.create(lesson=now_lesson, call_id=CALL_ID, url=f"{messenger.url}/calls/{CALL_ID}/")
    answer = call_ref(
        messenger, now_lesson, status="ended", ended_at=timezone.now().isoformat(), attendance=[seen(school, 1, 300)]
    )
    messenger.script("GET", f"/integration/v1/calls/{CALL_ID}", (200, call_ref(messenger, now_lesson)), (200, answer))
    client = client_for(school.teacher.user)
    url = reverse("distance:refresh", args=[now_lesson.pk])
    page = client.post(url, follow=True).content.decode()
    assert "ещё идёт" in page
    live.refresh_from_db()
    assert live.status == DistanceStatus.LIVE
    page = client.post(url, follow=True).content.decode()
    assert "Посещаемость обновлена" in page
    live.refresh_from_db()
    assert live.status == DistanceStatus.ENDED
    assert [item["person_id"] for item in live.attendance] == [str(school.students[1].user_id)]


def test_refresh_when_the_messenger_is_down(
    school: SmallSchool, messenger: FakeMessenger, live: DistanceLesson
) -> None:
    messenger.stop()
    page = client_for(school.teacher.user).post(reverse("distance:refresh", args=[live.lesson_id]), follow=True)
    assert "Мессенджер сейчас недоступен, попробуйте позже" in page.content.decode()
