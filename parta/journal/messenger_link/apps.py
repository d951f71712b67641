from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessengerLinkConfig(AppConfig):
    name = "parta.journal.messenger_link"
    label = "journal_messenger_link"
    verbose_name = _("Messenger link")

    def ready(self) -> None:
        from parta.journal.messenger_link.linking.services import apply_link_removed
        from parta.journal.messenger_link.roster import signals
        from parta.journal.messenger_link.webhooks.registry import register_webhook_handler

        signals.connect()
        register_webhook_handler("link.removed", apply_link_removed)
