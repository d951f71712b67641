"""Who handles which webhook event: apps above messenger_link register their handlers in `AppConfig.ready`.

messenger_link receives every event (checks the signature, records the id once) but does not know what each event
means to the rest of the journal: `call.*` belongs to distance lessons, which import messenger_link, not the other
way round. An event without a handler is recorded and otherwise ignored (say `link.created`, answered by the
journal's own callback).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

from parta.common.integration.schemas import WebhookEvent

WebhookHandler = Callable[[WebhookEvent], object]

_handlers: dict[str, WebhookHandler] = {}


def register_webhook_handler(event_type: str, handler: WebhookHandler) -> None:
    """`event_type` is one type (`call.ended`) or a prefix ending in a dot (`call.`) for a family of types.

    Registering the same handler again is harmless; a second, different handler for one key is a mistake.
    """
    existing = _handlers.get(event_type)
    if existing is not None and existing is not handler:
        raise ImproperlyConfigured(f"Two handlers for the webhook event {event_type!r}")
    _handlers[event_type] = handler


def handler_for(event_type: str) -> WebhookHandler | None:
    """The handler of exactly this type, else of its longest registered prefix, else None."""
    if (handler := _handlers.get(event_type)) is not None:
        return handler
    prefixes = [key for key in _handlers if key.endswith(".") and event_type.startswith(key)]
    return _handlers[max(prefixes, key=len)] if prefixes else None
