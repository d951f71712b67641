from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "parta.messenger.calls"
    label = "messenger_calls"
    verbose_name = _("Calls")

    def ready(self) -> None:
        from parta.messenger.calls import events  # noqa: F401 - registers the app's real-time event types
