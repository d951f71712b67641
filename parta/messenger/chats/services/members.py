"""Who is in a chat (C5): adding people, removing them, appointing admins, leaving."""

from __future__ import annotations

from collections.abc import Collection

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from parta.messenger.accounts.models import Profile
from parta.messenger.chats.errors import ChatRefusal
from parta.messenger.chats.models import Chat, MemberRole, Membership
from parta.messenger.chats.services.common import ensure_may_contact, lock_membership, newcomer, require
from parta.messenger.chats.services.events import publish_membership_change

LAST_ADMIN = _("A chat needs at least one admin: appoint another admin first.")


def _target(chat: Chat, profile_id: int) -> Membership:
    membership = Membership.objects.filter(chat=chat, profile_id=profile_id).first()
    if membership is None:
        raise ChatRefusal("member_not_found", _("This person is not in the chat."), status=404)
    return membership


def add_members(*, actor: Profile, chat_id: int, profile_ids: Collection[int]) -> list[int]:
    """Adds people to a manual chat: admins of a closed chat, any member of an open one. Every newcomer must be
    someone the actor may reach (C7). Returns the ids actually added (present members are skipped). Locks the chat."""
    with transaction.atomic():
        membership = lock_membership(actor, chat_id)
        require(membership, "add_members")
        chat = membership.chat
        present = set(
            Membership.objects.filter(chat=chat, profile_id__in=profile_ids).values_list("profile_id", flat=True)
        )
        newcomers = sorted(set(profile_ids) - present - {actor.pk})
        if not newcomers:
            return []
        ensure_may_contact(actor, newcomers)
        Membership.objects.bulk_create([newcomer(chat, pid) for pid in newcomers])
        publish_membership_change(chat, added=newcomers)
    return newcomers


def _admins_left(chat: Chat, *, without: int) -> bool:
    return Membership.objects.filter(chat=chat, role=MemberRole.ADMIN).exclude(profile_id=without).exists()


def remove_member(*, actor: Profile, chat_id: int, profile_id: int) -> None:
    """Removes someone from a manual chat; its admins only. Removing oneself is leaving. Locks the chat."""
    if profile_id == actor.pk:
        leave_chat(profile=actor, chat_id=chat_id)
        return
    with transaction.atomic():
        membership = lock_membership(actor, chat_id)
        require(membership, "manage_members")
        _target(membership.chat, profile_id).delete()
        publish_membership_change(membership.chat, removed=[profile_id])


def set_member_role(*, actor: Profile, chat_id: int, profile_id: int, role: str) -> None:
    """Makes a member an admin, or an admin a plain member again; the chat's admins only, and never its last admin
    (C5). Locks the chat."""
    role = MemberRole(role)
    with transaction.atomic():
        membership = lock_membership(actor, chat_id)
        require(membership, "manage_members")
        target = _target(membership.chat, profile_id)
        if target.role == role:
            return
        if role == MemberRole.MEMBER and not _admins_left(membership.chat, without=profile_id):
            raise ChatRefusal("last_admin", LAST_ADMIN, status=409)
        target.role = role
        target.save(update_fields=["role"])
        publish_membership_change(membership.chat)


def leave_chat(*, profile: Profile, chat_id: int) -> None:
    """Leaves a manual chat. When its last admin leaves, the longest-standing member becomes admin, so a closed chat
    never ends up without anyone to manage it. System and direct chats cannot be left. Locks the chat."""
    with transaction.atomic():
        membership = lock_membership(profile, chat_id)
        require(membership, "leave")
        chat = membership.chat
        membership.delete()
        if membership.role == MemberRole.ADMIN and not _admins_left(chat, without=profile.pk):
            heir = Membership.objects.filter(chat=chat).order_by("joined_at", "id").first()
            if heir is not None:
                heir.role = MemberRole.ADMIN
                heir.save(update_fields=["role"])
        publish_membership_change(chat, removed=[profile.pk])
