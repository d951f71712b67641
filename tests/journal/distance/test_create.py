# covers: V1, V10 (the messenger's refusal shown), V9 (the grid shows the end)
"""«Дистанционный урок» in the class journal: «Создать» for the lesson's teacher, the request the messenger gets,
and every way it can fail, in Russian and without losing anything."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from parta.journal.distance.models import DistanceLesson, DistanceStatus
from parta.journal.timetable.models import Lesson
from tests.journal.builders import SmallSchool
from tests.journal.distance.conftest import CALL_ID, call_ref, client_for, distance_for, lesson_at, link
from tests.journal.messenger_link.fake_messenger import SERVER_TOKEN, FakeMessenger

CALLS = "/integration/v1/calls"


def journal_url(school: SmallSchool) -> str:
    query = urlencode({"school_class": school.cls_7b.pk, "subject": school.math.pk})
    return f"{reverse('gradebook:class_journal')}?{query}"


def create_url(lesson: Lesson) -> str:
    return reverse("distance:create", args=[lesson.pk])


def slot(html: str, lesson: Lesson) -> str:
    """The «Дистанционный урок» cell of one lesson column."""
    start = html.index(f'<td class="distance-slot" data-lesson="{lesson.pk}"')
    return html[start : html.index("</td>", start)]


def test_teacher_creates_the_distance_lesson(school: SmallSchool, messenger: FakeMessenger, now_lesson: Lesson) -> None:
    link(school.teacher.user, messenger)
    messenger.script("POST", CALLS, (200, call_ref(messenger, now_lesson)))
    client = client_for(school.teacher.user)
    page = client.get(journal_url(school)).content.decode()
    assert f'action="{create_url(now_lesson)}"' in slot(page, now_lesson)
    assert "Создать" in slot(page, now_lesson)

    response = client.post(create_url(now_lesson), {"next": journal_url(school)}, follow=True)

    assert response.redirect_chain[-1][0] == journal_url(school)
    distance = DistanceLesson.objects.get(lesson=now_lesson)
    assert (distance.call_id, distance.status, distance.created_by_id) == (CALL_ID, "live", school.teacher.user_id)
    (sent,) = messenger.calls("POST", CALLS)
    assert sent.headers["authorization"] == f"Bearer {SERVER_TOKEN}"
    body = sent.json
    assert body["lesson_id"] == str(now_lesson.pk)
    assert body["teacher_id"] == str(school.teacher.user_id)
    assert (body["class_id"], body["school_id"]) == (str(school.cls_7b.pk), str(school.builder.school.pk))
    assert body["subject_name"] == "Математика" and body["title"].startswith("7Б — Математика, ")
    starts_at = dt.datetime.fromisoformat(body["starts_at"])
    assert starts_at.utcoffset() is not None  # aware, in the school's zone
    assert starts_at == timezone.make_aware(dt.datetime.combine(now_lesson.date, now_lesson.starts_at))
    page = response.content.decode()
    assert "Дистанционный урок создан" in page
    cell = slot(page, now_lesson)
    assert f'href="{distance.url}"' in cell and "Открыть" in cell and "Создать" not in cell


def test_only_the_lesson_teacher_sees_create_and_others_see_the_state(
    school: SmallSchool, now_lesson: Lesson, past_lesson: Lesson
) -> None:
    later = lesson_at(school, timezone.now() + dt.timedelta(hours=1))
    distance_for(later)
    admin = school.builder.admin()
    teacher_page = client_for(school.teacher.user).get(journal_url(school)).content.decode()
    assert "Создать" in slot(teacher_page, now_lesson)
    assert "Создать" not in slot(teacher_page, past_lesson)  # the lesson is over
    assert "Открыть" in slot(teacher_page, later)
    admin_page = client_for(admin).get(journal_url(school)).content.decode()
    assert "<form" not in slot(admin_page, now_lesson)
    assert "Создан" in slot(admin_page, later) and "Открыть" not in slot(admin_page, later)


def test_a_substitute_creates_and_the_replaced_teacher_does_not(school: SmallSchool, messenger: FakeMessenger) -> None:
    lesson = lesson_at(
        school, timezone.now() + dt.timedelta(minutes=30), teacher=school.other_teacher, replaced=school.teacher
    )
    page = client_for(school.teacher.user).get(journal_url(school)).content.decode()
    assert "Создать" not in slot(page, lesson)
    assert client_for(school.teacher.user).post(create_url(lesson)).status_code == 403
    link(school.other_teacher.user, messenger)
    messenger.script("POST", CALLS, (200, call_ref(messenger, lesson)))
    response = client_for(school.other_teacher.user).post(create_url(lesson))
    assert response.status_code == 302
    assert DistanceLesson.objects.filter(lesson=lesson).exists()
    assert messenger.calls("POST", CALLS)[0].json["teacher_id"] == str(school.other_teacher.user_id)


def test_other_teachers_students_and_admins_cannot_create(
    school: SmallSchool, messenger: FakeMessenger, now_lesson: Lesson
) -> None:
    for user in (school.other_teacher.user, school.builder.admin()):
        assert client_for(user).post(create_url(now_lesson)).status_code == 403
    assert client_for(school.students[0].user).post(create_url(now_lesson)).status_code == 403
    assert client_for(school.teacher.user).get(create_url(now_lesson)).status_code == 405
    assert not DistanceLesson.objects.exists()
    assert not messenger.calls("POST", CALLS)


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (409, "call_in_progress", "Пока не завершено занятие «7Б — Математика», новое начать нельзя."),
        (503, "calls_unavailable", "Мессенджер сейчас недоступен, попробуйте позже"),
        (409, "lesson_over", "Урок уже закончился."),
    ],
)
def test_a_refusal_is_shown_in_russian_and_nothing_is_kept(
    school: SmallSchool, messenger: FakeMessenger, now_lesson: Lesson, status: int, code: str, message: str
) -> None:
    link(school.teacher.user, messenger)
    messenger.script("POST", CALLS, (status, {"code": code, "message": message, "help_url": None}))
    client = client_for(school.teacher.user)
    response = client.post(create_url(now_lesson), {"next": journal_url(school)}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Создать" in slot(page, now_lesson)  # still offered: try again later
    assert not DistanceLesson.objects.exists()


def test_teacher_not_linked_in_the_messenger_gets_a_link_to_link(
    school: SmallSchool, messenger: FakeMessenger, now_lesson: Lesson
) -> None:
    link(school.teacher.user, messenger)
    messenger.script(
        "POST", CALLS, (409, {"code": "teacher_not_linked", "message": "Учитель не привязан.", "help_url": None})
    )
    page = client_for(school.teacher.user).post(create_url(now_lesson), follow=True).content.decode()
    assert 'Учитель не привязан. <a href="/messenger/">Привязать профиль</a>' in page


def test_a_journal_account_without_a_link_is_told_to_link_first(
    school: SmallSchool, messenger: FakeMessenger, now_lesson: Lesson
) -> None:
    page = client_for(school.teacher.user).post(create_url(now_lesson), follow=True).content.decode()
    assert "не связана с мессенджером" in page and 'href="/messenger/"' in page
    assert not messenger.calls("POST", CALLS)
    assert not DistanceLesson.objects.exists()


def test_a_messenger_that_is_down_is_said_so(school: SmallSchool, messenger: FakeMessenger, now_lesson: Lesson) -> None:
    link(school.teacher.user, messenger)
    messenger.stop()
    response = client_for(school.teacher.user).post(create_url(now_lesson), follow=True)
    assert "Мессенджер сейчас недоступен, попробуйте позже" in response.content.decode()
    assert not DistanceLesson.objects.exists()


def test_a_lesson_that_is_over_is_not_sent(school: SmallSchool, messenger: FakeMessenger, past_lesson: Lesson) -> None:
    link(school.teacher.user, messenger)
    page = client_for(school.teacher.user).post(create_url(past_lesson), follow=True).content.decode()
    assert "Урок закончился" in page
    assert not messenger.calls("POST", CALLS)


def test_a_lesson_of_another_day_is_not_sent_and_offers_no_create(
    school: SmallSchool, messenger: FakeMessenger
) -> None:
    """V10: a live call holds back the teacher's next lesson call, so calls are made on the lesson's day only."""
    link(school.teacher.user, messenger)
    tomorrow = lesson_at(school, timezone.now() + dt.timedelta(days=1))
    client = client_for(school.teacher.user)
    assert "Создать" not in slot(client.get(journal_url(school)).content.decode(), tomorrow)
    page = client.post(create_url(tomorrow), follow=True).content.decode()
    assert "Дистанционный урок создаётся в день урока." in page
    assert not messenger.calls("POST", CALLS)


def test_creating_twice_keeps_one(school: SmallSchool, messenger: FakeMessenger, now_lesson: Lesson) -> None:
    link(school.teacher.user, messenger)
    messenger.script("POST", CALLS, (200, call_ref(messenger, now_lesson)))
    client = client_for(school.teacher.user)
    client.post(create_url(now_lesson))
    page = client.post(create_url(now_lesson), follow=True).content.decode()
    assert "уже создан" in page
    assert DistanceLesson.objects.count() == 1 and len(messenger.calls("POST", CALLS)) == 1


def test_the_grid_shows_an_ended_lesson_with_its_attendance(
    school: SmallSchool, now_lesson: Lesson, past_lesson: Lesson
) -> None:
    ended = distance_for(now_lesson, status=DistanceStatus.ENDED)
    distance_for(past_lesson)  # still "live" here: the webhook never came, but the lesson's time is over (V9)
    page = client_for(school.teacher.user).get(journal_url(school)).content.decode()
    for lesson in (now_lesson, past_lesson):
        cell = slot(page, lesson)
        assert "Завершён" in cell and "Открыть" not in cell
        assert f'href="{reverse("distance:attendance", args=[lesson.pk])}"' in cell
    assert ended.lesson_id == now_lesson.pk


def test_next_must_stay_on_the_journal(school: SmallSchool, messenger: FakeMessenger, now_lesson: Lesson) -> None:
    response = client_for(school.teacher.user).post(create_url(now_lesson), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == journal_url(school)


def test_give_marks_offers_the_same_for_its_lesson(
    school: SmallSchool, messenger: FakeMessenger, now_lesson: Lesson
) -> None:
    """V1 as the guide says it: «Выставить оценки» → «Дистанционный урок» → «Создать»; back on the same page."""
    link(school.teacher.user, messenger)
    messenger.script("POST", CALLS, (200, call_ref(messenger, now_lesson)))
    client = client_for(school.teacher.user)
    marks_url = reverse("gradebook:lesson_marks", args=[now_lesson.pk])
    page = client.get(marks_url).content.decode()
    assert f'action="{create_url(now_lesson)}"' in page and f'name="next" value="{marks_url}"' in page
    response = client.post(create_url(now_lesson), {"next": marks_url}, follow=True)
    assert response.redirect_chain[-1][0] == marks_url
    assert "Открыть" in response.content.decode()
    other = client_for(school.builder.admin()).get(marks_url).content.decode()
    assert "distance-open" not in other and "Создан" in other
