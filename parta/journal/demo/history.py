"""The demo school's past: topics, homework, marks and absences on the lessons before today.

Nothing is written for today's or later lessons: a tour (and a test) gives the first mark of the day itself.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone

from parta.journal.demo.curriculum import CURRICULUM
from parta.journal.demo.people import People
from parta.journal.demo.topics import (
    ASSESSED_EVERY,
    ASSESSED_WORK,
    DEFAULT_ASSESSED_WORK,
    homework,
    lesson_topic,
    topics_for,
)
from parta.journal.gradebook.models import Absence, Mark, MarkKind
from parta.journal.school.models import ClassGroup, School, Subject
from parta.journal.timetable.models import Lesson

# How a student usually does: weights of the marks 5, 4, 3, 2.
LEVELS = ((60, 35, 5, 0), (35, 45, 17, 3), (10, 35, 45, 10))
LEVEL_WEIGHTS = (3, 5, 2)
EVERYDAY_KINDS = (MarkKind.ANSWER, "", MarkKind.HOMEWORK, MarkKind.QUIZ)
EVERYDAY_KIND_WEIGHTS = (5, 3, 2, 1)
WEEKS_IN_HALF_YEAR = 17
GIVEN_AT = dt.time(15, 30)


@dataclass(frozen=True)
class _PastLesson:
    id: int
    class_id: int
    subject_id: int
    group_id: int | None
    author_id: int
    date: dt.date


@dataclass
class _School:
    """What the history needs to know about the school, read once."""

    subjects: dict[int, str]
    grades: dict[int, int]
    class_students: dict[int, list[int]]
    group_students: dict[int, list[int]]
    levels: dict[int, tuple[int, ...]]
    sick: dict[int, set[dt.date]]


def _sick_days(rng: random.Random, students: list[int], dates: list[dt.date]) -> dict[int, set[dt.date]]:
    """Most students missed a few school days in a row (a cold), some twice."""
    sick: dict[int, set[dt.date]] = {student: set() for student in students}
    if not dates:
        return sick
    for student in students:
        spells = rng.choices((0, 1, 2), weights=(4, 5, 1))[0]
        for _ in range(spells):
            start = rng.randrange(len(dates))
            sick[student].update(dates[start : start + rng.randint(2, 5)])
    return sick


def _read_school(rng: random.Random, school: School, people: People, dates: list[dt.date]) -> _School:
    class_students = {people.classes[name].pk: [s.pk for s in students] for name, students in people.students.items()}
    group_students: dict[int, list[int]] = {}
    for group_id, student_id in (
        ClassGroup.students.through.objects.filter(classgroup__school_class__school=school)
        .order_by("classgroup_id", "student_id")
        .values_list("classgroup_id", "student_id")
    ):
        group_students.setdefault(group_id, []).append(student_id)
    everyone = [pk for students in class_students.values() for pk in students]
    return _School(
        subjects=dict(Subject.objects.filter(school=school).values_list("pk", "name")),
        grades={c.pk: c.grade for c in people.classes.values()},
        class_students=class_students,
        group_students=group_students,
        levels={pk: rng.choices(LEVELS, weights=LEVEL_WEIGHTS)[0] for pk in everyone},
        sick=_sick_days(rng, everyone, dates),
    )


def _marks(
    rng: random.Random, school: _School, lesson: _PastLesson, present: list[int], kind: str | None
) -> list[Mark]:
    """An assessed work (`kind` given) marks nearly everyone present; an ordinary lesson about a third."""
    if kind:
        marked = [student for student in present if rng.random() < 0.9]
    else:
        marked = rng.sample(present, k=min(len(present), round(len(present) * rng.uniform(0.2, 0.4))))
    return [
        Mark(
            lesson_id=lesson.id,
            student_id=student,
            author_id=lesson.author_id,
            value=rng.choices((5, 4, 3, 2), weights=school.levels[student])[0],
            kind=kind or rng.choices(EVERYDAY_KINDS, weights=EVERYDAY_KIND_WEIGHTS)[0],
        )
        for student in marked
    ]


def _fill_lesson(
    rng: random.Random, school: _School, lesson: _PastLesson, index: int
) -> tuple[Lesson, list[Mark], list[Absence]]:
    subject = school.subjects[lesson.subject_id]
    grade = school.grades[lesson.class_id]
    per_half_year = CURRICULUM[grade][subject] * WEEKS_IN_HALF_YEAR
    number, topic = lesson_topic(subject, grade, index=index, lessons_in_half_year=per_half_year)
    kind: str | None = None
    if index % ASSESSED_EVERY == ASSESSED_EVERY - 1:
        kind, title = ASSESSED_WORK.get(subject, DEFAULT_ASSESSED_WORK)
        topic = title.format(topic=topics_for(subject, grade)[number])
    students = school.group_students[lesson.group_id] if lesson.group_id else school.class_students[lesson.class_id]
    absent = [s for s in students if lesson.date in school.sick[s] or rng.random() < 0.01]
    present = [s for s in students if s not in absent]
    row = Lesson(pk=lesson.id, topic=topic, homework=homework(rng, subject, topic_number=number))
    absences = [Absence(lesson_id=lesson.id, student_id=s, author_id=lesson.author_id) for s in absent]
    return row, _marks(rng, school, lesson, present, kind), absences


def write_history(*, rng: random.Random, school: School, people: People, today: dt.date) -> tuple[int, int]:
    """Fills every lesson before `today`; returns how many marks and absences were written."""
    lessons = [
        _PastLesson(*row)
        for row in Lesson.objects.filter(school=school, date__lt=today)
        .order_by("date", "starts_at", "school_class_id", "subject_id", "group_id")
        .values_list("pk", "school_class_id", "subject_id", "group_id", "teacher__user_id", "date")
    ]
    context = _read_school(rng, school, people, sorted({lesson.date for lesson in lessons}))
    seen: Counter[tuple[int, int, int | None]] = Counter()
    rows: list[Lesson] = []
    marks: list[Mark] = []
    absences: list[Absence] = []
    for lesson in lessons:
        key = (lesson.class_id, lesson.subject_id, lesson.group_id)
        row, lesson_marks, lesson_absences = _fill_lesson(rng, context, lesson, seen[key])
        seen[key] += 1
        rows.append(row)
        marks += lesson_marks
        absences += lesson_absences
    Lesson.objects.bulk_update(rows, ["topic", "homework"], batch_size=500)
    Mark.objects.bulk_create(marks, batch_size=1000)
    Absence.objects.bulk_create(absences, batch_size=1000)
    _backdate(school, sorted({lesson.date for lesson in lessons}))
    return len(marks), len(absences)


def _backdate(school: School, dates: list[dt.date]) -> None:
    """Marks and absences appear given on their lesson's afternoon, not all at the moment the demo was loaded.

    (`created_at` is filled on insert whatever the row says, so it is set by an update afterwards.)
    """
    zone = timezone.get_current_timezone()
    for day in dates:
        given_at = dt.datetime.combine(day, GIVEN_AT, tzinfo=zone)
        Mark.objects.filter(lesson__school=school, lesson__date=day).update(created_at=given_at)
        Absence.objects.filter(lesson__school=school, lesson__date=day).update(created_at=given_at)
