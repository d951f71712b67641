"""What a member may do in a chat (C1, C5): one rule set for the services that enforce it and the API that shows it.

- System chats (class students, class parents, staff, subject, call) are made and kept by the integration: nobody
  changes their settings or members by hand, nobody invites to them or leaves them. Their admins (the teachers)
  may delete any message.
- Direct chats have two members for good: no invites, no settings, no leaving.
- Manual group chats: admins change settings and manage members (remove, make admin). Who invites and adds depends
  on the "closed chat" flag: in a closed chat only admins, in an open chat any member.
"""

from __future__ import annotations

from dataclasses import dataclass

from parta.messenger.chats.models import ChatKind, MemberRole


@dataclass(frozen=True)
class ChatPermissions:
    invite: bool  # create invite links and QR codes
    add_members: bool
    manage_members: bool  # remove members, make or unmake admins
    edit_settings: bool  # name and the "closed chat" flag
    leave: bool
    delete_any_message: bool


def permissions_for(*, kind: str, is_closed: bool, role: str | None) -> ChatPermissions:
    manual = kind == ChatKind.GROUP
    admin = role == MemberRole.ADMIN
    may_invite = manual and (admin or not is_closed)
    return ChatPermissions(
        invite=may_invite,
        add_members=may_invite,
        manage_members=manual and admin,
        edit_settings=manual and admin,
        leave=manual,
        delete_any_message=admin,
    )
