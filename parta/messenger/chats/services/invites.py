"""Invite links and joining by them (C4, C5): revocable, with an optional expiry and use limit."""

from __future__ import annotations

import datetime
import secrets

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parta.messenger.accounts.models import Profile
from parta.messenger.chats.errors import ChatRefusal
from parta.messenger.chats.models import Chat, InviteLink, MemberRole, Membership
from parta.messenger.chats.permissions import permissions_for
from parta.messenger.chats.schemas import invite_status
from parta.messenger.chats.selectors import get_invite, get_membership, invite_by_token, invite_not_found
from parta.messenger.chats.services.common import newcomer, require
from parta.messenger.chats.services.events import publish_membership_change
from parta.messenger.orgs.selectors import protected_children

GONE = {
    "expired": _("This invite link has expired. Ask the chat's admin for a new one."),
    "revoked": _("This invite link has been revoked. Ask the chat's admin for a new one."),
    "used_up": _("This invite link has been used as many times as allowed. Ask the chat's admin for a new one."),
}
CHILD_INVITE = _(
    "To keep children safe, a student can join a chat only by an invite from someone of the student's own school."
)


def create_invite(
    *, actor: Profile, chat_id: int, expires_at: datetime.datetime | None = None, max_uses: int | None = None
) -> InviteLink:
    """A new invite link to a manual chat: admins of a closed chat, any member of an open one."""
    if expires_at is not None and (timezone.is_naive(expires_at) or expires_at <= timezone.now()):
        raise ChatRefusal("invite_expiry_invalid", _("The link's expiry must be a moment in the future."))
    if max_uses is not None and max_uses < 1:
        raise ChatRefusal("invite_uses_invalid", _("The number of uses must be at least one."))
    membership = get_membership(profile=actor, chat_id=chat_id)
    require(membership, "invite")
    return InviteLink.objects.create(
        chat_id=chat_id,
        token=secrets.token_urlsafe(24),
        created_by=actor,
        expires_at=expires_at,
        max_uses=max_uses,
    )


def revoke_invite(*, actor: Profile, chat_id: int, invite_id: int) -> InviteLink:
    """Revokes a link: the chat's admins any link, other members their own. Revoking twice changes nothing."""
    membership = get_membership(profile=actor, chat_id=chat_id)
    invite = get_invite(chat_id=chat_id, invite_id=invite_id)
    if membership.role != MemberRole.ADMIN and invite.created_by_id != actor.pk:
        raise ChatRefusal("admins_only", _("Only the chat's admins can revoke other people's links."), status=403)
    if invite.revoked_at is None:
        invite.revoked_at = timezone.now()
        invite.save(update_fields=["revoked_at"])
    return invite


def _creator_may_still_invite(invite: InviteLink, chat: Chat) -> bool:
    """A link lives only while its maker may invite: it dies when they leave, lose admin or the chat closes."""
    role = Membership.objects.filter(chat=chat, profile_id=invite.created_by_id).values_list("role", flat=True).first()
    return role is not None and permissions_for(kind=chat.kind, is_closed=chat.is_closed, role=role).invite


def check_invite(invite: InviteLink | None) -> InviteLink:
    """The invite if it can be used now; else 404 (unknown) or 410 (expired, revoked, used up)."""
    if invite is None:
        raise invite_not_found()
    status = invite_status(invite, timezone.now())
    if status == "active" and not _creator_may_still_invite(invite, invite.chat):
        status = "revoked"
    if status != "active":
        raise ChatRefusal(f"invite_{status}", GONE[status], status=410)
    return invite


def join_by_invite(*, profile: Profile, token: str) -> tuple[Chat, bool]:
    """Joins the invite's chat; returns (chat, joined) — joined is False for someone already in it, whose visit
    does not use the link up. A child joins only by a link from someone of the child's school (C7).
    Locks the chat row, then the invite row, so the use limit holds under concurrent joins."""
    found = invite_by_token(token)
    if found is None:
        raise invite_not_found()
    with transaction.atomic():
        chat = Chat.objects.select_for_update().get(pk=found.chat_id)
        invite = InviteLink.objects.select_for_update().get(pk=found.pk)
        invite.chat = chat
        if Membership.objects.filter(chat=chat, profile_id=profile.pk).exists():
            return chat, False
        check_invite(invite)
        if protected_children(invite.created_by, {profile.pk}):
            raise ChatRefusal("child_protected", CHILD_INVITE, status=403)
        InviteLink.objects.filter(pk=invite.pk).update(uses=F("uses") + 1)
        newcomer(chat, profile.pk).save()
        publish_membership_change(chat, added=[profile.pk])
    return chat, True
