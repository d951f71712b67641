"""Roster changes noted while a transaction runs, turned into outbox batches once it commits.

Signals (signals.py) call `note()` for every row of the school's data that is saved or deleted. The marks collect on
the database connection, and `transaction.on_commit` turns them, per school, into one small RosterBatch built from
the data as committed (outbox.enqueue_roster_changes) — so a CSV chunk of a hundred rows is one batch, a rolled
back change sends nothing, and the batch never carries a state that was not committed. A mark whose row is gone by
then becomes a delete; that is why a mark keeps the school and the person's id it had.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from parta.journal.messenger_link.refs import person_ref
from parta.journal.messenger_link.roster import outbox
from parta.journal.messenger_link.roster.batches import LoadKey, SchoolChanges
from parta.journal.school.models import ClassGroup, Parent, Student, Teacher, TeachingLoad

logger = logging.getLogger(__name__)
_ATTRIBUTE = "_parta_roster_marks"

# Kinds of marks. "year" and "full" make the school's next batch a full one.
SCHOOL, YEAR, FULL, CLASS, SUBJECT, GROUP, LOAD, GONE_LOAD = (
    "school",
    "year",
    "full",
    "class",
    "subject",
    "group",
    "load",
    "gone_load",
)
TEACHER, STUDENT, PARENT, USER = "teacher", "student", "parent", "user"
PEOPLE: dict[str, type[Teacher] | type[Student] | type[Parent]] = {TEACHER: Teacher, STUDENT: Student, PARENT: Parent}


@dataclass(frozen=True)
class Mark:
    """One changed row. `school_id` is None when finding it would cost a query now; the flush looks it up."""

    kind: str
    pk: int
    school_id: int | None = None
    person: str = ""  # a role row's person ref (the account id)
    load: LoadKey | None = None  # a deleted or moved load row's four ids


class _Pending:
    """The marks of one transaction, and its on-commit callback."""

    def __init__(self) -> None:
        self.marks: set[Mark] = set()
        self.done = False

    def __call__(self) -> None:
        self.done = True
        flush(self.marks)


def note(mark: Mark, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Remembers a change; the batch is written after the transaction commits (at once outside a transaction)."""
    connection = connections[using]
    if not connection.in_atomic_block:
        flush({mark})
        return
    pending: _Pending | None = getattr(connection, _ATTRIBUTE, None)
    # A transaction that rolled back took its callback with it (Django empties `run_on_commit`): start afresh, so
    # its marks are never sent. Marks of a savepoint that rolled back inside a committed transaction stay; they
    # cost at most an upsert of an unchanged row or a delete of an id the messenger never had.
    if pending is None or pending.done or not any(entry[1] is pending for entry in connection.run_on_commit):
        pending = _Pending()
        setattr(connection, _ATTRIBUTE, pending)
        transaction.on_commit(pending, using=using, robust=True)
    pending.marks.add(mark)


def flush(marks: set[Mark]) -> None:
    """Writes one outbox batch per school for the marks, then wakes the delivery."""
    try:
        resolved = resolve(marks)
    except Exception:
        logger.exception("Could not read the roster changes for the messenger")  # the nightly full roster follows
        return
    written = False
    for school_id, (changes, full) in resolved.items():
        try:
            if full:
                written |= outbox.enqueue_full_sync(school_id=school_id, kick=False) is not None
            else:
                item = outbox.enqueue_roster_changes(school_id=school_id, changes=changes, kick=False)
                written |= item is not None
        except Exception:
            # The change itself is committed and must stay so; the messenger gets it with the next full roster
            # (sync_roster, the nightly task).
            logger.exception("Could not queue the roster change of school %s for the messenger", school_id)
    if written:
        outbox.kick_delivery()


def resolve(marks: set[Mark]) -> dict[int, tuple[SchoolChanges, bool]]:
    """Marks grouped by school as SchoolChanges (and whether the school needs a full batch); a few queries in all."""
    marks = marks | _people_of_users({m.pk for m in marks if m.kind == USER})
    marks = _with_schools(marks)
    found: dict[int, tuple[SchoolChanges, bool]] = {}
    per_school: dict[int, list[Mark]] = defaultdict(list)
    for mark in marks:
        if mark.school_id is not None and mark.kind != USER:
            per_school[mark.school_id].append(mark)
    for school_id, school_marks in per_school.items():
        changes = SchoolChanges()
        full = False
        for mark in school_marks:
            full |= mark.kind in {YEAR, FULL}
            _apply(changes, mark)
        found[school_id] = (changes, full)
    return found


def _apply(changes: SchoolChanges, mark: Mark) -> None:
    simple = {CLASS: changes.classes, SUBJECT: changes.subjects, GROUP: changes.groups, LOAD: changes.load}
    people = {TEACHER: changes.teachers, STUDENT: changes.students, PARENT: changes.parents}
    if mark.kind in simple:
        simple[mark.kind].add(mark.pk)
    elif mark.kind in people and mark.person:
        people[mark.kind][mark.pk] = mark.person
    elif mark.kind == GONE_LOAD and mark.load is not None:
        changes.gone_load.add(mark.load)
    elif mark.kind == SCHOOL:
        changes.school = True


def _people_of_users(user_ids: set[int]) -> set[Mark]:
    """A renamed account changes every role row it has."""
    if not user_ids:
        return set()
    return {
        Mark(kind, pk, school_id, person_ref(user_id))
        for kind, model in PEOPLE.items()
        for pk, school_id, user_id in model.objects.filter(user_id__in=user_ids).values_list(
            "pk", "school_id", "user_id"
        )
    }


def _with_schools(marks: set[Mark]) -> set[Mark]:
    """Fills in the school (and a parent's ref) of marks noted without it, one query per kind; gone rows drop out."""
    result = {m for m in marks if m.school_id is not None}

    def wanted(kind: str) -> set[int]:
        return {m.pk for m in marks if m.kind == kind and m.school_id is None}

    if ids := wanted(GROUP):
        groups = ClassGroup.objects.filter(pk__in=ids).values_list("pk", "school_class__school_id")
        result |= {Mark(GROUP, pk, school_id) for pk, school_id in groups}
    if ids := wanted(LOAD):
        loads = TeachingLoad.objects.filter(pk__in=ids).values_list("pk", "school_class__school_id")
        result |= {Mark(LOAD, pk, school_id) for pk, school_id in loads}
    if ids := wanted(PARENT):
        parents = Parent.objects.filter(pk__in=ids).values_list("pk", "school_id", "user_id")
        result |= {Mark(PARENT, pk, school_id, person_ref(user_id)) for pk, school_id, user_id in parents}
    return result
