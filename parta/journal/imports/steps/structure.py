"""subjects.csv, classes.csv, groups.csv and load.csv: what is taught, to whom and by whom."""

from __future__ import annotations

from django.utils.translation import gettext as _

from parta.journal.imports.parser import ColumnSpec, Row, RowError, class_key, name_key
from parta.journal.imports.report import Outcome
from parta.journal.imports.steps.base import Step, apply, outcome
from parta.journal.school.models import ClassGroup, SchoolClass, Student, Subject, TeachingLoad


class SubjectsStep(Step):
    file_name = "subjects.csv"
    columns = ColumnSpec(required=("name",), optional=("short_name",))

    def import_row(self, row: Row) -> Outcome:
        name = row.text("name", required=True, max_length=100)
        key = name_key(name)
        self.claim(key, row, "name", name)
        values = {"name": name, "short_name": row.text("short_name", max_length=30)}
        subject = self.ctx.subjects.get(key)
        if subject is None:
            self.ctx.subjects[key] = Subject.objects.create(school=self.ctx.school, **values)
            return Outcome.CREATED
        return outcome(created=False, changed=apply(subject, values))


class ClassesStep(Step):
    file_name = "classes.csv"
    columns = ColumnSpec(required=("grade", "letter"), optional=("class_teacher_id",))

    def import_row(self, row: Row) -> Outcome:
        grade = row.integer("grade", low=1, high=11)
        letter = row.text("letter", required=True, max_length=5).upper()
        key = class_key(grade, letter)
        self.claim(key, row, "letter", key)
        teacher = self.optional_teacher(row, "class_teacher_id")
        values = {"class_teacher_id": teacher.pk if teacher else None}
        found = self.ctx.classes.get(key)
        if found is None:
            self.ctx.classes[key] = SchoolClass.objects.create(
                school=self.ctx.school, year=self.ctx.year, grade=grade, letter=letter, **values
            )
            return Outcome.CREATED
        return outcome(created=False, changed=apply(found, values))


class GroupsStep(Step):
    """Adds the listed students to the group; students are never taken out of a group by an import."""

    file_name = "groups.csv"
    columns = ColumnSpec(required=("class", "group_name"), optional=("student_ids",))

    def import_row(self, row: Row) -> Outcome:
        school_class = self.school_class(row)
        name = row.text("group_name", required=True, max_length=100)
        key = (school_class.pk, name_key(name))
        self.claim(key, row, "group_name", f"{school_class.name}, {name}")
        students = [self._student(row, school_class, sid) for sid in row.ids("student_ids")]
        group = self.ctx.groups.get(key)
        created = group is None
        if group is None:
            group = self.ctx.groups[key] = ClassGroup.objects.create(school_class=school_class, name=name)
        members = self.ctx.group_members
        new = [s for s in students if (group.pk, s.pk) not in members]
        group.students.add(*new)
        members.update((group.pk, s.pk) for s in new)
        return outcome(created=created, changed=bool(new))

    def _student(self, row: Row, school_class: SchoolClass, student_id: str) -> Student:
        student = self.ctx.students.get(student_id)
        if student is None:
            raise RowError("student_ids", _("No student has the id «%(id)s»; check students.csv.") % {"id": student_id})
        if student.school_class_id != school_class.pk:
            raise RowError(
                "student_ids",
                _("Student «%(id)s» is not in class %(cls)s.") % {"id": student_id, "cls": school_class.name},
            )
        return student


class LoadStep(Step):
    file_name = "load.csv"
    columns = ColumnSpec(required=("teacher_id", "class", "subject"), optional=("group", "hours_per_week"))

    def import_row(self, row: Row) -> Outcome:
        teacher = self.teacher(row, "teacher_id")
        school_class = self.school_class(row)
        subject = self.subject(row)
        group = self.group(row, school_class)
        key = (teacher.pk, school_class.pk, subject.pk, group.pk if group else None)
        self.claim(key, row, "subject", f"{teacher.external_id}, {school_class.name}, {subject.name}")
        values = {"hours_per_week": row.optional_integer("hours_per_week", low=0, high=40) or 0}
        load = self.ctx.loads.get(key)
        if load is None:
            self.ctx.loads[key] = TeachingLoad.objects.create(
                teacher=teacher, school_class=school_class, subject=subject, group=group, **values
            )
            return Outcome.CREATED
        return outcome(created=False, changed=apply(load, values))
