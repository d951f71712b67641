"""Limits hold under concurrency: simultaneous requests for one phone are counted one after another (A6)."""

# covers: A6

from __future__ import annotations

import pytest
from django.db import connection

from parta.messenger.accounts import services
from parta.messenger.accounts.contacts import parse_contact
from parta.messenger.accounts.errors import Refusal
from parta.messenger.accounts.models import LoginCode
from tests.messenger.accounts.conftest import PHONE
from tests.messenger.concurrency import at_once


@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_for_one_phone_send_one_code() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is tested; SQLite serializes every writer anyway")
    contact = parse_contact(PHONE)

    def request(n: int) -> str:
        try:
            services.request_code(contact=contact, birth_date=None, client_ip=f"10.0.0.{n}")
        except Refusal as refusal:
            return refusal.code
        return "sent"

    outcomes = at_once([lambda n=n: request(n) for n in range(4)])

    assert sorted(outcomes) == ["resend_too_early"] * 3 + ["sent"]
    assert LoginCode.objects.filter(identifier=PHONE).count() == 1
