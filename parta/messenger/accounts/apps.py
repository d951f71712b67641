from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "parta.messenger.accounts"
    label = "messenger_accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from parta.messenger.accounts import signals

        user_logged_in.connect(signals.record_device, dispatch_uid="messenger_accounts.record_device")
        user_logged_out.connect(signals.forget_device, dispatch_uid="messenger_accounts.forget_device")
