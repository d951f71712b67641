from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoardsConfig(AppConfig):
    name = "parta.messenger.boards"
    label = "messenger_boards"
    verbose_name = _("Whiteboards")

    def ready(self) -> None:
        # Calls knows nothing of boards (it is the layer below): the board listens to the call's rows being saved,
        # to compact when the call ends and to close a removed participant's tabs.
        from django.db.models.signals import post_save

        from parta.messenger.boards.signals import close_when_removed, compact_when_call_ends
        from parta.messenger.calls.models import Call, Participant

        post_save.connect(compact_when_call_ends, sender=Call, dispatch_uid="boards_compact_when_call_ends")
        post_save.connect(close_when_removed, sender=Participant, dispatch_uid="boards_close_when_removed")
