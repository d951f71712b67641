from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "parta.messenger.orgs"
    label = "messenger_orgs"
    verbose_name = _("Organizations")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from parta.messenger.orgs.text import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="parta_sqlite_casefold")
