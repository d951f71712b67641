"""Reads for «Дневник» (J3): a student's week. Four queries, whatever the week holds."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from parta.journal.gradebook.models import Absence, Mark
from parta.journal.school.models import Student
from parta.journal.timetable.models import Lesson


@dataclass
class DiaryLesson:
    lesson: Lesson
    marks: list[Mark] = field(default_factory=list)
    absent: bool = False


@dataclass
class DiaryDay:
    date: dt.date
    lessons: list[DiaryLesson]


@dataclass
class DiaryWeek:
    student: Student
    monday: dt.date
    days: list[DiaryDay]

    @property
    def previous_monday(self) -> dt.date:
        return self.monday - dt.timedelta(days=7)

    @property
    def next_monday(self) -> dt.date:
        return self.monday + dt.timedelta(days=7)

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def diary_week(*, student: Student, monday: dt.date) -> DiaryWeek:
    """Monday–Saturday of the student's lessons (Sunday too when something is on it), with marks and «Н»."""
    sunday = monday + dt.timedelta(days=6)
    group_ids = list(student.groups.values_list("pk", flat=True))
    lessons = list(
        Lesson.objects.filter(school_class_id=student.school_class_id, date__gte=monday, date__lte=sunday)
        .filter(Q(group__isnull=True) | Q(group_id__in=group_ids))
        .select_related("subject", "teacher__user", "group", "distance")  # the distance-lesson icon, no extra query
        .defer("distance__attendance")
        .order_by("date", "starts_at")
    )
    lesson_ids = [lesson.pk for lesson in lessons]
    marks: dict[int, list[Mark]] = defaultdict(list)
    for mark in Mark.objects.filter(student=student, lesson_id__in=lesson_ids).order_by("id"):
        marks[mark.lesson_id].append(mark)
    absent = set(Absence.objects.filter(student=student, lesson_id__in=lesson_ids).values_list("lesson_id", flat=True))
    by_day: dict[dt.date, list[DiaryLesson]] = defaultdict(list)
    for lesson in lessons:
        by_day[lesson.date].append(DiaryLesson(lesson=lesson, marks=marks[lesson.pk], absent=lesson.pk in absent))
    days = [
        DiaryDay(date=monday + dt.timedelta(days=offset), lessons=by_day[monday + dt.timedelta(days=offset)])
        for offset in range(7)
        if offset < 6 or by_day[monday + dt.timedelta(days=offset)]
    ]
    return DiaryWeek(student=student, monday=monday, days=days)
