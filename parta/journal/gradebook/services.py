"""Writes to the class journal: a lesson's topic, homework, marks and absences (J2)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from parta.journal.accounts.models import User
from parta.journal.gradebook.models import Absence, Mark
from parta.journal.timetable.models import Lesson


class NotYourLesson(PermissionError):
    """The person is neither the lesson's teacher nor the school's admin."""


@dataclass(frozen=True)
class StudentEntry:
    """What the teacher set for one student on one lesson."""

    student_id: int
    absent: bool = False
    new_marks: tuple[tuple[int, str], ...] = ()  # (value, kind)
    changed_marks: dict[int, tuple[int, str] | None] = field(default_factory=dict)  # mark id → new or None: delete


@dataclass
class SaveResult:
    marks_added: int = 0
    marks_changed: int = 0
    marks_deleted: int = 0
    absences_set: int = 0
    absences_cleared: int = 0

    @property
    def changed(self) -> int:
        return sum(vars(self).values())


@transaction.atomic
def save_lesson_marks(
    *, author: User, may_edit: bool, lesson: Lesson, topic: str, homework: str, entries: list[StudentEntry]
) -> SaveResult:
    """Saves the lesson's topic and homework and every student's marks and absence in one transaction.

    `entries` must only name students of the lesson (the form guarantees it). Marks that another session deleted
    meanwhile are skipped rather than recreated. Locks the lesson row so two saves of one lesson serialize.
    """
    if not may_edit:
        raise NotYourLesson
    locked = Lesson.objects.select_for_update().get(pk=lesson.pk)
    if (locked.topic, locked.homework) != (topic, homework):
        locked.topic, locked.homework = topic, homework
        locked.save(update_fields=["topic", "homework"])
    result = SaveResult()
    _save_absences(author=author, lesson=locked, entries=entries, result=result)
    _save_marks(author=author, lesson=locked, entries=entries, result=result)
    return result


def _save_absences(*, author: User, lesson: Lesson, entries: list[StudentEntry], result: SaveResult) -> None:
    absent_now = set(Absence.objects.filter(lesson=lesson).values_list("student_id", flat=True))
    wanted = {entry.student_id for entry in entries if entry.absent}
    listed = {entry.student_id for entry in entries}
    to_clear = (absent_now - wanted) & listed
    to_set = wanted - absent_now
    if to_clear:
        Absence.objects.filter(lesson=lesson, student_id__in=to_clear).delete()
    Absence.objects.bulk_create(
        [Absence(lesson=lesson, student_id=student_id, author=author) for student_id in sorted(to_set)]
    )
    result.absences_set, result.absences_cleared = len(to_set), len(to_clear)


def _save_marks(*, author: User, lesson: Lesson, entries: list[StudentEntry], result: SaveResult) -> None:
    changes = {mark_id: change for entry in entries for mark_id, change in entry.changed_marks.items()}
    owners = {entry.student_id for entry in entries}
    existing = {
        mark.pk: mark for mark in Mark.objects.filter(lesson=lesson, pk__in=changes.keys(), student_id__in=owners)
    }
    to_delete = [mark_id for mark_id, change in changes.items() if change is None and mark_id in existing]
    to_update = []
    for mark_id, change in changes.items():
        mark = existing.get(mark_id)
        if mark is None or change is None or (mark.value, mark.kind) == change:
            continue
        mark.value, mark.kind = change
        to_update.append(mark)
    if to_delete:
        Mark.objects.filter(pk__in=to_delete).delete()
    Mark.objects.bulk_update(to_update, ["value", "kind"])
    new = [
        Mark(lesson=lesson, student_id=entry.student_id, value=value, kind=kind, author=author)
        for entry in entries
        for value, kind in entry.new_marks
    ]
    Mark.objects.bulk_create(new)
    result.marks_added, result.marks_changed, result.marks_deleted = len(new), len(to_update), len(to_delete)
