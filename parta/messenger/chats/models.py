"""Chats, members, messages and attachments (C4–C7)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parta.messenger.orgs.models import Organization


class ChatKind(models.TextChoices):
    DIRECT = "direct", _("direct")
    GROUP = "group", _("group")
    CLASS_STUDENTS = "class_students", _("class students")
    CLASS_PARENTS = "class_parents", _("class parents")
    STAFF = "staff", _("staff")
    SUBJECT = "subject", _("subject")
    CALL = "call", _("call")

    @classmethod
    def system_kinds(cls) -> frozenset[str]:
        """Chats the integration makes: their settings and members change only through the roster."""
        return frozenset({cls.CLASS_STUDENTS, cls.CLASS_PARENTS, cls.STAFF, cls.SUBJECT, cls.CALL})


class Chat(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=ChatKind.choices)
    title = models.CharField(_("name"), max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="chats"
    )
    is_closed = models.BooleanField(
        _("closed chat"),
        default=True,
        help_text=_("Only the chat's admins invite, change settings and manage members."),
    )
    # "<smaller profile id>:<larger profile id>" for a direct chat: one direct chat per pair, enforced by the database.
    direct_key = models.CharField(max_length=50, null=True, blank=True, unique=True)
    # The integration's own key for a system chat (e.g. "integration:<school pk>:class:<class pk>:students"), unique.
    system_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_seq = models.PositiveBigIntegerField(default=0)  # the seq of the chat's newest message
    # Issue 11: calls in this chat may be recorded (set by the chat's admins; lesson calls always may).
    allow_call_recording = models.BooleanField(_("calls may be recorded"), default=False)

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        constraints = [
            models.CheckConstraint(condition=~Q(kind="direct") | Q(direct_key__isnull=False), name="chat_direct_key"),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_system(self) -> bool:
        return self.kind in ChatKind.system_kinds()


class MemberRole(models.TextChoices):
    ADMIN = "admin", _("admin")
    MEMBER = "member", _("member")


class Membership(models.Model):
    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="memberships")
    profile = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    last_read_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("chat member")
        verbose_name_plural = _("chat members")
        constraints = [models.UniqueConstraint(fields=["chat", "profile"], name="membership_unique")]
        indexes = [models.Index(fields=["profile", "chat"], name="membership_profile_chat")]

    def __str__(self) -> str:
        return f"{self.profile} in {self.chat}"


class Message(models.Model):
    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="messages")
    seq = models.PositiveBigIntegerField()  # 1, 2, 3… within the chat: order, paging and unread counts
    client_id = models.UUIDField(default=uuid.uuid4)  # made by the sending client: a retried send is idempotent
    text = models.TextField(blank=True)
    reply_to = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["chat", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chat", "seq"], name="message_unique_seq"),
            models.UniqueConstraint(fields=["sender", "client_id"], name="message_unique_client_id"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} in {self.chat_id}"


class AttachmentKind(models.TextChoices):
    FILE = "file", _("file")
    IMAGE = "image", _("photo")
    AUDIO = "audio", _("audio")
    VIDEO = "video", _("video")


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"chats/{instance.message.chat_id}/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    thumbnail = models.FileField(upload_to=attachment_path, max_length=300, blank=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)  # audio and video (a call's recording)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class InviteLink(models.Model):
    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="invites")
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invite link")
        verbose_name_plural = _("invite links")

    def __str__(self) -> str:
        return f"invite to {self.chat_id}"


class Report(models.Model):
    """«Пожаловаться»: a message sent to the organization's admins."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, related_name="reports")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # What the message said when reported: a later edit or deletion must not hide it from the admins.
    text_snapshot = models.TextField(_("reported text"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [models.UniqueConstraint(fields=["message", "reporter"], name="report_unique")]

    def __str__(self) -> str:
        return f"report on {self.message_id}"
