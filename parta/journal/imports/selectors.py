"""Reads of the import: who may import, into which schools, and which jobs a person may see."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from parta.journal.accounts.models import User
from parta.journal.imports.models import ImportJob
from parta.journal.school.models import School
from parta.journal.school.selectors import Roles

IMPORT_PERMISSION = "journal_imports.add_importjob"


def may_import(user: User | AnonymousUser) -> bool:
    """Staff with the import permission; which schools they reach is `list_import_schools`."""
    return bool(user.is_active and user.is_staff and user.has_perm(IMPORT_PERMISSION))


def list_import_schools(*, roles: Roles) -> QuerySet[School]:
    """A superuser imports into any school (or a new one); a school admin only into their own schools."""
    if roles.is_superuser:
        return School.objects.order_by("name")
    return School.objects.filter(pk__in=roles.admin_school_ids).order_by("name")


def list_import_jobs(*, user: User, roles: Roles) -> QuerySet[ImportJob]:
    qs = ImportJob.objects.select_related("school", "created_by")
    if roles.is_superuser:
        return qs
    return qs.filter(Q(school_id__in=roles.admin_school_ids) | Q(created_by_id=user.pk))


def get_import_job(*, user: User, roles: Roles, pk: int) -> ImportJob | None:
    return list_import_jobs(user=user, roles=roles).filter(pk=pk).first()
