"""The web-API kit (parta/messenger/webapi.py): every error of both APIs answers `{"code", "message"}`, ninja's own
too, and the OpenAPI of both declares that shape for the 4xx statuses and 422."""

# covers: B3 (typed, documented API), issue 9 (one error shape)

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from parta.messenger.accounts.models import ContactKind, Profile
from parta.messenger.api import api
from parta.messenger.integration_api import integration_api


def signed_in() -> Client:
    profile = Profile.objects.create_user(
        identifier="+79990001122", contact_kind=ContactKind.PHONE, last_name="Петрова", first_name="Анна"
    )
    client = Client()
    client.force_login(profile)
    return client


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message"} and body["code"] == code
    assert body["message"]


@pytest.mark.django_db
def test_a_body_that_is_not_json_answers_code_and_message() -> None:
    response = signed_in().post("/api/v1/chats/", data="{not json", content_type="application/json")
    assert_error(response, 400, "invalid_request")


@pytest.mark.django_db
def test_a_body_that_does_not_match_the_schema_answers_422_with_code_and_message() -> None:
    response = signed_in().post("/api/v1/chats/", data={"title": ["no"]}, content_type="application/json")
    assert_error(response, 422, "invalid_request")
    assert "title" in response.json()["message"]


@pytest.mark.django_db
def test_a_bad_parameter_and_a_missing_session_answer_code_and_message(client: Client) -> None:
    assert_error(signed_in().get("/api/v1/chats/search/", {"q": "ab", "limit": "many"}), 422, "invalid_request")
    assert_error(client.get("/api/v1/chats/"), 401, "not_signed_in")


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


@pytest.mark.parametrize(
    ("name", "ninja_api", "prefix"), [("web", api, "/api/v1/"), ("integration", integration_api, "/integration/v1/")]
)
def test_the_openapi_declares_the_error_shape_for_4xx_and_422(name: str, ninja_api: Any, prefix: str) -> None:
    schema = json.loads(json.dumps(ninja_api.get_openapi_schema(path_prefix=prefix)))  # as served: string statuses
    checked = 0
    for method, path, operation in _operations(schema):
        takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
        if takes_input:
            assert "422" in operation["responses"], f"{name}: {method} {path} does not declare 422"
        for status, response in operation["responses"].items():
            if not status.startswith("4"):
                continue
            body = _resolve(schema, response["content"]["application/json"]["schema"])
            assert {"code", "message"} <= set(body["properties"]), f"{name}: {method} {path} {status}"
            assert {"code", "message"} <= set(body.get("required", [])), f"{name}: {method} {path} {status}"
            checked += 1
    assert checked > 10
