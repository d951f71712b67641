# covers: L1, L2, L3, L5, L6, A3, A5 (linking from the journal against a messenger played by a local HTTP server)
"""«Привязать учебный профиль»: OAuth 2.0 + PKCE + OpenID Connect, the link request, errors a person can meet."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.test import Client

from parta.common.integration.schemas import LinkResult
from parta.journal.messenger_link.linking.services import record_link
from parta.journal.messenger_link.linking.views import FLOW_KEY
from parta.journal.messenger_link.models import MessengerLink
from parta.journal.school.models import Guardianship, Parent
from tests.journal.builders import PASSWORD, SmallSchool
from tests.journal.messenger_link.fake_messenger import CLIENT_ID, PERSON_TOKEN, SERVER_TOKEN, FakeMessenger

LINK = "/integration/v1/link"
CHILD_ON_ADULT = {
    "code": "child_on_adult_profile",
    "message": "Этот учебный профиль принадлежит взрослому. Не регистрируйте профиль ребёнка на телефон родителя.",
    "help_url": "http://127.0.0.1:8001/help/#child-on-parent-phone",
}


def sign_in(client: Client, username: str) -> None:
    assert client.login(username=username, password=PASSWORD)


def start(client: Client, messenger: FakeMessenger) -> dict[str, str]:
    """«Привязать учебный профиль»: the redirect to the messenger's authorization endpoint, its parameters."""
    response = client.post("/messenger/start/")
    assert response.status_code == 302
    url = urllib.parse.urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{messenger.url}/o/authorize/"
    params = dict(urllib.parse.parse_qsl(url.query))
    messenger.nonce = params["nonce"]  # what the messenger puts into the ID token
    return params


def callback(client: Client, messenger: FakeMessenger, params: dict[str, str], code: str = "good-code") -> Any:
    query = urllib.parse.urlencode({"code": code, "state": params["state"], "iss": f"{messenger.url}/o"})
    return client.get(f"/messenger/callback/?{query}")


def text(response: Any) -> str:
    return " ".join(response.content.decode().split())


def test_status_page_offers_linking_and_lists_the_data(
    client: Client, school: SmallSchool, messenger: FakeMessenger
) -> None:
    sign_in(client, "student")
    page = text(client.get("/messenger/"))
    assert "Учебный профиль не привязан" in page
    assert "Передаваемые данные" in page
    assert "Иванов Пётр" in page and "7Б" in page and "Школа № 1" in page
    assert "Привязать учебный профиль" in page


def test_the_authorization_request_uses_pkce_state_and_nonce(
    client: Client, school: SmallSchool, messenger: FakeMessenger
) -> None:
    sign_in(client, "teacher")
    params = start(client, messenger)

    kept = client.session[FLOW_KEY]["flow"]
    assert params["response_type"] == "code" and params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == "http://testserver/messenger/callback/"
    assert params["scope"] == "openid profile link"
    assert params["code_challenge_method"] == "S256"
    assert params["code_challenge"] == create_s256_code_challenge(kept["code_verifier"])
    assert params["state"] == kept["state"] and params["nonce"] == kept["nonce"]
    assert "prompt" not in params


def test_linking_a_teacher_who_is_also_a_parent(client: Client, school: SmallSchool, messenger: FakeMessenger) -> None:
    as_parent = Parent.objects.create(user=school.teacher.user, school=school.builder.school)
    Guardianship.objects.create(parent=as_parent, student=school.students[1])
    sign_in(client, "teacher")

    params = start(client, messenger)
    response = callback(client, messenger, params)

    assert response.status_code == 302 and response["Location"] == "/messenger/done/"
    (token_call,) = [
        c for c in messenger.calls("POST", "/o/token/") if c.body.get("grant_type") == "authorization_code"
    ]
    assert create_s256_code_challenge(token_call.body["code_verifier"]) == params["code_challenge"]  # PKCE
    assert token_call.body["redirect_uri"] == "http://testserver/messenger/callback/"
    (link_call,) = messenger.calls("POST", LINK)
    assert link_call.headers["authorization"] == f"Bearer {PERSON_TOKEN}"
    sent = link_call.json
    school_id = str(school.builder.school.pk)
    assert sent["person_id"] == str(school.teacher.user_id)
    assert sent["name"] == {"last_name": "Смирнова", "first_name": "Анна", "patronymic": "Петровна"}
    assert {r["kind"] for r in sent["roles"]} == {"teacher", "parent"}
    parent_role = next(r for r in sent["roles"] if r["kind"] == "parent")
    assert parent_role["school_id"] == school_id and parent_role["children"] == [str(school.students[1].user_id)]
    assert sent["replace_existing"] is False
    link = MessengerLink.objects.get(user=school.teacher.user)
    assert (link.profile_id, link.subject, link.profile_name) == (501, "501", "Смирнова Анна Петровна")
    done = client.get("/messenger/done/")
    assert "Готово!" in text(done)
    assert f'href="{messenger.url}/chats/"' in done.content.decode() and "Перейти в чат" in text(done)
    assert "Учебный профиль привязан" in text(client.get("/messenger/"))


def test_a_student_passes_the_class(client: Client, school: SmallSchool, messenger: FakeMessenger) -> None:
    sign_in(client, "student")
    callback(client, messenger, start(client, messenger))
    (role,) = messenger.calls("POST", LINK)[0].json["roles"]
    assert role == {
        "kind": "student",
        "school_id": str(school.builder.school.pk),
        "class_id": str(school.cls_7b.pk),
        "children": [],
        "roster_person_id": None,
    }


def test_the_messenger_down_at_the_start(client: Client, school: SmallSchool, messenger: FakeMessenger) -> None:
    messenger.stop()
    sign_in(client, "teacher")
    response = client.post("/messenger/start/")
    assert response.status_code == 200
    assert "Мессенджер сейчас не отвечает" in text(response)
    assert FLOW_KEY not in client.session


def test_the_messenger_down_at_the_callback_loses_nothing(
    client: Client, school: SmallSchool, messenger: FakeMessenger
) -> None:
    sign_in(client, "teacher")
    params = start(client, messenger)
    messenger.stop()

    response = callback(client, messenger, params)

    assert response.status_code == 200
    page = text(response)
    assert "Мессенджер сейчас не отвечает" in page and "Ничего не потеряно" in page
    assert "Привязать учебный профиль" in page  # one click to try again
    assert not MessengerLink.objects.exists()
    assert client.get("/journal/").status_code == 200  # the journal works as usual

    messenger.start()
    assert callback(client, messenger, start(client, messenger)).status_code == 302
    assert MessengerLink.objects.filter(user=school.teacher.user).exists()


def test_the_messenger_failing_on_the_link_call_offers_a_retry(
    client: Client, school: SmallSchool, messenger: FakeMessenger
) -> None:
    sign_in(client, "teacher")
    messenger.script("POST", LINK, (503, None))

    response = callback(client, messenger, start(client, messenger))

    assert response.status_code == 200 and "Повторить" in text(response)
    retried = client.post("/messenger/resume/")
    assert retried.status_code == 302 and retried["Location"] == "/messenger/done/"
    assert len(messenger.calls("POST", LINK)) == 2
    assert MessengerLink.objects.filter(user=school.teacher.user).exists()


def test_a_child_on_a_parents_phone_is_refused_with_the_explanation(
    client: Client, school: SmallSchool, messenger: FakeMessenger
) -> None:
    sign_in(client, "student")
    messenger.script("POST", LINK, (403, CHILD_ON_ADULT))

    response = callback(client, messenger, start(client, messenger))

    assert response.status_code == 403
    page = text(response)
    assert "Не регистрируйте профиль ребёнка на телефон родителя" in page
    assert 'href="http://127.0.0.1:8001/help/#child-on-parent-phone"' in response.content.decode()
    assert "Помощник" in page
    assert not MessengerLink.objects.exists()


def test_another_profile_is_linked_only_after_a_confirmation(
    client: Client, school: SmallSchool, messenger: FakeMessenger
) -> None:
    sign_in(client, "teacher")
    refusal = {
        "code": "linked_to_another_profile",
        "message": "Аккаунт уже связан с другим профилем.",
        "help_url": None,
    }
    messenger.script("POST", LINK, (409, refusal))

    response = callback(client, messenger, start(client, messenger))

    assert response.status_code == 200
    assert "Связать с этим профилем" in text(response) and "Аккаунт уже связан с другим профилем." in text(response)
    assert not MessengerLink.objects.exists()
    confirmed = client.post("/messenger/resume/", {"replace": "1"})
    assert confirmed.status_code == 302
    assert messenger.calls("POST", LINK)[-1].json["replace_existing"] is True
    assert MessengerLink.objects.filter(user=school.teacher.user).exists()


def test_linking_another_profile_asks_first_and_makes_the_messenger_ask_for_sign_in(
    client: Client, school: SmallSchool, messenger: FakeMessenger
) -> None:
    record_link(user=school.teacher.user, subject="400", profile_name="Старый профиль", result=_result(400))
    sign_in(client, "teacher")
    question = client.get("/messenger/relink/")
    assert "Старый профиль" in text(question) and "Да, привязать другой профиль" in text(question)

    response = client.post("/messenger/relink/")

    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(response["Location"]).query))
    assert params["prompt"] == "login"
    messenger.nonce = params["nonce"]
    assert callback(client, messenger, params).status_code == 302
    assert messenger.calls("POST", LINK)[-1].json["replace_existing"] is True
    assert MessengerLink.objects.get(user=school.teacher.user).profile_id == 501


def _result(profile_id: int) -> LinkResult:
    return LinkResult(profile_id=profile_id, confirmed_roles=[], chats_url="http://127.0.0.1:8001/chats/")


@pytest.mark.parametrize("spoil", ["state", "nonce", "code", "issuer"])
def test_a_callback_that_cannot_be_trusted_links_nothing(
    client: Client, school: SmallSchool, messenger: FakeMessenger, spoil: str
) -> None:
    sign_in(client, "teacher")
    params = start(client, messenger)
    query = {"code": "good-code", "state": params["state"], "iss": f"{messenger.url}/o"}
    if spoil == "state":
        query["state"] = "forged"
    elif spoil == "nonce":
        messenger.nonce = "another"
    elif spoil == "code":
        query["code"] = "used-code"
    else:
        query["iss"] = "http://127.0.0.1:9/o"

    response = client.get(f"/messenger/callback/?{urllib.parse.urlencode(query)}")

    assert response.status_code == 400
    assert "Начнём заново" in text(response)
    assert messenger.calls("POST", LINK) == []
    assert not MessengerLink.objects.exists()


def test_declining_the_consent(client: Client, school: SmallSchool, messenger: FakeMessenger) -> None:
    sign_in(client, "teacher")
    params = start(client, messenger)
    response = client.get(f"/messenger/callback/?error=access_denied&state={params['state']}")
    assert response.status_code == 200 and "не дали согласие" in text(response)
    assert not MessengerLink.objects.exists()


def test_unlinking_asks_the_messenger_first(client: Client, school: SmallSchool, messenger: FakeMessenger) -> None:
    record_link(user=school.teacher.user, subject="501", profile_name="", result=_result(501))
    sign_in(client, "teacher")
    assert "Отвязать учебный профиль" in text(client.get("/messenger/"))

    response = client.post("/messenger/unlink/", follow=True)

    (call,) = messenger.calls("DELETE", LINK)
    assert call.query == {"person_id": [str(school.teacher.user_id)]}
    assert call.headers["authorization"] == f"Bearer {SERVER_TOKEN}"
    assert not MessengerLink.objects.exists()
    assert "Учебный профиль отвязан" in text(response)
    assert "Привязать учебный профиль" in text(response)  # linking again is one click away


def test_unlinking_while_the_messenger_is_down_keeps_the_link(
    client: Client, school: SmallSchool, messenger: FakeMessenger
) -> None:
    record_link(user=school.teacher.user, subject="501", profile_name="", result=_result(501))
    sign_in(client, "teacher")
    messenger.stop()
    response = client.post("/messenger/unlink/", follow=True)
    assert MessengerLink.objects.filter(user=school.teacher.user).exists()
    assert "профиль пока привязан" in text(response)


def test_unlinking_what_the_messenger_no_longer_has(
    client: Client, school: SmallSchool, messenger: FakeMessenger
) -> None:
    record_link(user=school.teacher.user, subject="501", profile_name="", result=_result(501))
    sign_in(client, "teacher")
    messenger.script("DELETE", LINK, (404, {"code": "not_linked", "message": "Не связан.", "help_url": None}))
    client.post("/messenger/unlink/")
    assert not MessengerLink.objects.exists()  # both sides agree: not linked


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/messenger/"),
        ("get", "/messenger/link/?from=messenger"),
        ("get", "/messenger/callback/?code=x&state=y"),
        ("post", "/messenger/start/"),
        ("post", "/messenger/unlink/"),
        ("get", "/messenger/done/"),
        ("get", "/journal/chats/"),
    ],
)
def test_signed_out_people_are_sent_to_the_journals_sign_in(client: Client, db: None, method: str, url: str) -> None:
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={urllib.parse.quote(url, safe='/')}"


def test_linking_from_the_messenger_continues_after_the_journals_sign_in(
    client: Client, school: SmallSchool, messenger: FakeMessenger
) -> None:
    """L2: «Подключить дневник» → the journal's site → its sign-in → straight on to the messenger's consent."""
    first = client.get("/messenger/link/?from=messenger")
    assert first["Location"] == "/accounts/login/?next=/messenger/link/%3Ffrom%3Dmessenger"
    signed_in = client.post(
        "/accounts/login/?next=/messenger/link/%3Ffrom%3Dmessenger",
        {"username": "student", "password": PASSWORD, "next": "/messenger/link/?from=messenger"},
        follow=True,
    )
    final = signed_in.redirect_chain[-1][0]
    assert final.startswith(f"{messenger.url}/o/authorize/?")
    assert client.session[FLOW_KEY]["origin"] == "messenger"


def test_start_is_a_post(client: Client, school: SmallSchool, messenger: FakeMessenger) -> None:
    sign_in(client, "teacher")
    assert client.get("/messenger/start/").status_code == 405


def test_without_credentials_the_page_says_linking_is_off(
    client: Client, school: SmallSchool, messenger: FakeMessenger, settings: Any
) -> None:
    settings.MESSENGER_CLIENT_SECRET = ""
    sign_in(client, "teacher")
    page = text(client.get("/messenger/"))
    assert "Привязать учебный профиль" not in page and "администратору" in page
    assert client.post("/messenger/start/").status_code == 503


def start_from_messenger(client: Client, messenger: FakeMessenger) -> dict[str, str]:
    """«Подключить дневник» in the messenger leads to /messenger/link/ (L2): the same flow, origin "messenger"."""
    response = client.get("/messenger/link/")
    assert response.status_code == 302
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(response["Location"]).query))
    messenger.nonce = params["nonce"]
    return params


@pytest.mark.parametrize(
    ("origin", "ends_at"),
    [("journal", "/messenger/done/"), ("messenger", "{messenger}/chats/?from=journal")],
)
def test_linking_ends_where_it_began(
    client: Client, school: SmallSchool, messenger: FakeMessenger, origin: str, ends_at: str
) -> None:
    """L2 begun in the messenger ends in its chat list (the link's chats_url), not on the journal's «Готово!»;
    begun in the journal, it ends on «Готово!». (covers: L2, L5)"""
    sign_in(client, "student")
    linked = {"profile_id": 501, "confirmed_roles": [], "chats_url": f"{messenger.url}/chats/?from=journal"}
    messenger.script("POST", LINK, (200, linked))
    params = start_from_messenger(client, messenger) if origin == "messenger" else start(client, messenger)

    response = callback(client, messenger, params)

    assert response.status_code == 302 and response["Location"] == ends_at.format(messenger=messenger.url)
    assert MessengerLink.objects.filter(user=school.students[0].user).exists()


def test_linking_from_the_messenger_ends_in_its_chat_list_after_a_confirmation(
    client: Client, school: SmallSchool, messenger: FakeMessenger
) -> None:
    """The origin outlives «Связать с этим профилем»; a link without its own chats_url leads to the configured list."""
    sign_in(client, "teacher")
    refusal = {"code": "linked_to_another_profile", "message": "Уже связан с другим профилем.", "help_url": None}
    messenger.script("POST", LINK, (409, refusal), (200, {"profile_id": 501, "confirmed_roles": [], "chats_url": ""}))

    asked = callback(client, messenger, start_from_messenger(client, messenger))
    confirmed = client.post("/messenger/resume/", {"replace": "1"})

    assert asked.status_code == 200 and "Связать с этим профилем" in text(asked)
    assert confirmed.status_code == 302 and confirmed["Location"] == f"{messenger.url}/chats/"
