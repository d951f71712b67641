from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "parta.messenger.accounts"
    label = "messenger_accounts"
    verbose_name = _("Accounts")
