"""Organizations and roles as the messenger sees them. Roles stay unconfirmed until linking with a journal (L3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=255)
    region = models.CharField(_("region"), max_length=255, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    # Issue 11: call recordings are deleted this many days after they were made; None = kept.
    recording_retention_days = models.PositiveIntegerField(_("keep call recordings, days"), null=True, blank=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrgClass(models.Model):
    """A class of a school (7Б) as the messenger's mirror knows it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(_("name"), max_length=20)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["organization", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="orgclass_unique_name")]

    def __str__(self) -> str:
        return self.name


class RoleKind(models.TextChoices):
    TEACHER = "teacher", _("teacher")
    STUDENT = "student", _("student")
    PARENT = "parent", _("parent")
    ADMIN = "admin", _("organization admin")


class Role(models.Model):
    """A profile's role in an organization; `org_class` is a student's class. Confirmed by linking (L3)."""

    profile = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role"), max_length=10, choices=RoleKind.choices)
    org_class = models.ForeignKey(OrgClass, on_delete=models.SET_NULL, null=True, blank=True, related_name="roles")
    confirmed = models.BooleanField(_("confirmed"), default=False)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["profile", "organization", "kind"], name="role_unique"),
            models.CheckConstraint(condition=Q(kind="student") | Q(org_class=None), name="role_class_only_students"),
        ]

    def __str__(self) -> str:
        return f"{self.profile} — {self.get_kind_display()}, {self.organization}"


class Family(models.Model):
    """A parent's child, both as profiles: what lets a parent reach the child's class teachers and parents."""

    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="children_links")
    child = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parent_links")

    class Meta:
        verbose_name = _("parent and child")
        verbose_name_plural = _("parents and children")
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="family_unique"),
            models.CheckConstraint(condition=~Q(parent=models.F("child")), name="family_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.parent} → {self.child}"
