"""What every file's import step shares: the school being filled and look-ups of what it already has."""

from __future__ import annotations

from collections.abc import Hashable
from functools import cached_property
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext as _

from parta.journal.imports.parser import ColumnSpec, Row, RowError, class_key, name_key
from parta.journal.imports.report import ImportReport, Outcome
from parta.journal.school.models import (
    AcademicYear,
    ClassGroup,
    Guardianship,
    Parent,
    Period,
    School,
    SchoolAdmin,
    SchoolClass,
    Student,
    Subject,
    Teacher,
    TeachingLoad,
)
from parta.journal.timetable.models import Bell


class ImportContext:
    """The target school and year, with dictionaries of its rows keyed as the CSV files refer to them.

    Each dictionary is read from the database once, on first use, and kept up to date as rows are written,
    so a later file sees what an earlier one created without a query per row.
    """

    def __init__(self, *, school: School, year: AcademicYear, report: ImportReport) -> None:
        self.school = school
        self.year = year
        self.report = report

    @cached_property
    def periods(self) -> dict[int, Period]:
        return {p.number: p for p in Period.objects.filter(year=self.year)}

    @cached_property
    def bells(self) -> dict[int, Bell]:
        return {b.number: b for b in Bell.objects.filter(school=self.school)}

    @cached_property
    def subjects(self) -> dict[str, Subject]:
        return {name_key(s.name): s for s in Subject.objects.filter(school=self.school)}

    @cached_property
    def teachers(self) -> dict[str, Teacher]:
        qs = Teacher.objects.filter(school=self.school).exclude(external_id="").select_related("user")
        return {t.external_id: t for t in qs}

    @cached_property
    def classes(self) -> dict[str, SchoolClass]:
        return {class_key(c.grade, c.letter): c for c in SchoolClass.objects.filter(year=self.year)}

    @cached_property
    def students(self) -> dict[str, Student]:
        qs = Student.objects.filter(school=self.school).exclude(external_id="").select_related("user")
        return {s.external_id: s for s in qs}

    @cached_property
    def parents(self) -> dict[str, Parent]:
        qs = Parent.objects.filter(school=self.school).exclude(external_id="").select_related("user")
        return {p.external_id: p for p in qs}

    @cached_property
    def groups(self) -> dict[tuple[int, str], ClassGroup]:
        qs = ClassGroup.objects.filter(school_class__year=self.year)
        return {(g.school_class_id, name_key(g.name)): g for g in qs}

    @cached_property
    def loads(self) -> dict[tuple[int, int, int, int | None], TeachingLoad]:
        qs = TeachingLoad.objects.filter(school_class__year=self.year)
        return {(x.teacher_id, x.school_class_id, x.subject_id, x.group_id): x for x in qs}

    @cached_property
    def guardianships(self) -> set[tuple[int, int]]:
        """(parent id, student id) pairs of the school."""
        return set(Guardianship.objects.filter(parent__school=self.school).values_list("parent_id", "student_id"))

    @cached_property
    def group_members(self) -> set[tuple[int, int]]:
        """(group id, student id) pairs of the year's groups."""
        through = ClassGroup.students.through
        pairs = through.objects.filter(classgroup__school_class__year=self.year).values_list(
            "classgroup_id", "student_id"
        )
        return set(pairs)

    @cached_property
    def school_user_ids(self) -> set[int]:
        """Accounts that already belong to this school; only these may be reused by login."""
        ids: set[int] = set()
        for model in (Teacher, Student, Parent, SchoolAdmin):
            ids.update(model.objects.filter(school=self.school).values_list("user_id", flat=True))
        return ids


class Step:
    """Imports one CSV file, row by row. `import_row` checks the whole row before it writes anything."""

    file_name: ClassVar[str]
    columns: ClassVar[ColumnSpec]

    def __init__(self, ctx: ImportContext) -> None:
        self.ctx = ctx
        self._seen: dict[Hashable, int] = {}

    def import_row(self, row: Row) -> Outcome:
        raise NotImplementedError

    def forget(self) -> None:
        """Drops the look-ups after a row's writes were rolled back: they may name rows that are gone."""
        for name in [n for n, v in vars(type(self.ctx)).items() if isinstance(v, cached_property)]:
            self.ctx.__dict__.pop(name, None)

    def finish(self) -> None:
        """Runs once after the last row (the timetable makes its lessons here)."""

    def claim(self, key: Hashable, row: Row, column: str, shown: str) -> None:
        """Refuses a second row about the same thing: which of the two is right is for a person to decide."""
        first = self._seen.setdefault(key, row.number)
        if first != row.number:
            raise RowError(
                column,
                _("«%(value)s» is already in row %(row)s of this file; a row may not repeat it.")
                % {"value": shown, "row": first},
            )

    # Look-ups shared by several files, with messages that say where the missing thing should come from.

    def school_class(self, row: Row, column: str = "class") -> SchoolClass:
        key = row.class_name(column)
        found = self.ctx.classes.get(key)
        if found is None:
            raise RowError(column, _("Class «%(name)s» is not found; add it to classes.csv.") % {"name": key})
        return found

    def teacher(self, row: Row, column: str) -> Teacher:
        external_id = row.text(column, required=True, max_length=64)
        found = self.ctx.teachers.get(external_id)
        if found is None:
            raise RowError(column, _("No teacher has the id «%(id)s»; check teachers.csv.") % {"id": external_id})
        return found

    def optional_teacher(self, row: Row, column: str) -> Teacher | None:
        return self.teacher(row, column) if row.text(column) else None

    def subject(self, row: Row, column: str = "subject") -> Subject:
        name = row.text(column, required=True, max_length=100)
        found = self.ctx.subjects.get(name_key(name))
        if found is None:
            raise RowError(column, _("Subject «%(name)s» is not found; add it to subjects.csv.") % {"name": name})
        return found

    def group(self, row: Row, school_class: SchoolClass, column: str = "group") -> ClassGroup | None:
        name = row.text(column, max_length=100)
        if not name:
            return None
        found = self.ctx.groups.get((school_class.pk, name_key(name)))
        if found is None:
            raise RowError(
                column,
                _("Class %(cls)s has no group «%(name)s»; add it to groups.csv.")
                % {"cls": school_class.name, "name": name},
            )
        return found


def apply(obj: models.Model, values: dict[str, Any]) -> bool:
    """Sets the fields that differ and saves only them; says whether anything changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    return bool(changed)


def outcome(*, created: bool, changed: bool) -> Outcome:
    if created:
        return Outcome.CREATED
    return Outcome.UPDATED if changed else Outcome.UNCHANGED
