"""Sign-up and sign-in on one screen, through the web views, with codes read from the development inbox."""

# covers: A1 (phone + code, one screen), A2 (profile form), A3 (consent), A5 (one contact, one profile), A6

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from parta.messenger.accounts.models import DeviceSession, DevMessage, LoginCode, Profile
from tests.messenger.accounts.conftest import PHONE, inbox_code, make_profile, wrong_code

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_home_page_is_the_sign_in_screen(client: Client) -> None:
    body = client.get("/").content.decode()

    assert "Телефон или почта" in body
    assert re.search(r'<button type="submit"[^>]*>Продолжить</button>', body)
    consent = "Нажимая «Продолжить», вы принимаете пользовательское соглашение и политику конфиденциальности"
    assert consent in _text(body)
    assert '<a href="/terms/">пользовательское соглашение</a>' in body
    assert '<a href="/privacy/">политику конфиденциальности</a>' in body
    assert 'name="birth_date"' in body  # present for e-mail, hidden until one is typed
    assert "Сферум" not in body


def test_both_legal_pages_exist_in_russian(client: Client) -> None:
    terms = client.get("/terms/")
    privacy = client.get("/privacy/")
    assert terms.status_code == privacy.status_code == 200
    assert "<h1>Пользовательское соглашение</h1>" in terms.content.decode()
    assert "<h1>Политика конфиденциальности</h1>" in privacy.content.decode()


def test_sign_up_by_phone_end_to_end() -> None:
    client = Client(headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) Chrome/126.0"})
    response = client.post("/sign-in/", {"contact": "8 916 123-45-67"})
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/code/"

    page = client.get("/sign-in/code/").content.decode()
    assert "Код из SMS" in page
    assert "Изменить номер" in page
    assert "+7 916 123-45-67" in page
    assert "Новый код можно запросить через" in page and 'data-wait="60"' in page
    code = inbox_code(PHONE)
    assert not Profile.objects.exists()  # nothing is created before the code is verified

    response = client.post("/sign-in/code/", {"code": code})
    assert response["Location"] == "/sign-in/profile/"
    form = client.get("/sign-in/profile/").content.decode()
    assert "Указывать отчество не обязательно" in form
    assert "Создать учебный профиль" in form
    assert "Фамилия" in form and "Имя" in form and "Отчество" in form

    response = client.post("/sign-in/profile/", {"last_name": " Иванова ", "first_name": "Мария", "patronymic": ""})
    assert response.status_code == 302
    assert response["Location"] == "/chats/"
    profile = Profile.objects.get()
    assert (profile.identifier, profile.contact_kind, profile.full_name) == (PHONE, "phone", "Иванова Мария")
    assert profile.birth_date is None
    assert not profile.has_usable_password()
    device = DeviceSession.objects.get(profile=profile)
    assert device.session_key == client.session.session_key
    assert device.ip == "127.0.0.1" and "Android" in device.user_agent
    assert client.get("/")["Location"] == "/chats/"  # signed in: the home page sends on to the chats


def test_the_profile_form_requires_surname_and_name(client: Client) -> None:
    client.post("/sign-in/", {"contact": PHONE})
    client.post("/sign-in/code/", {"code": inbox_code(PHONE)})

    response = client.post("/sign-in/profile/", {"last_name": "", "first_name": "Мария1", "patronymic": ""})

    assert response.status_code == 400
    body = response.content.decode()
    assert "Укажите фамилию." in body
    assert not Profile.objects.exists()
    response = client.post("/sign-in/profile/", {"last_name": "Иванова", "first_name": "Мария1", "patronymic": ""})
    assert "Только буквы" in response.content.decode()
    assert 'value="Иванова"' in response.content.decode()  # what was typed is kept


def test_the_profile_form_is_closed_without_a_verified_code(client: Client) -> None:
    assert client.get("/sign-in/profile/")["Location"] == "/"
    client.post("/sign-in/", {"contact": PHONE})
    assert client.get("/sign-in/profile/")["Location"] == "/"  # code sent, not yet typed
    assert client.post("/sign-in/profile/", {"last_name": "Иванова", "first_name": "Мария"}).status_code == 302
    assert not Profile.objects.exists()


def test_an_existing_profile_is_signed_in_and_sent_on(client: Client) -> None:
    profile = make_profile(PHONE)

    client.post("/sign-in/", {"contact": "+7 (916) 123-45-67", "next": "/profile/"})
    response = client.post("/sign-in/code/", {"code": inbox_code(PHONE)})

    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    assert int(client.session["_auth_user_id"]) == profile.pk
    assert Profile.objects.count() == 1
    assert DeviceSession.objects.filter(profile=profile).count() == 1


def test_next_must_stay_on_this_site(client: Client) -> None:
    make_profile(PHONE)
    client.post("/sign-in/", {"contact": PHONE, "next": "https://evil.example/"})
    response = client.post("/sign-in/code/", {"code": inbox_code(PHONE)})
    assert response["Location"] == "/chats/"


def test_sign_in_page_keeps_next_from_login_required(client: Client) -> None:
    response = client.get("/profile/")
    assert response["Location"] == "/?next=/profile/"
    page = client.get(response["Location"]).content.decode()
    assert 'name="next" value="/profile/"' in page


def test_an_invalid_phone_is_explained_and_kept(client: Client) -> None:
    response = client.post("/sign-in/", {"contact": "8 916 12"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "Это не похоже на номер телефона" in body
    assert 'value="8 916 12"' in body
    assert not DevMessage.objects.exists()


def test_email_asks_the_date_of_birth_before_sending(client: Client) -> None:
    response = client.post("/sign-in/", {"contact": "Masha@Example.ru"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "Укажите дату рождения" in body
    assert "data-birth-date hidden" not in body  # the date field is shown now
    assert 'value="Masha@Example.ru"' in body
    assert not DevMessage.objects.exists() and not LoginCode.objects.exists()


def test_a_child_under_14_signs_up_by_email(client: Client) -> None:
    born = timezone.localdate() - dt.timedelta(days=365 * 10)

    response = client.post("/sign-in/", {"contact": "Masha@Example.ru", "birth_date": born.isoformat()})
    assert response["Location"] == "/sign-in/code/"
    page = client.get("/sign-in/code/").content.decode()
    assert "Код из письма" in page and "Изменить почту" in page

    client.post("/sign-in/code/", {"code": inbox_code("masha@example.ru")})
    client.post("/sign-in/profile/", {"last_name": "Петрова", "first_name": "Маша", "patronymic": "Игоревна"})

    profile = Profile.objects.get()
    assert (profile.identifier, profile.contact_kind, profile.birth_date) == ("masha@example.ru", "email", born)
    assert profile.patronymic == "Игоревна"


def test_an_adult_is_refused_email_and_told_to_use_a_phone(client: Client) -> None:
    today = timezone.localdate()
    fourteen_today = (
        today.replace(year=today.year - 14)
        if (today.month, today.day) != (2, 29)
        else today.replace(year=today.year - 14, day=28)
    )

    for born in [dt.date(1985, 3, 1), fourteen_today]:
        response = client.post("/sign-in/", {"contact": "parent@example.ru", "birth_date": born.isoformat()})
        assert response.status_code == 400
        assert "Вход по почте — только для детей младше 14 лет" in response.content.decode()
        assert "номер мобильного телефона" in response.content.decode()
    assert not DevMessage.objects.exists() and not LoginCode.objects.exists()


def test_change_number_returns_to_the_first_step_with_the_contact(client: Client) -> None:
    client.post("/sign-in/", {"contact": "8 916 123-45-67"})
    page = client.get("/").content.decode()
    assert 'value="+7 916 123-45-67"' in page


def test_pressing_continue_again_for_the_same_contact_sends_no_second_code(client: Client) -> None:
    client.post("/sign-in/", {"contact": PHONE})
    response = client.post("/sign-in/", {"contact": "8 916 123-45-67"})
    assert response["Location"] == "/sign-in/code/"
    assert LoginCode.objects.count() == 1 and DevMessage.objects.count() == 1


def test_a_used_code_does_not_sign_in_again(client: Client) -> None:
    make_profile(PHONE)
    client.post("/sign-in/", {"contact": PHONE})
    code = inbox_code(PHONE)
    client.post("/sign-in/code/", {"code": code})
    client.post("/sign-out/")

    other = Client()
    assert other.post("/sign-in/code/", {"code": code})["Location"] == "/"  # no request in this session
    assert LoginCode.objects.get().used_at is not None


def test_wrong_code_says_how_many_tries_are_left(client: Client) -> None:
    client.post("/sign-in/", {"contact": PHONE})
    response = client.post("/sign-in/code/", {"code": wrong_code(inbox_code(PHONE))})
    assert response.status_code == 400
    assert "Неверный код. Осталось попыток: 4." in response.content.decode()
    response = client.post("/sign-in/code/", {"code": "12"})
    assert "Введите 6 цифр кода." in response.content.decode()
    assert LoginCode.objects.get().attempts == 1  # a malformed entry is not a try


def test_the_code_may_be_typed_with_spaces(client: Client) -> None:
    make_profile(PHONE)
    client.post("/sign-in/", {"contact": PHONE})
    code = inbox_code(PHONE)
    response = client.post("/sign-in/code/", {"code": f" {code[:3]} {code[3:]} "})
    assert response["Location"] == "/chats/"


def test_signed_in_home_redirects_to_next(client: Client) -> None:
    client.force_login(make_profile(PHONE))
    assert client.get("/?next=/profile/")["Location"] == "/profile/"
    assert client.get("/")["Location"] == "/chats/"


def test_sign_out(client: Client) -> None:
    make_profile(PHONE)
    client.post("/sign-in/", {"contact": PHONE})
    client.post("/sign-in/code/", {"code": inbox_code(PHONE)})
    assert DeviceSession.objects.count() == 1

    response = client.post("/sign-out/")

    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    assert not DeviceSession.objects.exists()
    assert client.get("/").status_code == 200
