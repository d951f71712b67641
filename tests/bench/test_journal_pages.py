"""Server time and query counts of the class journal (30 students × 40 lessons) and the diary week.

Run: `scripts/bench.sh` (SQLite) or `PARTA_BENCH_DB=postgres scripts/bench.sh`.
Prints figures; asserts nothing about time.
Server time is measured in-process through Django's full request handling (middleware, view, template), without the
network and the ASGI server: the part of a response the code decides.
"""

import datetime as dt
import random
import statistics
import time
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from parta.journal.diary.selectors import monday_of
from parta.journal.gradebook.models import Absence, Mark, MarkKind
from parta.journal.timetable.models import Lesson
from tests.journal.builders import PASSWORD, SchoolBuilder, SmallSchool

pytestmark = pytest.mark.bench
WARMUP, RUNS = 20, 200


def measure(name: str, fetch: Callable[[], object]) -> None:
    for _ in range(WARMUP):
        fetch()
    with CaptureQueriesContext(connection) as captured:
        fetch()
    queries = len(captured)
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fetch()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"\nBENCH {name} [{connection.vendor}]: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"max {timings[-1]:.1f} ms, {queries} queries, {RUNS} runs"
    )


def fill_class_journal(school: SmallSchool, *, students: int, lessons: int) -> None:
    rng = random.Random(7)
    builder = school.builder
    for n in range(students - len(school.students)):
        builder.student(school.cls_7b, f"Фамилия{n:02d}", "Имя")
    start = builder.period.starts_on
    created = [
        builder.lesson(school.math_7b, day=start + dt.timedelta(days=n), number=1) for n in range(lessons)
    ]
    roster = list(school.cls_7b.students.all())
    Mark.objects.bulk_create(
        Mark(
            lesson=lesson,
            student=student,
            value=rng.choice([3, 4, 4, 5, 5]),
            kind=rng.choice(["", MarkKind.TEST]),
        )
        for lesson in created
        for student in roster
        if rng.random() < 0.3
    )
    Absence.objects.bulk_create(
        Absence(lesson=lesson, student=student)
        for lesson in created
        for student in roster
        if rng.random() < 0.05
    )


def fill_week(school: SmallSchool) -> None:
    monday = monday_of(timezone.localdate())
    for day in range(6):
        for number in range(1, 7):
            lesson = school.builder.lesson(
                school.math_7b if number % 2 else school.russian_7b,
                day=monday + dt.timedelta(days=day),
                number=number,
            )
            Lesson.objects.filter(pk=lesson.pk).update(topic="Тема урока", homework="Упражнения 1–5")
            Mark.objects.create(lesson=lesson, student=school.students[0], value=5)


@pytest.mark.django_db
def test_bench_class_journal() -> None:
    school = SchoolBuilder.small()
    fill_class_journal(school, students=30, lessons=40)
    client = Client()
    assert client.login(username="teacher", password=PASSWORD)
    params = {"school_class": school.cls_7b.pk, "subject": school.math.pk}
    url = reverse("gradebook:class_journal")
    response = client.get(url, params)
    assert len(response.context["grid"].rows) == 30
    assert len(response.context["grid"].lessons) == 40
    measure("class journal 30 students x 40 lessons", lambda: client.get(url, params))


@pytest.mark.django_db
def test_bench_diary_week() -> None:
    school = SchoolBuilder.small()
    fill_week(school)
    client = Client()
    assert client.login(username="student", password=PASSWORD)
    url = reverse("diary:week")
    assert sum(len(day.lessons) for day in client.get(url).context["week"].days) == 36
    measure("diary week 36 lessons", lambda: client.get(url))
