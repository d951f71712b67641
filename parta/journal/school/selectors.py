"""Reads about people and their roles; every permission check in the journal starts here."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest

from parta.journal.accounts.models import User
from parta.journal.school.models import SchoolAdmin, SchoolClass, Student, Teacher, TeachingLoad


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
        return (
            student.pk in self.student_ids
            or student.pk in self.child_ids
            or self.administers(student.school_id)
        )


def get_roles(user: User | AnonymousUser) -> Roles:
    if not user.is_authenticated:
        return Roles()
    return Roles(
        teacher_ids=frozenset(Teacher.objects.filter(user_id=user.pk).values_list("pk", flat=True)),
        student_ids=frozenset(Student.objects.filter(user_id=user.pk).values_list("pk", flat=True)),
        child_ids=frozenset(
            Student.objects.filter(guardianships__parent__user_id=user.pk).values_list("pk", flat=True)
        ),
        admin_school_ids=frozenset(
            SchoolAdmin.objects.filter(user_id=user.pk).values_list("school_id", flat=True)
        ),
        is_superuser=user.is_superuser,
    )


def roles_for_request(request: HttpRequest) -> Roles:
    """The signed-in person's roles, read once per request and kept on it."""
    cached = getattr(request, "_parta_roles", None)
    if cached is None:
        cached = get_roles(request.user)
        request._parta_roles = cached  # type: ignore[attr-defined]
    return cached


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


def list_classes(*, roles: Roles) -> QuerySet[SchoolClass]:
    return SchoolClass.objects.filter(
        pk__in=list_journal_load(roles=roles).values("school_class_id")
    ).order_by("grade", "letter")
