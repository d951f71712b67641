"""A journal as the messenger sees it: only HTTP calls of the integration API (docs/integration-api.md), made with
Django's test client; and a small school's roster to send. No journal code is imported (import-linter forbids it).
"""

from __future__ import annotations

import base64
import hashlib
import io
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from django.core.management import call_command
from django.test import Client

from parta.messenger.accounts.models import ContactKind, Profile

JOURNAL_BASE = "http://journal.test"
SCOPES = "openid profile link"


@dataclass
class JournalCreds:
    client_id: str
    client_secret: str
    base_url: str = JOURNAL_BASE
    webhook_secret: str = "webhook-secret"

    @property
    def redirect_uri(self) -> str:
        return f"{self.base_url}/messenger/callback/"


def register(
    client_id: str = "journal-1",
    *,
    name: str = "Электронный журнал",
    region: str = "Москва",
    base_url: str = JOURNAL_BASE,
    secret: str = "s3cret-journal-1",  # noqa: S107 - a test journal's credentials
) -> JournalCreds:
    """Registers a journal with the management command, as run.sh does."""
    call_command(
        "register_journal",
        name=name,
        region=region,
        base_url=base_url,
        client_id=client_id,
        client_secret=secret,
        webhook_secret="webhook-secret",
        stdout=io.StringIO(),
    )
    return JournalCreds(client_id=client_id, client_secret=secret, base_url=base_url)


def basic(creds: JournalCreds) -> str:
    return "Basic " + base64.b64encode(f"{creds.client_id}:{creds.client_secret}".encode()).decode()


def server_token(client: Client, creds: JournalCreds) -> str:
    response = client.post(
        "/o/token/", {"grant_type": "client_credentials", "scope": "roster"}, HTTP_AUTHORIZATION=basic(creds)
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["scope"] == "roster"
    return str(body["access_token"])


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(creds: JournalCreds, *, challenge: str, state: str = "st", nonce: str = "n1") -> str:
    query = {
        "response_type": "code",
        "client_id": creds.client_id,
        "redirect_uri": creds.redirect_uri,
        "scope": SCOPES,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return "/o/authorize/?" + urlencode(query)


def consent(browser: Client, creds: JournalCreds, *, challenge: str, names: dict[str, str] | None = None) -> str:
    """The person on the consent screen presses «Продолжить»; returns the code the journal's callback receives."""
    page = browser.get(authorize_url(creds, challenge=challenge))
    assert page.status_code == 200, page.content
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "allow"}
    data.update(names or {})
    data["allow"] = "on"
    response = browser.post("/o/authorize/", data)
    assert response.status_code == 302, response.content
    location = urlparse(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == creds.redirect_uri
    query = parse_qs(location.query)
    assert query["state"] == ["st"]
    return query["code"][0]


def exchange(client: Client, creds: JournalCreds, *, code: str, verifier: str) -> dict[str, Any]:
    response = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": creds.redirect_uri,
            "code_verifier": verifier,
        },
        HTTP_AUTHORIZATION=basic(creds),
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def person_token(profile: Profile, creds: JournalCreds) -> str:
    """The whole person flow: the profile's browser consents, the journal exchanges the code (PKCE)."""
    browser = Client()
    browser.force_login(profile)
    verifier, challenge = pkce()
    code = consent(browser, creds, challenge=challenge)
    return str(exchange(Client(), creds, code=code, verifier=verifier)["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def call(client: Client, method: str, path: str, token: str, body: Any = None, **headers: str) -> Any:
    """One integration API call with a JSON body; returns the response (its .json() for the body)."""
    kwargs: dict[str, Any] = {**bearer(token), **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(client, method.lower())(f"/integration/v1{path}", **kwargs)


def send_roster(client: Client, token: str, batch: dict[str, Any], *, key: str | None = None) -> Any:
    return call(client, "POST", "/roster", token, batch, Idempotency_Key=key or str(uuid.uuid4()))


_phones = iter(range(10_000_000))


def new_profile(last_name: str, first_name: str, **fields: Any) -> Profile:
    return Profile.objects.create_user(
        identifier=f"+7905{next(_phones):07d}",
        contact_kind=ContactKind.PHONE,
        last_name=last_name,
        first_name=first_name,
        **fields,
    )


def person(external_id: str, last: str, first: str, **extra: Any) -> dict[str, Any]:
    return {"external_id": external_id, "last_name": last, "first_name": first, **extra}


@dataclass
class School:
    """«Школа № 1»: 7Б (class teacher Анна Петровна t1; Петя st1, Маша st2), 8А (class teacher t2; Коля st3);
    t3 teaches maths in 7Б. Parents: p1 (Петин папа: st1), p2 (Машина и Колина мама: st2, st3).
    t1 is also a parent (account "t1" with two roles): her child is st3."""

    external_id: str = "s1"
    sequence: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def full(self) -> dict[str, Any]:
        self.sequence += 1
        return {
            "school": {"external_id": self.external_id, "name": "Школа № 1", "region": "Москва"},
            "sequence": self.sequence,
            "full": True,
            "upserts": {
                "classes": [
                    {"external_id": "c7b", "name": "7Б", "class_teacher_id": "t1"},
                    {"external_id": "c8a", "name": "8А", "class_teacher_id": "t2"},
                ],
                "subjects": [{"external_id": "math", "name": "Математика"}],
                "teachers": [
                    person("t1", "Петрова", "Анна", patronymic="Петровна"),
                    person("t2", "Сидоров", "Олег"),
                    person("t3", "Кузнецова", "Ирина"),
                ],
                "students": [
                    person("st1", "Иванов", "Петя", class_id="c7b"),
                    person("st2", "Смирнова", "Маша", class_id="c7b"),
                    person("st3", "Смирнов", "Коля", class_id="c8a"),
                ],
                "parents": [
                    person("p1", "Иванов", "Сергей", children=["st1"]),
                    person("p2", "Смирнова", "Ольга", children=["st2", "st3"]),
                    person("t1", "Петрова", "Анна", children=["st3"]),
                ],
                "groups": [{"external_id": "g1", "class_id": "c7b", "name": "Группа 1", "student_ids": ["st1"]}],
                "load": [
                    {"teacher_id": "t3", "class_id": "c7b", "subject_id": "math"},
                    {"teacher_id": "t3", "class_id": "c7b", "subject_id": "math", "group_id": "g1"},
                ],
            },
        }

    def change(self, upserts: dict[str, Any] | None = None, deletes: dict[str, Any] | None = None) -> dict[str, Any]:
        self.sequence += 1
        return {
            "school": {"external_id": self.external_id, "name": "Школа № 1", "region": "Москва"},
            "sequence": self.sequence,
            "upserts": upserts or {},
            "deletes": deletes or {},
        }


def link_request(person_id: str, roles: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"person_id": person_id, "name": {"last_name": "Фамилия", "first_name": "Имя"}, "roles": roles, **extra}


def teacher_role(school: str = "s1") -> dict[str, Any]:
    return {"kind": "teacher", "school_id": school}


def student_role(class_id: str, school: str = "s1") -> dict[str, Any]:
    return {"kind": "student", "school_id": school, "class_id": class_id}


def parent_role(children: list[str], school: str = "s1") -> dict[str, Any]:
    return {"kind": "parent", "school_id": school, "children": children}
