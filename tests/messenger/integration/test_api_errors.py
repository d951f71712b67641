"""The integration API answers every error as ApiError `{code, message, help_url}`, ninja's own errors too
(docs/integration-api.md section 6)."""

# covers: issue 9 (one error shape), B3

from __future__ import annotations

import pytest
from django.test import Client

from tests.messenger.integration.helpers import bearer

pytestmark = pytest.mark.django_db


def test_a_body_that_is_not_json_answers_api_error(client: Client, server: str) -> None:
    response = client.post(
        "/integration/v1/subject-chats", data="{not json", content_type="application/json", **bearer(server)
    )
    assert response.status_code == 400
    assert response.json() | {"message": "…"} == {"code": "invalid_request", "message": "…", "help_url": None}


def test_a_body_that_does_not_match_the_schema_answers_422_api_error(client: Client, server: str) -> None:
    response = client.post(
        "/integration/v1/subject-chats", data={"school_id": 5}, content_type="application/json", **bearer(server)
    )
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"code", "message", "help_url"} and body["code"] == "invalid_request"


def test_an_unknown_address_answers_api_error(client: Client, server: str) -> None:
    response = client.get("/integration/v1/calls/no-such-call", **bearer(server))
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "help_url"}
