"""Who a profile may see and reach (C7, A4): the messenger's safety rules, as querysets.

A profile reaches only people of its organizations and of its chats:
- students: their classmates (same class) and the teachers of their organization, and their own parents;
- parents: the teachers of their children's organizations, the parents of their children's classmates, and their
  own children;
- teachers and organization admins: everyone with a role in their organization;
- everyone: the members of the chats they are in.
Only confirmed roles count (a role is confirmed by linking with the journal, L3): a profile whose roles are not
confirmed reaches only its chats' members. Family links count only when the parent's role and the child's student
role are confirmed in the same organization.

Children get one more rule that outranks all of the above: an adult outside a child's organization can neither start
a direct chat with the child nor add the child to a chat, even when they share a chat (`protected_children`).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from parta.messenger.accounts.models import Profile
from parta.messenger.chats.models import Membership
from parta.messenger.orgs.models import Family, Role, RoleKind
from parta.messenger.orgs.text import filter_contains_folded

CHILD_AGE = 14  # a profile younger than this is a child even without a student role
PEOPLE_QUERY_MIN_LENGTH = 2
PEOPLE_SEARCH_LIMIT = 30


def confirmed_roles(profile_id: int) -> QuerySet[Role]:
    return Role.objects.filter(profile_id=profile_id, confirmed=True)


def has_confirmed_role(profile_id: int) -> bool:
    """Whether the profile has at least one role confirmed by linking with a journal (the chats' banner, L2)."""
    return confirmed_roles(profile_id).exists()


def roles_of(profile_id: int) -> list[Role]:
    """All roles of a profile, confirmed or not, with their organization and class (for "my roles" and the banner)."""
    return list(
        Role.objects.filter(profile_id=profile_id)
        .select_related("organization", "org_class")
        .order_by("organization__name", "kind")
    )


def admin_organization_ids(profile_id: int) -> list[int]:
    """Organizations whose reports this profile reads: those where it is a confirmed admin."""
    return list(confirmed_roles(profile_id).filter(kind=RoleKind.ADMIN).values_list("organization_id", flat=True))


def _child_cutoff(today: datetime.date) -> datetime.date:
    """Born after this date → younger than CHILD_AGE today (29 February falls back to 28 February)."""
    try:
        return today.replace(year=today.year - CHILD_AGE)
    except ValueError:
        return today.replace(year=today.year - CHILD_AGE, day=28)


def children_among(profile_ids: Iterable[int]) -> set[int]:
    """The children among these profiles: a student role (confirmed or not) or younger than 14."""
    ids = set(profile_ids)
    if not ids:
        return set()
    student = Role.objects.filter(profile_id=OuterRef("pk"), kind=RoleKind.STUDENT)
    cutoff = _child_cutoff(timezone.localdate())
    found = Profile.objects.filter(id__in=ids).filter(Q(Exists(student)) | Q(birth_date__gt=cutoff))
    return set(found.values_list("id", flat=True))


def is_child(profile: Profile) -> bool:
    return bool(children_among([profile.pk]))


def protected_children(actor: Profile, candidate_ids: Collection[int]) -> set[int]:
    """The children among `candidate_ids` whom `actor` may not contact: `actor` is an adult with no confirmed role in
    any organization the child belongs to, and not the child's parent. Children among themselves are not limited
    here (reachability still applies)."""
    children = children_among(candidate_ids) - {actor.pk}
    if not children or is_child(actor):
        return set()
    actor_orgs = confirmed_roles(actor.pk).values("organization_id")
    inside = Role.objects.filter(profile_id__in=children, organization_id__in=actor_orgs).values_list(
        "profile_id", flat=True
    )
    own = Family.objects.filter(parent_id=actor.pk, child_id__in=children).values_list("child_id", flat=True)
    return children - set(inside) - set(own)


def _reachable_by_roles(profile_id: int) -> QuerySet[Role]:
    """Confirmed roles of the people this profile reaches through its own confirmed roles (see the module doc)."""
    mine = confirmed_roles(profile_id)
    staff_orgs = mine.filter(kind__in=[RoleKind.TEACHER, RoleKind.ADMIN]).values("organization_id")
    student_roles = mine.filter(kind=RoleKind.STUDENT)
    parent_orgs = mine.filter(kind=RoleKind.PARENT).values("organization_id")
    child_roles = Role.objects.filter(
        profile_id__in=Family.objects.filter(parent_id=profile_id).values("child_id"),
        kind=RoleKind.STUDENT,
        confirmed=True,
        organization_id__in=parent_orgs,
    )
    classmates_of_children = Role.objects.filter(
        kind=RoleKind.STUDENT, confirmed=True, org_class_id__in=child_roles.values("org_class_id")
    ).values("profile_id")
    my_parents = Family.objects.filter(child_id=profile_id).values("parent_id")
    return Role.objects.filter(confirmed=True).filter(
        Q(organization_id__in=staff_orgs)
        | Q(kind=RoleKind.STUDENT, org_class_id__in=student_roles.values("org_class_id"))
        | Q(kind=RoleKind.TEACHER, organization_id__in=student_roles.values("organization_id"))
        | Q(
            kind=RoleKind.PARENT, organization_id__in=student_roles.values("organization_id"), profile_id__in=my_parents
        )
        | Q(kind=RoleKind.TEACHER, organization_id__in=child_roles.values("organization_id"))
        | Q(
            kind=RoleKind.PARENT,
            organization_id__in=child_roles.values("organization_id"),
            profile_id__in=Family.objects.filter(child_id__in=classmates_of_children).values("parent_id"),
        )
        | Q(id__in=child_roles.values("id"))  # one's own children
    )


def reachable_profiles(profile: Profile) -> QuerySet[Profile]:
    """Everyone `profile` may see and contact (itself excluded), as one queryset of subqueries (no rows loaded)."""
    by_roles = _reachable_by_roles(profile.pk).values("profile_id")
    my_chats = Membership.objects.filter(profile_id=profile.pk).values("chat_id")
    co_members = Membership.objects.filter(chat_id__in=my_chats).values("profile_id")
    return (
        Profile.objects.filter(is_active=True).filter(Q(id__in=by_roles) | Q(id__in=co_members)).exclude(id=profile.pk)
    )


def reachable_ids(profile: Profile, candidate_ids: Collection[int]) -> set[int]:
    """Which of `candidate_ids` `profile` may reach (one query)."""
    if not candidate_ids:
        return set()
    return set(reachable_profiles(profile).filter(id__in=candidate_ids).values_list("id", flat=True))


def may_reach(a: Profile, b: Profile) -> bool:
    """Whether `a` may see and contact `b` by the organization and chat rules (the child rule is separate)."""
    return b.pk in reachable_ids(a, [b.pk])


def search_people(profile: Profile, query: str, *, limit: int = PEOPLE_SEARCH_LIMIT) -> list[Profile]:
    """Reachable people whose names contain every word of `query` (case-insensitive), by name.

    Each found profile gets `shared_roles`: its confirmed roles in organizations the searcher belongs to, so the
    result says «учитель, Школа № 5» without telling anything about other organizations. Two queries.
    """
    words = query.split()[:5]
    people = reachable_profiles(profile)
    for index, word in enumerate(words):
        people = filter_contains_folded(people, ["last_name", "first_name", "patronymic"], word, prefix=f"w{index}")
    found = list(people.order_by("last_name", "first_name", "id")[:limit])
    roles_by_profile: dict[int, list[Role]] = {person.pk: [] for person in found}
    if found:
        shared = (
            Role.objects.filter(
                profile_id__in=roles_by_profile,
                confirmed=True,
                organization_id__in=confirmed_roles(profile.pk).values("organization_id"),
            )
            .select_related("organization", "org_class")
            .order_by("organization__name", "kind")
        )
        for role in shared:
            roles_by_profile[role.profile_id].append(role)
    for person in found:
        person.shared_roles = roles_by_profile[person.pk]  # type: ignore[attr-defined]
    return found
