from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A journal account. Roles (teacher, student, parent, school admin) are rows in `school` that point here."""

    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        verbose_name = _("journal account")
        verbose_name_plural = _("journal accounts")
        ordering = ["last_name", "first_name", "patronymic"]

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part) or self.username

    @property
    def short_name(self) -> str:
        """«Иванова М. П.» — how a journal prints a teacher."""
        initials = "".join(f"{part[0]}. " for part in (self.first_name, self.patronymic) if part).strip()
        return f"{self.last_name} {initials}".strip() or self.username

    def __str__(self) -> str:
        return self.full_name
