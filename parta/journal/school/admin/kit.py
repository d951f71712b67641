"""The scoped-admin kit: what every ModelAdmin of school data (here, in timetable, gradebook) is built from.

A superuser sees everything. Any other staff member sees and edits only the rows of the schools where they
have a `SchoolAdmin` row: lists are filtered, the choices in forms are limited to those schools, and a row of
another school is "not found" (404) — never shown, changed or deleted. Every ModelAdmin of school data uses
`SchoolScopedAdmin` and says where its model's school is (`school_path`); forms refuse a row whose related
records come from different schools, so even an admin of two schools cannot mix them.

The registrations of the school's own models are in registrations.py, the journal accounts' in accounts.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.contrib import admin
from django.contrib.auth import password_validation
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.forms.models import ModelChoiceField
from django.http import Http404, HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from parta.journal.accounts.models import User
from parta.journal.school.models import (
    Guardianship,
    Parent,
    SchoolAdmin,
    Student,
    Teacher,
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
                username=data["new_username"],
                password=data["new_password"],
                last_name=data["new_last_name"],
                first_name=data["new_first_name"],
                patronymic=data["new_patronymic"],
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
