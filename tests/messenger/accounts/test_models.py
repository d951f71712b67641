"""One phone or e-mail is one profile, enforced by the database (A5)."""

# covers: A5

import pytest
from django.db import IntegrityError, transaction

from parta.messenger.accounts.models import ContactKind, Profile
from tests.messenger.accounts.conftest import PHONE, make_profile

pytestmark = pytest.mark.django_db


def test_one_contact_is_one_profile_in_the_database() -> None:
    make_profile(PHONE)
    with pytest.raises(IntegrityError), transaction.atomic():
        # Straight to the database, past every check in Python.
        Profile.objects.bulk_create(
            [Profile(identifier=PHONE, contact_kind=ContactKind.PHONE, last_name="Другой", first_name="Человек")]
        )
    assert Profile.objects.count() == 1


def test_a_phone_profile_holds_a_normalized_number() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.create(identifier="89161234567", contact_kind=ContactKind.PHONE, last_name="И", first_name="М")
