# covers: issue 9 item 1 (messenger_link receives webhooks; the apps above it say what an event means)
"""The registry of webhook handlers: exact types, prefixes, the handlers the journal's apps register."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from parta.common.integration.schemas import WebhookEvent
from parta.journal.distance.services import on_call_ended
from parta.journal.messenger_link.linking.services import apply_link_removed
from parta.journal.messenger_link.models import WebhookReceipt
from parta.journal.messenger_link.webhooks import registry
from parta.journal.messenger_link.webhooks.services import handle_webhook


@pytest.fixture
def clean_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, registry.WebhookHandler]]:
    """An empty registry for the test; the apps' registrations come back afterwards."""
    handlers: dict[str, registry.WebhookHandler] = {}
    monkeypatch.setattr(registry, "_handlers", handlers)
    yield handlers


def an_event(type_: str) -> WebhookEvent:
    """An event of any type (the schema lists today's types; the registry does not depend on that list)."""
    return WebhookEvent.model_construct(id=str(uuid.uuid4()), type=type_, created_at=timezone.now(), data={})


def test_the_journals_apps_register_their_handlers_when_django_starts() -> None:
    assert registry.handler_for("link.removed") is apply_link_removed
    assert registry.handler_for("call.ended") is on_call_ended
    assert registry.handler_for("link.created") is None  # answered by the journal's own callback
    assert registry.handler_for("call.attendance") is None


def test_an_exact_type_wins_over_a_prefix_and_the_longest_prefix_wins(
    clean_registry: dict[str, registry.WebhookHandler],
) -> None:
    seen: list[str] = []
    registry.register_webhook_handler("call.", lambda event: seen.append("call."))
    registry.register_webhook_handler("call.room.", lambda event: seen.append("call.room."))
    registry.register_webhook_handler("call.ended", lambda event: seen.append("call.ended"))

    for type_ in ("call.ended", "call.started", "call.room.opened", "calls.x"):
        if (handler := registry.handler_for(type_)) is not None:
            handler(an_event(type_))

    assert seen == ["call.ended", "call.", "call.room."]


def test_registering_the_same_handler_twice_is_harmless_but_a_second_one_is_refused(
    clean_registry: dict[str, registry.WebhookHandler],
) -> None:
    registry.register_webhook_handler("call.ended", on_call_ended)
    registry.register_webhook_handler("call.ended", on_call_ended)
    with pytest.raises(ImproperlyConfigured):
        registry.register_webhook_handler("call.ended", apply_link_removed)


def test_an_event_without_a_handler_is_recorded_once_and_otherwise_ignored(db: None) -> None:
    event = WebhookEvent(id=str(uuid.uuid4()), type="call.attendance", created_at=timezone.now(), data={})

    assert handle_webhook(event=event) is True
    assert handle_webhook(event=event) is False
    assert WebhookReceipt.objects.filter(event_id=event.id, type="call.attendance").count() == 1
