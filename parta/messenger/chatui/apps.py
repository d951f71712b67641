from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatUiConfig(AppConfig):
    name = "parta.messenger.chatui"
    label = "messenger_chatui"
    verbose_name = _("Chat web interface")
