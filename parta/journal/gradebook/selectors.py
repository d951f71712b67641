"""Reads for the class journal (J2). Query counts are fixed: they do not grow with students or lessons."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple, TypedDict

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from parta.journal.gradebook.models import Absence, Mark
from parta.journal.school.models import Period, SchoolClass, Student, Subject, TeachingLoad
from parta.journal.school.selectors import Roles, list_journal_load
from parta.journal.timetable.models import Lesson


class MarkView(NamedTuple):
    """A mark as the grid shows it; plain tuples keep a 1 200-cell grid cheap to build."""

    value: int
    kind: str


@dataclass(slots=True)
class Cell:
    marks: list[MarkView] = field(default_factory=list)
    absent: bool = False
    applies: bool = True  # false for a group lesson the student is not in


@dataclass
class GridRow:
    student: Student
    cells: list[Cell]
    average: float | None


@dataclass
class JournalGrid:
    school_class: SchoolClass
    subject: Subject
    period: Period
    lessons: list[Lesson]
    rows: list[GridRow]
    editable_lesson_ids: set[int]
    today: dt.date

    @property
    def entry_lesson(self) -> Lesson | None:
        """The lesson «Выставить оценки» opens: today's, else the latest past one, else the first one."""
        editable = [lesson for lesson in self.lessons if lesson.pk in self.editable_lesson_ids]
        past = [lesson for lesson in editable if lesson.date <= self.today]
        if past:
            return past[-1]
        return editable[0] if editable else None


@dataclass
class JournalChoices:
    classes: list[SchoolClass]
    subjects: list[Subject]
    periods: list[Period]

    def as_form_lists(self) -> JournalChoiceLists:
        return {"classes": self.classes, "subjects": self.subjects, "periods": self.periods}


class JournalChoiceLists(TypedDict):
    classes: list[SchoolClass]
    subjects: list[Subject]
    periods: list[Period]


def journal_choices(*, roles: Roles) -> JournalChoices:
    """What «Классный журнал» offers: the person's classes and subjects, and the periods of those classes' years."""
    load = list_journal_load(roles=roles)
    classes = list(SchoolClass.objects.filter(pk__in=load.values("school_class_id")).order_by("grade", "letter"))
    subjects = list(Subject.objects.filter(pk__in=load.values("subject_id")).order_by("name"))
    years = {school_class.year_id for school_class in classes}
    periods = list(
        Period.objects.filter(year_id__in=years).select_related("year").order_by("year__starts_on", "number")
    )
    return JournalChoices(classes=classes, subjects=subjects, periods=periods)


def get_visible_load(*, roles: Roles, class_id: int, subject_id: int) -> list[TeachingLoad]:
    """The load rows of this class and subject the person may open; empty when the journal is not theirs."""
    return list(list_journal_load(roles=roles).filter(school_class_id=class_id, subject_id=subject_id))


def current_period(periods: list[Period], today: dt.date) -> Period | None:
    for period in periods:
        if period.contains(today):
            return period
    past = [period for period in periods if period.starts_on <= today]
    return past[-1] if past else (periods[0] if periods else None)


def may_edit_lesson(*, roles: Roles, lesson: Lesson) -> bool:
    """Only the lesson's own teacher (a substitute included) or the school's admin edits it."""
    return lesson.teacher_id in roles.teacher_ids or roles.administers(lesson.school_id)


def alphabetical(students: list[Student]) -> list[Student]:
    """Russian alphabetical order whatever the database's collation: «ё» sorts as «е», case is ignored."""

    def key(student: Student) -> tuple[str, ...]:
        user = student.user
        return tuple(part.casefold().replace("ё", "е") for part in (user.last_name, user.first_name, user.patronymic))

    return sorted(students, key=key)


def lesson_students(lesson: Lesson) -> list[Student]:
    """The students a lesson is for: its group's, or the whole class's; alphabetical."""
    students = Student.objects.select_related("user")
    if lesson.group_id:
        return alphabetical(list(students.filter(groups__id=lesson.group_id)))
    return alphabetical(list(students.filter(school_class_id=lesson.school_class_id)))


def build_grid(*, roles: Roles, school_class: SchoolClass, subject: Subject, period: Period) -> JournalGrid:
    lessons = list(
        Lesson.objects.filter(
            school_class_id=school_class.pk,
            subject_id=subject.pk,
            date__gte=period.starts_on,
            date__lte=period.ends_on,
        )
        .select_related("teacher__user", "group", "distance")  # the «Дистанционный урок» row: no query of its own
        .defer("distance__attendance")
        .order_by("date", "starts_at")
    )
    roster = Student.objects.filter(school_class_id=school_class.pk).select_related("user")
    if any(lesson.group_id for lesson in lessons):  # groups matter only when some lesson is a group's
        roster = roster.prefetch_related(Prefetch("groups", to_attr="group_list"))
    students = alphabetical(list(roster))
    lesson_ids = [lesson.pk for lesson in lessons]
    marks: dict[tuple[int, int], list[MarkView]] = defaultdict(list)
    rows_of_marks = (
        Mark.objects.filter(lesson_id__in=lesson_ids)
        .order_by("id")
        .values_list("student_id", "lesson_id", "value", "kind")
    )
    for student_id, lesson_id, value, kind in rows_of_marks:
        marks[(student_id, lesson_id)].append(MarkView(value, kind))
    absences = set(Absence.objects.filter(lesson_id__in=lesson_ids).values_list("student_id", "lesson_id"))
    columns = [(lesson.pk, lesson.group_id) for lesson in lessons]
    rows = [_row(student, columns, marks, absences) for student in students]
    editable = {lesson.pk for lesson in lessons if may_edit_lesson(roles=roles, lesson=lesson)}
    return JournalGrid(
        school_class=school_class,
        subject=subject,
        period=period,
        lessons=lessons,
        rows=rows,
        editable_lesson_ids=editable,
        today=timezone.localdate(),
    )


def _row(
    student: Student,
    columns: list[tuple[int, int | None]],
    marks: dict[tuple[int, int], list[MarkView]],
    absences: set[tuple[int, int]],
) -> GridRow:
    student_id = student.pk
    group_ids = {group.pk for group in getattr(student, "group_list", ())}
    cells = [
        Cell(
            marks=marks.get((student_id, lesson_id), []),
            absent=(student_id, lesson_id) in absences,
            applies=group_id is None or group_id in group_ids,
        )
        for lesson_id, group_id in columns
    ]
    values = [mark.value for cell in cells for mark in cell.marks]
    average = round(sum(values) / len(values), 2) if values else None
    return GridRow(student=student, cells=cells, average=average)


def list_lessons_of_day(*, roles: Roles, day: dt.date) -> list[Lesson]:
    """The teacher's own lessons on a day, for the journal's start page."""
    return list(Lesson.objects.filter(teacher_id__in=roles.teacher_ids, date=day).with_names().order_by("starts_at"))


def neighbour_lessons(*, roles: Roles, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """The previous and next lessons of the same class and subject that the person may edit."""
    same = Lesson.objects.filter(school_class_id=lesson.school_class_id, subject_id=lesson.subject_id)
    if not roles.administers(lesson.school_id):
        same = same.filter(teacher_id__in=roles.teacher_ids)
    return _step(same, lesson, "lt"), _step(same, lesson, "gt")


def _step(lessons: QuerySet[Lesson], lesson: Lesson, direction: str) -> Lesson | None:
    """The nearest lesson before ("lt") or after ("gt") `lesson` in (date, start, id) order."""
    date, starts_at = lesson.date, lesson.starts_at
    beyond = (
        Q(**{f"date__{direction}": date})
        | Q(date=date, **{f"starts_at__{direction}": starts_at})
        | Q(date=date, starts_at=starts_at, **{f"pk__{direction}": lesson.pk})
    )
    sign = "-" if direction == "lt" else ""
    return lessons.filter(beyond).order_by(f"{sign}date", f"{sign}starts_at", f"{sign}pk").first()
