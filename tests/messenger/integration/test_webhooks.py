"""Outgoing webhooks: signed, delivered after commit, retried with back-off by `deliver_webhooks`, given up after
the last attempt."""

# covers: L6

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone

from parta.messenger.integration.models import Journal, WebhookDelivery
from parta.messenger.integration.services import webhooks
from tests.messenger.integration.helpers import JournalCreds

pytestmark = pytest.mark.django_db


class Answers(list[int]):
    """The journal's answers, one per request, in order (0: connection refused; none left: 200)."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        status = self.pop(0) if self else 200
        if status == 0:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(status)


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    journal_side = Answers()
    monkeypatch.setattr(
        webhooks, "http_client", lambda: httpx.Client(transport=httpx.MockTransport(journal_side.handle))
    )
    return journal_side


def enqueue(journal: Journal) -> WebhookDelivery:
    delivery = webhooks.enqueue_webhook(journal=journal, type="link.removed", data={"person_id": "t1"})
    assert delivery is not None
    return delivery


def test_a_delivery_is_signed_and_marked_delivered(journal: JournalCreds, answers: Answers) -> None:
    delivery = enqueue(Journal.objects.get())

    assert webhooks.deliver_due() == (1, 0)

    request = answers.received[0]
    assert (
        request.headers["X-Parta-Signature"]
        == "sha256=" + hmac.new(b"webhook-secret", request.content, hashlib.sha256).hexdigest()
    )
    assert request.headers["X-Parta-Delivery"] == str(delivery.event_id)
    assert request.content.decode() == delivery.body
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.attempts == 1


def test_a_failure_is_retried_later_with_back_off(journal: JournalCreds, answers: Answers) -> None:
    delivery = enqueue(Journal.objects.get())
    answers.extend([500, 0])

    assert webhooks.deliver_due() == (0, 1)
    delivery.refresh_from_db()
    first_wait = delivery.next_attempt_at - timezone.now()
    assert webhooks.deliver_due() == (0, 0)  # not due yet
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhooks.deliver_due() == (0, 1)  # the journal is down
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("ConnectError")
    assert delivery.next_attempt_at - timezone.now() > first_wait  # waits longer each time
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhooks.deliver_due() == (1, 0)


def test_it_is_given_up_after_the_last_attempt(journal: JournalCreds, answers: Answers, settings: object) -> None:
    settings.INTEGRATION_WEBHOOK_MAX_ATTEMPTS = 2  # type: ignore[attr-defined]
    delivery = enqueue(Journal.objects.get())
    answers.extend([503, 503])

    webhooks.deliver_due()
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhooks.deliver_due()

    delivery.refresh_from_db()
    assert delivery.failed_at is not None and delivery.delivered_at is None
    assert webhooks.retry_now(delivery_ids=[delivery.pk]) == 1
    assert webhooks.deliver_due() == (1, 0)


def test_the_command_delivers_what_is_due(journal: JournalCreds, answers: Answers) -> None:
    enqueue(Journal.objects.get())
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    out = io.StringIO()

    call_command("deliver_webhooks", stdout=out)

    assert "1 delivered" in out.getvalue()
    assert WebhookDelivery.objects.get().delivered_at is not None
