from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoardsConfig(AppConfig):
    name = "parta.messenger.boards"
    label = "messenger_boards"
    verbose_name = _("Whiteboards")

    def ready(self) -> None:
        # A call's board is compacted when the call ends: calls knows nothing of boards (it is the layer below), so
        # the board listens to the call's row being saved as ended.
        from django.db.models.signals import post_save

        from parta.messenger.boards.signals import compact_when_call_ends
        from parta.messenger.calls.models import Call

        post_save.connect(compact_when_call_ends, sender=Call, dispatch_uid="boards_compact_when_call_ends")
