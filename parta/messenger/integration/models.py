"""The integration's data: registered journals, the mirror of their rosters, person links, outgoing webhooks.

The mirror keeps each journal's school as the journal describes it, under the journal's own ids (`external_id`).
Automatic chats (C1) and subject chats (C2) are computed from it; the people in it become chat members once they
link their profile (L3). Organizations and classes are the orgs app's rows, so the rest of the messenger sees them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

from parta.messenger.chats.models import Chat
from parta.messenger.orgs.models import Organization, OrgClass


class Journal(models.Model):
    """A registered electronic journal (a region's system), a client of the integration API.

    One OAuth application per journal: the authorization code flow with PKCE links people, the client credentials
    grant of the same client gives the journal's server its bearer token (scope "roster").
    """

    name = models.CharField(_("name"), max_length=200)
    region = models.CharField(_("region"), max_length=200)
    base_url = models.URLField(_("site address"), max_length=300)
    webhook_url = models.URLField(_("webhook address"), max_length=300, blank=True)
    webhook_secret = models.CharField(_("webhook secret"), max_length=255, blank=True)
    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL, on_delete=models.PROTECT, related_name="journal", verbose_name=_("client")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)

    class Meta:
        verbose_name = _("journal")
        verbose_name_plural = _("journals")
        ordering = ["region", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.region})"

    @property
    def redirect_uri(self) -> str:
        return f"{self.base_url.rstrip('/')}/messenger/callback/"

    @property
    def link_start_url(self) -> str:
        """Where «Подключить дневник» sends a person (L2): the journal signs them in and starts linking."""
        return f"{self.base_url.rstrip('/')}/messenger/link/?from=messenger"


class MirrorSchool(models.Model):
    """A journal's school; `sequence` is the last roster batch applied (batches of a school apply in order)."""

    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="schools")
    external_id = models.CharField(max_length=64)
    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="mirror")
    sequence = models.PositiveBigIntegerField(default=0)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("school of a journal")
        verbose_name_plural = _("schools of journals")
        constraints = [models.UniqueConstraint(fields=["journal", "external_id"], name="mirrorschool_unique")]

    def __str__(self) -> str:
        return f"{self.organization.name} [{self.external_id}]"


class PersonKind(models.TextChoices):
    TEACHER = "teacher", _("teacher")
    STUDENT = "student", _("student")
    PARENT = "parent", _("parent")


class MirrorClass(models.Model):
    school = models.ForeignKey(MirrorSchool, on_delete=models.CASCADE, related_name="classes")
    external_id = models.CharField(max_length=64)
    org_class = models.OneToOneField(OrgClass, on_delete=models.CASCADE, related_name="mirror")
    class_teacher = models.ForeignKey(
        "MirrorPerson", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "external_id"], name="mirrorclass_unique")]

    def __str__(self) -> str:
        return self.external_id


class MirrorSubject(models.Model):
    school = models.ForeignKey(MirrorSchool, on_delete=models.CASCADE, related_name="subjects")
    external_id = models.CharField(max_length=64)
    name = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "external_id"], name="mirrorsubject_unique")]

    def __str__(self) -> str:
        return self.name


class MirrorPerson(models.Model):
    """A teacher, student or parent of the roster. One journal account with two roles is two rows (two kinds)."""

    school = models.ForeignKey(MirrorSchool, on_delete=models.CASCADE, related_name="people")
    kind = models.CharField(max_length=10, choices=PersonKind.choices)
    external_id = models.CharField(max_length=64)
    last_name = models.CharField(max_length=150)
    first_name = models.CharField(max_length=150)
    patronymic = models.CharField(max_length=150, blank=True)
    school_class = models.ForeignKey(
        MirrorClass, on_delete=models.SET_NULL, null=True, blank=True, related_name="students"
    )
    birth_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "kind", "external_id"], name="mirrorperson_unique"),
            models.CheckConstraint(condition=Q(kind="student") | Q(school_class=None), name="mirrorperson_class"),
        ]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name} ({self.kind} {self.external_id})"


class MirrorFamily(models.Model):
    parent = models.ForeignKey(MirrorPerson, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey(MirrorPerson, on_delete=models.CASCADE, related_name="parent_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["parent", "child"], name="mirrorfamily_unique")]

    def __str__(self) -> str:
        return f"{self.parent_id} → {self.child_id}"


class MirrorGroup(models.Model):
    """A group of a class (e.g. the English group 1 of 7Б): subject chats may be for a group only."""

    school = models.ForeignKey(MirrorSchool, on_delete=models.CASCADE, related_name="groups")
    external_id = models.CharField(max_length=64)
    school_class = models.ForeignKey(MirrorClass, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=100)
    students = models.ManyToManyField(MirrorPerson, related_name="student_groups", blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "external_id"], name="mirrorgroup_unique")]

    def __str__(self) -> str:
        return self.name


class MirrorLoad(models.Model):
    """A teacher's load: teacher × class × subject, optionally one group of the class."""

    school = models.ForeignKey(MirrorSchool, on_delete=models.CASCADE, related_name="load")
    teacher = models.ForeignKey(MirrorPerson, on_delete=models.CASCADE, related_name="load")
    school_class = models.ForeignKey(MirrorClass, on_delete=models.CASCADE, related_name="load")
    subject = models.ForeignKey(MirrorSubject, on_delete=models.CASCADE, related_name="load")
    group = models.ForeignKey(MirrorGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="load")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "school_class", "subject"], condition=Q(group=None), name="mirrorload_unique_class"
            ),
            models.UniqueConstraint(
                fields=["teacher", "school_class", "subject", "group"],
                condition=Q(group__isnull=False),
                name="mirrorload_unique_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher_id} × {self.school_class_id} × {self.subject_id}"


class PersonLink(models.Model):
    """A journal account linked with an educational profile (L1–L3, L6). One account, one profile at a time."""

    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="links")
    person_id = models.CharField(_("account in the journal"), max_length=64)
    profile = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_links", verbose_name=_("profile")
    )
    last_name = models.CharField(max_length=150, blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    patronymic = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(_("linked at"), default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("linked journal account")
        verbose_name_plural = _("linked journal accounts")
        constraints = [models.UniqueConstraint(fields=["journal", "person_id"], name="personlink_unique")]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.profile_id}"


class LinkedRole(models.Model):
    """A role the journal confirmed for a linked account (L3), with what the link said about it.

    `roster_id` is the role's person in the roster (the account's id unless the journal said otherwise): one roster
    person belongs to at most one profile, enforced by the database.
    """

    link = models.ForeignKey(PersonLink, on_delete=models.CASCADE, related_name="roles")
    school = models.ForeignKey(MirrorSchool, on_delete=models.CASCADE, related_name="linked_roles")
    kind = models.CharField(max_length=10)  # teacher / student / parent / admin
    roster_id = models.CharField(max_length=64)
    class_external_id = models.CharField(max_length=64, blank=True)
    children = models.JSONField(default=list, blank=True)  # a parent's children: student external ids

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "school", "kind"], name="linkedrole_unique_per_link"),
            models.UniqueConstraint(fields=["school", "kind", "roster_id"], name="linkedrole_unique_person"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.roster_id}"


class SubjectChat(models.Model):
    """A subject chat the journal asked for (C2): «7Б — Математика», for a class or one of its groups."""

    school = models.ForeignKey(MirrorSchool, on_delete=models.CASCADE, related_name="subject_chats")
    school_class = models.ForeignKey(MirrorClass, on_delete=models.CASCADE, related_name="subject_chats")
    subject = models.ForeignKey(MirrorSubject, on_delete=models.CASCADE, related_name="subject_chats")
    group = models.ForeignKey(MirrorGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    teacher = models.ForeignKey(MirrorPerson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    include_parents = models.BooleanField(default=False)
    chat = models.OneToOneField(Chat, on_delete=models.SET_NULL, null=True, blank=True, related_name="subject_source")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "subject"], condition=Q(group=None), name="subjectchat_unique_class"
            ),
            models.UniqueConstraint(
                fields=["school_class", "subject", "group"],
                condition=Q(group__isnull=False),
                name="subjectchat_unique_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_class_id} × {self.subject_id}"


class IdempotencyRecord(models.Model):
    """The answer to a request sent with an Idempotency-Key: a repeat gets it again and changes nothing."""

    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["journal", "key"], name="idempotency_unique")]

    def __str__(self) -> str:
        return self.key


class WebhookDelivery(models.Model):
    """An event for a journal's webhook (a transactional outbox): written with the change, delivered after commit,
    retried with back-off by `deliver_webhooks` until the journal answers 2xx or the attempts run out."""

    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=40)
    body = models.TextField()  # the exact JSON sent (and signed)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(delivered_at=None, failed_at=None),
                name="webhook_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
