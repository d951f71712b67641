"""Receiving a verified webhook event once and passing it to its handler (registry.py)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from parta.common.integration.schemas import WebhookEvent
from parta.journal.messenger_link.models import WebhookReceipt
from parta.journal.messenger_link.webhooks.registry import handler_for


def handle_webhook(*, event: WebhookEvent) -> bool:
    """Applies a verified event once; False when this event id was handled before (a redelivery).

    The receipt and the handler's writes are one transaction: an event whose handler fails is not marked received.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookReceipt.objects.create(event_id=event.id, type=event.type)
        except IntegrityError:
            return False
        handler = handler_for(event.type)
        if handler is not None:
            handler(event)
    return True
