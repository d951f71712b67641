"""Automatic chats (C1) and subject chats (C2) from the mirror, and the linked people's roles and families (L3).

Everything here is "make it so": the wanted state is computed from the mirror and the links in Python, compared
with what the database has, and only the difference is written. Running it twice changes nothing the second time.
It runs after every roster batch, link, unlink and subject chat request, with the school's row locked by the
caller (services/schools.py), so two of them never interleave for one school.

Per class: «7Б — ученики» (the class teacher as admin, the students) and «7Б — родители» (the class teacher as
admin, the students' parents); per school: «Учителя» (all teachers). People who have not linked yet are pending:
they are in the mirror, not in the chats, and join when they link (their link makes them appear here).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext

from parta.messenger.chats.models import Chat, ChatKind, MemberRole, Membership
from parta.messenger.chats.services import ensure_system_chat
from parta.messenger.integration.models import (
    LinkedRole,
    MirrorClass,
    MirrorFamily,
    MirrorGroup,
    MirrorLoad,
    MirrorPerson,
    MirrorSchool,
    PersonKind,
    SubjectChat,
)
from parta.messenger.orgs.models import Family, Role, RoleKind

LoadKey = tuple[int, int, int | None]  # class, subject, group


class LinkRow(NamedTuple):
    """A linked role of the school, as plain values (thousands are read on every reconcile: no model instances)."""

    kind: str
    roster_id: str
    profile_id: int
    class_external_id: str
    children: list[Any]


def chat_key_prefix(school: MirrorSchool) -> str:
    return f"integration:{school.pk}:"


def students_chat_key(school: MirrorSchool, class_pk: int) -> str:
    return f"{chat_key_prefix(school)}class:{class_pk}:students"


def parents_chat_key(school: MirrorSchool, class_pk: int) -> str:
    return f"{chat_key_prefix(school)}class:{class_pk}:parents"


def staff_chat_key(school: MirrorSchool) -> str:
    return f"{chat_key_prefix(school)}staff"


def subject_chat_key(school: MirrorSchool, subject_chat_pk: int) -> str:
    return f"{chat_key_prefix(school)}subject:{subject_chat_pk}"


@dataclass
class SchoolState:
    """The school's mirror and links, loaded in a fixed number of queries (whatever the school's size)."""

    school: MirrorSchool
    class_names: dict[int, str] = field(default_factory=dict)
    class_org_class: dict[int, int] = field(default_factory=dict)
    class_teacher: dict[int, int | None] = field(default_factory=dict)
    class_by_external: dict[str, int] = field(default_factory=dict)
    people: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, external id) → person pk
    student_class: dict[int, int | None] = field(default_factory=dict)
    students_of_class: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    teachers: list[int] = field(default_factory=list)
    family_pairs: list[tuple[int, int]] = field(default_factory=list)  # (parent pk, child pk)
    group_students: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    group_names: dict[int, str] = field(default_factory=dict)
    subject_names: dict[int, str] = field(default_factory=dict)
    load_teachers: dict[LoadKey, set[int]] = field(default_factory=lambda: defaultdict(set))
    links: list[LinkRow] = field(default_factory=list)
    profile_of: dict[int, int] = field(default_factory=dict)  # person pk → profile id, linked people only

    def person(self, kind: str, external_id: str) -> int | None:
        return self.people.get((kind, external_id))


def load_state(school: MirrorSchool) -> SchoolState:
    state = SchoolState(school=school)
    for pk, name, org_class_id, teacher_id, external_id in MirrorClass.objects.filter(school=school).values_list(
        "pk", "org_class__name", "org_class_id", "class_teacher_id", "external_id"
    ):
        state.class_names[pk] = name
        state.class_org_class[pk] = org_class_id
        state.class_teacher[pk] = teacher_id
        state.class_by_external[external_id] = pk
    people = MirrorPerson.objects.filter(school=school).values_list("pk", "kind", "external_id", "school_class_id")
    for pk, kind, external_id, class_id in people:
        state.people[(kind, external_id)] = pk
        if kind == PersonKind.STUDENT:
            state.student_class[pk] = class_id
            if class_id is not None:
                state.students_of_class[class_id].append(pk)
        elif kind == PersonKind.TEACHER:
            state.teachers.append(pk)
    state.family_pairs = list(MirrorFamily.objects.filter(parent__school=school).values_list("parent_id", "child_id"))
    through = MirrorGroup.students.through
    for group_id, person_id in through.objects.filter(mirrorgroup__school=school).values_list(
        "mirrorgroup_id", "mirrorperson_id"
    ):
        state.group_students[group_id].append(person_id)
    state.group_names = dict(MirrorGroup.objects.filter(school=school).values_list("pk", "name"))
    state.subject_names = dict(school.subjects.values_list("pk", "name"))
    for teacher_id, class_id, subject_id, group_id in MirrorLoad.objects.filter(school=school).values_list(
        "teacher_id", "school_class_id", "subject_id", "group_id"
    ):
        state.load_teachers[(class_id, subject_id, group_id)].add(teacher_id)
    state.links = [
        LinkRow(*row)
        for row in LinkedRole.objects.filter(school=school).values_list(
            "kind", "roster_id", "link__profile_id", "class_external_id", "children"
        )
    ]
    for role in state.links:
        person = state.person(role.kind, role.roster_id)
        if person is not None:
            state.profile_of[person] = role.profile_id
    return state


# --- roles and families of linked people (L3) ------------------------------------------------------------------------


def _role_class(state: SchoolState, role: LinkRow) -> int | None:
    """A linked student's class as an OrgClass id: the roster's when it knows the student, else what the link said."""
    if role.kind != RoleKind.STUDENT:
        return None
    person = state.person(role.kind, role.roster_id)
    class_pk = (
        state.student_class.get(person) if person is not None else state.class_by_external.get(role.class_external_id)
    )
    return state.class_org_class.get(class_pk) if class_pk is not None else None


def _confirmable(state: SchoolState, role: LinkRow) -> bool:
    """Once the school has a roster, it is the authority: a person it lacks (left the school) is not confirmed."""
    if role.kind == RoleKind.ADMIN or state.school.sequence == 0:
        return True
    return state.person(role.kind, role.roster_id) is not None


def sync_roles(state: SchoolState) -> None:
    """Role rows of the school's linked people: created, confirmed, their class kept up to date (bulk; only the
    rows that differ are loaded as objects)."""
    organization_id = state.school.organization_id
    wanted = {
        (role.profile_id, role.kind): (_role_class(state, role), _confirmable(state, role)) for role in state.links
    }
    existing = {
        (profile_id, kind): (pk, class_id, confirmed)
        for pk, profile_id, kind, class_id, confirmed in Role.objects.filter(
            organization_id=organization_id,
            profile_id__in=LinkedRole.objects.filter(school=state.school).values("link__profile_id"),
        ).values_list("pk", "profile_id", "kind", "org_class_id", "confirmed")
    }
    new, changed = [], {}
    for (profile_id, kind), (class_id, confirmed) in wanted.items():
        found = existing.get((profile_id, kind))
        if found is None:
            new.append(
                Role(
                    profile_id=profile_id,
                    organization_id=organization_id,
                    kind=kind,
                    org_class_id=class_id,
                    confirmed=confirmed,
                )
            )
        elif found[1:] != (class_id, confirmed):
            changed[found[0]] = (class_id, confirmed)
    Role.objects.bulk_create(new, ignore_conflicts=True)
    roles = list(Role.objects.filter(pk__in=changed))
    for role in roles:
        role.org_class_id, role.confirmed = changed[role.pk]
    Role.objects.bulk_update(roles, ["org_class", "confirmed"])


def parent_profiles_by_student(state: SchoolState) -> dict[int, set[int]]:
    """Student person pk → profiles of the student's linked parents: the roster's families and what parents' links
    said about their children (a journal may send families only with links)."""
    result: dict[int, set[int]] = defaultdict(set)
    for parent, child in state.family_pairs:
        if parent in state.profile_of:
            result[child].add(state.profile_of[parent])
    for role in state.links:
        if role.kind == RoleKind.PARENT:
            for child_external_id in role.children:
                student = state.person(PersonKind.STUDENT, str(child_external_id))
                if student is not None:
                    result[student].add(role.profile_id)
    return result


def sync_families(state: SchoolState) -> None:
    """Family rows between the school's linked parents and linked children: exactly the roster's (and links')."""
    by_student = parent_profiles_by_student(state)
    wanted = {
        (parent_profile, state.profile_of[child])
        for child, parents in by_student.items()
        if child in state.profile_of
        for parent_profile in parents
    }
    parents = {role.profile_id for role in state.links if role.kind == RoleKind.PARENT}
    children = {role.profile_id for role in state.links if role.kind == RoleKind.STUDENT}
    linked_parents = LinkedRole.objects.filter(school=state.school, kind=RoleKind.PARENT).values("link__profile_id")
    existing = {
        (parent_id, child_id)
        for parent_id, child_id in Family.objects.filter(parent_id__in=linked_parents).values_list(
            "parent_id", "child_id"
        )
        if parent_id in parents and child_id in children
    }
    gone = existing - wanted
    for parent_id, child_id in gone:
        Family.objects.filter(parent_id=parent_id, child_id=child_id).delete()
    Family.objects.bulk_create(
        [Family(parent_id=p, child_id=c) for p, c in sorted(wanted - existing) if p != c], ignore_conflicts=True
    )


# --- chats (C1, C2) ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WantedChat:
    kind: str
    title: str
    admins: frozenset[int]
    members: frozenset[int]
    subject_chat_id: int | None = None

    def roles(self) -> dict[int, str]:
        return dict.fromkeys(self.members, MemberRole.MEMBER.value) | dict.fromkeys(self.admins, MemberRole.ADMIN.value)


def _linked(state: SchoolState, people: list[int] | set[int]) -> frozenset[int]:
    return frozenset(state.profile_of[person] for person in people if person in state.profile_of)


def _class_chats(state: SchoolState, by_student: dict[int, set[int]]) -> dict[str, WantedChat]:
    chats = {}
    for class_pk, name in state.class_names.items():
        teacher = state.class_teacher.get(class_pk)
        admins = _linked(state, [teacher] if teacher is not None else [])
        students = state.students_of_class.get(class_pk, [])
        parents = frozenset(profile for student in students for profile in by_student.get(student, ()))
        chats[students_chat_key(state.school, class_pk)] = WantedChat(
            ChatKind.CLASS_STUDENTS,
            pgettext("automatic chat name", "%(class)s — students") % {"class": name},
            admins,
            _linked(state, students),
        )
        chats[parents_chat_key(state.school, class_pk)] = WantedChat(
            ChatKind.CLASS_PARENTS,
            pgettext("automatic chat name", "%(class)s — parents") % {"class": name},
            admins,
            parents,
        )
    return chats


def subject_chat_title(*, class_name: str, subject_name: str, group_name: str | None) -> str:
    if group_name:
        return pgettext("automatic chat name", "%(class)s — %(subject)s (%(group)s)") % {
            "class": class_name,
            "subject": subject_name,
            "group": group_name,
        }
    return pgettext("automatic chat name", "%(class)s — %(subject)s") % {"class": class_name, "subject": subject_name}


def _subject_chats(state: SchoolState, by_student: dict[int, set[int]]) -> dict[str, WantedChat]:
    chats = {}
    rows = SubjectChat.objects.filter(school=state.school).values_list(
        "pk", "school_class_id", "subject_id", "group_id", "teacher_id", "include_parents"
    )
    for pk, class_pk, subject_pk, group_pk, teacher_pk, include_parents in rows:
        teachers = state.load_teachers.get((class_pk, subject_pk, group_pk)) or (
            {teacher_pk} if teacher_pk is not None else set()
        )
        students = state.group_students.get(group_pk, []) if group_pk else state.students_of_class.get(class_pk, [])
        parents = {p for s in students for p in by_student.get(s, ())} if include_parents else set()
        title = subject_chat_title(
            class_name=state.class_names[class_pk],
            subject_name=state.subject_names[subject_pk],
            group_name=state.group_names.get(group_pk) if group_pk else None,
        )
        chats[subject_chat_key(state.school, pk)] = WantedChat(
            ChatKind.SUBJECT, title, _linked(state, teachers), _linked(state, students) | frozenset(parents), pk
        )
    return chats


def wanted_chats(state: SchoolState) -> dict[str, WantedChat]:
    by_student = parent_profiles_by_student(state)
    with translation.override(settings.LANGUAGE_CODE):  # chat names are data: in the school's language
        chats = _class_chats(state, by_student)
        chats[staff_chat_key(state.school)] = WantedChat(
            ChatKind.STAFF, pgettext("automatic chat name", "Teachers"), frozenset(), _linked(state, state.teachers)
        )
        chats.update(_subject_chats(state, by_student))
    return chats


@dataclass
class CurrentChat:
    chat: Chat
    roles: dict[int, str] = field(default_factory=dict)


def _current_chats(school: MirrorSchool) -> dict[str, CurrentChat]:
    """The school's system chats made by the integration, with their members (2 queries). The organization narrows
    the search to an index before the key prefix is compared."""
    chats = Chat.objects.filter(organization_id=school.organization_id, system_key__startswith=chat_key_prefix(school))
    current = {chat.system_key: CurrentChat(chat) for chat in chats if chat.system_key}
    by_id = {entry.chat.pk: entry for entry in current.values()}
    for chat_id, profile_id, role in Membership.objects.filter(chat_id__in=by_id).values_list(
        "chat_id", "profile_id", "role"
    ):
        by_id[chat_id].roles[profile_id] = role
    return current


def reconcile_chats(state: SchoolState) -> int:
    """Brings the school's automatic and subject chats to what the mirror and the links say, through the chats app's
    `ensure_system_chat` (members get their chat list events). Only chats that differ are touched. A chat nobody
    wants any more (its class left the roster) loses its members and keeps its history. Returns how many changed."""
    wanted = wanted_chats(state)
    current = _current_chats(state.school)
    organization = state.school.organization
    changed = 0
    made: dict[int, int] = {}  # subject chat pk → chat id
    for key, chat in wanted.items():
        existing = current.get(key)
        if existing is not None and existing.chat.title == chat.title and existing.roles == chat.roles():
            if chat.subject_chat_id is not None:
                made[chat.subject_chat_id] = existing.chat.pk
            continue
        result = ensure_system_chat(
            system_key=key,
            kind=chat.kind,
            title=chat.title,
            organization=organization,
            admin_ids=chat.admins,
            member_ids=chat.members,
        )
        changed += 1
        if chat.subject_chat_id is not None:
            made[chat.subject_chat_id] = result.pk
    for key, existing in current.items():
        if key not in wanted and existing.roles:
            ensure_system_chat(
                system_key=key,
                kind=existing.chat.kind,
                title=existing.chat.title,
                organization=organization,
                admin_ids=(),
                member_ids=(),
            )
            changed += 1
    _remember_subject_chats(made)
    return changed


def _remember_subject_chats(made: dict[int, int]) -> None:
    rows = list(SubjectChat.objects.filter(pk__in=made).only("pk", "chat_id"))
    stale = [row for row in rows if row.chat_id != made[row.pk]]
    for row in stale:
        row.chat_id = made[row.pk]
    SubjectChat.objects.bulk_update(stale, ["chat"])


def reconcile_school(school: MirrorSchool) -> int:
    """Roles, families and chats of one school, from its mirror and links. The caller holds the school's lock
    (services/schools.py) inside its transaction. Returns how many chats changed."""
    state = load_state(school)
    sync_roles(state)
    sync_families(state)
    return reconcile_chats(state)
