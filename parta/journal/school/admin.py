"""The Django admin for the school's data (J1), scoped to the schools a person administers.

A superuser sees everything. Any other staff member sees and edits only the rows of the schools where they
have a `SchoolAdmin` row: lists are filtered, the choices in forms are limited to those schools, and a row of
another school is "not found" (404) — never shown, changed or deleted. Every ModelAdmin of school data uses
`SchoolScopedAdmin` and says where its model's school is (`school_path`); forms refuse a row whose related
records come from different schools, so even an admin of two schools cannot mix them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.contrib import admin
from django.contrib.auth import password_validation
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Count, Model, Q, QuerySet
from django.forms.models import ModelChoiceField
from django.http import Http404, HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from parta.journal.accounts.models import User
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
from parta.journal.school.selectors import roles_for_request

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    _AdminBase = admin.ModelAdmin[Any]
    _InlineBase = admin.options.InlineModelAdmin[Any, Any]
else:
    _AdminBase = object
    _InlineBase = object


# --- Where a row's school is -------------------------------------------------------------------------


class Scope:
    """How to find the school of a model's rows."""

    def filter(self, queryset: QuerySet[Any], school_ids: frozenset[int]) -> QuerySet[Any]:
        raise NotImplementedError

    def school_id(self, obj: Model) -> int | None:
        """The row's school, or None when the row is not tied to one school."""
        raise NotImplementedError


@dataclass(frozen=True)
class PathScope(Scope):
    """The school is at a lookup path from the row: "school", "school_class__school", or "pk" for a School."""

    path: str

    def filter(self, queryset: QuerySet[Any], school_ids: frozenset[int]) -> QuerySet[Any]:
        lookup = "pk__in" if self.path == "pk" else f"{self.path}__in"
        return queryset.filter(**{lookup: school_ids})

    def school_id(self, obj: Model) -> int | None:
        if self.path == "pk":
            return obj.pk
        *hops, last = self.path.split("__")
        target: Any = obj
        for hop in hops:
            target = getattr(target, hop, None)
            if target is None:
                return None
        return getattr(target, f"{last}_id", None)


class AccountScope(Scope):
    """A journal account belongs to every school where it has a role (teacher, student, parent or admin)."""

    def filter(self, queryset: QuerySet[Any], school_ids: frozenset[int]) -> QuerySet[Any]:
        return queryset.filter(
            Q(pk__in=Teacher.objects.filter(school_id__in=school_ids).values("user_id"))
            | Q(pk__in=Student.objects.filter(school_id__in=school_ids).values("user_id"))
            | Q(pk__in=Parent.objects.filter(school_id__in=school_ids).values("user_id"))
            | Q(pk__in=SchoolAdmin.objects.filter(school_id__in=school_ids).values("user_id"))
        )

    def school_id(self, obj: Model) -> int | None:
        return None


_SCOPES: dict[type[Model], Scope] = {User: AccountScope(), Guardianship: PathScope("parent__school")}


def scope_of(model: type[Model]) -> Scope | None:
    return _SCOPES.get(model)


def school_of(obj: Model) -> int | None:
    scope = scope_of(type(obj))
    return scope.school_id(obj) if scope else None


def managed_school_ids(request: HttpRequest) -> frozenset[int] | None:
    """The schools whose data the person manages in the admin; None means every school (a superuser)."""
    roles = roles_for_request(request)
    return None if roles.is_superuser else roles.admin_school_ids


def _limit_choices(field: forms.Field | None, request: HttpRequest) -> forms.Field | None:
    """Narrows a foreign-key or many-to-many field's choices to the schools the person manages."""
    school_ids = managed_school_ids(request)
    if school_ids is None or not isinstance(field, ModelChoiceField):
        return field
    queryset = field.queryset
    scope = scope_of(queryset.model) if queryset is not None else None
    if queryset is not None and scope is not None:
        field.queryset = scope.filter(queryset, school_ids)
    return field


class RelatedInListFilter(admin.RelatedOnlyFieldListFilter):
    """Offers only the related rows that the (school-scoped) list has, read in one query with their names."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list[tuple[str, str | StrPromise]]:
        in_list = model_admin.get_queryset(request).order_by().values(f"{self.field_path}__pk")
        related_model = field.remote_field.model
        related_admin = model_admin.admin_site._registry.get(related_model)
        rows = related_admin.get_queryset(request) if related_admin else related_model._default_manager.all()
        return [(str(row.pk), str(row)) for row in rows.filter(pk__in=in_list)]


# --- Forms -------------------------------------------------------------------------------------------


class SameSchoolForm(forms.ModelForm):
    """Refuses a row whose related records belong to different schools (say, a class of another school)."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        schools = {school for value in self._related_values(cleaned) if (school := school_of(value)) is not None}
        if len(schools) > 1:
            raise ValidationError(
                _("The chosen records belong to different schools. Choose records of one school."),
                code="mixed_schools",
            )
        return cleaned

    def _related_values(self, cleaned: dict[str, Any]) -> Iterator[Model]:
        for field in self.instance._meta.get_fields():
            if field.many_to_many and field.concrete and cleaned.get(field.name) is not None:
                yield from cleaned[field.name]
            elif not (field.many_to_one and field.concrete):
                continue
            elif field.name in cleaned:
                if cleaned[field.name] is not None:
                    yield cleaned[field.name]
            elif getattr(self.instance, field.attname, None) is not None:  # e.g. an inline's parent row
                try:
                    yield getattr(self.instance, field.name)
                except ObjectDoesNotExist:
                    continue


class NewAccountForm(SameSchoolForm):
    """A person's role in a school with its account: choose an existing account or fill in a new one."""

    new_last_name = forms.CharField(label=capfirst(_("last name")), max_length=150, required=False)
    new_first_name = forms.CharField(label=capfirst(_("first name")), max_length=150, required=False)
    new_patronymic = forms.CharField(label=capfirst(_("patronymic")), max_length=150, required=False)
    new_username = forms.CharField(label=capfirst(_("login")), max_length=150, required=False)
    new_password = forms.CharField(
        label=capfirst(_("password")), required=False, strip=False, widget=forms.PasswordInput(render_value=True)
    )
    NEW_FIELDS = ("new_last_name", "new_first_name", "new_patronymic", "new_username", "new_password")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "user" not in self.fields or cleaned.get("user") is not None:
            return cleaned
        missing = [name for name in self.NEW_FIELDS if name != "new_patronymic" and not cleaned.get(name)]
        if len(missing) == 4 and not self.has_error("user"):
            self.add_error("user", _("Choose an account, or fill in the new account's name, login and password below."))
        for name in missing if len(missing) < 4 else []:
            self.add_error(name, _("Fill in this field to create the account."))
        username = cleaned.get("new_username")
        if username and User.objects.filter(username__iexact=username).exists():
            self.add_error("new_username", _("This login is taken. Choose another one."))
        if cleaned.get("new_password") and not missing:
            try:
                password_validation.validate_password(cleaned["new_password"])
            except ValidationError as error:
                self.add_error("new_password", error)
        return cleaned

    def save(self, commit: bool = True) -> Any:
        if self.cleaned_data.get("user") is None and self.cleaned_data.get("new_username"):
            data = self.cleaned_data
            self.instance.user = User.objects.create_user(
                username=data["new_username"], password=data["new_password"], last_name=data["new_last_name"],
                first_name=data["new_first_name"], patronymic=data["new_patronymic"],
            )
        return super().save(commit)


NEW_ACCOUNT_FIELDSET = (
    _("New account (if the person has none yet)"),
    {"fields": NewAccountForm.NEW_FIELDS, "classes": ("collapse",)},
)


# --- The mixin every school-data ModelAdmin uses ---------------------------------------------------------


class SchoolScopedAdmin(_AdminBase):
    """Scopes a ModelAdmin to the schools the person administers; `school_path` says where the school is."""

    school_path: ClassVar[str] = "school"
    school_scope: ClassVar[Scope | None] = None  # instead of a path, for rows not tied to one school
    str_select_related: ClassVar[tuple[str, ...]] = ()  # what the row's __str__ reads (autocomplete, lists)
    form: type[forms.ModelForm[Any]] = SameSchoolForm

    def __init__(self, model: type[Model], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        _SCOPES[model] = self.scope

    @property
    def scope(self) -> Scope:
        return self.school_scope or PathScope(self.school_path)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        # The change list skips `list_select_related` once the queryset has any select_related, so join both here.
        listed = self.list_select_related if isinstance(self.list_select_related, list | tuple) else ()
        if self.str_select_related or listed:
            queryset = queryset.select_related(*self.str_select_related, *listed)
        school_ids = managed_school_ids(request)
        return queryset if school_ids is None else self.scope.filter(queryset, school_ids)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None and managed_school_ids(request) is not None:
            # Another school's row is simply not there for this person (no hint that it exists).
            raise Http404(_("There is no such record in your school."))
        return obj

    def manages(self, request: HttpRequest, obj: Model | None) -> bool:
        school_ids = managed_school_ids(request)
        if obj is None or school_ids is None:
            return True
        school = self.scope.school_id(obj)
        return school is None or school in school_ids

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and self.manages(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self.manages(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self.manages(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: Any) -> None:
        if not self.manages(request, obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        return _limit_choices(super().formfield_for_foreignkey(db_field, request, **kwargs), request)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        return _limit_choices(super().formfield_for_manytomany(db_field, request, **kwargs), request)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """A person who manages one school finds it already chosen in a new row's «school» field."""
        initial = super().get_changeform_initial_data(request)
        school_ids = managed_school_ids(request)
        if school_ids and len(school_ids) == 1 and self.school_path == "school":
            initial.setdefault("school", str(next(iter(school_ids))))
        return initial


class SchoolScopedInline(_InlineBase):
    """The inline counterpart: its choices are limited the same way (its rows follow the scoped parent)."""

    form = SameSchoolForm
    extra = 0
    field_labels: ClassVar[dict[str, Any]] = {}  # for foreign keys the model left without a translated name

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.field_labels:
            kwargs.setdefault("label", capfirst(self.field_labels[db_field.name]))
        return _limit_choices(super().formfield_for_foreignkey(db_field, request, **kwargs), request)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        return _limit_choices(super().formfield_for_manytomany(db_field, request, **kwargs), request)


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
