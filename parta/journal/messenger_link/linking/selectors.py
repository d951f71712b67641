"""Reads for linking: a person's link, what the journal passes for them, and the same in words for the status page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from parta.common.integration.schemas import LinkRequest, LinkRole, PersonName
from parta.journal.accounts.models import User
from parta.journal.messenger_link.models import MessengerLink
from parta.journal.messenger_link.refs import person_ref, ref
from parta.journal.school.models import Guardianship, Parent, SchoolAdmin, Student, Teacher


def get_link(*, user: User) -> MessengerLink | None:
    return MessengerLink.objects.filter(user=user).first()


def link_request(*, user: User) -> LinkRequest | None:
    """What the journal passes for this person (the messenger's consent screen lists the same): the name and every
    role — a teacher who is also a parent gets both. None when the account has no role in any school."""
    roles: list[LinkRole] = []
    for school_id in Teacher.objects.filter(user=user).order_by("school_id").values_list("school_id", flat=True):
        roles.append(LinkRole(kind="teacher", school_id=ref(school_id)))
    students = Student.objects.filter(user=user).order_by("school_id").values_list("school_id", "school_class_id")
    for school_id, class_id in students:
        roles.append(LinkRole(kind="student", school_id=ref(school_id), class_id=ref(class_id)))
    children: dict[int, list[str]] = defaultdict(list)
    for parent_id, child_user_id in (
        Guardianship.objects.filter(parent__user=user)
        .order_by("student__user_id")
        .values_list("parent_id", "student__user_id")
    ):
        children[parent_id].append(person_ref(child_user_id))
    for parent_id, school_id in Parent.objects.filter(user=user).order_by("school_id").values_list("pk", "school_id"):
        roles.append(LinkRole(kind="parent", school_id=ref(school_id), children=children[parent_id]))
    for school_id in SchoolAdmin.objects.filter(user=user).order_by("school_id").values_list("school_id", flat=True):
        roles.append(LinkRole(kind="admin", school_id=ref(school_id)))
    if not roles:
        return None
    name = PersonName(last_name=user.last_name, first_name=user.first_name, patronymic=user.patronymic)
    return LinkRequest(person_id=person_ref(user.pk), name=name, roles=roles)


# --- the status page: what the journal passes, in words --------------------------------------------------------------


@dataclass(frozen=True)
class RoleShown:
    kind: str  # teacher / student / parent / admin
    school: str
    class_name: str = ""
    children: tuple[str, ...] = ()


def roles_shown(*, user: User) -> list[RoleShown]:
    """The person's roles as the status page lists them under «Передаваемые данные» (the same as link_request)."""
    shown = [RoleShown("teacher", str(t.school)) for t in Teacher.objects.filter(user=user).select_related("school")]
    shown += [
        RoleShown("student", str(s.school), class_name=s.school_class.name)
        for s in Student.objects.filter(user=user).select_related("school", "school_class")
    ]
    for parent in Parent.objects.filter(user=user).select_related("school").prefetch_related("children__user"):
        names = tuple(sorted(child.user.full_name for child in parent.children.all()))
        shown.append(RoleShown("parent", str(parent.school), children=names))
    shown += [RoleShown("admin", str(a.school)) for a in SchoolAdmin.objects.filter(user=user).select_related("school")]
    return shown
