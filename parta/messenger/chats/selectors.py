"""Reads for chats, always from the reader's side: a chat one is not in does not exist (404, never 403: no IDOR).

Query budgets (pinned by tests): the chat list is 3 queries whatever the number of chats (memberships with counts,
last messages, direct chats' other people); a page of messages is 2 (messages, attachments).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from django.db import connection
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from parta.messenger.accounts.models import Profile
from parta.messenger.chats.errors import ChatRefusal
from parta.messenger.chats.models import Attachment, Chat, ChatKind, InviteLink, MemberRole, Membership, Message, Report
from parta.messenger.chats.permissions import permissions_for
from parta.messenger.chats.schemas import ChatView
from parta.messenger.orgs.selectors import admin_organization_ids
from parta.messenger.orgs.text import filter_contains_folded

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
SEARCH_LIMIT = 30
SEARCH_MIN_LENGTH = 2


def chat_not_found() -> ChatRefusal:
    return ChatRefusal("chat_not_found", _("There is no such chat, or you are not in it."), status=404)


def message_not_found() -> ChatRefusal:
    return ChatRefusal("message_not_found", _("There is no such message in this chat."), status=404)


# --- membership -------------------------------------------------------------------------------------------------------


def is_member(*, profile_id: int, chat_id: int) -> bool:
    """For the WebSocket consumer: may this profile see this chat's typing indicators and events."""
    return Membership.objects.filter(profile_id=profile_id, chat_id=chat_id).exists()


def member_chat_ids(profile_id: int) -> list[int]:
    return list(Membership.objects.filter(profile_id=profile_id).values_list("chat_id", flat=True))


def member_ids(chat_id: int) -> list[int]:
    return list(Membership.objects.filter(chat_id=chat_id).values_list("profile_id", flat=True))


def get_membership(*, profile: Profile, chat_id: int) -> Membership:
    """The reader's membership with its chat selected, or 404."""
    membership = Membership.objects.select_related("chat").filter(profile_id=profile.pk, chat_id=chat_id).first()
    if membership is None:
        raise chat_not_found()
    return membership


# --- the chat list ----------------------------------------------------------------------------------------------------


def _count(queryset: QuerySet[Membership] | QuerySet[Message], field: str) -> Coalesce:
    counted = queryset.order_by().values(field).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _my_memberships(profile_id: int) -> QuerySet[Membership]:
    """The reader's memberships with their chats, member counts and unread counts, newest activity first."""
    unread = Message.objects.filter(
        chat_id=OuterRef("chat_id"), seq__gt=OuterRef("last_read_seq"), deleted_at__isnull=True
    ).exclude(sender_id=profile_id)
    return (
        Membership.objects.filter(profile_id=profile_id)
        .select_related("chat")
        .annotate(
            member_count=_count(Membership.objects.filter(chat_id=OuterRef("chat_id")), "chat_id"),
            unread=_count(unread, "chat_id"),
            activity=Greatest(Coalesce("chat__last_message_at", "chat__created_at"), "joined_at"),
        )
        .order_by("-activity", "-chat_id")
    )


def _last_messages(chat_ids: Collection[int]) -> dict[int, Message]:
    first_kind = Attachment.objects.filter(message_id=OuterRef("pk")).order_by("id").values("kind")[:1]
    messages = (
        Message.objects.filter(chat_id__in=chat_ids, seq=F("chat__last_seq"))
        .select_related("sender")
        .annotate(first_attachment_kind=Subquery(first_kind))
    )
    return {message.chat_id: message for message in messages}


def direct_peers(chat_ids: Collection[int], profile_id: int) -> dict[int, Profile]:
    others = Membership.objects.filter(chat_id__in=chat_ids).exclude(profile_id=profile_id).select_related("profile")
    return {membership.chat_id: membership.profile for membership in others}


def _views(memberships: Iterable[Membership], profile_id: int) -> list[ChatView]:
    memberships = list(memberships)
    chat_ids = [m.chat_id for m in memberships if m.chat.last_seq]
    last = _last_messages(chat_ids) if chat_ids else {}
    direct_ids = [m.chat_id for m in memberships if m.chat.kind == ChatKind.DIRECT]
    peers = direct_peers(direct_ids, profile_id) if direct_ids else {}
    return [
        ChatView(
            chat=m.chat,
            my_role=m.role,
            member_count=m.member_count,  # type: ignore[attr-defined]
            joined_at=m.joined_at,
            peer=peers.get(m.chat_id),
            last_message=last.get(m.chat_id),
            last_read_seq=m.last_read_seq,
            unread=m.unread,  # type: ignore[attr-defined]
        )
        for m in memberships
    ]


def list_chats(profile: Profile) -> list[ChatView]:
    """The reader's chats, newest activity first, each with its last message, member count and unread count."""
    return _views(_my_memberships(profile.pk), profile.pk)


def get_chat(profile: Profile, chat_id: int) -> ChatView:
    """One of the reader's chats, as in the list; 404 when the reader is not in it."""
    views = _views(_my_memberships(profile.pk).filter(chat_id=chat_id), profile.pk)
    if not views:
        raise chat_not_found()
    return views[0]


def chat_members(chat_id: int) -> list[Membership]:
    """Admins first, then by name; with profiles."""
    return sorted(
        Membership.objects.filter(chat_id=chat_id).select_related("profile"),
        key=lambda m: (m.role != MemberRole.ADMIN, m.profile.last_name, m.profile.first_name, m.profile_id),
    )


def views_for_members(chat: Chat, profile_ids: Collection[int]) -> dict[int, ChatView]:
    """The chat as each of these members sees it (for events): 1 query, 2 when the chat has messages."""
    memberships = Membership.objects.filter(chat_id=chat.pk)
    if chat.kind == ChatKind.DIRECT:
        memberships = memberships.select_related("profile")
    everyone = list(memberships)
    last = _last_messages([chat.pk]).get(chat.pk) if chat.last_seq else None
    views = {}
    for m in everyone:
        if m.profile_id not in profile_ids:
            continue
        peer = None
        if chat.kind == ChatKind.DIRECT:
            peer = next((other.profile for other in everyone if other.profile_id != m.profile_id), None)
        views[m.profile_id] = ChatView(
            chat=chat, my_role=m.role, member_count=len(everyone), joined_at=m.joined_at, peer=peer, last_message=last
        )
    return views


# --- messages ---------------------------------------------------------------------------------------------------------


def _messages() -> QuerySet[Message]:
    return Message.objects.select_related("sender", "reply_to__sender").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )


def get_message(*, chat_id: int, message_id: int) -> Message:
    message = _messages().filter(chat_id=chat_id, pk=message_id).first()
    if message is None:
        raise message_not_found()
    return message


def list_messages(
    *, chat_id: int, before: int | None = None, after: int | None = None, limit: int = PAGE_SIZE
) -> tuple[list[Message], bool]:
    """A page of the chat's history, oldest first, and whether there is more in the direction asked.

    `before=seq`: the `limit` messages just older than seq (no `before` and no `after`: the newest ones);
    `after=seq`: the `limit` messages just newer than seq (catching up).
    """
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    messages = _messages().filter(chat_id=chat_id)
    if after is not None:
        page = list(messages.filter(seq__gt=after).order_by("seq")[: limit + 1])
        return page[:limit], len(page) > limit
    if before is not None:
        messages = messages.filter(seq__lt=before)
    page = list(messages.order_by("-seq")[: limit + 1])
    return page[:limit][::-1], len(page) > limit


def _search_words(query: str) -> list[str]:
    return re.findall(r"\w+", query)[:8]


def search_messages(
    profile: Profile, query: str, *, chat_id: int | None = None, limit: int = SEARCH_LIMIT
) -> list[Message]:
    """The reader's messages whose text matches every word of `query` (prefixes too), newest first.

    PostgreSQL: full text with the Russian configuration (stems: «газеты» finds «газета»), using the GIN index on
    to_tsvector('russian', text). SQLite: every word contained in the text, case-insensitive (Cyrillic included).
    """
    words = _search_words(query)
    if len("".join(words)) < SEARCH_MIN_LENGTH:
        raise ChatRefusal("query_too_short", _("Type at least two letters to search."))
    found = (
        _messages()
        .select_related("chat")
        .filter(chat_id__in=Membership.objects.filter(profile_id=profile.pk).values("chat_id"), deleted_at__isnull=True)
    )
    if chat_id is not None:
        found = found.filter(chat_id=chat_id)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        tsquery = " & ".join(f"{word}:*" for word in words)
        found = found.alias(document=SearchVector("text", config="russian")).filter(
            document=SearchQuery(tsquery, config="russian", search_type="raw")
        )
    else:
        for index, word in enumerate(words):
            found = filter_contains_folded(found, ["text"], word, prefix=f"w{index}")
    return list(found.order_by("-created_at", "-id")[: max(1, min(limit, MAX_PAGE_SIZE))])


# --- invites and reports ----------------------------------------------------------------------------------------------


def list_invites(membership: Membership) -> list[InviteLink]:
    """Admins see all of the chat's invites; other members the ones they made (in an open chat)."""
    invites = InviteLink.objects.filter(chat_id=membership.chat_id).select_related("created_by")
    if membership.role != MemberRole.ADMIN:
        invites = invites.filter(created_by_id=membership.profile_id)
    return list(invites.order_by("-created_at", "-id"))


def invite_not_found() -> ChatRefusal:
    return ChatRefusal(
        "invite_not_found", _("There is no such invite link. Check that it was copied in full."), status=404
    )


def get_invite(*, chat_id: int, invite_id: int) -> InviteLink:
    invite = InviteLink.objects.select_related("created_by").filter(chat_id=chat_id, pk=invite_id).first()
    if invite is None:
        raise invite_not_found()
    return invite


def may_see_invite(membership: Membership, invite: InviteLink) -> bool:
    chat = membership.chat
    if membership.role == MemberRole.ADMIN:
        return True
    allowed = permissions_for(kind=chat.kind, is_closed=chat.is_closed, role=membership.role).invite
    return allowed and invite.created_by_id == membership.profile_id


def invite_by_token(token: str) -> InviteLink | None:
    """The invite with its chat (for the join page), or None. Unknown and malformed tokens look the same."""
    if not token or len(token) > 64:
        return None
    return InviteLink.objects.select_related("chat").filter(token=token).first()


def member_count(chat_id: int) -> int:
    return Membership.objects.filter(chat_id=chat_id).count()


def get_report(report_id: int) -> Report:
    return Report.objects.select_related("organization", "reporter", "message__chat", "message__sender").get(
        pk=report_id
    )


def reports_for_admin(profile: Profile, *, include_resolved: bool = False) -> list[Report]:
    """Reports on messages for the organizations this profile is a confirmed admin of, newest first."""
    org_ids = admin_organization_ids(profile.pk)
    if not org_ids:
        raise ChatRefusal("not_org_admin", _("Only an organization's admins read its reports."), status=403)
    reports = Report.objects.filter(organization_id__in=org_ids).select_related(
        "organization", "reporter", "message__chat", "message__sender"
    )
    if not include_resolved:
        reports = reports.filter(resolved_at__isnull=True)
    return list(reports.order_by("-created_at", "-id")[:200])
