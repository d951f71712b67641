"""Reading what a person types: phones in any common spelling (default region RU), e-mail addresses, names, ages."""

# covers: A1 (phone or e-mail), A2 (names)

import datetime as dt

import pytest

from parta.messenger.accounts.contacts import age_on, check_email_allowed, clean_name, parse_contact
from parta.messenger.accounts.errors import Refusal


@pytest.mark.parametrize(
    "typed",
    [
        "8 916 123-45-67",
        "+7(916)1234567",
        "+7 916 123 45 67",
        "89161234567",
        "9161234567",
        "  +7-916-123-45-67 ",
        "7 916 1234567",
    ],
)
def test_russian_mobile_numbers_normalize_to_e164(typed: str) -> None:
    contact = parse_contact(typed)
    assert contact.kind == "phone"
    assert contact.identifier == "+79161234567"
    assert contact.display == "+7 916 123-45-67"


def test_a_foreign_mobile_number_keeps_its_country() -> None:
    assert parse_contact("+380 50 123 4567").identifier == "+380501234567"


@pytest.mark.parametrize(
    "typed", ["12345", "8 916 123", "+7 916 123-45-67-89", "телефон", "8916abc4567", "+999 1234567"]
)
def test_invalid_phones_are_refused_with_a_russian_hint(typed: str) -> None:
    with pytest.raises(Refusal) as refused:
        parse_contact(typed)
    assert refused.value.code == "invalid_contact"
    assert refused.value.field == "contact"
    assert "8 916 123-45-67" in refused.value.message  # an example of how to type it


def test_a_landline_cannot_receive_a_code() -> None:
    with pytest.raises(Refusal) as refused:
        parse_contact("+7 495 123-45-67")
    assert refused.value.code == "not_mobile"
    assert "мобильного" in refused.value.message


def test_empty_contact_is_refused() -> None:
    with pytest.raises(Refusal) as refused:
        parse_contact("   ")
    assert refused.value.code == "contact_required"


def test_email_is_lower_cased() -> None:
    contact = parse_contact("  Masha.Ivanova@Example.RU ")
    assert (contact.kind, contact.identifier) == ("email", "masha.ivanova@example.ru")


@pytest.mark.parametrize("typed", ["masha@", "@example.ru", "masha@@example.ru", "masha example@ru"])
def test_invalid_emails_are_refused(typed: str) -> None:
    with pytest.raises(Refusal) as refused:
        parse_contact(typed)
    assert refused.value.code == "invalid_contact"


def test_age_counts_full_years_and_leap_birthdays() -> None:
    assert age_on(dt.date(2012, 5, 10), dt.date(2026, 5, 9)) == 13
    assert age_on(dt.date(2012, 5, 10), dt.date(2026, 5, 10)) == 14
    assert age_on(dt.date(2012, 2, 29), dt.date(2026, 2, 28)) == 13
    assert age_on(dt.date(2012, 2, 29), dt.date(2026, 3, 1)) == 14


def test_email_only_under_14() -> None:
    today = dt.date(2026, 5, 10)
    assert check_email_allowed(birth_date=dt.date(2012, 5, 11), today=today, max_age=14) == dt.date(2012, 5, 11)
    for birth_date, code in [
        (None, "birth_date_required"),
        (dt.date(2012, 5, 10), "email_for_children_only"),  # 14 today
        (dt.date(1990, 1, 1), "email_for_children_only"),
        (dt.date(2027, 1, 1), "invalid_birth_date"),
    ]:
        with pytest.raises(Refusal) as refused:
            check_email_allowed(birth_date=birth_date, today=today, max_age=14)
        assert refused.value.code == code


@pytest.mark.parametrize("name", ["Иванова", "Салтыков-Щедрин", "Д'Артаньян", "Анна Мария", "O'Brien", "Ёлкина"])
def test_real_names_are_accepted(name: str) -> None:
    assert clean_name(f"  {name} ", field="last_name", required=True) == name


@pytest.mark.parametrize("name", ["Иванова1", "<b>", "--", "Иван_ов", "a" * 151])
def test_names_with_digits_or_symbols_are_refused(name: str) -> None:
    with pytest.raises(Refusal) as refused:
        clean_name(name, field="last_name", required=True)
    assert refused.value.code == "invalid_name"


def test_surname_and_given_name_are_required_patronymic_is_not() -> None:
    with pytest.raises(Refusal) as refused:
        clean_name(" ", field="last_name", required=True)
    assert refused.value.message == "Укажите фамилию."
    assert clean_name("", field="patronymic", required=False) == ""
