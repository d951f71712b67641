"""Loading the demo school: one call writes a whole school year that a guided tour can walk through.

The result depends only on the seed and on today's date, so a tour (and a test) always meets the same people:
`teacher`, `student`, `parent` and `admin`, password `demo` (see `curriculum.py`).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parta.journal.accounts.models import User
from parta.journal.demo.curriculum import (
    ADMIN_GROUP,
    BELLS,
    CURRICULUM,
    REGION,
    SCHOOL_NAME,
    SCHOOL_SHORT_NAME,
    SUBJECTS,
    TEACHERS,
)
from parta.journal.demo.history import write_history
from parta.journal.demo.people import FIXED_USERNAMES, People, create_people
from parta.journal.demo.schedule import Week, assignment, build_week
from parta.journal.messenger_link.roster.outbox import enqueue_full_sync
from parta.journal.school.models import AcademicYear, Period, School, SchoolAdmin, Subject, TeachingLoad
from parta.journal.timetable.models import Bell, Lesson, TimetableEntry
from parta.journal.timetable.services import generate_lessons

DEFAULT_SEED = 17
TOUR_LESSONS = ("7Б", "5А")  # classes where `teacher` must have a Математика lesson today
# App labels whose models a school admin manages; the import app's models join when it has some.
ADMIN_APPS = ("journal_school", "journal_timetable", "journal_gradebook", "journal_imports")
# A school admin edits their school but does not create or delete schools, nor appoint other admins.
ADMIN_PERMISSIONS_WITHHELD = {
    "add_school",
    "delete_school",
    "add_schooladmin",
    "change_schooladmin",
    "delete_schooladmin",
}
ADMIN_ACCOUNT_PERMISSIONS = {"view_user", "change_user"}

LoadKey = tuple[str, str, str]  # class name, subject, group name ("" for the whole class)


class DemoNotLoaded(Exception):
    """The database is not empty, so the demo school would mix with real data."""


@dataclass(frozen=True)
class DemoSummary:
    school: School
    classes: int
    students: int
    teachers: int
    lessons: int
    marks: int
    absences: int


def academic_year(today: dt.date) -> tuple[dt.date, dt.date, str]:
    """The Russian academic year that contains `today`: 1 September to 31 August."""
    start_year = today.year if today.month >= 9 else today.year - 1
    return dt.date(start_year, 9, 1), dt.date(start_year + 1, 8, 31), f"{start_year}/{start_year + 1}"


def quarters(start_year: int) -> list[tuple[int, dt.date, dt.date]]:
    """Four contiguous quarters (number, first day, last day) that cover the whole year, holidays included.

    Real quarters stop before each school holiday. Here each holiday belongs to the quarter before it and the
    summer to the fourth quarter, so that every date of the year has a current period: the journal and the
    diary always open on something, whatever day the demo is shown.
    """
    y = start_year
    bounds = [dt.date(y, 9, 1), dt.date(y, 11, 5), dt.date(y + 1, 1, 12), dt.date(y + 1, 4, 1), dt.date(y + 1, 9, 1)]
    return [(n + 1, bounds[n], bounds[n + 1] - dt.timedelta(days=1)) for n in range(4)]


def _create_year(school: School, today: dt.date) -> tuple[AcademicYear, list[Period]]:
    starts_on, ends_on, name = academic_year(today)
    year = AcademicYear.objects.create(school=school, name=name, starts_on=starts_on, ends_on=ends_on)
    periods = [
        Period(year=year, name=f"{number} четверть", number=number, starts_on=first, ends_on=last)
        for number, first, last in quarters(starts_on.year)
    ]
    Period.objects.bulk_create(periods)
    return year, periods


def _create_bells_and_subjects(school: School) -> tuple[list[Bell], dict[str, Subject]]:
    bells = [
        Bell(school=school, number=number, starts_at=starts, ends_at=ends)
        for number, (starts, ends) in enumerate(BELLS, start=1)
    ]
    Bell.objects.bulk_create(bells)
    subjects = {name: Subject(school=school, name=name, short_name=short) for name, short in SUBJECTS.items()}
    Subject.objects.bulk_create(subjects.values())
    return bells, subjects


def _create_load(people: People, subjects: dict[str, Subject]) -> dict[LoadKey, TeachingLoad]:
    loads: dict[LoadKey, TeachingLoad] = {}
    for (class_name, subject), parts in assignment().items():
        school_class = people.classes[class_name]
        for group_name, teacher_key in parts:
            loads[(class_name, subject, group_name)] = TeachingLoad(
                teacher=people.teachers[teacher_key],
                school_class=school_class,
                subject=subjects[subject],
                group=people.groups.get((class_name, group_name)),
                hours_per_week=CURRICULUM[school_class.grade][subject],
            )
    TeachingLoad.objects.bulk_create(loads.values())
    return loads


def _create_timetable(week: Week, periods: list[Period], loads: dict[LoadKey, TeachingLoad], bells: list[Bell]) -> None:
    """The same weekly timetable in every quarter."""
    rooms = {plan.key: plan.room for plan in TEACHERS}
    entries = [
        TimetableEntry(
            period=period,
            load=loads[(class_name, lesson.subject, group_name)],
            weekday=day + 1,
            bell=bell,
            room=rooms[teacher_key],
        )
        for period in periods
        for class_name, days in week.items()
        for day, lessons in enumerate(days)
        for bell, lesson in zip(bells, lessons, strict=False)
        for group_name, teacher_key in lesson.parts
    ]
    TimetableEntry.objects.bulk_create(entries, batch_size=500)


def _free_time(
    load: TeachingLoad, bells: list[Bell], today: dt.date, extra: int
) -> tuple[int | None, dt.time, dt.time]:
    """The first bell after the class's lessons today when the teacher is free, else a slot after the last bell."""
    todays = Lesson.objects.filter(date=today).filter(Q(school_class=load.school_class) | Q(teacher=load.teacher))
    class_numbers = [n for n in todays.filter(school_class=load.school_class).values_list("number", flat=True) if n]
    teacher_numbers = set(todays.filter(teacher=load.teacher).values_list("number", flat=True))
    last = max(class_numbers, default=0)
    for bell in bells:
        if bell.number > last and bell.number not in teacher_numbers:
            return bell.number, bell.starts_at, bell.ends_at
    start = dt.datetime.combine(today, bells[-1].ends_at) + dt.timedelta(minutes=10 + 55 * extra)
    return None, start.time(), (start + dt.timedelta(minutes=45)).time()


def _ensure_tour_lessons(loads: dict[LoadKey, TeachingLoad], bells: list[Bell], today: dt.date) -> None:
    """`teacher` always has Математика today in 7Б and 5А: on a day without it, a «Консультация» is added."""
    rooms = {plan.key: plan.room for plan in TEACHERS}
    for extra, class_name in enumerate(TOUR_LESSONS):
        load = loads[(class_name, "Математика", "")]
        if Lesson.objects.filter(school_class=load.school_class, subject=load.subject, date=today).exists():
            continue
        number, starts_at, ends_at = _free_time(load, bells, today, extra)
        Lesson.objects.create(
            school_id=load.school_class.school_id,
            school_class=load.school_class,
            subject=load.subject,
            teacher=load.teacher,
            date=today,
            number=number,
            starts_at=starts_at,
            ends_at=ends_at,
            room=rooms["teacher"],
            topic="Консультация",
        )


def _ensure_live_lesson(load: TeachingLoad, today: dt.date, now: dt.datetime | None) -> None:
    """7Б Математика is on when the demo is loaded, so the tour's «Создать» in the class journal makes a distance
    lesson at once (V1): a lesson of the class and subject today that covers `now`, else the «Консультация» moved
    to now (or one added), 45 minutes from now rounded down to 5 minutes."""
    if now is None:
        return
    moment = timezone.localtime(now)
    if moment.date() != today:
        return
    lessons = Lesson.objects.filter(school_class=load.school_class, subject=load.subject, date=today)
    at = moment.time().replace(second=0, microsecond=0)
    if lessons.filter(starts_at__lte=at, ends_at__gt=at).exists():
        return
    start = at.replace(minute=at.minute - at.minute % 5)
    end = min(dt.datetime.combine(today, start) + dt.timedelta(minutes=45), dt.datetime.combine(today, dt.time(23, 59)))
    if end.time() <= start:
        return
    times = {"number": None, "starts_at": start, "ends_at": end.time()}
    if lessons.filter(topic="Консультация", timetable_entry=None, distance__isnull=True).update(**times):
        return
    Lesson.objects.create(
        school_id=load.school_class.school_id,
        school_class=load.school_class,
        subject=load.subject,
        teacher=load.teacher,
        date=today,
        room={plan.key: plan.room for plan in TEACHERS}["teacher"],
        topic="Консультация",
        **times,
    )


def refresh_live_lesson(*, now: dt.datetime) -> bool:
    """The run command calls this on every start (`load_demo --if-empty` with the demo there): 7Б Математика has a
    lesson going on now again, for the tour's distance lesson. False when the database holds no demo school."""
    load = (
        TeachingLoad.objects.filter(
            school_class__school__name=SCHOOL_NAME,
            school_class__grade=int(TOUR_LESSONS[0][:-1]),
            school_class__letter=TOUR_LESSONS[0][-1],
            subject__name="Математика",
            group=None,
        )
        .select_related("school_class", "subject", "teacher")
        .first()
    )
    if load is None:
        return False
    with transaction.atomic():
        _ensure_live_lesson(load, timezone.localdate(now), now)
    return True


def _create_school_admin(school: School, user: User) -> None:
    """The «Администраторы школы» group may manage all school data; the SchoolAdmin row limits it to one school."""
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    permissions = Permission.objects.filter(
        Q(content_type__app_label__in=ADMIN_APPS) & ~Q(codename__in=ADMIN_PERMISSIONS_WITHHELD)
        | Q(content_type__app_label="journal_accounts", codename__in=ADMIN_ACCOUNT_PERMISSIONS)
    )
    group.permissions.add(*permissions)
    user.groups.add(group)
    SchoolAdmin.objects.create(school=school, user=user)


@transaction.atomic
def load_demo_school(*, today: dt.date, seed: int = DEFAULT_SEED, now: dt.datetime | None = None) -> DemoSummary:
    """Writes the demo school with its whole academic year; refuses when the database already has a school.

    With `now` (the command passes it), 7Б Математика has a lesson going on at that moment (a distance lesson for the
    tour); without it the result depends only on the seed and `today`."""
    if School.objects.exists() or User.objects.filter(username__in=FIXED_USERNAMES).exists():
        raise DemoNotLoaded
    school = School.objects.create(name=SCHOOL_NAME, short_name=SCHOOL_SHORT_NAME, region=REGION)
    year, periods = _create_year(school, today)
    bells, subjects = _create_bells_and_subjects(school)
    people = create_people(rng=random.Random(f"{seed}:people"), school=school, year=year)
    loads = _create_load(people, subjects)
    _create_timetable(build_week(random.Random(f"{seed}:timetable")), periods, loads, bells)
    for period in periods:
        generate_lessons(period=period)
    _ensure_tour_lessons(loads, bells, today)
    _ensure_live_lesson(loads[(TOUR_LESSONS[0], "Математика", "")], today, now)
    marks, absences = write_history(rng=random.Random(f"{seed}:history"), school=school, people=people, today=today)
    _create_school_admin(school, people.admin)
    # The rows above were bulk-created (no signals): the messenger gets the whole roster once this commits.
    transaction.on_commit(lambda: enqueue_full_sync(school_id=school.pk))
    return DemoSummary(
        school=school,
        classes=len(people.classes),
        students=sum(len(s) for s in people.students.values()),
        teachers=len(people.teachers),
        lessons=Lesson.objects.filter(school=school).count(),
        marks=marks,
        absences=absences,
    )
