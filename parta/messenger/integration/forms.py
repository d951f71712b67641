"""The consent form: django-oauth-toolkit's hidden authorization fields plus the profile's names to check (A2, A3)."""

from __future__ import annotations

from oauth2_provider.forms import AllowForm

from parta.messenger.accounts.forms import NamesForm


class ConsentForm(AllowForm):
    """The names are the accounts app's fields (same labels and hints); they are required only to continue, so
    «Отмена» works with them empty."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name, field in NamesForm().fields.items():
            self.fields[name] = field

    def names(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in ("last_name", "first_name", "patronymic")}
