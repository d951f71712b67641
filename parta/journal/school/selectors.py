"""Reads about people and their roles; every permission check in the journal starts here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, QuerySet, Value
from django.http import HttpRequest

from parta.journal.accounts.models import User
from parta.journal.school.models import SchoolAdmin, Student, Teacher, TeachingLoad


@dataclass(frozen=True)
class Roles:
    """What one journal account may do, read once per request."""

    teacher_ids: frozenset[int] = field(default_factory=frozenset)
    student_ids: frozenset[int] = field(default_factory=frozenset)
    child_ids: frozenset[int] = field(default_factory=frozenset)
    admin_school_ids: frozenset[int] = field(default_factory=frozenset)
    is_superuser: bool = False

    @property
    def is_teacher(self) -> bool:
        return bool(self.teacher_ids)

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or bool(self.admin_school_ids)

    @property
    def has_diary(self) -> bool:
        return bool(self.student_ids or self.child_ids)

    @property
    def uses_journal(self) -> bool:
        return self.is_teacher or self.is_admin

    def administers(self, school_id: int) -> bool:
        return self.is_superuser or school_id in self.admin_school_ids

    def may_view_diary(self, student: Student) -> bool:
        return student.pk in self.student_ids or student.pk in self.child_ids or self.administers(student.school_id)


def get_roles(user: User | AnonymousUser) -> Roles:
    """Reads all of a person's roles in one query (a UNION of the four role tables)."""
    if not user.is_authenticated:
        return Roles()

    def tagged(qs: QuerySet[Any], tag: str, field: str = "pk") -> QuerySet[Any]:
        return qs.order_by().values_list(Value(tag, output_field=CharField()), field)  # no ORDER BY in a UNION part

    rows = tagged(Teacher.objects.filter(user_id=user.pk), "teacher").union(
        tagged(Student.objects.filter(user_id=user.pk), "student"),
        tagged(Student.objects.filter(guardianships__parent__user_id=user.pk), "child"),
        tagged(SchoolAdmin.objects.filter(user_id=user.pk), "admin", "school_id"),
        all=True,
    )
    found: dict[str, set[int]] = {"teacher": set(), "student": set(), "child": set(), "admin": set()}
    for tag, pk in rows:
        found[tag].add(pk)
    return Roles(
        teacher_ids=frozenset(found["teacher"]),
        student_ids=frozenset(found["student"]),
        child_ids=frozenset(found["child"]),
        admin_school_ids=frozenset(found["admin"]),
        is_superuser=user.is_superuser,
    )


def roles_for_request(request: HttpRequest) -> Roles:
    """The signed-in person's roles, read once per request and kept on it."""
    cached = getattr(request, "_parta_roles", None)
    if cached is None:
        cached = get_roles(request.user)
        request._parta_roles = cached  # type: ignore[attr-defined]
    return cached


def journal_roles(request: HttpRequest) -> Roles:
    """The roles of a person who uses the journal (a teacher or a school admin); anyone else: PermissionDenied (403)."""
    roles = roles_for_request(request)
    if not roles.uses_journal:
        raise PermissionDenied
    return roles


async def ajournal_roles(request: HttpRequest) -> Roles:
    """`journal_roles` for async views (the role rows are read off the event loop)."""
    roles: Roles = await sync_to_async(journal_roles)(request)
    return roles


def list_diary_students(*, roles: Roles) -> QuerySet[Student]:
    """The students whose diary the person opens from «Дневник»: themselves, then their children."""
    return (
        Student.objects.filter(pk__in=roles.student_ids | roles.child_ids)
        .select_related("user", "school_class", "school")
        .order_by("user__last_name", "user__first_name")
    )


def list_journal_load(*, roles: Roles) -> QuerySet[TeachingLoad]:
    """The class × subject pairs a person may open in «Классный журнал».

    A teacher sees their own load and every subject of the classes they lead; a school admin sees the school's.
    """
    from django.db.models import Q

    qs = TeachingLoad.objects.select_related("school_class", "subject", "group", "teacher__user")
    if roles.is_superuser:
        return qs.order_by("school_class__grade", "school_class__letter", "subject__name")
    visible = (
        Q(teacher_id__in=roles.teacher_ids)
        | Q(school_class__class_teacher_id__in=roles.teacher_ids)
        | Q(school_class__school_id__in=roles.admin_school_ids)
    )
    return qs.filter(visible).order_by("school_class__grade", "school_class__letter", "subject__name")
