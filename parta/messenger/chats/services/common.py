"""What every chat service needs: the locked chat with the actor's membership, permission checks, safety checks."""

from __future__ import annotations

from collections.abc import Collection

from django.utils.translation import gettext_lazy as _

from parta.messenger.accounts.models import Profile
from parta.messenger.chats.errors import ChatRefusal
from parta.messenger.chats.models import Chat, ChatKind, MemberRole, Membership
from parta.messenger.chats.permissions import permissions_for
from parta.messenger.chats.selectors import chat_not_found
from parta.messenger.orgs.selectors import protected_children, reachable_ids

SYSTEM_CHAT = _("This chat is made by your school from its roster: its settings and members cannot be changed by hand.")
SYSTEM_CHAT_LEAVE = _("You are in this chat because of your school's roster: you leave it when the roster changes.")
DIRECT_CHAT = _("A direct chat always has the same two people: it has no settings, members or invite links.")
ADMINS_ONLY = {
    "invite": _("This chat is closed: only its admins invite and add people."),
    "add_members": _("This chat is closed: only its admins invite and add people."),
    "manage_members": _("Only the chat's admins can remove members and appoint admins."),
    "edit_settings": _("Only the chat's admins can change its settings."),
    "delete_any_message": _("You can delete only your own messages."),
}
CHILD_PROTECTED = _(
    "To keep children safe, only people of a student's own school and the student's parents can write to a "
    "student or add them to a chat. You are not a member of this student's school."
)
NOT_REACHABLE = _(
    "You can write to and add to chats only people of your school and of your chats. "
    "If you know this person, ask them to send you an invite link."
)


def lock_membership(profile: Profile, chat_id: int) -> Membership:
    """The actor's membership with its chat locked (select_for_update): serializes numbering messages and changing
    members of one chat. 404 (never 403) when the chat does not exist or the actor is not in it."""
    chat = Chat.objects.select_for_update().filter(pk=chat_id).first()
    membership = Membership.objects.filter(chat_id=chat_id, profile_id=profile.pk).first() if chat else None
    if chat is None or membership is None:
        raise chat_not_found()
    membership.chat = chat
    return membership


def newcomer(chat: Chat, profile_id: int, *, role: str = MemberRole.MEMBER) -> Membership:
    """A new member's row (unsaved): the history before joining is readable but not counted as unread, so joining
    a busy class chat does not greet one with hundreds of unread messages."""
    return Membership(chat=chat, profile_id=profile_id, role=role, last_read_seq=chat.last_seq)


def require(membership: Membership, action: str) -> None:
    """Refuses (403, with why) unless the member may do `action` (a field of ChatPermissions) in this chat."""
    chat = membership.chat
    if getattr(permissions_for(kind=chat.kind, is_closed=chat.is_closed, role=membership.role), action):
        return
    if chat.is_system and action != "delete_any_message":
        raise ChatRefusal("system_chat", SYSTEM_CHAT_LEAVE if action == "leave" else SYSTEM_CHAT, status=403)
    if chat.kind == ChatKind.DIRECT and action != "delete_any_message":
        raise ChatRefusal("direct_chat", DIRECT_CHAT, status=403)
    code = "not_own_message" if action == "delete_any_message" else "admins_only"
    raise ChatRefusal(code, ADMINS_ONLY[action], status=403)


def ensure_may_contact(actor: Profile, profile_ids: Collection[int]) -> None:
    """Refuses (403) when `actor` may not start a chat with or add any of these people (C7): the child rule first,
    whatever else they share, then reachability. Names are not told: an id alone must not reveal a person."""
    others = set(profile_ids) - {actor.pk}
    if not others:
        return
    if protected_children(actor, others):
        raise ChatRefusal("child_protected", CHILD_PROTECTED, status=403)
    if others - reachable_ids(actor, others):
        raise ChatRefusal("not_reachable", NOT_REACHABLE, status=403)
