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

    NAME_FIELDS = ("last_name", "first_name", "patronymic")

    def names(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in self.NAME_FIELDS}

    def names_corrected(self) -> bool:
        """The person changed the names shown for checking: their own correction, not the journal's to overwrite."""
        return any(name in self.changed_data for name in self.NAME_FIELDS)
