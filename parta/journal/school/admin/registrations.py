"""The school's data (J1) in the Django admin: its models registered with the scoped-admin kit (kit.py)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from parta.journal.school.admin.kit import (
    NEW_ACCOUNT_FIELDSET,
    NewAccountForm,
    RelatedInListFilter,
    SchoolScopedAdmin,
    SchoolScopedInline,
)
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

PERSON_SEARCH = ("user__last_name", "user__first_name", "user__patronymic", "user__username")
_CLASS_NAME = re.compile(r"^\s*(\d{1,2})\s*-?\s*(\w*)\s*$")


@admin.display(description=_("full name"), ordering="user__last_name")
def person_name(obj: Teacher | Student | Parent | SchoolAdmin) -> str:
    return obj.user.full_name


@admin.display(description=_("login"), ordering="user__username")
def person_login(obj: Teacher | Student | Parent | SchoolAdmin) -> str:
    return obj.user.username


# --- Inlines -------------------------------------------------------------------------------------------


class PeriodInline(SchoolScopedInline, admin.TabularInline):
    model = Period
    fields = ("number", "name", "starts_on", "ends_on")


class SchoolAdminInline(SchoolScopedInline, admin.TabularInline):
    model = SchoolAdmin
    autocomplete_fields = ("user",)


class TeachingLoadInline(SchoolScopedInline, admin.TabularInline):
    model = TeachingLoad
    autocomplete_fields = ("teacher", "school_class", "subject", "group")

    def get_queryset(self, request: HttpRequest) -> QuerySet[TeachingLoad]:
        return super().get_queryset(request).select_related("teacher__user", "school_class", "subject", "group")


class ClassLoadInline(TeachingLoadInline):
    fields = ("subject", "teacher", "group", "hours_per_week")


class TeacherLoadInline(TeachingLoadInline):
    fields = ("school_class", "subject", "group", "hours_per_week")


class StudentsOfClassInline(SchoolScopedInline, admin.TabularInline):
    """The class list, read-only: a student is added or moved on the student's own page."""

    model = Student
    fields = ("full_name", "birth_date", "login")
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    verbose_name_plural = _("students of the class")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Student]:
        return super().get_queryset(request).select_related("user")

    @admin.display(description=_("full name"))
    def full_name(self, obj: Student) -> str:
        return obj.user.full_name

    @admin.display(description=_("login"))
    def login(self, obj: Student) -> str:
        return obj.user.username


class ClassGroupInline(SchoolScopedInline, admin.TabularInline):
    model = ClassGroup
    fields = ("name",)
    show_change_link = True


class ChildrenInline(SchoolScopedInline, admin.TabularInline):
    model = Guardianship
    fk_name = "parent"
    autocomplete_fields = ("student",)
    field_labels = {"student": _("child")}
    verbose_name = _("child")
    verbose_name_plural = _("children")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Guardianship]:
        return super().get_queryset(request).select_related("student__user", "student__school_class")


class ParentsInline(SchoolScopedInline, admin.TabularInline):
    model = Guardianship
    fk_name = "student"
    autocomplete_fields = ("parent",)
    field_labels = {"parent": _("parent")}
    verbose_name = _("parent")
    verbose_name_plural = _("parents")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Guardianship]:
        return super().get_queryset(request).select_related("parent__user")


# --- ModelAdmins ---------------------------------------------------------------------------------------


@admin.register(School)
class SchoolModelAdmin(SchoolScopedAdmin, admin.ModelAdmin):
    school_path = "pk"
    list_display = ("name", "short_name", "region")
    search_fields = ("name", "short_name", "region")
    inlines = (SchoolAdminInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(AcademicYear)
class AcademicYearAdmin(SchoolScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "school", "starts_on", "ends_on")
    list_filter = (("school", RelatedInListFilter),)
    search_fields = ("name",)
    autocomplete_fields = ("school",)
    list_select_related = ("school",)
    inlines = (PeriodInline,)


@admin.register(Period)
class PeriodAdmin(SchoolScopedAdmin, admin.ModelAdmin):
    school_path = "year__school"
    str_select_related = ("year",)
    list_display = ("name", "year", "number", "starts_on", "ends_on")
    list_filter = (("year", RelatedInListFilter),)
    search_fields = ("name", "year__name")
    autocomplete_fields = ("year",)


@admin.register(Subject)
class SubjectAdmin(SchoolScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "short_name", "school")
    list_filter = (("school", RelatedInListFilter),)
    search_fields = ("name", "short_name")
    autocomplete_fields = ("school",)
    list_select_related = ("school",)


@admin.register(Teacher)
class TeacherAdmin(SchoolScopedAdmin, admin.ModelAdmin):
    form = NewAccountForm
    str_select_related = ("user", "school")
    list_display = (person_name, person_login, "school")
    list_filter = (("school", RelatedInListFilter),)
    search_fields = PERSON_SEARCH
    autocomplete_fields = ("user", "school")
    inlines = (TeacherLoadInline,)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        main = (None, {"fields": ("school", "user", "external_id")})
        return (main,) if obj else (main, NEW_ACCOUNT_FIELDSET)


@admin.register(SchoolClass)
class SchoolClassAdmin(SchoolScopedAdmin, admin.ModelAdmin):
    list_display = ("__str__", "year", "class_teacher", "student_count", "school")
    ordering = ("grade", "letter")
    list_filter = (("year", RelatedInListFilter), "grade", ("school", RelatedInListFilter))
    search_fields = ("letter",)
    autocomplete_fields = ("school", "year", "class_teacher")
    list_select_related = ("year", "school", "class_teacher__user")
    inlines = (StudentsOfClassInline, ClassGroupInline, ClassLoadInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[SchoolClass]:
        return super().get_queryset(request).annotate(student_count=Count("students"))

    @admin.display(description=_("students"), ordering="student_count")
    def student_count(self, obj: Any) -> int:
        return int(obj.student_count)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[SchoolClass], search_term: str
    ) -> tuple[QuerySet[SchoolClass], bool]:
        """«7Б», «7 б» or «7» find classes by grade and letter."""
        match = _CLASS_NAME.match(search_term)
        if not match:
            return super().get_search_results(request, queryset, search_term)
        grade, letter = match.groups()
        found = queryset.filter(grade=int(grade))
        # Not letter__iexact: SQLite folds the case of Latin letters only, and class letters are Cyrillic.
        return (found.filter(letter__in={letter, letter.upper(), letter.lower()}) if letter else found), False


@admin.register(Student)
class StudentAdmin(SchoolScopedAdmin, admin.ModelAdmin):
    form = NewAccountForm
    str_select_related = ("user", "school_class", "school")
    list_display = (person_name, "school_class", "birth_date", person_login, "school")
    list_filter = (("school_class", RelatedInListFilter), ("school", RelatedInListFilter))
    search_fields = PERSON_SEARCH
    autocomplete_fields = ("user", "school", "school_class")
    inlines = (ParentsInline,)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        main = (None, {"fields": ("school", "school_class", "user", "birth_date", "external_id")})
        return (main,) if obj else (main, NEW_ACCOUNT_FIELDSET)


@admin.register(ClassGroup)
class ClassGroupAdmin(SchoolScopedAdmin, admin.ModelAdmin):
    school_path = "school_class__school"
    str_select_related = ("school_class",)
    list_display = ("name", "school_class", "student_count")
    ordering = ("school_class__grade", "school_class__letter", "name")
    list_filter = (("school_class", RelatedInListFilter),)
    search_fields = ("name", "school_class__letter")
    autocomplete_fields = ("school_class", "students")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClassGroup]:
        return super().get_queryset(request).annotate(student_count=Count("students"))

    @admin.display(description=_("students"), ordering="student_count")
    def student_count(self, obj: Any) -> int:
        return int(obj.student_count)


@admin.register(Parent)
class ParentAdmin(SchoolScopedAdmin, admin.ModelAdmin):
    form = NewAccountForm
    str_select_related = ("user", "school")
    list_display = (person_name, "children_list", person_login, "school")
    list_filter = (("school", RelatedInListFilter),)
    search_fields = (*PERSON_SEARCH, "children__user__last_name")
    autocomplete_fields = ("user", "school")
    inlines = (ChildrenInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Parent]:
        return super().get_queryset(request).prefetch_related("children__user", "children__school_class")

    @admin.display(description=_("children"))
    def children_list(self, obj: Parent) -> str:
        return ", ".join(f"{child.user.full_name} ({child.school_class.name})" for child in obj.children.all())

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        main = (None, {"fields": ("school", "user", "external_id")})
        return (main,) if obj else (main, NEW_ACCOUNT_FIELDSET)


@admin.register(SchoolAdmin)
class SchoolAdminRoleAdmin(SchoolScopedAdmin, admin.ModelAdmin):
    str_select_related = ("user", "school")
    list_display = (person_name, person_login, "school")
    list_filter = (("school", RelatedInListFilter),)
    search_fields = PERSON_SEARCH
    autocomplete_fields = ("user", "school")


@admin.register(TeachingLoad)
class TeachingLoadAdmin(SchoolScopedAdmin, admin.ModelAdmin):
    school_path = "school_class__school"
    str_select_related = ("teacher__user", "school_class", "subject", "group__school_class")
    list_display = ("school_class", "subject", "group", "teacher", "hours_per_week")
    list_filter = (
        ("school_class", RelatedInListFilter),
        ("subject", RelatedInListFilter),
        ("teacher", RelatedInListFilter),
    )
    search_fields = ("subject__name", "teacher__user__last_name", "school_class__letter")
    autocomplete_fields = ("teacher", "school_class", "subject", "group")
