from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistanceConfig(AppConfig):
    name = "parta.journal.distance"
    label = "journal_distance"
    verbose_name = _("Distance lessons")
