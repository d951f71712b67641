"""Forms of the class journal. The marks form has fields per student, made from the lesson's roster."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parta.journal.gradebook.models import Mark, MarkKind
from parta.journal.gradebook.services import StudentEntry
from parta.journal.school.models import Period, SchoolClass, Student, Subject

MARK_CHOICES = [("", "—"), *[(str(value), str(value)) for value in range(5, 0, -1)]]
EXISTING_MARK_CHOICES = [("", _("delete")), *[(str(value), str(value)) for value in range(5, 0, -1)]]
KIND_CHOICES = [("", _("no kind")), *MarkKind.choices]


class JournalChoiceForm(forms.Form):
    """«Классный журнал»: which class, subject and period to load, from lists the view already read.

    Plain choice fields over those lists: model choice fields would query again to render and to validate.
    """

    school_class = forms.TypedChoiceField(label=_("Class"), coerce=int)
    subject = forms.TypedChoiceField(label=_("Subject"), coerce=int)
    period = forms.TypedChoiceField(label=_("Period"), coerce=int, required=False, empty_value=None)

    def __init__(
        self,
        *args: Any,
        classes: Sequence[SchoolClass],
        subjects: Sequence[Subject],
        periods: Sequence[Period],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.objects: dict[str, dict[int, Any]] = {
            "school_class": {item.pk: item for item in classes},
            "subject": {item.pk: item for item in subjects},
            "period": {item.pk: item for item in periods},
        }
        several_years = len({period.year_id for period in periods}) > 1
        self.fields["school_class"].choices = [(item.pk, item.name) for item in classes]  # type: ignore[attr-defined]
        self.fields["subject"].choices = [(item.pk, item.name) for item in subjects]  # type: ignore[attr-defined]
        self.fields["period"].choices = [  # type: ignore[attr-defined]
            ("", _("current period")),
            *[(item.pk, str(item) if several_years else item.name) for item in periods],
        ]

    def chosen(self, name: str) -> Any:
        """The chosen object (after is_valid()), or None for an empty optional field."""
        value = self.cleaned_data.get(name)
        return None if value is None else self.objects[name][value]


@dataclass
class StudentFields:
    """The bound fields of one student's row, for the template."""

    student: Student
    absent: forms.BoundField
    new_mark: forms.BoundField
    new_kind: forms.BoundField
    marks: list[tuple[forms.BoundField, forms.BoundField]]


class LessonMarksForm(forms.Form):
    topic = forms.CharField(label=_("Lesson topic"), max_length=500, required=False)
    homework = forms.CharField(label=_("Homework"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self,
        *args: object,
        students: list[Student],
        marks: list[Mark],
        absent_ids: set[int],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.students = students
        self.marks_by_student: dict[int, list[Mark]] = {student.pk: [] for student in students}
        for mark in marks:
            self.marks_by_student.setdefault(mark.student_id, []).append(mark)
        for student in students:
            name = student.user.full_name
            self.fields[f"absent_{student.pk}"] = forms.BooleanField(
                label="Н",
                required=False,
                initial=student.pk in absent_ids,
                widget=forms.CheckboxInput(attrs={"aria-label": f"Н — {name}"}),
            )
            self.fields[f"new_{student.pk}"] = self._mark_field(MARK_CHOICES, _("Mark"), name)
            self.fields[f"kind_{student.pk}"] = self._kind_field(name)
            for mark in self.marks_by_student[student.pk]:
                self.fields[f"mark_{mark.pk}"] = self._mark_field(EXISTING_MARK_CHOICES, _("Given mark"), name)
                self.fields[f"mark_{mark.pk}"].initial = str(mark.value)
                self.fields[f"markkind_{mark.pk}"] = self._kind_field(name, _("Kind of the given mark"))
                self.fields[f"markkind_{mark.pk}"].initial = mark.kind

    @staticmethod
    def _mark_field(choices: Sequence[tuple[str, Any]], label: Any, name: str) -> forms.Field:
        return forms.TypedChoiceField(
            label=label,
            choices=choices,
            required=False,
            coerce=int,
            empty_value=None,
            widget=forms.Select(attrs={"aria-label": f"{label} — {name}", "class": "mark-select"}),
        )

    @staticmethod
    def _kind_field(name: str, label: Any = None) -> forms.Field:
        label = label or _("Kind of work")
        return forms.ChoiceField(
            label=label,
            choices=KIND_CHOICES,
            required=False,
            widget=forms.Select(attrs={"aria-label": f"{label} — {name}"}),
        )

    def rows(self) -> list[StudentFields]:
        return [
            StudentFields(
                student=student,
                absent=self[f"absent_{student.pk}"],
                new_mark=self[f"new_{student.pk}"],
                new_kind=self[f"kind_{student.pk}"],
                marks=[(self[f"mark_{m.pk}"], self[f"markkind_{m.pk}"]) for m in self.marks_by_student[student.pk]],
            )
            for student in self.students
        ]

    def entries(self) -> list[StudentEntry]:
        data = self.cleaned_data
        entries = []
        for student in self.students:
            new_value = data.get(f"new_{student.pk}")
            changed: dict[int, tuple[int, str] | None] = {}
            for mark in self.marks_by_student[student.pk]:
                value = data.get(f"mark_{mark.pk}")
                changed[mark.pk] = None if value is None else (value, data.get(f"markkind_{mark.pk}") or "")
            entries.append(
                StudentEntry(
                    student_id=student.pk,
                    absent=bool(data.get(f"absent_{student.pk}")),
                    new_marks=((new_value, data.get(f"kind_{student.pk}") or ""),) if new_value else (),
                    changed_marks=changed,
                )
            )
        return entries
