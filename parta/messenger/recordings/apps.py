from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordingsConfig(AppConfig):
    name = "parta.messenger.recordings"
    label = "messenger_recordings"
    verbose_name = _("Call recordings")

    def ready(self) -> None:
        # Calls knows nothing of this app (the layer below): a stopped recording reaches the worker through calls'
        # registry, which runs this after the stop commits.
        from parta.messenger.calls import recording_hooks
        from parta.messenger.recordings.tasks import enqueue

        recording_hooks.register_processor(enqueue)
