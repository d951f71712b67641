"""OAuth 2.0 authorization code + PKCE with OpenID Connect, through the test client: sign-in → consent → token →
link; the server's client credentials token; what each token may do."""

# covers: L1, L3, A2, A3, L4

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.test import Client
from jwcrypto import jwk, jwt

from parta.common import settings_base
from parta.messenger.integration.models import Journal
from parta.messenger.orgs.models import Role
from tests.messenger.integration.helpers import (
    JournalCreds,
    School,
    authorize_url,
    basic,
    call,
    consent,
    exchange,
    link_request,
    new_profile,
    person_token,
    pkce,
    send_roster,
    teacher_role,
)

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_visitor_signs_in_first_and_comes_back_to_the_consent_screen(client: Client, journal: JournalCreds) -> None:
    _verifier, challenge = pkce()
    url = authorize_url(journal, challenge=challenge)

    response = client.get(url)

    assert response.status_code == 302
    target = urlparse(response["Location"])
    assert target.path == "/"  # the sign-in screen (LOGIN_URL) …
    assert parse_qs(target.query)["next"] == [url]  # … and back here afterwards
    home = client.get(response["Location"]).content.decode()
    assert f'value="{url.replace("&", "&amp;")}"' in home  # the sign-in form carries `next` on


def test_the_consent_screen_names_the_journal_and_lists_the_data_passed(client: Client, journal: JournalCreds) -> None:
    profile = new_profile("Петрова", "Анна", patronymic="Петровна")
    client.force_login(profile)
    _verifier, challenge = pkce()

    page = client.get(authorize_url(journal, challenge=challenge))

    assert page.status_code == 200
    text = _text(page.content.decode())
    assert "С сервисом «Электронный журнал» можно связать свой учебный профиль" in text
    assert "Передаваемые данные" in text
    for item in ("ФИО", "роль: учитель, ученик или родитель", "школа", "класс — для ученика", "дети — для родителя"):
        assert item in text
    consent_text = "Нажимая «Продолжить», вы принимаете пользовательское соглашение и политику конфиденциальности"
    assert consent_text in text
    assert re.search(r"<button[^>]*name=\"allow\"[^>]*>Продолжить</button>", page.content.decode())
    form = page.context["form"]
    assert (form["last_name"].value(), form["first_name"].value(), form["patronymic"].value()) == (
        "Петрова",
        "Анна",
        "Петровна",
    )
    assert "Сферум" not in text


def test_code_flow_with_pkce_gives_tokens_and_an_id_token_whose_sub_is_the_profile(
    client: Client, journal: JournalCreds
) -> None:
    profile = new_profile("Петрова", "Анна")
    browser = Client()
    browser.force_login(profile)
    verifier, challenge = pkce()

    code = consent(browser, journal, challenge=challenge, names={"patronymic": "Петровна"})
    tokens = exchange(client, journal, code=code, verifier=verifier)

    assert set(tokens["scope"].split()) == {"openid", "profile", "link"}
    keys = jwk.JWKSet.from_json(client.get("/o/.well-known/jwks.json").content.decode())
    claims = json.loads(jwt.JWT(jwt=tokens["id_token"], key=keys).claims)
    assert claims["sub"] == str(profile.pk)
    assert claims["aud"] == journal.client_id
    assert claims["iss"] == f"{settings_base.MESSENGER_URL}/o"
    assert claims["nonce"] == "n1"
    assert (claims["family_name"], claims["given_name"], claims["middle_name"]) == ("Петрова", "Анна", "Петровна")
    profile.refresh_from_db()
    assert profile.patronymic == "Петровна"  # the profile form on the consent screen saved the check
    userinfo = client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").json()
    assert userinfo["sub"] == str(profile.pk)


def test_names_corrected_on_the_consent_screen_are_the_persons_choice(client: Client, journal: JournalCreds) -> None:
    # covers: L3 (a correction typed on the consent screen is not overwritten by the journal's name later)
    profile = new_profile("Петрова", "Анна")
    browser = Client()
    browser.force_login(profile)

    consent(browser, journal, challenge=pkce()[1], names={"patronymic": "Петровна"})

    profile.refresh_from_db()
    assert profile.patronymic == "Петровна"
    assert profile.name_chosen_by_person is True


def test_names_only_checked_on_the_consent_screen_stay_the_journals_to_set(
    client: Client, journal: JournalCreds
) -> None:
    # covers: L3 (names left as shown are provisional: the journal's name applies at link)
    profile = new_profile("Петрова", "Анна")
    browser = Client()
    browser.force_login(profile)

    consent(browser, journal, challenge=pkce()[1])

    profile.refresh_from_db()
    assert (profile.last_name, profile.first_name) == ("Петрова", "Анна")
    assert profile.name_chosen_by_person is False


def test_the_code_is_useless_without_the_pkce_verifier(client: Client, journal: JournalCreds) -> None:
    browser = Client()
    browser.force_login(new_profile("Петрова", "Анна"))
    _verifier, challenge = pkce()
    code = consent(browser, journal, challenge=challenge)

    response = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": journal.redirect_uri,
            "code_verifier": "x" * 50,
        },
        HTTP_AUTHORIZATION=basic(journal),
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_authorization_without_pkce_is_refused(client: Client, journal: JournalCreds) -> None:
    client.force_login(new_profile("Петрова", "Анна"))
    query = {
        "response_type": "code",
        "client_id": journal.client_id,
        "redirect_uri": journal.redirect_uri,
        "scope": "openid link",
        "state": "s",
    }

    response = client.get("/o/authorize/?" + urlencode(query))

    assert response.status_code == 302
    assert response["Location"].startswith(journal.redirect_uri)
    assert "error=invalid_request" in response["Location"]


def test_the_plain_pkce_method_gets_no_code(client: Client, journal: JournalCreds) -> None:
    client.force_login(new_profile("Петрова", "Анна"))
    url = authorize_url(journal, challenge="a" * 43).replace("S256", "plain")
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "allow"}

    response = client.post("/o/authorize/", {**data, "allow": "on"})

    assert response.status_code == 302
    assert "error=invalid_request" in response["Location"]
    assert "code=" not in response["Location"]


def test_an_unknown_redirect_uri_is_never_followed(client: Client, journal: JournalCreds) -> None:
    client.force_login(new_profile("Петрова", "Анна"))
    _verifier, challenge = pkce()
    url = authorize_url(journal, challenge=challenge).replace("journal.test", "evil.test")

    response = client.get(url)

    assert response.status_code == 400
    assert "Не удалось начать связку" in response.content.decode()


def test_cancel_returns_access_denied_to_the_journal(client: Client, journal: JournalCreds) -> None:
    client.force_login(new_profile("Петрова", "Анна"))
    _verifier, challenge = pkce()
    page = client.get(authorize_url(journal, challenge=challenge))
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "allow"}
    data.update(last_name="", first_name="")  # «Отмена» needs no names

    response = client.post("/o/authorize/", data)

    assert response.status_code == 302
    assert response["Location"].startswith(journal.redirect_uri)
    assert "error=access_denied" in response["Location"]


def test_continue_without_a_name_keeps_the_person_on_the_screen(client: Client, journal: JournalCreds) -> None:
    client.force_login(new_profile("Петрова", "Анна"))
    _verifier, challenge = pkce()
    page = client.get(authorize_url(journal, challenge=challenge))
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "allow"}
    data.update(last_name="", allow="on")

    response = client.post("/o/authorize/", data)

    assert response.status_code == 200
    body = _text(response.content.decode())
    assert "С сервисом «Электронный журнал» можно связать свой учебный профиль" in body
    assert response.context["form"].errors


def test_the_server_token_is_for_the_roster_and_the_person_token_for_linking(
    client: Client, journal: JournalCreds, server: str
) -> None:
    school = School()
    assert send_roster(client, server, school.full()).status_code == 200
    profile = new_profile("Петрова", "Анна")
    person = person_token(profile, journal)

    roster_with_person = send_roster(client, person, school.change())
    link_with_server = call(client, "POST", "/link", server, link_request("t1", [teacher_role()]))
    linked = call(client, "POST", "/link", person, link_request("t1", [teacher_role()]))

    assert roster_with_person.status_code == 403
    assert roster_with_person.json()["code"] == "server_token_required"
    assert link_with_server.status_code == 403
    assert link_with_server.json()["code"] == "person_token_required"
    assert linked.status_code == 200
    assert Role.objects.get(profile=profile).confirmed


def test_a_server_token_never_carries_person_scopes(client: Client, journal: JournalCreds) -> None:
    response = client.post(
        "/o/token/", {"grant_type": "client_credentials", "scope": "link"}, HTTP_AUTHORIZATION=basic(journal)
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_calls_without_a_valid_token_answer_401_with_the_error_shape(client: Client, journal: JournalCreds) -> None:
    missing = client.post("/integration/v1/link", data={}, content_type="application/json")
    wrong = call(client, "POST", "/link", "not-a-token", link_request("t1", [teacher_role()]))

    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_token"
        assert response.json()["message"]
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_deactivated_journal_gets_no_tokens_and_its_tokens_stop_working(
    client: Client, journal: JournalCreds, server: str
) -> None:
    Journal.objects.update(is_active=False)

    token = client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(journal))
    call_with_old = send_roster(client, server, School().full())

    assert token.status_code == 401
    assert call_with_old.status_code == 401


def test_the_discovery_document_describes_the_provider(client: Client) -> None:
    document = client.get("/o/.well-known/openid-configuration").json()

    assert document["issuer"] == f"{settings_base.MESSENGER_URL}/o"  # fixed by the settings, not the Host header
    assert document["authorization_endpoint"].endswith("/o/authorize/")
    assert document["token_endpoint"].endswith("/o/token/")
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert {"openid", "profile", "link", "roster"} <= set(document["scopes_supported"])
    assert "RS256" in document["id_token_signing_alg_values_supported"]
