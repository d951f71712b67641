from collections.abc import Iterator
from typing import Any

import pytest

from parta.journal.messenger_link import client
from parta.journal.messenger_link.linking import oauth
from tests.journal.messenger_link.fake_messenger import CLIENT_ID, CLIENT_SECRET, FakeMessenger

WEBHOOK_SECRET = "test-webhook-secret"


@pytest.fixture
def fake_messenger() -> Iterator[FakeMessenger]:
    fake = FakeMessenger().start()
    yield fake
    fake.stop()


@pytest.fixture
def messenger(settings: Any, fake_messenger: FakeMessenger) -> FakeMessenger:
    """The journal configured to talk to the fake messenger (and nothing kept from another test)."""
    settings.MESSENGER_URL = fake_messenger.url
    settings.JOURNAL_URL = "http://testserver"
    settings.MESSENGER_CLIENT_ID = CLIENT_ID
    settings.MESSENGER_CLIENT_SECRET = CLIENT_SECRET
    settings.MESSENGER_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.MESSENGER_CONNECT_TIMEOUT = 1
    settings.MESSENGER_TIMEOUT = 2
    settings.MESSENGER_OUTBOX_RETRY_MAX_SECONDS = 30
    client.server_tokens.forget()
    oauth._cache.clear()
    return fake_messenger


@pytest.fixture(autouse=True)
def _no_kicks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests deliver the outbox themselves; nothing is queued for a worker that does not run here."""
    monkeypatch.setattr("parta.journal.messenger_link.roster.outbox.kick_delivery", lambda: None)
