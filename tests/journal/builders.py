"""Builds small schools for tests: real rows in the real database, no mocks."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.utils import timezone

from parta.journal.accounts.models import User
from parta.journal.school.models import (
    AcademicYear,
    Guardianship,
    Parent,
    Period,
    School,
    SchoolAdmin,
    SchoolClass,
    Student,
    Subject,
    Teacher,
    TeachingLoad,
)
from parta.journal.timetable.models import Bell, Lesson

_seq = itertools.count(1)
PASSWORD = "pw-for-tests"


def make_user(last: str, first: str, patronymic: str = "", *, username: str | None = None) -> User:
    user = User(
        username=username or f"user{next(_seq)}", last_name=last, first_name=first, patronymic=patronymic
    )
    user.set_password(PASSWORD)
    user.save()
    return user


@dataclass
class SchoolBuilder:
    school: School
    year: AcademicYear
    period: Period
    bells: list[Bell] = field(default_factory=list)

    @classmethod
    def empty(cls, name: str = "Школа № 1") -> SchoolBuilder:
        today = timezone.localdate()
        school = School.objects.create(name=name)
        year = AcademicYear.objects.create(
            school=school,
            name=f"{today.year}",
            starts_on=today - dt.timedelta(days=120),
            ends_on=today + dt.timedelta(days=120),
        )
        period = Period.objects.create(
            year=year,
            name="2 четверть",
            number=2,
            starts_on=today - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=30),
        )
        bells = [
            Bell.objects.create(
                school=school, number=n, starts_at=dt.time(7 + n, 0), ends_at=dt.time(7 + n, 45)
            )
            for n in range(1, 7)
        ]
        return cls(school=school, year=year, period=period, bells=bells)

    @classmethod
    def small(cls) -> SmallSchool:
        b = cls.empty()
        teacher = b.teacher("Смирнова", "Анна", "Петровна", username="teacher")
        other_teacher = b.teacher("Кузнецов", "Олег", "Иванович", username="teacher2")
        cls_7b = b.school_class(7, "Б", class_teacher=teacher)
        cls_5a = b.school_class(5, "А", class_teacher=other_teacher)
        math = b.subject("Математика")
        russian = b.subject("Русский язык")
        math_7b = b.load(teacher, cls_7b, math)
        russian_7b = b.load(other_teacher, cls_7b, russian)
        math_5a = b.load(teacher, cls_5a, math)
        students = [
            b.student(cls_7b, "Иванов", "Пётр", username="student"),
            b.student(cls_7b, "Алексеева", "Мария"),
            b.student(cls_7b, "Борисов", "Илья"),
        ]
        child_5a = b.student(cls_5a, "Иванова", "Ольга")
        parent = b.parent(
            "Иванова", "Елена", "Сергеевна", children=[students[0], child_5a], username="parent"
        )
        return SmallSchool(
            builder=b,
            teacher=teacher,
            other_teacher=other_teacher,
            cls_7b=cls_7b,
            cls_5a=cls_5a,
            math=math,
            russian=russian,
            math_7b=math_7b,
            russian_7b=russian_7b,
            math_5a=math_5a,
            students=students,
            child_5a=child_5a,
            parent=parent,
        )

    def teacher(self, last: str, first: str, patronymic: str = "", *, username: str | None = None) -> Teacher:
        return Teacher.objects.create(
            user=make_user(last, first, patronymic, username=username), school=self.school
        )

    def school_class(self, grade: int, letter: str, *, class_teacher: Teacher | None = None) -> SchoolClass:
        return SchoolClass.objects.create(
            school=self.school, year=self.year, grade=grade, letter=letter, class_teacher=class_teacher
        )

    def subject(self, name: str) -> Subject:
        return Subject.objects.create(school=self.school, name=name)

    def load(self, teacher: Teacher, school_class: SchoolClass, subject: Subject) -> TeachingLoad:
        return TeachingLoad.objects.create(teacher=teacher, school_class=school_class, subject=subject)

    def student(
        self, school_class: SchoolClass, last: str, first: str, *, username: str | None = None
    ) -> Student:
        return Student.objects.create(
            user=make_user(last, first, username=username), school=self.school, school_class=school_class
        )

    def parent(
        self,
        last: str,
        first: str,
        patronymic: str = "",
        *,
        children: list[Student],
        username: str | None = None,
    ) -> Parent:
        parent = Parent.objects.create(
            user=make_user(last, first, patronymic, username=username), school=self.school
        )
        for child in children:
            Guardianship.objects.create(parent=parent, student=child)
        return parent

    def admin(self, *, username: str = "admin") -> User:
        user = make_user("Админова", "Вера", username=username)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        SchoolAdmin.objects.create(user=user, school=self.school)
        return user

    def lesson(
        self,
        load: TeachingLoad,
        *,
        day: dt.date | None = None,
        number: int = 1,
        teacher: Teacher | None = None,
    ) -> Lesson:
        bell = self.bells[number - 1]
        return Lesson.objects.create(
            school=self.school,
            school_class=load.school_class,
            subject=load.subject,
            group=load.group,
            teacher=teacher or load.teacher,
            date=day or timezone.localdate(),
            number=number,
            starts_at=bell.starts_at,
            ends_at=bell.ends_at,
            room="21",
        )


@dataclass
class SmallSchool:
    builder: SchoolBuilder
    teacher: Teacher
    other_teacher: Teacher
    cls_7b: SchoolClass
    cls_5a: SchoolClass
    math: Subject
    russian: Subject
    math_7b: TeachingLoad
    russian_7b: TeachingLoad
    math_5a: TeachingLoad
    students: list[Student]
    child_5a: Student
    parent: Parent
