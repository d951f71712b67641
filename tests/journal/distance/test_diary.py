# covers: V3, J3 (the distance-lesson icon)
"""The diary's distance-lesson icon and where its link leads: the call in the lesson's window, «Урок начнётся в …»
before it, «Урок завершён» after it; nobody but the lesson's students gets anything but a 404."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from parta.journal.distance.models import DistanceStatus
from parta.journal.timetable.models import Lesson
from tests.journal.builders import SmallSchool
from tests.journal.distance.conftest import client_for, distance_for, lesson_at


def entry_url(lesson: Lesson) -> str:
    return reverse("distance:diary_entry", args=[lesson.pk])


def test_the_week_shows_the_icon_only_on_lessons_with_a_distance_lesson(
    school: SmallSchool, now_lesson: Lesson, later_lesson: Lesson
) -> None:
    distance_for(now_lesson)
    page = client_for(school.students[0].user).get(reverse("diary:week")).content.decode()
    assert page.count('aria-label="Дистанционный урок"') == 1
    assert f'<a class="distance-icon" href="{entry_url(now_lesson)}"' in page
    assert entry_url(later_lesson) not in page


def test_in_the_window_the_link_leads_to_the_call(school: SmallSchool, now_lesson: Lesson) -> None:
    distance = distance_for(now_lesson, url="http://127.0.0.1:9/calls/abc/")
    response = client_for(school.students[1].user).get(entry_url(now_lesson))
    assert response.status_code == 302 and response["Location"] == distance.url


def test_ten_minutes_early_is_already_the_window(school: SmallSchool) -> None:
    lesson = lesson_at(school, timezone.now() + dt.timedelta(minutes=8))
    distance_for(lesson)
    assert client_for(school.students[0].user).get(entry_url(lesson)).status_code == 302


def test_before_the_window_the_page_says_when_it_starts(school: SmallSchool, later_lesson: Lesson) -> None:
    distance_for(later_lesson)
    response = client_for(school.students[0].user).get(entry_url(later_lesson))
    assert response.status_code == 200
    assert f"Урок начнётся в {later_lesson.starts_at:%H:%M}" in response.content.decode()


def test_a_lesson_on_another_day_names_the_day(school: SmallSchool) -> None:
    lesson = lesson_at(school, timezone.now() + dt.timedelta(days=1))
    distance_for(lesson)
    page = client_for(school.students[0].user).get(entry_url(lesson)).content.decode()
    assert "Урок начнётся " in page and f" в {lesson.starts_at:%H:%M}" in page


def test_after_it_ended_the_page_says_so(school: SmallSchool, now_lesson: Lesson, past_lesson: Lesson) -> None:
    distance_for(now_lesson, status=DistanceStatus.ENDED)
    distance_for(past_lesson)  # the lesson's time is over even without the webhook
    client = client_for(school.students[0].user)
    for lesson in (now_lesson, past_lesson):
        response = client.get(entry_url(lesson))
        assert response.status_code == 200 and "Урок завершён" in response.content.decode()


def test_only_the_lessons_students_may_follow_the_link(school: SmallSchool, now_lesson: Lesson) -> None:
    distance_for(now_lesson)
    for user in (
        school.child_5a.user,  # a student of another class
        school.parent.user,  # parents do not join lessons
        school.teacher.user,
        school.builder.admin(),
    ):
        assert client_for(user).get(entry_url(now_lesson)).status_code == 404, user.username


def test_a_lesson_without_a_distance_lesson_is_a_404(school: SmallSchool, now_lesson: Lesson) -> None:
    assert client_for(school.students[0].user).get(entry_url(now_lesson)).status_code == 404
