"""The chats API's shapes (OpenAPI at /api/v1/docs) and the builders that make them from models.

The same `MessageOut` and `ChatOut` travel in real-time events: their payload schemas are in `chats/events.py`
(published by `services/events.py`), listed in docs/realtime-protocol.md §1.

Unread counts: `unread` is the number of messages with `seq` > the reader's `last_read_seq` that someone else sent
and nobody deleted. Sending a message marks the chat read up to it for the sender. A client keeps the count itself
between list loads: +1 on "message.new" from someone else, 0 on "chat.read", 0 and last_read_seq = seq on its own
"message.new".
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Schema

from parta.messenger.accounts.models import Profile
from parta.messenger.chats.models import Attachment, AttachmentKind, Chat, InviteLink, Message, Report
from parta.messenger.chats.permissions import permissions_for
from parta.messenger.chats.rendering import message_html
from parta.messenger.orgs.schemas import PersonOut, person_out

MAX_TEXT_LENGTH = 10_000
MAX_TITLE_LENGTH = 200
PREVIEW_LENGTH = 200
INLINE_KINDS = {AttachmentKind.IMAGE, AttachmentKind.AUDIO, AttachmentKind.VIDEO}


# --- messages ---------------------------------------------------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    kind: Literal["file", "image", "audio", "video"]
    name: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    url: str  # same-origin, members only; inline for photos, audio and video, a download otherwise
    thumbnail_url: str | None  # photos: WebP, at most 320 px
    download_url: str  # always a download (Content-Disposition: attachment)
    duration_ms: int | None = None  # audio and video: the length, when known (a call's recording: always)
    poster_url: str | None = None  # video: the poster frame (WebP; the `thumbnail`), shown before it plays


class ReplyPreviewOut(Schema):
    id: int
    seq: int
    sender: PersonOut | None
    text: str  # the first 200 characters, plain text
    is_deleted: bool


class MessageOut(Schema):
    id: int
    chat_id: int
    seq: int  # 1, 2, 3… within the chat
    client_id: uuid.UUID  # the sending client's id: a retried send answers with the same message
    sender: PersonOut | None  # None when the sender's profile no longer exists
    text: str  # as typed; "" once deleted
    html: str  # `text` escaped, links clickable (target=_blank, rel="noopener noreferrer nofollow"), line breaks <br>
    reply_to: ReplyPreviewOut | None
    attachments: list[AttachmentOut]
    created_at: datetime.datetime
    edited_at: datetime.datetime | None
    deleted_at: datetime.datetime | None
    is_deleted: bool  # show «Сообщение удалено»


class MessagePreviewOut(Schema):
    id: int
    seq: int
    sender: PersonOut | None
    text: str  # the first 200 characters, plain text
    attachment_kind: Literal["file", "image", "audio", "video"] | None  # the first attachment's kind, if any
    is_deleted: bool
    created_at: datetime.datetime


class MessagePageOut(Schema):
    messages: list[MessageOut]  # oldest first
    has_more: bool  # more messages beyond this page in the direction asked (older for `before`, newer for `after`)


class SearchHitOut(Schema):
    chat_id: int
    chat_title: str
    message: MessageOut


class MessageIn(Schema):
    client_id: uuid.UUID = Field(description="Made by the client once per message; resend with the same id.")
    text: str = Field("", max_length=MAX_TEXT_LENGTH)
    reply_to_id: int | None = None


class MessageEditIn(Schema):
    text: str = Field(max_length=MAX_TEXT_LENGTH)


class ReadIn(Schema):
    seq: int = Field(ge=0, description="The seq of the newest message the person has seen.")


class ReadOut(Schema):
    chat_id: int
    last_read_seq: int


# --- chats ------------------------------------------------------------------------------------------------------------


class PermissionsOut(Schema):
    invite: bool
    add_members: bool
    manage_members: bool
    edit_settings: bool
    leave: bool
    delete_any_message: bool


class ChatOut(Schema):
    id: int
    kind: Literal["direct", "group", "class_students", "class_parents", "staff", "subject", "call"]
    title: str  # for a direct chat: the other person's name
    is_system: bool  # made by the school's roster: settings and members cannot be changed by hand
    is_direct: bool
    is_closed: bool  # «Закрытый чат»: only admins invite, add and manage members
    allow_call_recording: bool = False  # «Разрешить запись звонков»: the chat's calls may be recorded (issue 11)
    organization_id: int | None
    member_count: int
    my_role: Literal["admin", "member"]
    permissions: PermissionsOut  # what I may do here: hide the controls I may not use
    peer: PersonOut | None  # a direct chat's other person
    last_message: MessagePreviewOut | None
    last_seq: int
    created_at: datetime.datetime
    activity_at: datetime.datetime  # the list is ordered by this, newest first: last message, else when I joined
    last_read_seq: int | None = None  # absent in events
    unread: int | None = None  # absent in events: the client counts from "message.new" and "chat.read"


class MemberOut(PersonOut):
    role: Literal["admin", "member"]
    joined_at: datetime.datetime


class ChatDetailOut(ChatOut):
    members: list[MemberOut]  # admins first, then by name


class ChatCreateIn(Schema):
    title: str = Field(min_length=1, max_length=MAX_TITLE_LENGTH, description="e.g. «Стенгазета»")
    member_ids: list[int] = Field(default_factory=list, max_length=1000)
    is_closed: bool = Field(True, description="«Закрытый чат», recommended")


class ChatUpdateIn(Schema):
    title: str | None = Field(None, min_length=1, max_length=MAX_TITLE_LENGTH)
    is_closed: bool | None = None
    allow_call_recording: bool | None = Field(None, description="«Разрешить запись звонков» (the chat's admins)")


class MembersAddIn(Schema):
    profile_ids: list[int] = Field(min_length=1, max_length=1000)


class MemberRoleIn(Schema):
    role: Literal["admin", "member"]


class DirectIn(Schema):
    profile_id: int


# --- invites and reports ----------------------------------------------------------------------------------------------


class InviteIn(Schema):
    expires_at: datetime.datetime | None = Field(None, description="With a time zone; empty for no expiry.")
    max_uses: int | None = Field(None, ge=1, le=100_000, description="Empty for no limit.")


class InviteOut(Schema):
    id: int
    chat_id: int
    token: str
    url: str  # absolute: what to share and what the QR code holds
    path: str  # /join/<token>/
    qr_url: str  # image/svg+xml
    created_by: PersonOut
    created_at: datetime.datetime
    expires_at: datetime.datetime | None
    max_uses: int | None
    uses: int
    revoked_at: datetime.datetime | None
    status: Literal["active", "expired", "revoked", "used_up"]


class InvitePreviewOut(Schema):
    title: str
    member_count: int
    status: Literal["active", "expired", "revoked", "used_up"]
    is_member: bool  # the asking profile is in the chat already


class ReportIn(Schema):
    reason: str = Field("", max_length=500)


class ReportOut(Schema):
    id: int
    organization_id: int | None
    organization_name: str | None
    chat_id: int
    chat_title: str
    message_id: int
    message_seq: int
    sender: PersonOut | None
    reporter: PersonOut
    reason: str
    text: str  # the message's text when it was reported (kept even if the message is deleted later)
    created_at: datetime.datetime
    resolved_at: datetime.datetime | None


# --- builders ---------------------------------------------------------------------------------------------------------


def _person(profile: Profile | None) -> PersonOut | None:
    return person_out(profile) if profile is not None else None


def _snippet(text: str) -> str:
    return text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1] + "…"


def attachment_out(attachment: Attachment) -> AttachmentOut:
    url = reverse("chats:attachment", kwargs={"pk": attachment.pk})
    thumbnail_url = (
        reverse("chats:attachment-thumbnail", kwargs={"pk": attachment.pk}) if attachment.thumbnail else None
    )
    return AttachmentOut(
        id=attachment.pk,
        kind=attachment.kind,  # type: ignore[arg-type]
        name=attachment.original_name,
        content_type=attachment.content_type,
        size=attachment.size,
        width=attachment.width,
        height=attachment.height,
        url=url,
        thumbnail_url=thumbnail_url,
        download_url=f"{url}?download=1",
        duration_ms=attachment.duration_ms,
        poster_url=thumbnail_url if attachment.kind == AttachmentKind.VIDEO else None,
    )


def reply_preview_out(message: Message) -> ReplyPreviewOut:
    return ReplyPreviewOut(
        id=message.pk,
        seq=message.seq,
        sender=_person(message.sender),
        text=_snippet(message.text),
        is_deleted=message.deleted_at is not None,
    )


def message_out(message: Message) -> MessageOut:
    """Needs `sender` and `reply_to__sender` selected and `attachments` prefetched to stay query-free."""
    deleted = message.deleted_at is not None
    return MessageOut(
        id=message.pk,
        chat_id=message.chat_id,
        seq=message.seq,
        client_id=message.client_id,
        sender=_person(message.sender),
        text=message.text,
        html=message_html(message.text),
        reply_to=reply_preview_out(message.reply_to) if message.reply_to_id and message.reply_to else None,
        attachments=[] if deleted else [attachment_out(a) for a in message.attachments.all()],
        created_at=message.created_at,
        edited_at=message.edited_at,
        deleted_at=message.deleted_at,
        is_deleted=deleted,
    )


def message_preview_out(message: Message) -> MessagePreviewOut:
    """Needs `sender` selected and the `first_attachment_kind` annotation."""
    deleted = message.deleted_at is not None
    return MessagePreviewOut(
        id=message.pk,
        seq=message.seq,
        sender=_person(message.sender),
        text=_snippet(message.text),
        attachment_kind=None if deleted else getattr(message, "first_attachment_kind", None),
        is_deleted=deleted,
        created_at=message.created_at,
    )


@dataclass
class ChatView:
    """One chat as one member sees it: what `ChatOut` is made of, gathered by the selectors in a few queries."""

    chat: Chat
    my_role: str
    member_count: int
    joined_at: datetime.datetime
    peer: Profile | None = None
    last_message: Message | None = None
    last_read_seq: int | None = None
    unread: int | None = None

    @property
    def activity_at(self) -> datetime.datetime:
        return max(self.chat.last_message_at or self.chat.created_at, self.joined_at)


def chat_title(chat: Chat, peer: Profile | None) -> str:
    if chat.kind == "direct":
        return peer.full_name or peer.short_name if peer is not None else _("Deleted profile")
    return chat.title


def chat_out(view: ChatView) -> ChatOut:
    chat = view.chat
    permissions = permissions_for(kind=chat.kind, is_closed=chat.is_closed, role=view.my_role)
    return ChatOut(
        id=chat.pk,
        kind=chat.kind,  # type: ignore[arg-type]
        title=chat_title(chat, view.peer),
        is_system=chat.is_system,
        is_direct=chat.kind == "direct",
        is_closed=chat.is_closed,
        allow_call_recording=chat.allow_call_recording,
        organization_id=chat.organization_id,
        member_count=view.member_count,
        my_role=view.my_role,  # type: ignore[arg-type]
        permissions=PermissionsOut(**permissions.__dict__),
        peer=_person(view.peer),
        last_message=message_preview_out(view.last_message) if view.last_message else None,
        last_seq=chat.last_seq,
        created_at=chat.created_at,
        activity_at=view.activity_at,
        last_read_seq=view.last_read_seq,
        unread=view.unread,
    )


def chat_event_payload(view: ChatView) -> dict[str, object]:
    """`ChatOut` as JSON for "chat.updated" and "membership.added": the same for every member with the same role."""
    return chat_out(view).model_dump(mode="json", exclude={"unread", "last_read_seq"})


def invite_status(invite: InviteLink, now: datetime.datetime) -> Literal["active", "expired", "revoked", "used_up"]:
    if invite.revoked_at is not None:
        return "revoked"
    if invite.expires_at is not None and invite.expires_at <= now:
        return "expired"
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        return "used_up"
    return "active"


def invite_out(invite: InviteLink, now: datetime.datetime) -> InviteOut:
    """Needs `created_by` selected."""
    path = reverse("chats:join", kwargs={"token": invite.token})
    return InviteOut(
        id=invite.pk,
        chat_id=invite.chat_id,
        token=invite.token,
        url=f"{settings.MESSENGER_URL}{path}",
        path=path,
        qr_url=reverse("api-v1:chat_invite_qr", kwargs={"chat_id": invite.chat_id, "invite_id": invite.pk}),
        created_by=person_out(invite.created_by),
        created_at=invite.created_at,
        expires_at=invite.expires_at,
        max_uses=invite.max_uses,
        uses=invite.uses,
        revoked_at=invite.revoked_at,
        status=invite_status(invite, now),
    )


def report_out(report: Report) -> ReportOut:
    """Needs `organization`, `reporter`, `message__chat` and `message__sender` selected."""
    message = report.message
    return ReportOut(
        id=report.pk,
        organization_id=report.organization_id,
        organization_name=report.organization.name if report.organization else None,
        chat_id=message.chat_id,
        chat_title=message.chat.title or str(message.chat),
        message_id=message.pk,
        message_seq=message.seq,
        sender=_person(message.sender),
        reporter=person_out(report.reporter),
        reason=report.reason,
        text=report.text_snapshot,
        created_at=report.created_at,
        resolved_at=report.resolved_at,
    )
