"""Fixtures of the integration tests: a registered journal, its server token, and a browser per profile."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.messenger.integration.helpers import JournalCreds, School, register, server_token


@pytest.fixture(autouse=True)
def _messenger_url(settings: Any) -> None:
    settings.MESSENGER_URL = "http://messenger.test"


@pytest.fixture
def journal(db: None) -> JournalCreds:
    return register()


@pytest.fixture
def server(client: Client, journal: JournalCreds) -> str:
    """The journal server's bearer token (client credentials, scope roster)."""
    return server_token(client, journal)


@pytest.fixture
def school() -> School:
    return School()
