"""Writes of the chats app. Every service is keyword-only, runs in one transaction and publishes its events inside
it (delivered after commit). Refusals are `ChatRefusal` with a stable code and a Russian message."""

from parta.messenger.chats.services.chats import (
    create_chat,
    direct_key,
    ensure_system_chat,
    open_direct_chat,
    update_chat_settings,
)
from parta.messenger.chats.services.invites import create_invite, join_by_invite, revoke_invite
from parta.messenger.chats.services.members import add_members, leave_chat, remove_member, set_member_role
from parta.messenger.chats.services.messages import delete_message, edit_message, mark_read, send_message
from parta.messenger.chats.services.reports import report_message, resolve_report

__all__ = [
    "add_members",
    "create_chat",
    "create_invite",
    "delete_message",
    "direct_key",
    "edit_message",
    "ensure_system_chat",
    "join_by_invite",
    "leave_chat",
    "mark_read",
    "open_direct_chat",
    "remove_member",
    "report_message",
    "resolve_report",
    "revoke_invite",
    "send_message",
    "set_member_role",
    "update_chat_settings",
]
