# covers: J2, J3
"""The class journal and the diary week make the same number of queries whatever the class and period hold."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from parta.journal.diary.selectors import monday_of
from parta.journal.gradebook.models import Absence, Mark
from tests.journal.builders import PASSWORD, SmallSchool


def grow(school: SmallSchool, *, students: int, lessons: int) -> None:
    """Adds students and lessons (with a mark and an absence on each) to 7Б Математика."""
    start = monday_of(timezone.localdate())
    for n in range(students):
        school.builder.student(school.cls_7b, f"Ученик{n:02d}", "Тест")
    for n in range(lessons):
        lesson = school.builder.lesson(
            school.math_7b, day=start + dt.timedelta(days=n % 6), number=1 + n // 6
        )
        Mark.objects.create(lesson=lesson, student=school.students[0], value=5)
        Absence.objects.create(lesson=lesson, student=school.students[1])


def count_queries(fetch: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        fetch()
    return len(captured.captured_queries)


# Session and user (2), roles (1), then the page's own reads; the numbers are pinned so a new N+1 shows up here.
CLASS_JOURNAL_QUERIES = 11
DIARY_WEEK_QUERIES = 8


@pytest.mark.django_db
def test_class_journal_queries_do_not_grow(
    school: SmallSchool, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client = Client()
    client.login(username="teacher", password=PASSWORD)
    params = {"school_class": school.cls_7b.pk, "subject": school.math.pk}
    url = reverse("gradebook:class_journal")

    grow(school, students=1, lessons=2)
    small = count_queries(lambda: client.get(url, params))
    assert small == CLASS_JOURNAL_QUERIES
    grow(school, students=20, lessons=30)
    with django_assert_num_queries(small):
        response = client.get(url, params)
    assert len(response.context["grid"].rows) == 24
    assert len(response.context["grid"].lessons) == 32


@pytest.mark.django_db
def test_diary_week_queries_do_not_grow(
    school: SmallSchool, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client = Client()
    client.login(username="student", password=PASSWORD)
    url = reverse("diary:week")
    grow(school, students=0, lessons=2)
    small = count_queries(lambda: client.get(url))
    assert small == DIARY_WEEK_QUERIES
    grow(school, students=0, lessons=30)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert sum(len(day.lessons) for day in response.context["week"].days) == 32
