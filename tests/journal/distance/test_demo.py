# covers: V1 (the guided tour: «Создать» works right after the demo is loaded)
"""The demo school has 7Б Математика going on at the moment it is loaded, taught by `teacher` (Кузнецова)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from parta.journal.demo.services import load_demo_school, refresh_live_lesson
from parta.journal.distance.selectors import is_lesson_over, lesson_window
from parta.journal.timetable.models import Lesson


@pytest.mark.django_db
@pytest.mark.parametrize("clock", [dt.time(10, 12), dt.time(21, 7)])
def test_the_demo_has_a_lesson_going_on_now(clock: dt.time) -> None:
    today = dt.date(2026, 10, 14)  # a Wednesday
    now = timezone.make_aware(dt.datetime.combine(today, clock))
    load_demo_school(today=today, now=now)
    lessons = Lesson.objects.filter(
        date=today, school_class__grade=7, school_class__letter="Б", subject__name="Математика"
    ).select_related("teacher__user")
    going_on = [lesson for lesson in lessons if lesson_window(lesson)[0] <= now and not is_lesson_over(lesson, now)]
    assert len(going_on) == 1
    lesson = going_on[0]
    assert (lesson.teacher.user.username, lesson.teacher.user.last_name) == ("teacher", "Кузнецова")


@pytest.mark.django_db
def test_every_start_of_the_run_command_has_a_lesson_going_on_again() -> None:
    """`load_demo --if-empty` on a later day (run.sh on every start) moves the consultation to that moment."""
    first = timezone.make_aware(dt.datetime.combine(dt.date(2026, 10, 14), dt.time(10, 12)))
    load_demo_school(today=first.date(), now=first)
    later = timezone.make_aware(dt.datetime.combine(dt.date(2026, 10, 14), dt.time(19, 40)))
    assert refresh_live_lesson(now=later)
    lessons = Lesson.objects.filter(date=later.date(), school_class__grade=7, school_class__letter="Б")
    assert any(lesson_window(lesson)[0] <= later < lesson_window(lesson)[1] for lesson in lessons)


@pytest.mark.django_db
def test_without_the_demo_school_nothing_is_made() -> None:
    assert not refresh_live_lesson(now=timezone.now())
    assert not Lesson.objects.exists()
