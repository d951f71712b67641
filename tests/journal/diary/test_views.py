# covers: J3, J4
import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parta.journal.diary.selectors import monday_of
from parta.journal.gradebook.models import Absence, Mark
from parta.journal.school.models import ClassGroup
from tests.journal.builders import PASSWORD, SmallSchool


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_student_sees_own_week_with_marks_homework_and_absence(school: SmallSchool) -> None:
    today = timezone.localdate()
    lesson = school.builder.lesson(school.math_7b, day=today)
    lesson.homework = "Параграф 12"
    lesson.topic = "Дроби"
    lesson.save(update_fields=["homework", "topic"])
    other = school.builder.lesson(school.russian_7b, day=today, number=2)
    me = school.students[0]
    Mark.objects.create(lesson=lesson, student=me, value=5)
    Mark.objects.create(lesson=lesson, student=school.students[1], value=2)  # not mine
    Absence.objects.create(lesson=other, student=me)
    response = client_for("student").get(reverse("diary:week"))
    assert response.status_code == 200
    week = response.context["week"]
    assert week.student.pk == me.pk
    assert week.monday == monday_of(today)
    day = next(d for d in week.days if d.date == today)
    assert [(item.lesson.pk, [m.value for m in item.marks], item.absent) for item in day.lessons] == [
        (lesson.pk, [5], False),
        (other.pk, [], True),
    ]
    body = response.content.decode()
    assert "Параграф 12" in body
    assert "Дроби" in body


@pytest.mark.django_db
def test_week_has_monday_to_saturday_and_pages(school: SmallSchool) -> None:
    monday = monday_of(timezone.localdate())
    client = client_for("student")
    week = client.get(reverse("diary:week"), {"week": (monday + dt.timedelta(days=9)).isoformat()}).context[
        "week"
    ]
    assert week.monday == monday + dt.timedelta(days=7)
    assert [d.date.isoweekday() for d in week.days] == [1, 2, 3, 4, 5, 6]
    assert week.previous_monday == monday
    # a garbage week parameter falls back to this week instead of failing
    assert client.get(reverse("diary:week"), {"week": "yesterday"}).context["week"].monday == monday


@pytest.mark.django_db
def test_sunday_appears_only_when_it_has_lessons(school: SmallSchool) -> None:
    monday = monday_of(timezone.localdate())
    school.builder.lesson(school.math_7b, day=monday + dt.timedelta(days=6))
    week = client_for("student").get(reverse("diary:week")).context["week"]
    assert [d.date.isoweekday() for d in week.days] == [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.django_db
def test_group_lessons_show_only_to_group_members(school: SmallSchool) -> None:
    group = ClassGroup.objects.create(school_class=school.cls_7b, name="Группа 2")
    group.students.add(school.students[1])
    load = school.builder.load(school.other_teacher, school.cls_7b, school.builder.subject("Английский язык"))
    load.group = group
    load.save(update_fields=["group"])
    lesson = school.builder.lesson(load)
    week = client_for("student").get(reverse("diary:week")).context["week"]
    assert lesson.pk not in {item.lesson.pk for day in week.days for item in day.lessons}


@pytest.mark.django_db
def test_parent_switches_between_children_in_different_classes(school: SmallSchool) -> None:
    client = client_for("parent")
    response = client.get(reverse("diary:week"))
    children = response.context["children"]
    assert {child.pk for child in children} == {school.students[0].pk, school.child_5a.pk}
    first = response.context["student"]
    second = next(child for child in children if child.pk != first.pk)
    response = client.get(reverse("diary:student_week", args=[second.pk]))
    assert response.status_code == 200
    assert response.context["student"].pk == second.pk
    assert 'aria-current="page"' in response.content.decode()


@pytest.mark.django_db
def test_student_cannot_open_another_students_diary(school: SmallSchool) -> None:
    other = school.students[1]
    response = client_for("student").get(reverse("diary:student_week", args=[other.pk]))
    assert response.status_code == 404
    assert other.user.last_name not in response.content.decode()


@pytest.mark.django_db
def test_parent_cannot_open_a_diary_of_someone_elses_child(school: SmallSchool) -> None:
    response = client_for("parent").get(reverse("diary:student_week", args=[school.students[2].pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_teacher_without_children_has_no_diary_but_admin_opens_any_in_school(school: SmallSchool) -> None:
    assert client_for("teacher").get(reverse("diary:week")).status_code == 404
    school.builder.admin(username="headteacher")
    response = client_for("headteacher").get(reverse("diary:student_week", args=[school.students[2].pk]))
    assert response.status_code == 200
