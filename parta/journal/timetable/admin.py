"""The bell schedule, the weekly timetable and the dated lessons in the admin, scoped to the person's schools."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from parta.journal.school.admin.kit import RelatedInListFilter, SchoolScopedAdmin
from parta.journal.timetable.models import Bell, Lesson, TimetableEntry


@admin.register(Bell)
class BellAdmin(SchoolScopedAdmin, admin.ModelAdmin):
    list_display = ("number", "starts_at", "ends_at", "school")
    list_display_links = ("number", "starts_at")
    list_filter = (("school", RelatedInListFilter),)
    search_fields = ("=number",)
    autocomplete_fields = ("school",)
    list_select_related = ("school",)


@admin.register(TimetableEntry)
class TimetableEntryAdmin(SchoolScopedAdmin, admin.ModelAdmin):
    school_path = "period__year__school"
    str_select_related = (
        "bell",
        "load__teacher__user",
        "load__subject",
        "load__school_class",
        "load__group__school_class",
    )
    list_display = ("weekday", "bell", "school_class", "subject", "group", "teacher", "room", "period")
    list_display_links = ("weekday", "bell")
    list_filter = (
        ("period", RelatedInListFilter),
        "weekday",
        ("load__school_class", RelatedInListFilter),
        ("load__teacher", RelatedInListFilter),
    )
    search_fields = ("load__subject__name", "load__teacher__user__last_name", "room")
    autocomplete_fields = ("period", "load")
    list_select_related = ("period__year", *str_select_related)

    @admin.display(description=_("class"), ordering="load__school_class__grade")
    def school_class(self, obj: TimetableEntry) -> Any:
        return obj.load.school_class

    @admin.display(description=_("subject"), ordering="load__subject__name")
    def subject(self, obj: TimetableEntry) -> Any:
        return obj.load.subject

    @admin.display(description=_("group"))
    def group(self, obj: TimetableEntry) -> Any:
        return obj.load.group.name if obj.load.group else ""

    @admin.display(description=_("teacher"), ordering="load__teacher__user__last_name")
    def teacher(self, obj: TimetableEntry) -> Any:
        return obj.load.teacher


@admin.register(Lesson)
class LessonAdmin(SchoolScopedAdmin, admin.ModelAdmin):
    str_select_related = ("subject", "school_class")
    list_display = ("date", "starts_at", "school_class", "subject", "group", "teacher", "topic", "substitution")
    list_display_links = ("date", "starts_at")
    list_filter = (
        ("school_class", RelatedInListFilter),
        ("subject", RelatedInListFilter),
        ("teacher", RelatedInListFilter),
    )
    date_hierarchy = "date"
    search_fields = ("topic", "homework", "subject__name")
    autocomplete_fields = (
        "school",
        "school_class",
        "subject",
        "group",
        "teacher",
        "replaced_teacher",
        "timetable_entry",
    )
    list_select_related = ("subject", "school_class", "group__school_class", "teacher__user", "replaced_teacher__user")
    fieldsets = (
        (None, {"fields": ("school", "school_class", "group", "subject", "teacher")}),
        (_("Time and place"), {"fields": ("date", "number", "starts_at", "ends_at", "room")}),
        (_("Content"), {"fields": ("topic", "homework")}),
        (_("Substitution and timetable"), {"fields": ("replaced_teacher", "timetable_entry")}),
    )

    @admin.display(description=_("substitution"), boolean=True)
    def substitution(self, obj: Lesson) -> bool:
        return obj.is_substitution
