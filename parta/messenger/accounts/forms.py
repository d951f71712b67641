"""Web forms of the sign-in steps and the profile page. They only parse; the rules live in contacts and services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parta.messenger.accounts.errors import Refusal


class ContactForm(forms.Form):
    contact = forms.CharField(
        label=_("Phone or e-mail"),
        max_length=254,
        required=False,  # an empty field gets the flow's own message, not Django's generic one
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "off", "spellcheck": "false", "autofocus": True}
        ),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the date of birth as day, month and year.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": r"[0-9 \-]*",
                "autofocus": True,
            }
        ),
    )


class NamesForm(forms.Form):
    last_name = forms.CharField(label=_("Surname"), max_length=150, required=False)
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    patronymic = forms.CharField(
        label=_("Patronymic"),
        max_length=150,
        required=False,
        help_text=_("Giving the patronymic is optional"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["last_name"].widget.attrs.update(autocomplete="family-name", required=True)
        self.fields["first_name"].widget.attrs.update(autocomplete="given-name", required=True)
        self.fields["patronymic"].widget.attrs.update(autocomplete="additional-name")


def add_refusal(form: forms.Form, refusal: Refusal) -> None:
    """Shows a refusal beside its field, or above the form when it is about the whole step."""
    field = refusal.field if refusal.field in form.fields else None
    form.add_error(field, refusal.message)
