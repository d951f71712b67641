"""Making chats and changing their settings (C1, C4, C5): manual group chats, direct chats, system chats."""

from __future__ import annotations

from collections.abc import Collection

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from parta.messenger.accounts.models import Profile
from parta.messenger.chats.errors import ChatRefusal
from parta.messenger.chats.models import Chat, ChatKind, MemberRole, Membership
from parta.messenger.chats.schemas import MAX_TITLE_LENGTH
from parta.messenger.chats.services.common import ensure_may_contact, lock_membership, newcomer, require
from parta.messenger.chats.services.events import publish_chat, publish_membership_change
from parta.messenger.orgs.models import Organization
from parta.messenger.orgs.selectors import confirmed_roles


def clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise ChatRefusal("title_required", _("Give the chat a name, for example «Стенгазета»."))
    if len(title) > MAX_TITLE_LENGTH:
        raise ChatRefusal("title_too_long", _("A chat's name can be at most 200 characters long."))
    return title


def _home_organization_id(profile: Profile) -> int | None:
    """The organization a manual chat belongs to (its admins get the chat's reports): the creator's only
    organization with a confirmed role; none when there are several or none."""
    org_ids = set(confirmed_roles(profile.pk).values_list("organization_id", flat=True))
    return org_ids.pop() if len(org_ids) == 1 else None


def create_chat(*, creator: Profile, title: str, member_ids: Collection[int] = (), is_closed: bool = True) -> Chat:
    """A manual group chat (C4): the creator is its admin; the members must be people the creator may reach (C7)."""
    title = clean_title(title)
    others = set(member_ids) - {creator.pk}
    ensure_may_contact(creator, others)
    with transaction.atomic():
        chat = Chat.objects.create(
            kind=ChatKind.GROUP,
            title=title,
            is_closed=is_closed,
            created_by=creator,
            organization_id=_home_organization_id(creator),
        )
        Membership.objects.bulk_create(
            [Membership(chat=chat, profile=creator, role=MemberRole.ADMIN)]
            + [Membership(chat=chat, profile_id=pid, role=MemberRole.MEMBER) for pid in sorted(others)]
        )
        publish_membership_change(chat, added=[creator.pk, *others])
    return chat


def update_chat_settings(
    *,
    actor: Profile,
    chat_id: int,
    title: str | None = None,
    is_closed: bool | None = None,
    allow_call_recording: bool | None = None,
) -> Chat:
    """The name, the «Закрытый чат» flag and «Разрешить запись звонков» (issue 11) of a manual chat; its admins only
    (C5). Locks the chat row."""
    with transaction.atomic():
        membership = lock_membership(actor, chat_id)
        require(membership, "edit_settings")
        chat = membership.chat
        changed = []
        if title is not None and clean_title(title) != chat.title:
            chat.title = clean_title(title)
            changed.append("title")
        if is_closed is not None and is_closed != chat.is_closed:
            chat.is_closed = is_closed
            changed.append("is_closed")
        if allow_call_recording is not None and allow_call_recording != chat.allow_call_recording:
            chat.allow_call_recording = allow_call_recording
            changed.append("allow_call_recording")
        if changed:
            chat.save(update_fields=changed)
            publish_chat(
                chat, "chat.updated", set(Membership.objects.filter(chat=chat).values_list("profile_id", flat=True))
            )
    return chat


def direct_key(a: int, b: int) -> str:
    return f"{min(a, b)}:{max(a, b)}"


def open_direct_chat(*, actor: Profile, profile_id: int) -> tuple[Chat, bool]:
    """The direct chat of `actor` and another person: the existing one, or a new one (one per pair, enforced by the
    unique `direct_key`, also when both open it at once). Returns (chat, created). Refused by the safety rules."""
    if profile_id == actor.pk:
        raise ChatRefusal("direct_self", _("A direct chat needs another person."))
    ensure_may_contact(actor, {profile_id})
    key = direct_key(actor.pk, profile_id)
    existing = Chat.objects.filter(direct_key=key).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        try:
            with transaction.atomic():
                chat = Chat.objects.create(kind=ChatKind.DIRECT, direct_key=key, is_closed=True, created_by=actor)
        except IntegrityError:  # the other person opened it at the same moment
            return Chat.objects.get(direct_key=key), False
        Membership.objects.bulk_create(
            [Membership(chat=chat, profile_id=pid, role=MemberRole.MEMBER) for pid in (actor.pk, profile_id)]
        )
        publish_membership_change(chat, added=[actor.pk, profile_id])
    return chat, True


def _lock_system_chat(*, system_key: str, kind: str, title: str, organization: Organization | None) -> Chat:
    chat = Chat.objects.select_for_update().filter(system_key=system_key).first()
    if chat is not None:
        return chat
    try:
        with transaction.atomic():
            return Chat.objects.create(
                kind=kind, system_key=system_key, title=title, organization=organization, is_closed=True
            )
    except IntegrityError:  # made by a concurrent call: take it, locked
        return Chat.objects.select_for_update().get(system_key=system_key)


def _sync_members(chat: Chat, wanted: dict[int, str]) -> tuple[list[int], list[int], bool]:
    """Makes the chat's members exactly `wanted` ({profile id: role}); returns (added, removed, roles changed)."""
    current = dict(Membership.objects.filter(chat=chat).values_list("profile_id", "role"))
    added = sorted(set(wanted) - set(current))
    removed = sorted(set(current) - set(wanted))
    Membership.objects.bulk_create([newcomer(chat, pid, role=wanted[pid]) for pid in added])
    Membership.objects.filter(chat=chat, profile_id__in=removed).delete()
    regraded = {pid for pid in set(current) & set(wanted) if current[pid] != wanted[pid]}
    for role in (MemberRole.ADMIN, MemberRole.MEMBER):
        ids = [pid for pid in regraded if wanted[pid] == role]
        Membership.objects.filter(chat=chat, profile_id__in=ids).update(role=role)
    return added, removed, bool(regraded)


def ensure_system_chat(
    *,
    system_key: str,
    kind: str,
    title: str,
    organization: Organization | None,
    admin_ids: Collection[int],
    member_ids: Collection[int],
) -> Chat:
    """Creates or brings up to date a chat the school's roster defines (C1, C2): its title, organization and exactly
    these members (admins among them). Idempotent: a repeated call changes and publishes nothing.

    For the integration, never for people: no safety checks apply, the roster is the authority. Locks the chat row.
    Raises ValueError for a kind that is not a system kind or ids of profiles that do not exist.
    """
    if kind not in ChatKind.system_kinds():
        raise ValueError(f"{kind!r} is not a system chat kind")
    wanted = dict.fromkeys(member_ids, MemberRole.MEMBER.value) | dict.fromkeys(admin_ids, MemberRole.ADMIN.value)
    unknown = set(wanted) - set(Profile.objects.filter(id__in=wanted).values_list("id", flat=True))
    if unknown:
        raise ValueError(f"no profiles with ids {sorted(unknown)}")
    with transaction.atomic():
        chat = _lock_system_chat(system_key=system_key, kind=kind, title=title, organization=organization)
        fields = {"kind": kind, "title": title, "organization_id": organization.pk if organization else None}
        changed = [name for name, value in fields.items() if getattr(chat, name) != value]
        for name in changed:
            setattr(chat, name, fields[name])
        if changed:
            chat.save(update_fields=changed)
        added, removed, regraded = _sync_members(chat, wanted)
        if added or removed or regraded or changed:
            publish_membership_change(chat, added=added, removed=removed)
    return chat
