"""Reads of the journal's side of the integration: a person's link and link request, «Управление чатами»."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from parta.common.integration.schemas import LinkRequest, LinkRole, PersonName, SubjectChatRef
from parta.journal.accounts.models import User
from parta.journal.messenger_link.models import MessengerLink, SubjectChat, SubjectChatStatus
from parta.journal.messenger_link.refs import optional_ref, person_ref, ref
from parta.journal.school.models import Guardianship, Parent, SchoolAdmin, Student, Teacher, TeachingLoad
from parta.journal.school.selectors import Roles

RemoteKey = tuple[str, str, str | None]  # class, subject, group refs


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


# --- «Управление чатами» (C2, C3) ------------------------------------------------------------------------------------


def manageable_load(*, roles: Roles) -> QuerySet[TeachingLoad]:
    """The load whose subject chats the person may add: their own, or any of the schools they administer."""
    qs = TeachingLoad.objects.select_related("school_class", "subject", "group", "teacher__user")
    if not roles.is_superuser:
        qs = qs.filter(Q(teacher_id__in=roles.teacher_ids) | Q(school_class__school_id__in=roles.admin_school_ids))
    return qs.order_by("school_class__grade", "school_class__letter", "subject__name", "group__name", "pk")


@dataclass
class ChatRow:
    """One line of «Управление чатами»: a load row and its subject chat, if there is one."""

    load: TeachingLoad
    chat: SubjectChat | None
    remote: SubjectChatRef | None

    @property
    def key(self) -> RemoteKey:
        return (ref(self.load.school_class_id), ref(self.load.subject_id), optional_ref(self.load.group_id))

    @property
    def url(self) -> str:
        if self.remote is not None:
            return self.remote.url
        return self.chat.url if self.chat is not None else ""

    @property
    def name(self) -> str:
        if self.remote is not None:
            return self.remote.name
        return self.chat.name if self.chat is not None else ""

    @property
    def status(self) -> str:
        """ "ready", "creating", "failed" or "" (no chat)."""
        if self.remote is not None:
            return SubjectChatStatus.READY
        return self.chat.status if self.chat is not None else ""


def list_chat_rows(*, roles: Roles, remote: dict[RemoteKey, SubjectChatRef] | None = None) -> list[ChatRow]:
    """The person's load (one row per class × subject, or per group) with the subject chats the journal asked for,
    completed by what the messenger lists (`remote`; None when it could not be asked)."""
    loads = list(manageable_load(roles=roles))
    chats = SubjectChat.objects.filter(school_class_id__in={load.school_class_id for load in loads})
    by_key = {(c.school_class_id, c.subject_id, c.group_id): c for c in chats}
    rows = []
    for load in loads:
        chat = by_key.get((load.school_class_id, load.subject_id, load.group_id))
        row = ChatRow(load=load, chat=chat, remote=None)
        row.remote = (remote or {}).get(row.key)
        rows.append(row)
    return rows


def school_ids_of(rows: list[ChatRow]) -> list[int]:
    return sorted({row.load.school_class.school_id for row in rows})


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
