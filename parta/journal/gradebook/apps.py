from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradebookConfig(AppConfig):
    name = "parta.journal.gradebook"
    label = "journal_gradebook"
    verbose_name = _("Gradebook")
