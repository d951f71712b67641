"""Educational profiles (A1–A6): signed in by a one-time code sent to a phone or an e-mail, never by a password."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ContactKind(models.TextChoices):
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")


class ProfileManager(BaseUserManager["Profile"]):
    def create_user(self, identifier: str, password: str | None = None, **fields: object) -> Profile:
        profile = self.model(identifier=identifier, **fields)
        profile.set_password(password)  # None → unusable: profiles sign in with codes
        profile.save(using=self._db)
        return profile

    def create_superuser(self, identifier: str, password: str | None = None, **fields: object) -> Profile:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(identifier, password, **fields)


class Profile(AbstractBaseUser, PermissionsMixin):
    """An educational profile (учебный профиль). One phone or one e-mail is one profile: `identifier` is unique.

    `identifier` holds the normalized contact: a phone in E.164 (+79161234567) or a lower-cased e-mail address.
    The profile is isolated from any personal account: it has no link to one.
    """

    identifier = models.CharField(_("phone or e-mail"), max_length=254, unique=True)
    contact_kind = models.CharField(_("contact kind"), max_length=5, choices=ContactKind.choices)
    last_name = models.CharField(_("surname"), max_length=150)
    first_name = models.CharField(_("given name"), max_length=150)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    # The person corrected their name themselves (the profile page): a journal's link no longer sets it (L3).
    name_chosen_by_person = models.BooleanField(_("name chosen by the person"), default=False)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ProfileManager()

    USERNAME_FIELD = "identifier"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("educational profile")
        verbose_name_plural = _("educational profiles")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact_kind="phone", identifier__startswith="+") | Q(contact_kind="email"),
                name="profile_identifier_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.identifier

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)

    @property
    def short_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.identifier


class CodePurpose(models.TextChoices):
    SIGN_IN = "sign_in", _("sign-in")


class LoginCode(models.Model):
    """A one-time code sent to a phone or address. Only its HMAC is stored; `id` binds it to the browser's request."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    identifier = models.CharField(max_length=254, db_index=True)
    contact_kind = models.CharField(max_length=5, choices=ContactKind.choices)
    purpose = models.CharField(max_length=20, choices=CodePurpose.choices, default=CodePurpose.SIGN_IN)
    code_hash = models.CharField(max_length=64)
    # An e-mail is accepted only for a child under 14: the date typed before the code was sent, kept for the profile.
    birth_date = models.DateField(null=True, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["client_ip", "created_at"], name="logincode_ip_created")]

    def __str__(self) -> str:
        return f"{self.identifier} {self.created_at:%Y-%m-%d %H:%M}"


class CodeThrottle(models.Model):
    """One row per contact and per client address, locked while a code is issued.

    Counting a contact's recent codes and then inserting one is a race: two simultaneous requests could both pass
    the limits. Locking this row first makes them wait for each other (PostgreSQL row lock; SQLite serializes writers).
    """

    key = models.CharField(max_length=300, unique=True)

    class Meta:
        verbose_name = _("code throttle")
        verbose_name_plural = _("code throttles")

    def __str__(self) -> str:
        return self.key


class DeviceSession(models.Model):
    """One signed-in device: a Django session the profile can see and end (A6)."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="devices")
    session_key = models.CharField(max_length=40, unique=True)
    user_agent = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.profile} — {self.user_agent[:40]}"


class DevMessage(models.Model):
    """What the development gateway "sent": codes shown at /dev/inbox/ when debugging is on."""

    recipient = models.CharField(max_length=254)
    channel = models.CharField(max_length=10)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}"
