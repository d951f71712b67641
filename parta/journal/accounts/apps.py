from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "parta.journal.accounts"
    label = "journal_accounts"
    verbose_name = _("Accounts")
