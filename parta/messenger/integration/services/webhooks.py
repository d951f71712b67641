"""Signed webhooks to journals (messenger → journal), through a transactional outbox.

The event is written (WebhookDelivery) in the same transaction as the change it reports; after commit one attempt
is made at once, and `python -m parta.messenger deliver_webhooks --loop` (started by run.sh) retries what is due,
with exponential back-off, until the journal answers 2xx or the attempts run out. The journal may get an event
more than once (a lost answer); the event's `id` lets it ignore a repeat.

Request: POST <webhook_url>, body = the WebhookEvent JSON, headers `X-Parta-Signature: sha256=<hex HMAC-SHA256 of
the raw body with the journal's webhook secret>`, `X-Parta-Event: <type>`, `X-Parta-Delivery: <event id>`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import uuid
from typing import Any

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from parta.common.integration.schemas import SIGNATURE_HEADER, WebhookEvent
from parta.messenger.integration.models import Journal, WebhookDelivery

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=60)  # an attempt in progress; a worker that died leaves the delivery due after this
FIRST_RETRY_SECONDS = 5
MAX_RETRY_SECONDS = 3600


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def http_client() -> httpx.Client:
    # trust_env=False: a journal's address is called directly, never through a proxy from the environment.
    return httpx.Client(timeout=settings.INTEGRATION_WEBHOOK_TIMEOUT, trust_env=False, follow_redirects=False)


def enqueue_webhook(*, journal: Journal, type: str, data: dict[str, Any]) -> WebhookDelivery | None:
    """Writes the event for the journal inside the caller's transaction; one attempt follows the commit.
    None when the journal has no webhook address."""
    if not journal.webhook_url:
        return None
    now = timezone.now()
    event_id = uuid.uuid4()
    event = WebhookEvent.model_validate({"id": str(event_id), "type": type, "created_at": now, "data": data})
    body = event.model_dump_json()
    delivery = WebhookDelivery.objects.create(
        journal=journal, event_id=event_id, type=type, body=body, created_at=now, next_attempt_at=now
    )
    transaction.on_commit(lambda: _deliver_quietly(delivery.pk))
    return delivery


def _deliver_quietly(delivery_id: int) -> None:
    try:
        deliver_due(delivery_id=delivery_id)
    except Exception:  # the change is committed; the worker retries the delivery
        log.warning("webhook %s: first attempt failed; the worker retries it", delivery_id, exc_info=True)


def _claim(*, delivery_id: int | None, limit: int) -> list[WebhookDelivery]:
    """Due deliveries, marked as being attempted (leased) in a short transaction of their own, so two workers never
    send one event at the same time (PostgreSQL skips rows another worker holds; SQLite serializes writers)."""
    now = timezone.now()
    with transaction.atomic():
        due = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(delivered_at=None, failed_at=None, next_attempt_at__lte=now)
            .select_related("journal")
            .order_by("next_attempt_at", "pk")
        )
        if delivery_id is not None:
            due = due.filter(pk=delivery_id)
        claimed = list(due[:limit])
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in claimed]).update(next_attempt_at=now + LEASE)
    return claimed


def _attempt(delivery: WebhookDelivery, client: httpx.Client) -> bool:
    journal = delivery.journal
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(body, journal.webhook_secret),
        "X-Parta-Event": delivery.type,
        "X-Parta-Delivery": str(delivery.event_id),
    }
    error = ""
    try:
        response = client.post(journal.webhook_url, content=body, headers=headers)
        if not response.is_success:
            error = f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    _record(delivery, error=error)
    return not error


def _record(delivery: WebhookDelivery, *, error: str) -> None:
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_error = error[:500]
    if not error:
        delivery.delivered_at = now
    elif delivery.attempts >= settings.INTEGRATION_WEBHOOK_MAX_ATTEMPTS:
        delivery.failed_at = now
        log.error("webhook %s to %s failed for good: %s", delivery.event_id, delivery.journal, error)
    else:
        delay = min(FIRST_RETRY_SECONDS * 2 ** (delivery.attempts - 1), MAX_RETRY_SECONDS)
        delivery.next_attempt_at = now + dt.timedelta(seconds=delay)
    delivery.save(update_fields=["attempts", "last_error", "delivered_at", "failed_at", "next_attempt_at"])


def deliver_due(*, delivery_id: int | None = None, limit: int = 50) -> tuple[int, int]:
    """Attempts the deliveries that are due (or just one); returns (delivered, failed attempts)."""
    claimed = _claim(delivery_id=delivery_id, limit=limit)
    if not claimed:
        return 0, 0
    delivered = 0
    with http_client() as client:
        for delivery in claimed:
            delivered += _attempt(delivery, client)
    return delivered, len(claimed) - delivered


def retry_now(*, delivery_ids: list[int]) -> int:
    """The admin's «retry now»: failed or waiting deliveries become due again."""
    return WebhookDelivery.objects.filter(pk__in=delivery_ids, delivered_at=None).update(
        failed_at=None, next_attempt_at=timezone.now(), attempts=0
    )
