"""The journal's side of the integration with the messenger: links, the roster outbox, subject chats, webhooks.

The messenger is another system reached over HTTP (docs/integration-api.md). What the journal must not lose while
it is away — roster changes, subject chats to create — is written here first, in the same database as the school's
data, and delivered by the background worker (delivery.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parta.journal.school.models import ClassGroup, School, SchoolClass, Subject, Teacher


class MessengerLink(models.Model):
    """A journal account linked with an educational profile in the messenger (L1, L6). One per account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="messenger_link",
        verbose_name=_("account"),
    )
    profile_id = models.PositiveBigIntegerField(_("profile in the messenger"))
    subject = models.CharField(_("OpenID subject"), max_length=255, help_text=_("The id token's «sub»."))
    profile_name = models.CharField(_("profile name"), max_length=255, blank=True)
    roles = models.JSONField(_("confirmed roles"), default=list, blank=True)
    chats_url = models.URLField(_("chats address"), max_length=500, blank=True)
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        verbose_name = _("messenger link")
        verbose_name_plural = _("messenger links")
        ordering = ["-linked_at"]

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.profile_id}"


class SchoolSync(models.Model):
    """Per-school state of roster delivery: the last batch sequence given out, and the delivery lease.

    Writing an outbox row locks this row (select_for_update) until the transaction ends, so a school's rows get
    their ids and sequences in commit order; a worker delivering a school holds `claimed_until`.
    """

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, primary_key=True, related_name="messenger_sync", verbose_name=_("school")
    )
    last_sequence = models.PositiveIntegerField(_("last roster sequence"), default=0)
    claimed_until = models.DateTimeField(_("delivery claimed until"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster sync state")
        verbose_name_plural = _("roster sync states")

    def __str__(self) -> str:
        return f"{self.school}: {self.last_sequence}"


class SubjectChatStatus(models.TextChoices):
    CREATING = "creating", _("being created")
    READY = "ready", _("ready")
    FAILED = "failed", _("refused")


class SubjectChat(models.Model):
    """A subject chat asked for in «Управление чатами» (C2): one per class (or group) and subject."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="subject_chats", verbose_name=_("school"))
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="subject_chats", verbose_name=_("class")
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="subject_chats", verbose_name=_("subject")
    )
    group = models.ForeignKey(
        ClassGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subject_chats",
        verbose_name=_("group"),
    )
    teacher = models.ForeignKey(
        Teacher, on_delete=models.CASCADE, related_name="subject_chats", verbose_name=_("teacher")
    )
    include_parents = models.BooleanField(_("with parents"), default=False)
    name = models.CharField(_("name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=SubjectChatStatus.choices, default=SubjectChatStatus.CREATING
    )
    chat_id = models.PositiveBigIntegerField(_("chat in the messenger"), null=True, blank=True)
    url = models.URLField(_("chat address"), max_length=500, blank=True)
    error = models.TextField(_("why the messenger refused"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("added by")
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("subject chat")
        verbose_name_plural = _("subject chats")
        ordering = ["school_class", "subject", "group"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "subject"], condition=Q(group=None), name="subject_chat_unique_class"
            ),
            models.UniqueConstraint(
                fields=["school_class", "subject", "group"],
                condition=~Q(group=None),
                name="subject_chat_unique_group",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OutboxKind(models.TextChoices):
    ROSTER = "roster", _("roster")
    SUBJECT_CHAT = "subject_chat", _("subject chat")


class OutboxItem(models.Model):
    """One call to the messenger that must happen once, in order per school (a transactional outbox).

    Rows of a school are delivered strictly by id; a row that fails is retried with exponential backoff and holds
    back the rows after it. `sequence` is the RosterBatch's number (roster rows only), `idempotency_key` makes a
    repeated delivery a no-op on the messenger's side.
    """

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="messenger_outbox", verbose_name=_("school")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OutboxKind.choices)
    sequence = models.PositiveIntegerField(_("roster sequence"), null=True, blank=True)
    full = models.BooleanField(_("full roster"), default=False)
    payload = models.JSONField(_("payload"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    subject_chat = models.ForeignKey(
        SubjectChat,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox",
        verbose_name=_("subject chat"),
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(
        _("given up at"), null=True, blank=True, help_text=_("The messenger refused the request for good.")
    )
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("outbox item")
        verbose_name_plural = _("outbox")
        ordering = ["school", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "sequence"], condition=~Q(sequence=None), name="outbox_unique_sequence"
            ),
        ]
        indexes = [
            models.Index(
                fields=["school", "id"],
                condition=Q(delivered_at=None, failed_at=None),
                name="outbox_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.sequence or self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.delivered_at is None and self.failed_at is None


class WebhookReceipt(models.Model):
    """A webhook event from the messenger that was handled: a repeat with the same id is ignored."""

    event_id = models.CharField(_("event id"), max_length=100, unique=True)
    type = models.CharField(_("type"), max_length=40)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("received webhook")
        verbose_name_plural = _("received webhooks")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
