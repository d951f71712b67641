from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "parta.messenger.orgs"
    label = "messenger_orgs"
    verbose_name = _("Organizations")
