# covers: J1
"""The demo generator's parts: the calendar, the timetable solver, the families; and a demo loaded on hard days."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from parta.journal.demo.curriculum import CLASSES, CURRICULUM
from parta.journal.demo.names import feminine_surname
from parta.journal.demo.people import plan_families
from parta.journal.demo.schedule import build_week
from parta.journal.demo.services import academic_year, load_demo_school, quarters
from parta.journal.timetable.models import Lesson
from tests.journal.builders import make_user


@pytest.mark.parametrize(
    ("today", "name"),
    [(dt.date(2026, 9, 1), "2026/2027"), (dt.date(2027, 8, 31), "2026/2027"), (dt.date(2026, 8, 31), "2025/2026")],
)
def test_academic_year_contains_today(today: dt.date, name: str) -> None:
    starts_on, ends_on, year_name = academic_year(today)
    assert starts_on <= today <= ends_on
    assert year_name == name


def test_quarters_cover_every_day_of_the_year_once() -> None:
    periods = quarters(2026)
    day = dt.date(2026, 9, 1)
    while day <= dt.date(2027, 8, 31):
        assert sum(first <= day <= last for _, first, last in periods) == 1, day
        day += dt.timedelta(days=1)
    assert [number for number, _, _ in periods] == [1, 2, 3, 4]


def test_timetable_is_repeatable_and_teachers_are_never_double_booked() -> None:
    week = build_week(random.Random("17:timetable"))
    assert week == build_week(random.Random("17:timetable"))
    busy: Counter[tuple[int, int, str]] = Counter()
    for days in week.values():
        for day, lessons in enumerate(days):
            for bell, lesson in enumerate(lessons):
                busy.update((day, bell, teacher) for teacher in lesson.teachers)
    assert max(busy.values()) == 1
    for plan in CLASSES:
        taught = Counter(lesson.subject for day in week[plan.name] for lesson in day)
        assert taught == Counter(CURRICULUM[plan.grade])


def test_families_are_repeatable_and_consistent() -> None:
    families = plan_families(random.Random("17:people"))
    assert families == plan_families(random.Random("17:people"))
    for family in families:
        for _, child in family.children:
            expected = feminine_surname(family.surname) if child.female else family.surname
            assert child.last == expected
        assert len({child.patronymic.removesuffix("ич").removesuffix("на")[:4] for _, child in family.children}) == 1


def _weekday_without_7b_math() -> int:
    week = build_week(random.Random("17:timetable"))
    return next(
        day + 1 for day, lessons in enumerate(week["7Б"]) if all(lesson.subject != "Математика" for lesson in lessons)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["sunday", "weekday without 7Б Математика"])
def test_teacher_has_math_in_7b_on_any_day(kind: str) -> None:
    monday = dt.date(2026, 10, 12)
    today = monday + dt.timedelta(days=6 if kind == "sunday" else _weekday_without_7b_math() - 1)
    started = time.monotonic()
    load_demo_school(today=today)
    # A generous bound: hashing each account's password on its own, or saving rows one by one, breaks it.
    assert time.monotonic() - started < 60
    todays = Lesson.objects.filter(date=today)
    math_7b = todays.get(school_class__grade=7, school_class__letter="Б", subject__name="Математика")
    assert (math_7b.teacher.user.username, math_7b.topic, math_7b.timetable_entry_id) == (
        "teacher", "Консультация", None,
    )
    assert todays.filter(teacher=math_7b.teacher, school_class__grade=5, school_class__letter="А").exists()
    others = todays.filter(school_class=math_7b.school_class).exclude(pk=math_7b.pk)
    last_of_class = max((n for n in others.values_list("number", flat=True) if n), default=0)
    assert math_7b.number is not None and math_7b.number > last_of_class
    double = todays.values("teacher", "number").annotate(n=Count("pk")).filter(n__gt=1)
    assert not double.exists()


@pytest.mark.django_db
def test_a_demo_login_taken_without_a_school_is_refused_even_with_if_empty() -> None:
    make_user("Иванов", "Иван", username="teacher")
    with pytest.raises(CommandError, match="демонстрационная учётная запись"):
        call_command("load_demo", "--if-empty", stdout=StringIO())
    assert not Lesson.objects.exists()
