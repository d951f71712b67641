from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolConfig(AppConfig):
    name = "parta.journal.school"
    label = "journal_school"
    verbose_name = _("School")
