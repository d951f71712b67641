"""Reading what a person typed: a phone or an e-mail address, a date of birth, their names. Pure functions."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from parta.messenger.accounts.errors import Refusal
from parta.messenger.accounts.models import ContactKind

DEFAULT_REGION = "RU"  # a number typed without a country code is Russian: "8 916 …" or "916 …"
_SMS_CAPABLE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
# Letters of any alphabet, joined by single spaces, hyphens or apostrophes: "Салтыков-Щедрин", "Д'Артаньян".
_NAME = re.compile(r"^[^\W\d_]+(?:[ '’-][^\W\d_]+)*\.?$")


@dataclass(frozen=True)
class Contact:
    """A normalized contact: `identifier` is E.164 for a phone, the lower-cased address for an e-mail."""

    kind: str
    identifier: str

    @property
    def is_email(self) -> bool:
        return self.kind == ContactKind.EMAIL

    @property
    def display(self) -> str:
        """The contact as a person reads it: +7 916 123-45-67."""
        if self.is_email:
            return self.identifier
        number = phonenumbers.parse(self.identifier)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def parse_contact(raw: str) -> Contact:
    """A phone (any common spelling, Russian by default) or an e-mail address; refuses anything else."""
    value = raw.strip()
    if not value:
        raise Refusal("contact_required", _("Enter your mobile phone number."), field="contact")
    if "@" in value:
        return _parse_email(value)
    return _parse_phone(value)


def _parse_email(value: str) -> Contact:
    address = value.lower()
    try:
        validate_email(address)
    except ValidationError:
        raise Refusal(
            "invalid_contact",
            _("This does not look like an e-mail address. Check it, for example: name@example.ru."),
            field="contact",
        ) from None
    return Contact(kind=ContactKind.EMAIL, identifier=address)


def _parse_phone(value: str) -> Contact:
    invalid = Refusal(
        "invalid_contact",
        _("This does not look like a phone number. Type it in any form, for example: 8 916 123-45-67."),
        field="contact",
    )
    if re.search(r"[^\d\s()+.\-]", value):
        raise invalid
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise invalid from None
    if not phonenumbers.is_valid_number(number):
        raise invalid
    if phonenumbers.number_type(number) not in _SMS_CAPABLE:
        raise Refusal(
            "not_mobile",
            _("This is a landline number: an SMS will not reach it. Enter a mobile phone number."),
            field="contact",
        )
    return Contact(
        kind=ContactKind.PHONE, identifier=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    )


def age_on(birth_date: dt.date, today: dt.date) -> int:
    """Full years on `today`; someone born on 29 February turns a year older on 1 March in other years."""
    years = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def check_email_allowed(*, birth_date: dt.date | None, today: dt.date, max_age: int) -> dt.date:
    """An e-mail replaces a phone only for a child younger than `max_age`; returns the checked date of birth."""
    if birth_date is None:
        raise Refusal(
            "birth_date_required",
            _(
                "An e-mail address can be used instead of a phone only by a child under %(age)s. "
                "Enter the date of birth."
            )
            % {"age": max_age},
            field="birth_date",
        )
    if birth_date > today:
        raise Refusal("invalid_birth_date", _("The date of birth is in the future. Check it."), field="birth_date")
    if age_on(birth_date, today) >= max_age:
        raise Refusal(
            "email_for_children_only",
            _("Sign-in by e-mail is only for children under %(age)s. Please enter your mobile phone number instead.")
            % {"age": max_age},
            field="contact",
        )
    return birth_date


def clean_name(value: str, *, field: str, required: bool) -> str:
    """A surname, given name or patronymic as written in documents: letters, with spaces, hyphens, apostrophes."""
    name = " ".join(value.split())
    if not name:
        if required:
            message = _("Enter your surname.") if field == "last_name" else _("Enter your given name.")
            raise Refusal("name_required", message, field=field)
        return ""
    if len(name) > 150:
        raise Refusal("invalid_name", _("This is too long: at most 150 characters."), field=field)
    if not _NAME.match(name):
        raise Refusal(
            "invalid_name",
            _("Use letters only, with a space, hyphen or apostrophe between parts, as in your documents."),
            field=field,
        )
    return name
