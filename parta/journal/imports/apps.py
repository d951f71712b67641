from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "parta.journal.imports"
    label = "journal_imports"
    verbose_name = _("Import")
