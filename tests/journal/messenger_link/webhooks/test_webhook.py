# covers: L6 (unlinking in the messenger: the journal agrees), the webhook's signature and idempotency
"""POST /messenger/webhook/: signed events from the messenger; a bad signature is refused, a repeat ignored."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from parta.common.integration.schemas import SIGNATURE_HEADER, LinkResult
from parta.journal.messenger_link.linking.services import record_link
from parta.journal.messenger_link.models import MessengerLink, WebhookReceipt
from tests.journal.builders import SmallSchool
from tests.journal.messenger_link.conftest import WEBHOOK_SECRET
from tests.journal.messenger_link.fake_messenger import FakeMessenger

URL = "/messenger/webhook/"


def event(type_: str = "link.removed", **data: Any) -> bytes:
    body = {"id": str(uuid.uuid4()), "type": type_, "created_at": timezone.now().isoformat(), "data": data}
    return json.dumps(body).encode()


def signed(body: bytes, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_"): f"sha256={digest}"}


def post(client: Client, body: bytes, headers: dict[str, str]) -> Any:
    return client.post(URL, data=body, content_type="application/json", **headers)


@pytest.fixture
def linked(school: SmallSchool, messenger: FakeMessenger) -> SmallSchool:
    result = LinkResult(profile_id=501, confirmed_roles=[], chats_url=f"{messenger.url}/chats/")
    record_link(user=school.teacher.user, subject="501", profile_name="Смирнова А. П.", result=result)
    return school


def test_link_removed_unlinks_in_the_journal_too(client: Client, linked: SmallSchool) -> None:
    body = event(person_id=str(linked.teacher.user_id), profile_id=501)
    response = post(client, body, signed(body))
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert not MessengerLink.objects.filter(user=linked.teacher.user).exists()


def test_a_repeated_event_is_ignored(client: Client, linked: SmallSchool) -> None:
    body = event(person_id=str(linked.teacher.user_id))
    assert post(client, body, signed(body)).json() == {"status": "ok"}
    # The person links again; then the old event arrives once more (the messenger's answer was lost).
    record_link(
        user=linked.teacher.user,
        subject="501",
        profile_name="",
        result=LinkResult(profile_id=501, confirmed_roles=[], chats_url="http://127.0.0.1/chats/"),
    )
    again = post(client, body, signed(body))
    assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    assert MessengerLink.objects.filter(user=linked.teacher.user).exists()
    assert WebhookReceipt.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_X_PARTA_SIGNATURE": "sha256=" + "0" * 64},
        "wrong-secret",
        "tampered",
    ],
)
def test_a_bad_signature_is_refused(client: Client, linked: SmallSchool, headers: Any) -> None:
    body = event(person_id=str(linked.teacher.user_id))
    if headers == "wrong-secret":
        headers = signed(body, secret="another-secret")
    elif headers == "tampered":
        headers = signed(body)
        body = body.replace(b"link.removed", b"link.created")
    response = post(client, body, headers)
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"
    assert MessengerLink.objects.filter(user=linked.teacher.user).exists()
    assert not WebhookReceipt.objects.exists()


def test_a_signed_body_that_is_not_an_event_is_a_400(client: Client, linked: SmallSchool) -> None:
    body = b'{"hello": "world"}'
    assert post(client, body, signed(body)).status_code == 400


def test_without_a_webhook_secret_nothing_is_accepted(client: Client, linked: SmallSchool, settings: Any) -> None:
    settings.MESSENGER_WEBHOOK_SECRET = ""
    body = event(person_id=str(linked.teacher.user_id))
    assert post(client, body, signed(body, secret="")).status_code == 503
    assert MessengerLink.objects.filter(user=linked.teacher.user).exists()


def test_only_post(client: Client, db: None) -> None:
    assert client.get(URL).status_code == 405
