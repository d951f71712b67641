"""A SECOND JOURNAL (another region) integrates through the public API alone.

The messenger runs as a real HTTP server (pytest-django's live server). The second journal is registered with the
management command a messenger admin runs; from then on everything goes over HTTP as docs/integration-api.md
describes it: the OpenID Connect discovery document, a standard OAuth client (authlib) for the client credentials
grant and for the authorization code flow with PKCE, the person's own browser signing in to the messenger with a
one-time code and consenting, then the integration API (roster, link, subject chats, unlink). No journal code is
imported: import-linter forbids it, and this journal has none.
"""

# covers: L1, L2, L3, L5, L6, C1, C2, C3, A3, B3

from __future__ import annotations

import io
import json
import re
import uuid
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import authlib.deprecate  # noqa: F401 - first: it installs an "always" filter that ours must precede
import httpx
import pytest
from django.core.management import call_command
from jwcrypto import jwk, jwt

from tests.messenger.integration.helpers import School, person

with warnings.catch_warnings():  # authlib prefers its `httpx2` fork; plain httpx is what is installed
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import OAuth2Client

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT_ID = "tatar-edu"
CLIENT_SECRET = "second-journal-secret"
JOURNAL_SITE = "http://edu.tatar.test"  # never called: no webhook fires in this story
REDIRECT_URI = f"{JOURNAL_SITE}/messenger/callback/"
PHONE = "+79175550101"


class Forms(HTMLParser):
    """The page's forms as a browser submits them: [{input name: value}], in page order."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        fields = dict(attrs)
        if tag == "form":
            self.forms.append({})
        elif tag == "input" and fields.get("name") and self.forms:
            self.forms[-1][str(fields["name"])] = fields.get("value") or ""


def form_with(html: str, field: str) -> dict[str, str]:
    """The first form of the page that has this field (the page's footer has a language form too)."""
    parser = Forms()
    parser.feed(html)
    return next(form for form in parser.forms if field in form)


@pytest.fixture
def messenger(live_server: Any, settings: Any) -> Iterator[str]:
    """The messenger at a real address; the issuer is that address (as PARTA_MESSENGER_URL makes it in production).
    DEBUG shows the development inbox, where the one-time code «arrives»."""
    base = live_server.url
    settings.MESSENGER_URL = base
    settings.DEBUG = True
    settings.SMS_GATEWAY = "parta.messenger.accounts.gateways.DevInboxSmsGateway"
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": f"{base}/o"}
    call_command(
        "register_journal",
        name="Электронное образование",
        region="Республика Татарстан",
        base_url=JOURNAL_SITE,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        webhook_secret="tatar-webhooks",
        stdout=io.StringIO(),
    )
    yield base


def discover(base: str) -> dict[str, Any]:
    with httpx.Client(trust_env=False) as http:
        return dict(http.get(f"{base}/o/.well-known/openid-configuration").json())


def server_session(config: dict[str, Any]) -> httpx.Client:
    """The journal server's session: a client credentials token (scope roster) in every request's header."""
    with OAuth2Client(CLIENT_ID, CLIENT_SECRET, scope="roster", trust_env=False) as oauth:
        token = oauth.fetch_token(config["token_endpoint"], grant_type="client_credentials")
    assert token["scope"] == "roster"
    return httpx.Client(headers={"Authorization": f"Bearer {token['access_token']}"}, trust_env=False)


def browser_signs_in_and_consents(base: str, authorization_url: str) -> tuple[httpx.Client, str]:
    """The person's browser: the messenger's sign-in (phone, code from the development inbox, new profile), then
    the consent screen and «Продолжить». Returns the browser and where the messenger sent it back (the callback)."""
    browser = httpx.Client(base_url=base, follow_redirects=False, trust_env=False)
    to_sign_in = browser.get(authorization_url)
    assert to_sign_in.status_code == 302
    home = browser.get(to_sign_in.headers["location"])
    form = form_with(home.text, "contact")
    assert form["next"].startswith("/o/authorize/")
    sent = browser.post("/sign-in/", data={**form, "contact": PHONE})
    assert sent.status_code == 302, sent.text
    inbox = browser.get("/dev/inbox/").text
    code = re.search(r"\b(\d{6})\b", inbox)  # the newest message first; nobody else asked for a code
    assert code, inbox
    code_form = form_with(browser.get("/sign-in/code/").text, "code")
    step = browser.post("/sign-in/code/", data={**code_form, "code": code.group(1)})
    assert step.headers["location"] == "/sign-in/profile/"
    names = {"last_name": "Хабибуллина", "first_name": "Алия", "patronymic": "Рустамовна"}
    names_form = form_with(browser.get("/sign-in/profile/").text, "last_name")
    created = browser.post("/sign-in/profile/", data={**names_form, **names})
    consent = browser.get(created.headers["location"])
    assert "С сервисом «Электронное образование» можно связать свой учебный профиль" in consent.text
    assert "Передаваемые данные" in consent.text
    back = browser.post("/o/authorize/", data={**form_with(consent.text, "client_id"), "allow": "on"})
    assert back.status_code == 302
    return browser, back.headers["location"]


def test_a_second_journal_links_a_person_and_syncs_its_roster_over_http_only(messenger: str) -> None:
    config = discover(messenger)
    assert config["issuer"] == f"{messenger}/o"
    with httpx.Client(trust_env=False) as public:
        regions = public.get(f"{messenger}/integration/v1/journals").json()
    assert regions == [
        {
            "region": "Республика Татарстан",
            "journals": [
                {
                    "name": "Электронное образование",
                    "region": "Республика Татарстан",
                    "base_url": JOURNAL_SITE,
                    "link_url": f"{JOURNAL_SITE}/messenger/link/?from=messenger",
                }
            ],
        }
    ]

    # 1. The journal's server sends its school's full roster.
    api = f"{messenger}/integration/v1"
    school = School("kazan-school-7")
    full = school.full()
    full["school"] = {"external_id": "kazan-school-7", "name": "Гимназия № 7", "region": "Республика Татарстан"}
    with server_session(config) as server:
        applied = server.post(f"{api}/roster", json=full, headers={"Idempotency-Key": str(uuid.uuid4())})
        assert applied.json() == {"school_id": "kazan-school-7", "applied_sequence": 1, "duplicate": False}

        # 2. A teacher links: authorization code + PKCE + OIDC with a standard client.
        oauth = OAuth2Client(
            CLIENT_ID,
            CLIENT_SECRET,
            scope="openid profile link",
            redirect_uri=REDIRECT_URI,
            code_challenge_method="S256",
            trust_env=False,
        )
        verifier = uuid.uuid4().hex + uuid.uuid4().hex
        url, state = oauth.create_authorization_url(
            config["authorization_endpoint"], code_verifier=verifier, nonce="kazan-nonce"
        )
        browser, callback = browser_signs_in_and_consents(messenger, url)
        assert callback.startswith(REDIRECT_URI) and f"state={state}" in callback
        tokens = oauth.fetch_token(config["token_endpoint"], authorization_response=callback, code_verifier=verifier)
        oauth.close()
        with httpx.Client(trust_env=False) as http:
            keys = jwk.JWKSet.from_json(http.get(config["jwks_uri"]).text)
        claims = json.loads(jwt.JWT(jwt=tokens["id_token"], key=keys).claims)
        assert claims["iss"] == config["issuer"] and claims["aud"] == CLIENT_ID and claims["nonce"] == "kazan-nonce"
        assert claims["family_name"] == "Хабибуллина"

        link = {
            "person_id": "t1",
            "name": {"last_name": "Хабибуллина", "first_name": "Алия", "patronymic": "Рустамовна"},
            "roles": [{"kind": "teacher", "school_id": "kazan-school-7"}],
        }
        person_auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        with httpx.Client(trust_env=False) as http:
            linked = http.post(f"{api}/link", json=link, headers=person_auth)
        assert linked.status_code == 200, linked.text
        assert linked.json()["profile_id"] == int(claims["sub"])
        assert linked.json()["chats_url"] == f"{messenger}/chats/"

        # 3. The person sees the class teacher's three chats in the messenger's own API.
        def my_chats() -> dict[str, str]:
            return {chat["title"]: chat["my_role"] for chat in browser.get("/api/v1/chats/").json()}

        assert my_chats() == {"7Б — ученики": "admin", "7Б — родители": "admin", "Учителя": "member"}

        # 4. A change: 7Б gets another class teacher (the person leaves those two chats) and she takes over maths.
        change = school.change(
            upserts={
                "classes": [{"external_id": "c7b", "name": "7Б", "class_teacher_id": "t2"}],
                "load": [{"teacher_id": "t1", "class_id": "c7b", "subject_id": "math"}],
            },
            deletes={"load": [{"teacher_id": "t3", "class_id": "c7b", "subject_id": "math"}]},
        )
        change["school"] = full["school"]
        moved = server.post(f"{api}/roster", json=change, headers={"Idempotency-Key": str(uuid.uuid4())})
        assert moved.json()["applied_sequence"] == 2
        assert my_chats() == {"Учителя": "member"}

        # 5. A subject chat for the teacher's load: a deep link, listed for the teacher.
        maths = {"school_id": "kazan-school-7", "class_id": "c7b", "subject_id": "math", "teacher_id": "t1"}
        made = server.post(f"{api}/subject-chats", json=maths).json()
        assert made["name"] == "7Б — Математика" and made["url"] == f"{messenger}/chats/{made['chat_id']}/"
        listed = server.get(f"{api}/subject-chats", params={"school_id": "kazan-school-7", "teacher_id": "t1"})
        assert [chat["chat_id"] for chat in listed.json()] == [made["chat_id"]]
        assert my_chats()["7Б — Математика"] == "admin"
        assert browser.get(f"/chats/{made['chat_id']}/").status_code == 200  # the deep link opens the chat

        # 6. The journal unlinks the person: the messenger agrees.
        assert server.delete(f"{api}/link", params={"person_id": "t1"}).status_code == 204
        assert my_chats() == {}
        # A student row the journal sends later still applies in order.
        late = school.change(upserts={"students": [person("st9", "Новый", "Ученик", class_id="c8a")]})
        late["school"] = full["school"]
        assert (
            server.post(f"{api}/roster", json=late, headers={"Idempotency-Key": "k-3"}).json()["applied_sequence"] == 3
        )
        browser.close()
