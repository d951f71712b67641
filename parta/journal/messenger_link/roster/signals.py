"""Every change of the school's data that the messenger mirrors becomes a mark (changes.note); no work happens here.

Admin edits, the CSV import and services all save through the ORM, so signals see them. Bulk writes
(`bulk_create`, `update()`) send no signals: whoever uses them enqueues a full sync afterwards
(outbox.enqueue_full_sync — the demo loader and the import do).
A receiver costs no query except for deletes and moved load rows, whose ids must be kept before they go.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from parta.journal.accounts.models import User
from parta.journal.messenger_link.refs import person_ref
from parta.journal.messenger_link.roster import changes
from parta.journal.messenger_link.roster.batches import load_key
from parta.journal.messenger_link.roster.changes import Mark
from parta.journal.school.models import (
    AcademicYear,
    ClassGroup,
    Guardianship,
    Parent,
    School,
    SchoolClass,
    Student,
    Subject,
    Teacher,
    TeachingLoad,
)

NAME_FIELDS = {"last_name", "first_name", "patronymic"}
LOAD_FIELDS = {"teacher", "teacher_id", "school_class", "school_class_id", "subject", "subject_id", "group", "group_id"}


def _using(kwargs: dict[str, Any]) -> str:
    return str(kwargs.get("using") or "default")


def _school_changed(sender: type[School], instance: School, **kwargs: Any) -> None:
    changes.note(Mark(changes.SCHOOL, instance.pk, instance.pk), using=_using(kwargs))


def _year_changed(sender: type[AcademicYear], instance: AcademicYear, **kwargs: Any) -> None:
    """Which classes are in the roster depends on the years: the school is sent whole."""
    changes.note(Mark(changes.YEAR, instance.pk, instance.school_id), using=_using(kwargs))


def _class_changed(sender: type[SchoolClass], instance: SchoolClass, **kwargs: Any) -> None:
    changes.note(Mark(changes.CLASS, instance.pk, instance.school_id), using=_using(kwargs))


def _subject_changed(sender: type[Subject], instance: Subject, **kwargs: Any) -> None:
    changes.note(Mark(changes.SUBJECT, instance.pk, instance.school_id), using=_using(kwargs))


def _person_changed(
    sender: type[Teacher | Student | Parent], instance: Teacher | Student | Parent, **kwargs: Any
) -> None:
    kind = {Teacher: changes.TEACHER, Student: changes.STUDENT, Parent: changes.PARENT}[sender]
    mark = Mark(kind, instance.pk, instance.school_id, person_ref(instance.user_id))
    changes.note(mark, using=_using(kwargs))


def _user_saved(sender: type[User], instance: User, update_fields: frozenset[str] | None = None, **kwargs: Any) -> None:
    """A renamed account renames its roles; a sign-in (last_login only) or a new password changes nothing."""
    if update_fields is not None and not NAME_FIELDS & set(update_fields):
        return
    if kwargs.get("created"):
        return  # an account without roles is not in any roster; its role rows will be marked when they are added
    changes.note(Mark(changes.USER, instance.pk), using=_using(kwargs))


def _group_saved(sender: type[ClassGroup], instance: ClassGroup, **kwargs: Any) -> None:
    changes.note(Mark(changes.GROUP, instance.pk), using=_using(kwargs))


def _group_deleting(sender: type[ClassGroup], instance: ClassGroup, **kwargs: Any) -> None:
    school_id = SchoolClass.objects.filter(pk=instance.school_class_id).values_list("school_id", flat=True).first()
    if school_id is not None:
        changes.note(Mark(changes.GROUP, instance.pk, school_id), using=_using(kwargs))


def _group_members_changed(
    sender: type, instance: ClassGroup | Student, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """group.students.add(…) marks the group; student.groups.add(…) marks each group named."""
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if not reverse:
        changes.note(Mark(changes.GROUP, instance.pk), using=_using(kwargs))
        return
    if pk_set is None:  # student.groups.clear(): the groups are known only before
        pk_set = set(ClassGroup.objects.filter(students__pk=instance.pk).values_list("pk", flat=True))
    for group_id in pk_set:
        changes.note(Mark(changes.GROUP, group_id), using=_using(kwargs))


def _guardianship_changed(sender: type[Guardianship], instance: Guardianship, **kwargs: Any) -> None:
    changes.note(Mark(changes.PARENT, instance.parent_id), using=_using(kwargs))


def _children_changed(
    sender: type, instance: Parent | Student, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """parent.children.add(…) writes Guardianship rows without their own signals."""
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if not reverse:
        changes.note(Mark(changes.PARENT, instance.pk), using=_using(kwargs))
        return
    if pk_set is None:
        pk_set = set(Guardianship.objects.filter(student_id=instance.pk).values_list("parent_id", flat=True))
    for parent_id in pk_set:
        changes.note(Mark(changes.PARENT, parent_id), using=_using(kwargs))


def _load_saving(sender: type[TeachingLoad], instance: TeachingLoad, update_fields: Any = None, **kwargs: Any) -> None:
    """A load row pointed at another teacher, class, subject or group: the old combination is deleted."""
    if instance.pk is None or (update_fields is not None and not LOAD_FIELDS & set(update_fields)):
        return
    old = (
        TeachingLoad.objects.filter(pk=instance.pk)
        .values_list(
            "teacher_id", "school_class_id", "subject_id", "group_id", "teacher__user_id", "school_class__school_id"
        )
        .first()
    )
    if old is None or old[:4] == (
        instance.teacher_id,
        instance.school_class_id,
        instance.subject_id,
        instance.group_id,
    ):
        return
    _teacher_id, class_id, subject_id, group_id, teacher_user_id, school_id = old
    key = load_key(teacher_user_id=teacher_user_id, class_id=class_id, subject_id=subject_id, group_id=group_id)
    changes.note(Mark(changes.GONE_LOAD, instance.pk, school_id, load=key), using=_using(kwargs))


def _load_saved(sender: type[TeachingLoad], instance: TeachingLoad, **kwargs: Any) -> None:
    changes.note(Mark(changes.LOAD, instance.pk), using=_using(kwargs))


def _load_deleting(sender: type[TeachingLoad], instance: TeachingLoad, **kwargs: Any) -> None:
    row = TeachingLoad.objects.filter(pk=instance.pk).values_list("teacher__user_id", "school_class__school_id").first()
    if row is None:
        return
    teacher_user_id, school_id = row
    key = load_key(
        teacher_user_id=teacher_user_id,
        class_id=instance.school_class_id,
        subject_id=instance.subject_id,
        group_id=instance.group_id,
    )
    changes.note(Mark(changes.GONE_LOAD, instance.pk, school_id, load=key), using=_using(kwargs))


def connect() -> None:
    """Called once from the app's ready()."""
    uid = "messenger_link"
    for model, receiver in (
        (School, _school_changed),
        (AcademicYear, _year_changed),
        (SchoolClass, _class_changed),
        (Subject, _subject_changed),
        (Teacher, _person_changed),
        (Student, _person_changed),
        (Parent, _person_changed),
        (Guardianship, _guardianship_changed),
    ):
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}.save.{model.__name__}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}.delete.{model.__name__}")
    post_save.connect(_user_saved, sender=User, dispatch_uid=f"{uid}.save.User")
    post_save.connect(_group_saved, sender=ClassGroup, dispatch_uid=f"{uid}.save.ClassGroup")
    pre_delete.connect(_group_deleting, sender=ClassGroup, dispatch_uid=f"{uid}.delete.ClassGroup")
    pre_save.connect(_load_saving, sender=TeachingLoad, dispatch_uid=f"{uid}.presave.TeachingLoad")
    post_save.connect(_load_saved, sender=TeachingLoad, dispatch_uid=f"{uid}.save.TeachingLoad")
    pre_delete.connect(_load_deleting, sender=TeachingLoad, dispatch_uid=f"{uid}.delete.TeachingLoad")
    m2m_changed.connect(_group_members_changed, sender=ClassGroup.students.through, dispatch_uid=f"{uid}.m2m.group")
    m2m_changed.connect(_children_changed, sender=Parent.children.through, dispatch_uid=f"{uid}.m2m.children")
