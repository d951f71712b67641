"""Fixtures of the accounts tests: codes go to the development inbox, and helpers walk the sign-in steps."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from parta.messenger.accounts.models import ContactKind, DevMessage, LoginCode, Profile

PHONE = "+79161234567"


@pytest.fixture(autouse=True)
def _codes_to_the_inbox(settings: Any) -> None:
    """Whatever the environment says, SMS and e-mail land in the development inbox unless a test says otherwise."""
    settings.SMS_GATEWAY = "parta.messenger.accounts.gateways.DevInboxSmsGateway"
    settings.EMAIL_BACKEND = "parta.messenger.accounts.mail.DevInboxEmailBackend"


def inbox_code(recipient: str) -> str:
    """The code of the newest message to `recipient` in the development inbox."""
    message = DevMessage.objects.filter(recipient=recipient).order_by("-created_at", "-id").first()
    assert message is not None, f"nothing was sent to {recipient}"
    match = re.search(r"\b(\d{6})\b", message.text)
    assert match, message.text
    return match.group(1)


def wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def age_codes(identifier: str, *, seconds: int) -> None:
    """Moves the contact's codes into the past (instead of sleeping): cooldowns and expiry are computed from rows."""
    past = dt.timedelta(seconds=seconds)
    for row in LoginCode.objects.filter(identifier=identifier):
        row.created_at -= past
        row.expires_at -= past
        row.save(update_fields=["created_at", "expires_at"])


def make_profile(identifier: str = PHONE, **fields: Any) -> Profile:
    kind = ContactKind.EMAIL if "@" in identifier else ContactKind.PHONE
    defaults: dict[str, Any] = {"last_name": "Иванова", "first_name": "Мария", "contact_kind": kind}
    return Profile.objects.create_user(identifier, **{**defaults, **fields})


def sign_in_by_code(client: Client, contact: str, identifier: str | None = None, *, user_agent: str = "") -> Any:
    """Walks steps 1–2 in the browser `client`; returns the code step's response. Skips earlier cooldowns."""
    age_codes(identifier or contact, seconds=120)
    headers = {"User-Agent": user_agent} if user_agent else {}
    response = client.post("/sign-in/", {"contact": contact}, headers=headers)
    assert response.status_code == 302, response.content.decode()
    code = inbox_code(identifier or contact)
    return client.post("/sign-in/code/", {"code": code}, headers=headers)


@pytest.fixture
def signed_in_client() -> Callable[..., Client]:
    """A browser signed in to `profile` through the code flow (so its device row is the real one)."""

    def make(profile: Profile, *, user_agent: str = "") -> Client:
        client = Client(headers={"User-Agent": user_agent} if user_agent else {})
        response = sign_in_by_code(client, profile.identifier, user_agent=user_agent)
        assert response.status_code == 302
        return client

    return make


def now() -> dt.datetime:
    return timezone.now()
