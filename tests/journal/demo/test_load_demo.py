# covers: J1, J2, J3, J4
"""`load_demo` builds the demo school a guided tour needs: the fixed accounts, full classes, a year of lessons."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parta.journal.accounts.models import User
from parta.journal.gradebook.models import Absence, Mark, MarkKind
from parta.journal.school.models import (
    AcademicYear,
    ClassGroup,
    Parent,
    Period,
    School,
    SchoolAdmin,
    SchoolClass,
    Student,
    Teacher,
    TeachingLoad,
)
from parta.journal.timetable.models import Lesson, TimetableEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The demo school, loaded once for this module and rolled back after it (loading takes a few seconds)."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def klass(name: str) -> SchoolClass:
    return SchoolClass.objects.get(grade=int(name[:-1]), letter=name[-1])


def test_reports_what_it_loaded(demo: str) -> None:
    assert "Демонстрационная школа «МБОУ «Школа № 17»» загружена" in demo
    assert "demo" in demo


def test_one_school_with_the_current_year_in_four_gapless_quarters(demo: str) -> None:
    school = School.objects.get()
    assert (school.name, school.region) == ("МБОУ «Школа № 17»", "Демонстрационный регион")
    today = timezone.localdate()
    year = AcademicYear.objects.get(school=school)
    assert year.starts_on <= today <= year.ends_on
    assert (year.starts_on.month, year.starts_on.day, year.ends_on.month, year.ends_on.day) == (9, 1, 8, 31)
    assert year.name == f"{year.starts_on.year}/{year.ends_on.year}"
    periods = list(Period.objects.filter(year=year).order_by("number"))
    assert [p.name for p in periods] == ["1 четверть", "2 четверть", "3 четверть", "4 четверть"]
    assert periods[0].starts_on == year.starts_on and periods[-1].ends_on == year.ends_on
    for before, after in itertools.pairwise(periods):
        assert after.starts_on == before.ends_on + dt.timedelta(days=1)
    assert sum(p.contains(today) for p in periods) == 1


def test_classes_are_full_and_led(demo: str) -> None:
    assert SchoolClass.objects.count() >= 4
    for name in ("5А", "5Б", "7А", "7Б"):
        assert klass(name).students.count() == 25, name
    assert set(SchoolClass.objects.annotate(n=Count("students")).values_list("n", flat=True)) == {25}
    assert not SchoolClass.objects.filter(class_teacher=None).exists()


def test_at_least_twelve_teachers_each_with_load(demo: str) -> None:
    assert Teacher.objects.count() >= 12
    assert not Teacher.objects.filter(load=None).exists()


def test_the_tour_accounts_sign_in_with_demo(demo: str, settings: Any) -> None:
    # The module's demo was hashed before the test settings switched to the fast hasher: accept both.
    settings.PASSWORD_HASHERS = [*settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    for username in ("teacher", "student", "parent", "admin"):
        assert Client().login(username=username, password="demo"), username
    assert not User.objects.filter(is_superuser=True).exists()


def test_teacher_leads_7b_teaches_math_and_is_a_parent_in_5b(demo: str) -> None:
    teacher = Teacher.objects.get(user__username="teacher")
    assert klass("7Б").class_teacher_id == teacher.pk
    taught = set(TeachingLoad.objects.filter(teacher=teacher).values_list("subject__name", "school_class__grade",
                                                                          "school_class__letter"))
    assert taught >= {("Математика", 7, "Б"), ("Математика", 5, "А")}
    child = Student.objects.get(guardianships__parent__user__username="teacher")
    assert child.school_class_id == klass("5Б").pk


def test_student_and_parent_with_two_children(demo: str) -> None:
    student = Student.objects.get(user__username="student")
    assert student.school_class_id == klass("7Б").pk
    children = Student.objects.filter(guardianships__parent__user__username="parent")
    assert {c.school_class_id for c in children} == {klass("7Б").pk, klass("5А").pk}
    assert student in children


def test_admin_is_a_school_admin_with_model_permissions(demo: str) -> None:
    admin = User.objects.get(username="admin")
    assert admin.is_staff and not admin.is_superuser
    assert SchoolAdmin.objects.filter(user=admin, school=School.objects.get()).exists()
    assert admin.groups.filter(name="Администраторы школы").exists()
    for permission in (
        "journal_school.add_student", "journal_school.change_schoolclass", "journal_school.delete_teachingload",
        "journal_timetable.change_lesson", "journal_timetable.add_timetableentry", "journal_gradebook.view_mark",
        "journal_gradebook.delete_absence", "journal_accounts.change_user",
    ):
        assert admin.has_perm(permission), permission
    assert not admin.has_perm("journal_school.add_school")


def test_admin_opens_the_admin_and_sees_the_school(demo: str) -> None:
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert "Ученики" in index.content.decode()
    students = client.get(reverse("admin:journal_school_student_changelist"))
    assert students.context["cl"].result_count == Student.objects.count()


def test_people_have_consistent_russian_names_and_ages(demo: str) -> None:
    year_start = AcademicYear.objects.get().starts_on.year
    for student in Student.objects.select_related("user", "school_class"):
        user = student.user
        assert user.last_name and user.first_name and user.patronymic
        female = user.patronymic.endswith("на")
        assert female or user.patronymic.endswith("ич"), user.full_name
        assert user.last_name.endswith(("а", "ая")) == female, user.full_name
        assert student.birth_date is not None
        assert student.birth_date.year == year_start - 6 - student.school_class.grade, user.full_name


def test_every_student_has_one_or_two_parents_and_some_families_two_children(demo: str) -> None:
    per_student = set(Student.objects.annotate(n=Count("guardianships")).values_list("n", flat=True))
    assert per_student == {1, 2}
    in_two_classes = Parent.objects.annotate(classes=Count("children__school_class", distinct=True)).filter(classes=2)
    assert in_two_classes.count() >= 5


def test_english_in_7b_is_split_between_two_teachers(demo: str) -> None:
    groups = ClassGroup.objects.filter(school_class=klass("7Б")).order_by("name")
    assert [g.name for g in groups] == ["Группа 1", "Группа 2"]
    teachers = set(TeachingLoad.objects.filter(group__in=groups).values_list("teacher", flat=True))
    assert len(teachers) == 2
    members = [set(g.students.values_list("pk", flat=True)) for g in groups]
    assert not members[0] & members[1]
    assert members[0] | members[1] == set(klass("7Б").students.values_list("pk", flat=True))


def test_every_class_has_a_full_week_without_double_booking(demo: str) -> None:
    entries = TimetableEntry.objects.filter(period__number=1)
    for school_class in SchoolClass.objects.all():
        slots = set(entries.filter(load__school_class=school_class).values_list("weekday", "bell__number"))
        per_day = Counter(weekday for weekday, _ in slots)
        assert all(4 <= per_day[day] <= 7 for day in range(1, 6)), (school_class, per_day)
        assert per_day[7] == 0
        assert sorted(slots) == sorted((day, n) for day in per_day for n in range(1, per_day[day] + 1))  # no gaps
    busy = entries.values("weekday", "bell", "load__teacher").annotate(n=Count("pk")).filter(n__gt=1)
    assert not busy.exists()
    assert entries.exclude(load__group=None).exists()


def test_lessons_cover_the_whole_year(demo: str) -> None:
    for period in Period.objects.all():
        assert Lesson.objects.filter(date__gte=period.starts_on, date__lte=period.ends_on).exists(), period
    assert Lesson.objects.filter(timetable_entry__isnull=False).count() > 5000


def test_teacher_has_math_today_in_7b_and_5a(demo: str) -> None:
    today = timezone.localdate()
    lessons = Lesson.objects.filter(date=today, teacher__user__username="teacher", subject__name="Математика")
    classes = {(row.school_class.grade, row.school_class.letter) for row in lessons.select_related("school_class")}
    assert classes >= {(7, "Б"), (5, "А")}


def test_past_lessons_have_topics_marks_and_absences(demo: str) -> None:
    today = timezone.localdate()
    past = Lesson.objects.filter(date__lt=today)
    if not past.exists():
        pytest.skip("today is the first day of the academic year")
    assert not past.filter(topic="").exists()
    assert past.exclude(homework="").exists()
    values = Counter(Mark.objects.values_list("value", flat=True))
    assert set(values) <= {1, 2, 3, 4, 5}
    assert values[4] + values[5] > 0.6 * sum(values.values())
    assert Mark.objects.filter(kind=MarkKind.TEST).exists()
    assert Absence.objects.exists()
    marked_share = Mark.objects.exclude(kind=MarkKind.TEST).count() / past.count()
    assert 3 < marked_share < 20  # about a third of a class is marked on an ordinary lesson


def test_nothing_is_written_for_today_or_later(demo: str) -> None:
    today = timezone.localdate()
    assert not Mark.objects.filter(lesson__date__gte=today).exists()
    assert not Absence.objects.filter(lesson__date__gte=today).exists()
    assert not Lesson.objects.filter(date__gte=today).exclude(Q(topic="") | Q(topic="Консультация")).exists()
    assert not Lesson.objects.filter(date__gte=today).exclude(homework="").exists()


def test_if_empty_skips_when_a_school_exists(demo: str) -> None:
    counts = (School.objects.count(), User.objects.count(), Lesson.objects.count(), Mark.objects.count())
    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "уже есть школа" in out.getvalue()
    assert (School.objects.count(), User.objects.count(), Lesson.objects.count(), Mark.objects.count()) == counts


def test_without_if_empty_a_second_load_is_refused(demo: str) -> None:
    with pytest.raises(CommandError, match="--if-empty"):
        call_command("load_demo", stdout=StringIO())
    assert School.objects.count() == 1
