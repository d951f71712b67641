"""Marks and absences in the admin, scoped to the person's schools; the journal page is where teachers give them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from parta.journal.gradebook.models import Absence, Mark
from parta.journal.school.admin.kit import RelatedInListFilter, SameSchoolForm, SchoolScopedAdmin

STUDENT_SEARCH = ("student__user__last_name", "student__user__first_name", "lesson__subject__name")


class LessonStudentForm(SameSchoolForm):
    """A mark or an absence is for a student of the lesson's class."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        lesson, student = cleaned.get("lesson"), cleaned.get("student")
        if lesson and student and lesson.school_class_id != student.school_class_id:
            raise ValidationError(_("This student is not in the lesson's class. Choose a student of that class."))
        return cleaned


class _LessonRowAdmin(SchoolScopedAdmin):
    school_path = "lesson__school"
    form = LessonStudentForm
    autocomplete_fields = ("lesson", "student")
    readonly_fields = ("author", "created_at")
    search_fields = STUDENT_SEARCH
    list_select_related = ("lesson__subject", "lesson__school_class", "student__user", "author")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: Any) -> None:
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("date"), ordering="lesson__date")
    def lesson_date(self, obj: Any) -> Any:
        return obj.lesson.date

    @admin.display(description=_("class"))
    def lesson_class(self, obj: Any) -> Any:
        return obj.lesson.school_class

    @admin.display(description=_("subject"), ordering="lesson__subject__name")
    def lesson_subject(self, obj: Any) -> Any:
        return obj.lesson.subject


@admin.register(Mark)
class MarkAdmin(_LessonRowAdmin, admin.ModelAdmin):
    list_display = ("lesson_date", "lesson_class", "lesson_subject", "student", "value", "kind", "author")
    list_display_links = ("lesson_date", "student")
    list_filter = (
        ("lesson__school_class", RelatedInListFilter),
        ("lesson__subject", RelatedInListFilter),
        "kind",
        "value",
    )
    fields = ("lesson", "student", "value", "kind", "author", "created_at")


@admin.register(Absence)
class AbsenceAdmin(_LessonRowAdmin, admin.ModelAdmin):
    list_display = ("lesson_date", "lesson_class", "lesson_subject", "student", "author")
    list_display_links = ("lesson_date", "student")
    list_filter = (("lesson__school_class", RelatedInListFilter), ("lesson__subject", RelatedInListFilter))
    fields = ("lesson", "student", "author", "created_at")
