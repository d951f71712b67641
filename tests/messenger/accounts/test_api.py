"""The sign-in and profile API (/api/v1/auth/): the web flow's rules through JSON, CSRF enforced, in OpenAPI."""

# covers: A1, A2, A6 (API), B3 (the API does what the UI does)

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from parta.messenger.accounts.models import DeviceSession, LoginCode, Profile
from tests.messenger.accounts.conftest import PHONE, age_codes, inbox_code, make_profile, wrong_code

pytestmark = pytest.mark.django_db
API = "/api/v1/auth"


class Browser:
    """A client that enforces CSRF like a real browser and sends the token the way a script would."""

    def __init__(self, user_agent: str = "parta-app/1.0") -> None:
        self.client = Client(enforce_csrf_checks=True, headers={"User-Agent": user_agent})
        self.token = self.client.get(f"{API}/csrf").json()["csrf_token"]

    def call(self, method: str, path: str, data: Any = None, *, csrf: bool = True) -> Any:
        headers = {"X-CSRFToken": self.token} if csrf else {}
        send = getattr(self.client, method)
        if data is None:
            return send(f"{API}{path}", headers=headers)
        return send(f"{API}{path}", data, content_type="application/json", headers=headers)


def test_sign_up_through_the_api() -> None:
    browser = Browser()

    sent = browser.call("post", "/code", {"contact": "8 916 123-45-67"})
    assert sent.status_code == 200
    assert sent.json() == {"contact": "+7 916 123-45-67", "channel": "sms", "resend_after": 60, "expires_in": 300}

    wrong = browser.call("post", "/code/verify", {"code": wrong_code(inbox_code(PHONE))})
    assert wrong.status_code == 400
    assert wrong.json() == {"code": "code_wrong", "message": "Неверный код. Осталось попыток: 4.", "retry_after": None}

    verified = browser.call("post", "/code/verify", {"code": inbox_code(PHONE)})
    assert verified.json() == {"status": "profile_required", "next": "/chats/", "profile": None}

    bad = browser.call("post", "/profile", {"last_name": "", "first_name": "Мария"})
    assert bad.status_code == 400 and bad.json()["code"] == "name_required"

    created = browser.call("post", "/profile", {"last_name": "Иванова", "first_name": "Мария"})
    assert created.status_code == 201
    body = created.json()
    assert body["identifier"] == PHONE and body["full_name"] == "Иванова Мария"
    assert body["has_confirmed_role"] is False

    me = browser.call("get", "/me")
    assert me.status_code == 200 and me.json()["id"] == Profile.objects.get().pk
    assert DeviceSession.objects.get().user_agent == "parta-app/1.0"


def test_sign_in_of_an_existing_profile_through_the_api() -> None:
    profile = make_profile(PHONE)
    browser = Browser()
    browser.call("post", "/code", {"contact": PHONE, "next": "/profile/"})
    response = browser.call("post", "/code/verify", {"code": inbox_code(PHONE)})
    assert response.status_code == 200
    assert response.json()["status"] == "signed_in"
    assert response.json()["next"] == "/profile/"
    assert response.json()["profile"]["id"] == profile.pk


def test_unsafe_calls_need_the_csrf_token_even_before_sign_in() -> None:
    browser = Browser()

    response = browser.call("post", "/code", {"contact": PHONE}, csrf=False)

    assert response.status_code == 403
    assert not LoginCode.objects.exists()  # a forged page cannot send codes or sign a browser in
    assert browser.call("post", "/code", {"contact": PHONE}).status_code == 200
    assert browser.call("post", "/code/verify", {"code": inbox_code(PHONE)}, csrf=False).status_code == 403


def test_signed_in_calls_need_the_csrf_token() -> None:
    make_profile(PHONE)
    browser = Browser()
    browser.call("post", "/code", {"contact": PHONE})
    browser.call("post", "/code/verify", {"code": inbox_code(PHONE)})
    browser.token = browser.client.get(f"{API}/csrf").json()["csrf_token"]  # rotated by sign-in

    assert browser.call("patch", "/me", {"first_name": "Маша"}, csrf=False).status_code == 403
    response = browser.call("patch", "/me", {"first_name": "Маша"})
    assert response.status_code == 200 and response.json()["full_name"] == "Иванова Маша"
    assert browser.call("get", "/me", csrf=False).status_code == 200  # reads need no token


def test_profile_endpoints_need_a_signed_in_profile() -> None:
    browser = Browser()
    assert browser.call("get", "/me").status_code == 401
    assert browser.call("get", "/devices").status_code == 401
    assert browser.call("post", "/devices/end-others").status_code == 401
    assert browser.call("post", "/profile", {"last_name": "Иванова", "first_name": "Мария"}).json()["code"] == (
        "signup_expired"
    )


def _signed_in(user_agent: str) -> Browser:
    browser = Browser(user_agent)
    age_codes(PHONE, seconds=120)
    browser.call("post", "/code", {"contact": PHONE})
    assert browser.call("post", "/code/verify", {"code": inbox_code(PHONE)}).json()["status"] == "signed_in"
    browser.token = browser.client.get(f"{API}/csrf").json()["csrf_token"]
    return browser


def test_devices_end_others_and_logout_through_the_api() -> None:
    make_profile(PHONE)
    here, other, third = _signed_in("parta-app/1.0"), _signed_in("parta-app/2.0"), _signed_in("parta-app/3.0")

    devices = here.call("get", "/devices").json()
    assert len(devices) == 3
    assert [d["label"] for d in devices if d["is_current"]] == ["parta-app"]
    third_id = DeviceSession.objects.get(session_key=third.client.session.session_key).pk

    assert here.call("delete", f"/devices/{third_id}").status_code == 204
    assert third.call("get", "/me").status_code == 401
    assert here.call("delete", f"/devices/{third_id}").json()["code"] == "device_not_found"
    current = next(d["id"] for d in devices if d["is_current"])
    assert here.call("delete", f"/devices/{current}").json()["code"] == "current_device"

    assert here.call("post", "/devices/end-others").json() == {"ended": 1}
    assert other.call("get", "/me").status_code == 401
    assert here.call("get", "/me").status_code == 200

    assert here.call("post", "/logout").status_code == 204
    assert here.call("get", "/me").status_code == 401
    assert not DeviceSession.objects.exists()


def test_api_refusals_have_stable_codes() -> None:
    browser = Browser()
    adult = dt.date(1980, 1, 1).isoformat()
    child = (timezone.localdate() - dt.timedelta(days=3650)).isoformat()

    cases = [
        ({"contact": "12"}, 400, "invalid_contact"),
        ({"contact": "+7 495 123-45-67"}, 400, "not_mobile"),
        ({"contact": "mum@example.ru"}, 400, "birth_date_required"),
        ({"contact": "mum@example.ru", "birth_date": adult}, 400, "email_for_children_only"),
    ]
    for payload, status, code in cases:
        response = browser.call("post", "/code", payload)
        assert (response.status_code, response.json()["code"]) == (status, code), payload
        assert response.json()["message"]

    assert (
        browser.call("post", "/code", {"contact": "kid@example.ru", "birth_date": child}).json()["channel"] == "email"
    )
    early = Browser().call("post", "/code", {"contact": "kid@example.ru", "birth_date": child})
    assert early.status_code == 429
    assert early.json()["code"] == "resend_too_early"
    assert 0 < early.json()["retry_after"] <= 60
    resend = browser.call("post", "/code/resend")
    assert resend.status_code == 429 and resend.json()["code"] == "resend_too_early"
    assert Browser().call("post", "/code/verify", {"code": "123456"}).json()["code"] == "no_code_request"


def test_the_sixth_api_try_is_refused() -> None:
    browser = Browser()
    browser.call("post", "/code", {"contact": PHONE})
    code = inbox_code(PHONE)
    codes = [browser.call("post", "/code/verify", {"code": wrong_code(code)}).json()["code"] for _ in range(5)]
    assert codes == ["code_wrong"] * 4 + ["code_attempts_exhausted"]
    response = browser.call("post", "/code/verify", {"code": code})
    assert response.status_code == 429 and response.json()["code"] == "code_attempts_exhausted"


def test_resend_through_the_api_after_the_pause() -> None:
    browser = Browser()
    browser.call("post", "/code", {"contact": PHONE})
    age_codes(PHONE, seconds=61)
    response = browser.call("post", "/code/resend")
    assert response.status_code == 200
    assert LoginCode.objects.filter(used_at__isnull=False).count() == 1  # the previous code is closed
    assert browser.call("post", "/code/verify", {"code": inbox_code(PHONE)}).json()["status"] == "profile_required"


def test_openapi_shows_the_auth_endpoints(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/auth/csrf", "get"),
        ("/api/v1/auth/code", "post"),
        ("/api/v1/auth/code/resend", "post"),
        ("/api/v1/auth/code/verify", "post"),
        ("/api/v1/auth/profile", "post"),
        ("/api/v1/auth/me", "get"),
        ("/api/v1/auth/me", "patch"),
        ("/api/v1/auth/devices", "get"),
        ("/api/v1/auth/devices/{device_id}", "delete"),
        ("/api/v1/auth/devices/end-others", "post"),
        ("/api/v1/auth/logout", "post"),
    ]:
        assert method in paths[path], path
    assert "429" in paths["/api/v1/auth/code"]["post"]["responses"]
    assert "AnonymousSession" in schema["components"]["securitySchemes"]
    assert schema["components"]["securitySchemes"]["AnonymousSession"]["name"] == settings.SESSION_COOKIE_NAME
