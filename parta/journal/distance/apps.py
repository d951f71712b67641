from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistanceConfig(AppConfig):
    name = "parta.journal.distance"
    label = "journal_distance"
    verbose_name = _("Distance lessons")

    def ready(self) -> None:
        # messenger_link receives the webhooks; what `call.ended` and `call.recording_ready` mean is this app's
        # business (ADR 0015).
        from parta.journal.distance.catch_up import on_recording_ready
        from parta.journal.distance.services import on_call_ended
        from parta.journal.messenger_link.webhooks.registry import register_webhook_handler

        register_webhook_handler("call.ended", on_call_ended)
        register_webhook_handler("call.recording_ready", on_recording_ready)
