# covers: J2, J4
import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parta.journal.gradebook.models import Absence, Mark, MarkKind
from tests.journal.builders import PASSWORD, SmallSchool


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def marks_url(lesson_id: int) -> str:
    return reverse("gradebook:lesson_marks", args=[lesson_id])


def post_data(s: SmallSchool, **fields: str) -> dict[str, str]:
    data = {"topic": "", "homework": ""}
    data.update(fields)
    return data


@pytest.mark.django_db
def test_teacher_gives_mark_absence_topic_and_homework(school: SmallSchool) -> None:
    lesson = school.builder.lesson(school.math_7b)
    first, second, _ = school.students
    client = client_for("teacher")
    response = client.post(
        marks_url(lesson.pk),
        post_data(
            school,
            topic="Линейные уравнения",
            homework="№ 124, 125",
            **{f"new_{first.pk}": "5", f"kind_{first.pk}": MarkKind.TEST, f"absent_{second.pk}": "on"},
        ),
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert (lesson.topic, lesson.homework) == ("Линейные уравнения", "№ 124, 125")
    mark = Mark.objects.get(lesson=lesson)
    assert (mark.student_id, mark.value, mark.kind) == (first.pk, 5, MarkKind.TEST)
    assert list(Absence.objects.filter(lesson=lesson).values_list("student_id", flat=True)) == [second.pk]

    page = client.get(marks_url(lesson.pk))
    assert "Изменения сохранены" in page.content.decode()


@pytest.mark.django_db
def test_existing_mark_is_changed_and_deleted_and_absence_cleared(school: SmallSchool) -> None:
    lesson = school.builder.lesson(school.math_7b)
    student = school.students[0]
    keep = Mark.objects.create(lesson=lesson, student=student, value=3)
    drop = Mark.objects.create(lesson=lesson, student=student, value=2)
    Absence.objects.create(lesson=lesson, student=school.students[1])
    client = client_for("teacher")
    client.post(
        marks_url(lesson.pk),
        post_data(school, **{f"mark_{keep.pk}": "4", f"markkind_{keep.pk}": "quiz", f"mark_{drop.pk}": ""}),
    )
    assert list(Mark.objects.filter(lesson=lesson).values_list("pk", "value", "kind")) == [
        (keep.pk, 4, "quiz")
    ]
    assert not Absence.objects.filter(lesson=lesson).exists()


@pytest.mark.django_db
def test_invalid_mark_is_refused_and_typed_text_is_kept(school: SmallSchool) -> None:
    lesson = school.builder.lesson(school.math_7b)
    student = school.students[0]
    client = client_for("teacher")
    response = client.post(
        marks_url(lesson.pk), post_data(school, topic="Дроби", **{f"new_{student.pk}": "7"})
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Дроби"' in body
    assert "ничего не сохранено" in body.lower() or "nothing was saved" in body.lower()
    lesson.refresh_from_db()
    assert lesson.topic == ""
    assert not Mark.objects.exists()


@pytest.mark.django_db
def test_teacher_cannot_edit_a_lesson_of_a_subject_he_does_not_teach(school: SmallSchool) -> None:
    lesson = school.builder.lesson(school.russian_7b)  # taught by other_teacher
    student = school.students[0]
    client = client_for("teacher")
    assert client.get(marks_url(lesson.pk)).status_code == 403
    response = client.post(marks_url(lesson.pk), post_data(school, topic="x", **{f"new_{student.pk}": "5"}))
    assert response.status_code == 403
    assert not Mark.objects.exists()
    lesson.refresh_from_db()
    assert lesson.topic == ""


@pytest.mark.django_db
def test_substitute_teacher_edits_the_lesson_and_the_replaced_one_does_not(school: SmallSchool) -> None:
    lesson = school.builder.lesson(school.math_7b, teacher=school.other_teacher)
    lesson.replaced_teacher = school.teacher
    lesson.save(update_fields=["replaced_teacher"])
    assert client_for("teacher2").get(marks_url(lesson.pk)).status_code == 200
    assert client_for("teacher").get(marks_url(lesson.pk)).status_code == 403


@pytest.mark.django_db
def test_school_admin_edits_any_lesson_of_the_school(school: SmallSchool) -> None:
    school.builder.admin(username="headteacher")
    lesson = school.builder.lesson(school.russian_7b)
    assert client_for("headteacher").get(marks_url(lesson.pk)).status_code == 200


@pytest.mark.django_db
def test_students_and_parents_cannot_open_the_journal(school: SmallSchool) -> None:
    lesson = school.builder.lesson(school.math_7b)
    for username in ("student", "parent"):
        client = client_for(username)
        assert client.get(reverse("gradebook:class_journal")).status_code == 403
        assert client.get(marks_url(lesson.pk)).status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(school: SmallSchool) -> None:
    response = Client().get(reverse("gradebook:class_journal"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_grid_shows_students_alphabetically_and_marks_by_date(school: SmallSchool) -> None:
    today = timezone.localdate()
    earlier = school.builder.lesson(school.math_7b, day=today - dt.timedelta(days=2))
    lesson = school.builder.lesson(school.math_7b, day=today)
    Mark.objects.create(lesson=earlier, student=school.students[0], value=4)
    Absence.objects.create(lesson=lesson, student=school.students[2])
    client = client_for("teacher")
    response = client.get(
        reverse("gradebook:class_journal"),
        {"school_class": school.cls_7b.pk, "subject": school.math.pk},
    )
    assert response.status_code == 200
    grid = response.context["grid"]
    assert [row.student.user.last_name for row in grid.rows] == ["Алексеева", "Борисов", "Иванов"]
    assert [item.pk for item in grid.lessons] == [earlier.pk, lesson.pk]
    ivanov = grid.rows[2]
    assert [m.value for m in ivanov.cells[0].marks] == [4]
    assert grid.rows[1].cells[1].absent
    assert grid.entry_lesson.pk == lesson.pk
    body = response.content.decode()
    assert "Дистанционный урок" in body
    assert "Выставить оценки" in body


@pytest.mark.django_db
def test_teacher_cannot_load_a_journal_that_is_not_his(school: SmallSchool) -> None:
    # teacher2 teaches Russian in 7Б and is class teacher of 5А; Математика in 7Б is not his.
    response = client_for("teacher2").get(
        reverse("gradebook:class_journal"), {"school_class": school.cls_7b.pk, "subject": school.math.pk}
    )
    assert response.status_code == 400
    assert "grid" not in response.context


@pytest.mark.django_db
def test_class_teacher_sees_other_subjects_of_his_class_read_only(school: SmallSchool) -> None:
    lesson = school.builder.lesson(school.russian_7b)
    response = client_for("teacher").get(
        reverse("gradebook:class_journal"), {"school_class": school.cls_7b.pk, "subject": school.russian.pk}
    )
    assert response.status_code == 200
    grid = response.context["grid"]
    assert [item.pk for item in grid.lessons] == [lesson.pk]
    assert grid.editable_lesson_ids == set()
    assert grid.entry_lesson is None


@pytest.mark.django_db
def test_bad_query_parameters_answer_400_not_500(school: SmallSchool) -> None:
    client = client_for("teacher")
    for params in ({"school_class": "abc", "subject": "1"}, {"school_class": "999999", "subject": "999999"}):
        assert client.get(reverse("gradebook:class_journal"), params).status_code == 400


@pytest.mark.django_db
def test_students_sort_in_russian_alphabetical_order_whatever_the_collation(school: SmallSchool) -> None:
    for last in ("Ёлкин", "Жуков", "Евдокимов"):
        school.builder.student(school.cls_7b, last, "Иван")
    response = client_for("teacher").get(
        reverse("gradebook:class_journal"), {"school_class": school.cls_7b.pk, "subject": school.math.pk}
    )
    names = [row.student.user.last_name for row in response.context["grid"].rows]
    assert names == ["Алексеева", "Борисов", "Евдокимов", "Ёлкин", "Жуков", "Иванов"]


@pytest.mark.django_db
def test_current_period_is_preselected_before_loading(school: SmallSchool) -> None:
    form = client_for("teacher").get(reverse("gradebook:class_journal")).context["form"]
    assert form["period"].value() == school.builder.period.pk


@pytest.mark.django_db
def test_marks_page_links_to_the_teachers_previous_and_next_lessons(school: SmallSchool) -> None:
    today = timezone.localdate()
    first = school.builder.lesson(school.math_7b, day=today - dt.timedelta(days=1))
    second = school.builder.lesson(school.math_7b, day=today, number=1)
    third = school.builder.lesson(school.math_7b, day=today, number=2)
    school.builder.lesson(school.russian_7b, day=today, number=3)  # another teacher's subject: never a neighbour
    context = client_for("teacher").get(marks_url(second.pk)).context
    assert (context["previous_lesson"].pk, context["next_lesson"].pk) == (first.pk, third.pk)
    context = client_for("teacher").get(marks_url(third.pk)).context
    assert (context["previous_lesson"].pk, context["next_lesson"]) == (second.pk, None)
