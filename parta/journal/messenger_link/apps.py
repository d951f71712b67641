from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessengerLinkConfig(AppConfig):
    name = "parta.journal.messenger_link"
    label = "journal_messenger_link"
    verbose_name = _("Messenger link")

    def ready(self) -> None:
        from parta.journal.messenger_link import signals

        signals.connect()
