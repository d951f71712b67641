from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatsConfig(AppConfig):
    name = "parta.messenger.chats"
    label = "messenger_chats"
    verbose_name = _("Chats")

    def ready(self) -> None:
        from parta.messenger.chats import events  # noqa: F401 - registers the app's real-time event types
