from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationConfig(AppConfig):
    name = "parta.messenger.integration"
    label = "messenger_integration"
    verbose_name = _("Integration with journals")
