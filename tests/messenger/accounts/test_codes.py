"""One-time code security (A6): single use, bound to its request, expiry, tries, resend pause, hourly limits,
stored as HMAC only, and answers that do not tell whether a contact is registered."""

# covers: A6

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parta.messenger.accounts import services
from parta.messenger.accounts.contacts import parse_contact
from parta.messenger.accounts.errors import Refusal
from parta.messenger.accounts.models import DevMessage, LoginCode, Profile
from tests.messenger.accounts.conftest import PHONE, age_codes, inbox_code, make_profile, wrong_code

pytestmark = pytest.mark.django_db


def _start(client: Client, contact: str = PHONE) -> str:
    response = client.post("/sign-in/", {"contact": contact})
    assert response.status_code == 302, response.content.decode()
    return inbox_code(parse_contact(contact).identifier)


def test_codes_are_six_random_digits_stored_only_as_hmac(settings: Any) -> None:
    codes = {services.generate_code() for _ in range(200)}
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)
    assert len(codes) > 190

    client = Client()
    code = _start(client)
    row = LoginCode.objects.get()
    assert code not in row.code_hash
    assert len(row.code_hash) == 64
    assert row.code_hash == services.hash_code(row.id, code)
    settings.SECRET_KEY = "another-secret"
    assert row.code_hash != services.hash_code(row.id, code)  # keyed: the table alone does not give the codes away


def test_the_sixth_try_is_refused_even_with_the_right_code(client: Client) -> None:
    make_profile(PHONE)
    code = _start(client)
    messages = []
    for _ in range(5):
        response = client.post("/sign-in/code/", {"code": wrong_code(code)})
        messages.append(response.content.decode())

    assert "Осталось попыток: 1." in messages[3]
    assert "Неверный код, попыток больше нет. Запросите новый код." in messages[4]
    response = client.post("/sign-in/code/", {"code": code})

    assert response.status_code == 429
    assert "Слишком много неверных попыток. Запросите новый код." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginCode.objects.get().attempts == 5


def test_an_expired_code_is_refused(client: Client) -> None:
    make_profile(PHONE)
    code = _start(client)
    LoginCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = client.post("/sign-in/code/", {"code": code})

    assert response.status_code == 400
    assert "Срок действия кода истёк. Запросите новый." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_code_lives_five_minutes() -> None:
    before = timezone.now()
    services.request_code(contact=parse_contact(PHONE), birth_date=None, client_ip="10.0.0.1")
    row = LoginCode.objects.get()
    assert dt.timedelta(seconds=299) < row.expires_at - before <= dt.timedelta(seconds=301)


def test_an_early_resend_is_refused_and_a_later_one_replaces_the_code(client: Client) -> None:
    make_profile(PHONE)
    first = _start(client)

    response = client.post("/sign-in/code/resend/", follow=True)
    body = response.content.decode()
    assert "Код только что отправлен. Новый можно запросить через" in body
    assert LoginCode.objects.count() == 1

    age_codes(PHONE, seconds=61)
    response = client.post("/sign-in/code/resend/", follow=True)
    assert "Новый код отправлен. Прежний больше не действует." in response.content.decode()
    assert LoginCode.objects.count() == 2
    second = inbox_code(PHONE)

    if first != second:  # the old code no longer works in this session
        assert "Неверный код" in client.post("/sign-in/code/", {"code": first}).content.decode()
    assert client.post("/sign-in/code/", {"code": second})["Location"] == "/chats/"


def test_the_resend_pause_holds_for_another_browser_too() -> None:
    _start(Client())
    response = Client().post("/sign-in/", {"contact": PHONE})
    assert response.status_code == 429
    assert "Новый можно запросить через" in response.content.decode()


def test_hourly_limit_per_phone() -> None:
    contact = parse_contact(PHONE)
    for n in range(5):
        services.request_code(contact=contact, birth_date=None, client_ip=f"10.0.0.{n}")
        age_codes(PHONE, seconds=61)  # past the resend pause, still within the hour

    with pytest.raises(Refusal) as refused:
        services.request_code(contact=contact, birth_date=None, client_ip="10.0.1.1")
    assert refused.value.code == "contact_hourly_limit"
    assert refused.value.status == 429
    assert "На этот номер отправлено слишком много кодов. Попробуйте снова через" in refused.value.message
    assert DevMessage.objects.count() == 5

    age_codes(PHONE, seconds=3600)  # an hour later the phone may get codes again
    services.request_code(contact=contact, birth_date=None, client_ip="10.0.1.1")


def test_hourly_limit_per_address_for_email() -> None:
    contact = parse_contact("kid@example.ru")
    born = timezone.localdate() - dt.timedelta(days=3650)
    for _ in range(5):
        services.request_code(contact=contact, birth_date=born, client_ip=None)
        age_codes("kid@example.ru", seconds=61)
    with pytest.raises(Refusal) as refused:
        services.request_code(contact=contact, birth_date=born, client_ip=None)
    assert "На этот адрес отправлено слишком много кодов" in refused.value.message


def test_hourly_limit_per_client_address(settings: Any) -> None:
    for n in range(20):
        services.request_code(contact=parse_contact(f"+7916{n:07d}"), birth_date=None, client_ip="192.0.2.7")

    with pytest.raises(Refusal) as refused:
        services.request_code(contact=parse_contact("+79169999999"), birth_date=None, client_ip="192.0.2.7")
    assert refused.value.code == "ip_hourly_limit"
    assert "Из вашей сети запросили слишком много кодов" in refused.value.message
    # Another network is not affected; the limit is a setting.
    services.request_code(contact=parse_contact("+79169999999"), birth_date=None, client_ip="192.0.2.8")
    settings.ACCOUNTS_CODES_PER_IP_HOUR = 30
    services.request_code(contact=parse_contact("+79168888888"), birth_date=None, client_ip="192.0.2.7")


def test_a_code_typed_in_another_session_fails() -> None:
    make_profile(PHONE)
    owner, stranger = Client(), Client()
    code = _start(owner)

    # A session with no request of its own is sent back to the first step.
    assert stranger.post("/sign-in/code/", {"code": code})["Location"] == "/"
    # A session with its own request (another phone) does not accept the other request's code.
    _start(stranger, "+79167654321")
    response = stranger.post("/sign-in/code/", {"code": code})
    if inbox_code("+79167654321") != code:
        assert "Неверный код" in response.content.decode()
        assert "_auth_user_id" not in stranger.session
    # The owner still signs in with it.
    assert owner.post("/sign-in/code/", {"code": code})["Location"] == "/chats/"


def test_a_code_is_single_use() -> None:
    contact = parse_contact(PHONE)
    sent = services.request_code(contact=contact, birth_date=None, client_ip=None)
    code = inbox_code(PHONE)
    assert services.verify_code(code_id=sent.code_id, code=code).profile is None
    with pytest.raises(Refusal) as refused:
        services.verify_code(code_id=sent.code_id, code=code)
    assert refused.value.code == "code_used"


def _normalized(html: str, *secrets: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'name="code" value="\d+"', 'name="code"', html)  # the typed (wrong) code is shown back
    for secret in secrets:
        html = html.replace(secret, "CONTACT")
    return html


def test_answers_are_the_same_for_registered_and_unregistered_phones() -> None:
    registered, unregistered = "+79161111111", "+79162222222"
    make_profile(registered)
    answers = []
    for phone in (registered, unregistered):
        client = Client()
        with CaptureQueriesContext(connection) as queries:
            step = client.post("/sign-in/", {"contact": phone})
        page = client.get(step["Location"])
        wrong = client.post("/sign-in/code/", {"code": wrong_code(inbox_code(phone))})
        early = client.post("/sign-in/", {"contact": phone.replace("+7", "8")})  # same phone, same browser
        answers.append(
            (
                step.status_code,
                step["Location"],
                page.status_code,
                _normalized(page.content.decode(), "+7 916 111-11-11", "+7 916 222-22-22"),
                wrong.status_code,
                _normalized(wrong.content.decode(), "+7 916 111-11-11", "+7 916 222-22-22"),
                early.status_code,
                len(queries),
                any("messenger_accounts_profile" in q["sql"] for q in queries.captured_queries),
            )
        )
    assert answers[0] == answers[1]
    assert answers[0][-1] is False  # the profile table is not even read before the code is verified


def test_api_answers_are_the_same_for_registered_and_unregistered_phones() -> None:
    make_profile("+79161111111")
    answers = []
    for phone in ("+79161111111", "+79162222222"):
        client = Client()
        sent = client.post("/api/v1/auth/code", {"contact": phone}, content_type="application/json")
        again = Client().post("/api/v1/auth/code", {"contact": phone}, content_type="application/json")
        wrong = client.post(
            "/api/v1/auth/code/verify", {"code": wrong_code(inbox_code(phone))}, content_type="application/json"
        )
        display = parse_contact(phone).display
        answers.append(
            [(r.status_code, json.dumps(r.json()).replace(display, "CONTACT")) for r in (sent, again, wrong)]
        )
    assert answers[0] == answers[1]
    assert answers[0][0][0] == 200 and answers[0][1][0] == 429 and answers[0][2][0] == 400


def test_nothing_is_created_for_an_unknown_phone_until_the_form() -> None:
    client = Client()
    code = _start(client, "+79162222222")
    client.post("/sign-in/code/", {"code": code})
    assert not Profile.objects.exists()
