from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimetableConfig(AppConfig):
    name = "parta.journal.timetable"
    label = "journal_timetable"
    verbose_name = _("Timetable")
