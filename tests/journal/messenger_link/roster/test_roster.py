# covers: C1, L3 (the roster the messenger's automatic chats are made from: a full batch, then every change)
"""Roster serialization: the full batch of a small school, and the small batches that changes produce on commit."""

from __future__ import annotations

from typing import Any

import pytest

from parta.common.integration.schemas import RosterBatch
from parta.journal.messenger_link.models import OutboxItem, SchoolSync
from parta.journal.messenger_link.roster.batches import full_batch
from parta.journal.school.models import ClassGroup, Guardianship, Parent, Student, TeachingLoad
from tests.journal.builders import SchoolBuilder, SmallSchool


def ref(obj: Any) -> str:
    return str(obj.pk)


def person(role: Any) -> str:
    return str(role.user_id)


def build_school() -> SmallSchool:
    """The small school with a group of 7Б and a teacher who is also a parent of a 7Б student."""
    small = SchoolBuilder.small()
    group = ClassGroup.objects.create(school_class=small.cls_7b, name="Группа 1")
    group.students.add(small.students[1], small.students[2])
    english = small.builder.subject("Английский язык")
    TeachingLoad.objects.create(teacher=small.other_teacher, school_class=small.cls_7b, subject=english, group=group)
    as_parent = Parent.objects.create(user=small.teacher.user, school=small.builder.school)
    Guardianship.objects.create(parent=as_parent, student=small.students[2])
    return small


@pytest.fixture
def school(db: None) -> SmallSchool:
    return build_school()


def test_full_batch_lists_the_whole_school(school: SmallSchool) -> None:
    batch = full_batch(school.builder.school, sequence=3)

    assert batch.full and batch.sequence == 3
    assert batch.school.external_id == ref(school.builder.school) and batch.school.name == "Школа № 1"
    classes = {c.name: c for c in batch.upserts.classes}
    assert set(classes) == {"5А", "7Б"}
    assert classes["7Б"].class_teacher_id == person(school.teacher)
    assert {s.name for s in batch.upserts.subjects} == {"Математика", "Русский язык", "Английский язык"}
    teacher = next(t for t in batch.upserts.teachers if t.external_id == person(school.teacher))
    assert (teacher.last_name, teacher.first_name, teacher.patronymic) == ("Смирнова", "Анна", "Петровна")
    students = {s.external_id: s for s in batch.upserts.students}
    assert len(students) == 4
    assert students[person(school.students[0])].class_id == ref(school.cls_7b)
    assert students[person(school.child_5a)].class_id == ref(school.cls_5a)
    parents = {p.external_id: p for p in batch.upserts.parents}
    assert sorted(parents[person(school.parent)].children) == sorted(
        [person(school.students[0]), person(school.child_5a)]
    )
    # A teacher who is also a parent is one person with two roles: the same id among teachers and parents.
    assert parents[person(school.teacher)].children == [person(school.students[2])]
    (group,) = batch.upserts.groups
    assert group.class_id == ref(school.cls_7b)
    assert sorted(group.student_ids) == sorted([person(school.students[1]), person(school.students[2])])
    loads = {(x.teacher_id, x.class_id, x.subject_id, x.group_id) for x in batch.upserts.load}
    assert (person(school.teacher), ref(school.cls_7b), ref(school.math), None) in loads
    assert any(x.group_id == group.external_id for x in batch.upserts.load)
    RosterBatch.model_validate_json(batch.model_dump_json())  # what is sent parses as the contract says


def test_full_batch_query_count_does_not_grow_with_the_school(
    school: SmallSchool, django_assert_max_num_queries: Any
) -> None:
    more = [school.builder.student(school.cls_5a, "Новиков", f"Ученик{n}") for n in range(10)]
    school.builder.parent("Новикова", "Анна", children=more)
    with django_assert_max_num_queries(10):
        batch = full_batch(school.builder.school, sequence=1)
    assert len(batch.upserts.students) == 14


def _outbox(school: SmallSchool) -> list[OutboxItem]:
    return list(OutboxItem.objects.filter(school=school.builder.school).order_by("pk"))


@pytest.fixture
def synced(db: None, django_capture_on_commit_callbacks: Any) -> SmallSchool:
    """The school built in a committed transaction: its first batch (a full one) is queued, changes go as small ones."""
    with django_capture_on_commit_callbacks(execute=True):
        school = build_school()
    (first,) = _outbox(school)
    assert first.full and first.sequence == 1
    return school


def _change(school: SmallSchool, capture: Any, action: Any) -> RosterBatch:
    before = {item.pk for item in _outbox(school)}
    with capture(execute=True):
        action()
    (new,) = [item for item in _outbox(school) if item.pk not in before]
    batch = RosterBatch.model_validate(new.payload)
    assert not batch.full and batch.sequence == new.sequence
    return batch


def test_moving_a_student_sends_the_student_with_the_new_class(
    synced: SmallSchool, django_capture_on_commit_callbacks: Any
) -> None:
    student = synced.students[0]

    def move() -> None:
        student.school_class = synced.cls_5a
        student.save()

    batch = _change(synced, django_capture_on_commit_callbacks, move)

    assert [(s.external_id, s.class_id) for s in batch.upserts.students] == [(person(student), ref(synced.cls_5a))]
    assert batch.sequence == SchoolSync.objects.get(school=synced.builder.school).last_sequence


def test_a_deleted_student_is_a_delete(synced: SmallSchool, django_capture_on_commit_callbacks: Any) -> None:
    student = synced.students[1]
    batch = _change(synced, django_capture_on_commit_callbacks, lambda: Student.objects.filter(pk=student.pk).delete())
    assert batch.deletes.students == [person(student)]
    # The student's group and guardianships went with them; the group is sent as it is now.
    assert batch.upserts.students == []


def test_renaming_an_account_renames_each_of_its_roles(
    synced: SmallSchool, django_capture_on_commit_callbacks: Any
) -> None:
    user = synced.teacher.user

    def rename() -> None:
        user.last_name = "Петрова"
        user.save()

    batch = _change(synced, django_capture_on_commit_callbacks, rename)
    assert [t.last_name for t in batch.upserts.teachers] == ["Петрова"]
    assert [p.last_name for p in batch.upserts.parents] == ["Петрова"]  # the same account is also a parent


def test_a_sign_in_changes_nothing(synced: SmallSchool, django_capture_on_commit_callbacks: Any) -> None:
    before = len(_outbox(synced))
    with django_capture_on_commit_callbacks(execute=True):
        user = synced.teacher.user
        user.set_password("new-password-123")
        user.save(update_fields=["password", "last_login"])
    assert len(_outbox(synced)) == before


def test_class_teacher_change_group_members_and_children_are_sent(
    synced: SmallSchool, django_capture_on_commit_callbacks: Any
) -> None:
    group = ClassGroup.objects.get()
    newcomer = synced.students[0]

    def change() -> None:
        cls = synced.cls_7b
        cls.class_teacher = synced.other_teacher
        cls.save()
        newcomer.groups.add(group)
        synced.parent.children.remove(synced.child_5a)

    batch = _change(synced, django_capture_on_commit_callbacks, change)
    assert [(c.name, c.class_teacher_id) for c in batch.upserts.classes] == [("7Б", person(synced.other_teacher))]
    assert person(newcomer) in batch.upserts.groups[0].student_ids
    (parent,) = batch.upserts.parents
    assert parent.children == [person(synced.students[0])]


def test_load_moved_to_another_teacher_deletes_the_old_row(
    synced: SmallSchool, django_capture_on_commit_callbacks: Any
) -> None:
    load = synced.math_5a

    def move() -> None:
        load.teacher = synced.other_teacher
        load.save()

    batch = _change(synced, django_capture_on_commit_callbacks, move)
    old = (person(synced.teacher), ref(synced.cls_5a), ref(synced.math), None)
    new = (person(synced.other_teacher), ref(synced.cls_5a), ref(synced.math), None)
    assert [(x.teacher_id, x.class_id, x.subject_id, x.group_id) for x in batch.deletes.load] == [old]
    assert [(x.teacher_id, x.class_id, x.subject_id, x.group_id) for x in batch.upserts.load] == [new]


def test_deleted_load_row_is_a_delete(synced: SmallSchool, django_capture_on_commit_callbacks: Any) -> None:
    load = synced.russian_7b
    batch = _change(
        synced, django_capture_on_commit_callbacks, lambda: TeachingLoad.objects.filter(pk=load.pk).delete()
    )
    assert [(x.teacher_id, x.subject_id) for x in batch.deletes.load] == [
        (person(synced.other_teacher), ref(synced.russian))
    ]


def test_one_transaction_is_one_batch(synced: SmallSchool, django_capture_on_commit_callbacks: Any) -> None:
    def many() -> None:
        for n in range(5):
            synced.builder.student(synced.cls_5a, "Сидоров", f"Ученик{n}")

    batch = _change(synced, django_capture_on_commit_callbacks, many)  # exactly one new outbox row
    assert len(batch.upserts.students) == 5


def test_a_rolled_back_change_sends_nothing(synced: SmallSchool, django_capture_on_commit_callbacks: Any) -> None:
    from django.db import transaction

    before = len(_outbox(synced))
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                synced.builder.student(synced.cls_5a, "Ошибкин", "Пётр")
                raise RuntimeError("the import row failed")
        except RuntimeError:
            pass
    assert len(_outbox(synced)) == before


def test_the_first_batch_of_a_school_is_a_full_one(db: None, django_capture_on_commit_callbacks: Any) -> None:
    """However the school came to be (admin, import, builders), the messenger first gets it whole."""
    with django_capture_on_commit_callbacks(execute=True):
        school = SchoolBuilder.small()
    (item,) = _outbox(school)
    assert item.full and item.sequence == 1
    assert len(item.payload["upserts"]["students"]) == 4
    assert len(item.payload["upserts"]["load"]) == 3
