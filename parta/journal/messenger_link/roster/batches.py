"""The school's roster as the messenger mirrors it: RosterBatch payloads built from the journal's tables.

Reads only; a fixed number of queries per kind whatever the school's size (values() rows, no model instances).
The roster is the school's current academic year: its classes, their students, groups and load, all subjects,
teachers and parents (a parent lists only children who are in the roster).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from parta.common.integration.schemas import (
    ClassIn,
    GroupIn,
    LoadIn,
    ParentIn,
    RosterBatch,
    RosterDeletes,
    RosterItems,
    SchoolIn,
    StudentIn,
    SubjectIn,
    TeacherIn,
)
from parta.journal.messenger_link.refs import optional_ref, person_ref, ref
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

NAME_FIELDS = ("user__last_name", "user__first_name", "user__patronymic")
LoadKey = tuple[str, str, str, str | None]  # teacher, class, subject, group — how the messenger matches load rows


@dataclass
class SchoolChanges:
    """What changed in one school since the last batch.

    Classes, subjects, groups and load rows by primary key; people by their role row (Teacher, Student, Parent pk)
    mapped to the person's ref, taken when the change happened, so a deleted role can still be named. `gone_load`
    keeps the four ids of a load row that was deleted or pointed elsewhere.
    """

    classes: set[int] = field(default_factory=set)
    subjects: set[int] = field(default_factory=set)
    groups: set[int] = field(default_factory=set)
    load: set[int] = field(default_factory=set)
    teachers: dict[int, str] = field(default_factory=dict)
    students: dict[int, str] = field(default_factory=dict)
    parents: dict[int, str] = field(default_factory=dict)
    gone_load: set[LoadKey] = field(default_factory=set)
    school: bool = False  # the school's own name or region changed

    def is_empty(self) -> bool:
        kinds = (self.classes, self.subjects, self.groups, self.load, self.teachers, self.students, self.parents)
        return not any(kinds) and not self.gone_load and not self.school


def current_year(school: School) -> AcademicYear | None:
    """The year that contains today, else the latest one that has begun, else the earliest one."""
    today = timezone.localdate()
    years = list(AcademicYear.objects.filter(school=school).order_by("starts_on"))
    for year in years:
        if year.starts_on <= today <= year.ends_on:
            return year
    started = [year for year in years if year.starts_on <= today]
    if started:
        return started[-1]
    return years[0] if years else None


def school_in(school: School) -> SchoolIn:
    return SchoolIn(external_id=ref(school.pk), name=school.name, region=school.region)


def full_batch(school: School, *, sequence: int) -> RosterBatch:
    """The whole roster: the messenger removes from its mirror whatever this batch lacks."""
    year = current_year(school)
    classes = SchoolClass.objects.filter(school=school, year=year)
    items = RosterItems(
        classes=_classes(classes),
        subjects=_subjects(Subject.objects.filter(school=school)),
        teachers=_teachers(Teacher.objects.filter(school=school)),
        students=_students(Student.objects.filter(school=school, school_class__year=year)),
        parents=_parents(Parent.objects.filter(school=school), year=year),
        groups=_groups(ClassGroup.objects.filter(school_class__school=school, school_class__year=year)),
        load=_load(TeachingLoad.objects.filter(school_class__school=school, school_class__year=year)),
    )
    return RosterBatch(school=school_in(school), sequence=sequence, full=True, upserts=items)


def change_batch(school: School, changes: SchoolChanges, *, sequence: int) -> RosterBatch | None:
    """The rows that changed, as they are now; those that no longer exist (or left the year) are deletes."""
    if changes.is_empty():
        return None
    year = current_year(school)
    in_year = Q(school_class__year=year)
    upserts = RosterItems(
        classes=_classes(SchoolClass.objects.filter(school=school, year=year, pk__in=changes.classes)),
        subjects=_subjects(Subject.objects.filter(school=school, pk__in=changes.subjects)),
        teachers=_teachers(Teacher.objects.filter(school=school, pk__in=list(changes.teachers))),
        students=_students(Student.objects.filter(in_year, school=school, pk__in=list(changes.students))),
        parents=_parents(Parent.objects.filter(school=school, pk__in=list(changes.parents)), year=year),
        groups=_groups(ClassGroup.objects.filter(in_year, school_class__school=school, pk__in=changes.groups)),
        load=_load(TeachingLoad.objects.filter(in_year, school_class__school=school, pk__in=changes.load)),
    )
    deletes = _deletes(changes, upserts)
    return RosterBatch(school=school_in(school), sequence=sequence, upserts=upserts, deletes=deletes)


def _deletes(changes: SchoolChanges, upserts: RosterItems) -> RosterDeletes:
    """Whatever changed and is not among the upserts is gone from the roster (deleted, or out of the year)."""

    def missing(wanted: Iterable[str], found: Iterable[str]) -> list[str]:
        return sorted(set(wanted) - set(found), key=_natural)

    upserted_load = {_load_key(item) for item in upserts.load}
    return RosterDeletes(
        classes=missing(map(ref, changes.classes), (c.external_id for c in upserts.classes)),
        subjects=missing(map(ref, changes.subjects), (s.external_id for s in upserts.subjects)),
        groups=missing(map(ref, changes.groups), (g.external_id for g in upserts.groups)),
        teachers=missing(changes.teachers.values(), (t.external_id for t in upserts.teachers)),
        students=missing(changes.students.values(), (s.external_id for s in upserts.students)),
        parents=missing(changes.parents.values(), (p.external_id for p in upserts.parents)),
        load=[
            LoadIn(teacher_id=t, class_id=c, subject_id=s, group_id=g)
            for t, c, s, g in sorted(changes.gone_load - upserted_load, key=str)
        ],
    )


def _natural(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (0, value)


def _load_key(item: LoadIn) -> LoadKey:
    return (item.teacher_id, item.class_id, item.subject_id, item.group_id)


def load_key(*, teacher_user_id: int, class_id: int, subject_id: int, group_id: int | None) -> LoadKey:
    return (person_ref(teacher_user_id), ref(class_id), ref(subject_id), optional_ref(group_id))


# --- one kind each: a values() query, no model instances ---------------------------------------------------------


def _classes(qs: QuerySet[SchoolClass]) -> list[ClassIn]:
    rows = qs.values("pk", "grade", "letter", "class_teacher__user_id").order_by("grade", "letter", "pk")
    return [
        ClassIn(
            external_id=ref(row["pk"]),
            name=f"{row['grade']}{row['letter']}",
            class_teacher_id=optional_ref(row["class_teacher__user_id"]),
        )
        for row in rows
    ]


def _subjects(qs: QuerySet[Subject]) -> list[SubjectIn]:
    return [
        SubjectIn(external_id=ref(pk), name=name) for pk, name in qs.values_list("pk", "name").order_by("name", "pk")
    ]


def _person(row: dict[str, Any]) -> dict[str, str]:
    return {
        "last_name": row["user__last_name"],
        "first_name": row["user__first_name"],
        "patronymic": row["user__patronymic"],
    }


def _teachers(qs: QuerySet[Teacher]) -> list[TeacherIn]:
    rows = qs.values("user_id", *NAME_FIELDS).order_by(*NAME_FIELDS, "user_id")
    return [TeacherIn(external_id=person_ref(row["user_id"]), **_person(row)) for row in rows]


def _students(qs: QuerySet[Student]) -> list[StudentIn]:
    rows = qs.values("user_id", "school_class_id", "birth_date", *NAME_FIELDS).order_by(*NAME_FIELDS, "user_id")
    return [
        StudentIn(
            external_id=person_ref(row["user_id"]),
            class_id=ref(row["school_class_id"]),
            birth_date=row["birth_date"],
            **_person(row),
        )
        for row in rows
    ]


def _parents(qs: QuerySet[Parent], *, year: AcademicYear | None) -> list[ParentIn]:
    rows = list(qs.values("pk", "user_id", *NAME_FIELDS).order_by(*NAME_FIELDS, "user_id"))
    children: dict[int, list[str]] = defaultdict(list)
    links = Guardianship.objects.filter(parent_id__in=[row["pk"] for row in rows], student__school_class__year=year)
    for parent_id, child_user_id in links.values_list("parent_id", "student__user_id").order_by("student__user_id"):
        children[parent_id].append(person_ref(child_user_id))
    return [
        ParentIn(external_id=person_ref(row["user_id"]), children=children[row["pk"]], **_person(row)) for row in rows
    ]


def _groups(qs: QuerySet[ClassGroup]) -> list[GroupIn]:
    rows = list(qs.values("pk", "school_class_id", "name").order_by("school_class_id", "name"))
    members: dict[int, list[str]] = defaultdict(list)
    through = ClassGroup.students.through.objects.filter(classgroup_id__in=[row["pk"] for row in rows])
    for group_id, user_id in through.values_list("classgroup_id", "student__user_id").order_by("student__user_id"):
        members[group_id].append(person_ref(user_id))
    return [
        GroupIn(
            external_id=ref(row["pk"]),
            class_id=ref(row["school_class_id"]),
            name=row["name"],
            student_ids=members[row["pk"]],
        )
        for row in rows
    ]


def _load(qs: QuerySet[TeachingLoad]) -> list[LoadIn]:
    rows = qs.values_list("teacher__user_id", "school_class_id", "subject_id", "group_id").order_by("pk")
    return [
        LoadIn(teacher_id=person_ref(t), class_id=ref(c), subject_id=ref(s), group_id=optional_ref(g))
        for t, c, s, g in rows
    ]
