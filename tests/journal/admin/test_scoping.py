# covers: J1
"""The admin of school data is scoped: a school admin sees, opens and changes only their own school's rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from parta.journal.accounts.models import User
from parta.journal.gradebook.models import Mark
from parta.journal.school.models import SchoolClass, Student
from tests.journal.builders import SchoolBuilder, SmallSchool, make_user

SCHOOL_APPS = ("journal_school", "journal_timetable", "journal_gradebook")


def grant_school_data_permissions(user: User) -> None:
    """What the «Администраторы школы» group gives: every permission on school data, view/change on accounts."""
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=SCHOOL_APPS),
        *Permission.objects.filter(codename__in=["view_user", "change_user"]),
    )


@dataclass
class TwoSchools:
    own: SmallSchool
    other: SchoolBuilder
    other_class: SchoolClass
    other_student: Student
    admin: Client
    admin_user: User


@pytest.fixture
def two_schools(school: SmallSchool) -> TwoSchools:
    other = SchoolBuilder.empty("Школа № 2")
    other_class = other.school_class(9, "В")
    other_student = other.student(other_class, "Чужаков", "Фёдор", username="stranger")
    admin_user = school.builder.admin()
    grant_school_data_permissions(admin_user)
    client = Client()
    client.force_login(admin_user)
    return TwoSchools(school, other, other_class, other_student, client, admin_user)


def url(name: str, *args: object) -> str:
    return reverse(f"admin:{name}", args=args)


@pytest.mark.django_db
def test_changelist_shows_only_own_school_rows(two_schools: TwoSchools) -> None:
    response = two_schools.admin.get(url("journal_school_student_changelist"))
    assert response.status_code == 200
    shown = {student.pk for student in response.context["cl"].result_list}
    assert shown == set(Student.objects.filter(school=two_schools.own.builder.school).values_list("pk", flat=True))
    body = response.content.decode()
    assert "Иванов Пётр" in body
    assert "Чужаков" not in body
    assert "9В" not in body  # the class filter offers only the classes in the list


@pytest.mark.django_db
def test_changelist_columns_are_russian(two_schools: TwoSchools) -> None:
    body = two_schools.admin.get(url("journal_school_student_changelist")).content.decode()
    for column in ("ФИО", "Класс", "Дата рождения", "Логин", "Школа"):
        assert column in body


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_other_school_student_is_not_found(two_schools: TwoSchools, view: str) -> None:
    response = two_schools.admin.get(url(f"journal_school_student_{view}", two_schools.other_student.pk))
    assert response.status_code == 404
    assert "Чужаков" not in response.content.decode()


@pytest.mark.django_db
def test_other_school_student_cannot_be_changed_or_deleted(two_schools: TwoSchools) -> None:
    student = two_schools.other_student
    changed = two_schools.admin.post(
        url("journal_school_student_change", student.pk),
        {"school": student.school_id, "school_class": student.school_class_id, "user": student.user_id,
         "birth_date": "2010-01-01"},
    )
    deleted = two_schools.admin.post(url("journal_school_student_delete", student.pk), {"post": "yes"})
    assert (changed.status_code, deleted.status_code) == (404, 404)
    student.refresh_from_db()
    assert student.birth_date is None


@pytest.mark.django_db
def test_own_school_student_opens(two_schools: TwoSchools) -> None:
    student = two_schools.own.students[0]
    response = two_schools.admin.get(url("journal_school_student_change", student.pk))
    assert response.status_code == 200
    assert "Иванова Елена Сергеевна" in response.content.decode()  # the parents inline


@pytest.mark.django_db
def test_cannot_add_a_student_to_another_school(two_schools: TwoSchools) -> None:
    other = two_schools.other
    user = make_user("Новиков", "Лев")
    response = two_schools.admin.post(
        url("journal_school_student_add"),
        {"school": other.school.pk, "school_class": two_schools.other_class.pk, "user": user.pk,
         **inline_management("guardianships")},
    )
    assert response.status_code == 200  # the form again, with errors
    assert response.context["adminform"].form.errors.keys() >= {"school", "school_class"}
    assert not Student.objects.filter(user=user).exists()


def inline_management(prefix: str) -> dict[str, str]:
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}


@pytest.mark.django_db
def test_autocomplete_offers_only_own_school(two_schools: TwoSchools) -> None:
    response = two_schools.admin.get(
        reverse("admin:autocomplete"),
        {"app_label": "journal_school", "model_name": "guardianship", "field_name": "student", "term": "Чужаков"},
    )
    assert response.status_code == 200
    assert response.json()["results"] == []
    found = two_schools.admin.get(
        reverse("admin:autocomplete"),
        {"app_label": "journal_school", "model_name": "guardianship", "field_name": "student", "term": "Иванов"},
    ).json()["results"]
    assert {row["text"] for row in found} >= {"Иванов Пётр"}


@pytest.mark.django_db
def test_class_autocomplete_understands_class_names(two_schools: TwoSchools) -> None:
    found = two_schools.admin.get(
        reverse("admin:autocomplete"),
        {"app_label": "journal_school", "model_name": "student", "field_name": "school_class", "term": "7б"},
    ).json()["results"]
    assert [row["text"] for row in found] == ["7Б"]


@pytest.mark.django_db
def test_new_student_with_a_new_account(two_schools: TwoSchools) -> None:
    own = two_schools.own
    response = two_schools.admin.post(
        url("journal_school_student_add"),
        {"school": own.builder.school.pk, "school_class": own.cls_5a.pk, "new_last_name": "Павлова",
         "new_first_name": "Алиса", "new_patronymic": "Игоревна", "new_username": "pavlova.ai",
         "new_password": "Zx9-long-enough-pass", **inline_management("guardianships")},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    student = Student.objects.select_related("user").get(user__username="pavlova.ai")
    assert (student.school_id, student.school_class_id) == (own.builder.school.pk, own.cls_5a.pk)
    assert student.user.full_name == "Павлова Алиса Игоревна"
    assert student.user.check_password("Zx9-long-enough-pass")


@pytest.mark.django_db
def test_new_account_needs_a_free_login(two_schools: TwoSchools) -> None:
    own = two_schools.own
    response = two_schools.admin.post(
        url("journal_school_student_add"),
        {"school": own.builder.school.pk, "school_class": own.cls_5a.pk, "new_last_name": "Павлова",
         "new_first_name": "Алиса", "new_username": "stranger", "new_password": "Zx9-long-enough-pass",
         **inline_management("guardianships")},
    )
    assert response.status_code == 200
    assert "Этот логин уже занят" in response.content.decode()
    assert Student.objects.filter(school=own.builder.school).count() == 4


@pytest.mark.django_db
def test_rows_of_two_schools_cannot_be_mixed(two_schools: TwoSchools) -> None:
    root = make_user("Root", "Root", username="root")
    root.is_staff = root.is_superuser = True
    root.save()
    client = Client()
    client.force_login(root)
    user = make_user("Новиков", "Лев")
    response = client.post(
        url("journal_school_student_add"),
        {"school": two_schools.own.builder.school.pk, "school_class": two_schools.other_class.pk, "user": user.pk,
         **inline_management("guardianships")},
    )
    assert response.status_code == 200
    assert "Выбранные записи относятся к разным школам" in response.content.decode()
    assert not Student.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_superuser_sees_every_school(two_schools: TwoSchools) -> None:
    root = make_user("Root", "Root", username="root")
    root.is_staff = root.is_superuser = True
    root.save()
    client = Client()
    client.force_login(root)
    response = client.get(url("journal_school_student_changelist"))
    assert response.context["cl"].result_count == Student.objects.count() == 5


@pytest.mark.django_db
def test_staff_without_a_school_sees_nothing(two_schools: TwoSchools) -> None:
    clerk = make_user("Клерк", "Иван", username="clerk")
    clerk.is_staff = True
    clerk.save()
    grant_school_data_permissions(clerk)
    client = Client()
    client.force_login(clerk)
    response = client.get(url("journal_school_student_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


@pytest.mark.django_db
def test_accounts_are_scoped_and_staff_accounts_protected(two_schools: TwoSchools) -> None:
    admin = two_schools.admin
    listed = admin.get(url("journal_accounts_user_changelist")).context["cl"].result_list
    assert "stranger" not in {user.username for user in listed}
    assert "teacher" in {user.username for user in listed}
    assert admin.get(url("journal_accounts_user_change", two_schools.other_student.user_id)).status_code == 404
    assert admin.get(url("auth_user_password_change", two_schools.other_student.user_id)).status_code == 404
    colleague = two_schools.own.builder.admin(username="colleague")
    colleague_page = admin.get(url("journal_accounts_user_change", colleague.pk))
    assert colleague_page.status_code == 200 and 'name="username"' not in colleague_page.content.decode()  # read-only
    assert admin.get(url("auth_user_password_change", colleague.pk)).status_code == 403
    own_page = admin.get(url("journal_accounts_user_change", two_schools.admin_user.pk)).content.decode()
    assert 'name="is_superuser"' not in own_page and 'name="is_staff"' not in own_page


@pytest.mark.django_db
def test_mark_added_in_the_admin_keeps_its_author_and_class(two_schools: TwoSchools) -> None:
    own = two_schools.own
    lesson = own.builder.lesson(own.math_7b, day=dt.date.today())  # noqa: DTZ011 - any date will do
    response = two_schools.admin.post(
        url("journal_gradebook_mark_add"), {"lesson": lesson.pk, "student": own.child_5a.pk, "value": "5"}
    )
    assert response.status_code == 200
    assert "не учится в классе этого урока" in response.content.decode()
    response = two_schools.admin.post(
        url("journal_gradebook_mark_add"), {"lesson": lesson.pk, "student": own.students[0].pk, "value": "5"}
    )
    assert response.status_code == 302
    mark = Mark.objects.get(lesson=lesson)
    assert (mark.student_id, mark.value, mark.author_id) == (own.students[0].pk, 5, two_schools.admin_user.pk)


@pytest.mark.django_db
def test_other_school_lesson_mark_is_refused(two_schools: TwoSchools) -> None:
    other = two_schools.other
    load = other.load(other.teacher("Чужая", "Анна"), two_schools.other_class, other.subject("Химия"))
    lesson = other.lesson(load)
    response = two_schools.admin.post(
        url("journal_gradebook_mark_add"),
        {"lesson": lesson.pk, "student": two_schools.other_student.pk, "value": "2"},
    )
    assert response.status_code == 200
    assert not Mark.objects.exists()
    assert two_schools.admin.get(url("journal_timetable_lesson_change", lesson.pk)).status_code == 404
