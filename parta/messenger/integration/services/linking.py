"""Linking a journal account with an educational profile (L1–L3, L6) and the child-on-a-parent's-phone rule (A5).

A link confirms the person's roles in their schools (Role rows), makes their families (Family rows, as soon as
both sides have linked) and puts them into their automatic and subject chats at once: everything follows from
`reconcile_school`, so linking, re-linking and unlinking are idempotent by construction.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from parta.common.integration.schemas import LinkRequest, LinkResult, LinkRole
from parta.messenger.accounts.models import Profile
from parta.messenger.accounts.services import take_names_from_journal
from parta.messenger.chats.models import ChatKind, MemberRole, Membership
from parta.messenger.integration import errors
from parta.messenger.integration.models import Journal, LinkedRole, MirrorSchool, PersonLink
from parta.messenger.integration.services.provisioning import reconcile_school
from parta.messenger.integration.services.schools import lock_schools
from parta.messenger.integration.services.subject_chats import chat_url
from parta.messenger.integration.services.webhooks import enqueue_webhook
from parta.messenger.orgs.models import Family, Role, RoleKind
from parta.messenger.orgs.selectors import is_child

ADULT_KINDS = frozenset({RoleKind.TEACHER, RoleKind.PARENT, RoleKind.ADMIN})


def check_roles(*, profile: Profile, roles: Iterable[LinkRole]) -> None:
    """A5: one phone or e-mail is one person. A student's account is refused on a profile that holds an adult role
    (confirmed or not: the phone belongs to an adult), an adult's account on a student's or a child's profile, and
    one account may not be a student and an adult at once."""
    kinds = {role.kind for role in roles}
    if RoleKind.STUDENT in kinds and kinds & ADULT_KINDS:
        raise errors.mixed_roles()
    held = set(Role.objects.filter(profile_id=profile.pk).values_list("kind", flat=True))
    if RoleKind.STUDENT in kinds and held & ADULT_KINDS:
        raise errors.child_on_adult_profile()
    if kinds & ADULT_KINDS and (RoleKind.STUDENT in held or is_child(profile)):
        raise errors.adult_on_child_profile()


def link_person(*, journal: Journal, profile: Profile, request: LinkRequest) -> LinkResult:
    """Links the journal account `request.person_id` with `profile` and confirms its roles (L3); a person with two
    roles (a teacher who is a parent) gets both. Repeating it refreshes the link (idempotent). An account linked
    with another profile moves only when `replace_existing` says so (L6); the other profile then loses its roles
    and chats. The profile's name becomes the one the journal passed, unless the person chose their own
    (`take_names_from_journal`). Locks the schools' rows of the old and the new roles, in id order."""
    check_roles(profile=profile, roles=request.roles)
    with transaction.atomic():
        existing = PersonLink.objects.filter(journal=journal, person_id=request.person_id).first()
        before = set(existing.roles.values_list("school__external_id", flat=True)) if existing else set()
        schools = lock_schools(
            journal=journal, external_ids=before | {role.school_id for role in request.roles}, create=True
        )
        link = PersonLink.objects.select_for_update().filter(journal=journal, person_id=request.person_id).first()
        if link is not None and link.profile_id != profile.pk:
            if not request.replace_existing:
                raise errors.linked_elsewhere()
            drop_link(link, schools.values())
            link = None
        link = _save_link(link, journal=journal, profile=profile, request=request)
        take_names_from_journal(profile=profile, **request.name.model_dump())
        try:
            with transaction.atomic():
                _replace_roles(link, request, schools)
        except IntegrityError as error:  # a roster person already claimed by another account
            raise errors.linked_elsewhere() from error
        for school in sorted(schools.values(), key=lambda s: s.pk):
            reconcile_school(school)
        organization_ids = [school.organization_id for school in schools.values()]
        confirmed = set(
            Role.objects.filter(
                profile_id=profile.pk, confirmed=True, organization_id__in=organization_ids
            ).values_list("organization__mirror__external_id", "kind")
        )
    return LinkResult(
        profile_id=profile.pk,
        confirmed_roles=[role for role in request.roles if (role.school_id, role.kind) in confirmed],
        chats_url=_chats_url(profile, organization_ids),
    )


def _chats_url(profile: Profile, organization_ids: list[int]) -> str:
    """Where «Перейти в чат» leads (L5): a student straight into their class's chat, everyone else to the chat list
    (a class teacher has three chats, a parent one per child's class)."""
    class_chat = (
        Membership.objects.filter(
            profile_id=profile.pk, chat__kind=ChatKind.CLASS_STUDENTS, chat__organization_id__in=organization_ids
        )
        .exclude(role=MemberRole.ADMIN)
        .values_list("chat_id", flat=True)
        .first()
    )
    return chat_url(class_chat) if class_chat else f"{settings.MESSENGER_URL}/chats/"


def _save_link(link: PersonLink | None, *, journal: Journal, profile: Profile, request: LinkRequest) -> PersonLink:
    names = {
        "last_name": request.name.last_name,
        "first_name": request.name.first_name,
        "patronymic": request.name.patronymic,
    }
    if link is None:
        return PersonLink.objects.create(journal=journal, person_id=request.person_id, profile=profile, **names)
    for field, value in names.items():
        setattr(link, field, value)
    link.updated_at = timezone.now()
    link.save(update_fields=[*names, "updated_at"])
    return link


def _replace_roles(link: PersonLink, request: LinkRequest, schools: dict[str, MirrorSchool]) -> None:
    """The link's roles become exactly the request's; roles it no longer has stop being confirmed."""
    wanted: dict[tuple[int, str], LinkedRole] = {}
    for asked in request.roles:
        school = schools[asked.school_id]
        wanted[(school.pk, asked.kind)] = LinkedRole(
            link=link,
            school=school,
            kind=asked.kind,
            roster_id=asked.roster_person_id or request.person_id,
            class_external_id=asked.class_id or "",
            children=list(dict.fromkeys(asked.children)),
        )
    current = {(role.school_id, role.kind): role for role in link.roles.select_related("school")}
    _forget_roles(link.profile_id, [role for key, role in current.items() if key not in wanted])
    changed = []
    for key, role in wanted.items():
        old = current.get(key)
        if old is not None:
            role.pk = old.pk
            if (old.roster_id, old.class_external_id, old.children) != (
                role.roster_id,
                role.class_external_id,
                role.children,
            ):
                changed.append(role)
    LinkedRole.objects.bulk_update(changed, ["roster_id", "class_external_id", "children"])
    LinkedRole.objects.bulk_create([role for key, role in wanted.items() if key not in current])


def _forget_roles(profile_id: int, roles: list[LinkedRole]) -> None:
    """Deletes these linked roles; the profile's Role rows they confirmed become unconfirmed unless another link of
    the profile still gives the same role in the same organization."""
    if not roles:
        return
    LinkedRole.objects.filter(pk__in=[role.pk for role in roles]).delete()
    still = set(LinkedRole.objects.filter(link__profile_id=profile_id).values_list("school__organization_id", "kind"))
    for role in roles:
        organization_id = role.school.organization_id
        if (organization_id, role.kind) not in still:
            Role.objects.filter(profile_id=profile_id, organization_id=organization_id, kind=role.kind).update(
                confirmed=False
            )


def _forget_families(profile_id: int, schools: Iterable[MirrorSchool]) -> None:
    """Family rows the profile has with the other linked people of these schools (made by the links)."""
    linked = LinkedRole.objects.filter(school__in=list(schools)).exclude(link__profile_id=profile_id)
    children = linked.filter(kind=RoleKind.STUDENT).values("link__profile_id")
    parents = linked.filter(kind=RoleKind.PARENT).values("link__profile_id")
    Family.objects.filter(parent_id=profile_id, child_id__in=children).delete()
    Family.objects.filter(child_id=profile_id, parent_id__in=parents).delete()


def drop_link(link: PersonLink, schools: Iterable[MirrorSchool]) -> None:
    """Removes a link inside the caller's transaction (the caller holds the schools' locks and reconciles them)."""
    _forget_families(link.profile_id, schools)
    _forget_roles(link.profile_id, list(link.roles.select_related("school")))
    _revoke_tokens(link)
    link.delete()


def _revoke_tokens(link: PersonLink) -> None:
    """The journal's tokens for this profile stop working: the person's consent ends with the link."""
    application_id = link.journal.application_id
    get_refresh_token_model().objects.filter(user_id=link.profile_id, application_id=application_id).delete()
    get_access_token_model().objects.filter(user_id=link.profile_id, application_id=application_id).delete()


def unlink_person(*, journal: Journal, person_id: str, profile: Profile | None = None, notify_journal: bool) -> int:
    """Unlinks a journal account (L6): its roles in that journal's schools become unconfirmed, the profile leaves the
    journal's automatic and subject chats, the journal's tokens for the profile are revoked. With `profile`, only
    if the account is linked with that profile (a person's token acts for itself only). `notify_journal` sends the
    journal a signed `link.removed` webhook (the unlinking started in the messenger). Returns the profile's id.
    Locks the schools' rows of the link's roles."""
    with transaction.atomic():
        link = PersonLink.objects.filter(journal=journal, person_id=person_id).select_related("journal").first()
        if link is None or (profile is not None and link.profile_id != profile.pk):
            raise errors.not_linked()
        external_ids = set(link.roles.values_list("school__external_id", flat=True))
        schools = lock_schools(journal=journal, external_ids=external_ids, create=False)
        link = PersonLink.objects.select_for_update().select_related("journal").filter(pk=link.pk).first()
        if link is None:  # unlinked meanwhile
            raise errors.not_linked()
        profile_id = link.profile_id
        drop_link(link, schools.values())
        for school in sorted(schools.values(), key=lambda s: s.pk):
            reconcile_school(school)
        if notify_journal:
            enqueue_webhook(
                journal=journal, type="link.removed", data={"person_id": person_id, "profile_id": profile_id}
            )
    return profile_id


def unlink_profile(*, profile: Profile, link_id: int) -> None:
    """«Отвязать дневник» on the profile page: the profile's own link only; the journal is told by webhook."""
    link = PersonLink.objects.select_related("journal").filter(pk=link_id, profile_id=profile.pk).first()
    if link is None:
        raise errors.not_linked()
    unlink_person(journal=link.journal, person_id=link.person_id, profile=profile, notify_journal=True)
