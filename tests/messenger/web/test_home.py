"""The messenger's signed-out home page: Russian by default, English on request; it is the sign-in screen."""

# covers: L4 (responsive signed-out page), A1 (sign-in on the home page)

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsFixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: SettingsFixture) -> None:
    # The manifest storage needs `collectstatic` first; the page's markup is what these tests check.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _html_lang(body: str) -> str:
    match = re.search(r'<html lang="([^"]*)"', body)
    assert match, "the page has no <html lang>"
    return match.group(1)


def test_home_speaks_russian_by_default(client: Client) -> None:
    response = client.get(reverse("web:home"))

    assert response.status_code == 200
    body = response.content.decode()
    assert _html_lang(body) == "ru"
    assert "Парта — учебный мессенджер вашей школы" in body
    assert "Телефон или почта" in body
    assert "Сферум" not in body


def test_browser_language_alone_keeps_russian(client: Client) -> None:
    response = client.get(reverse("web:home"), headers={"Accept-Language": "en-US,en;q=0.9"})
    assert _html_lang(response.content.decode()) == "ru"


def test_home_speaks_english_when_chosen(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("web:home"))

    assert response.status_code == 200
    body = response.content.decode()
    assert _html_lang(body) == "en"
    assert "Parta — the educational messenger for your school" in body
    assert "Phone or e-mail" in body
    # The way back is named in its own language, readable to someone who switched by mistake.
    assert re.search(r'value="ru"[^>]*>Русский</button>', body)
    assert "Сферум" not in body
    assert "Sferum" not in body


def test_language_switch_turns_the_page_english(client: Client) -> None:
    home = reverse("web:home")
    page = client.get(home).content.decode()
    assert f'action="{reverse("set_language")}"' in page
    assert 'name="language" value="en"' in page

    response = client.post(reverse("set_language"), {"language": "en", "next": home})

    assert response.status_code == 302
    assert response["Location"] == home
    assert _html_lang(client.get(home).content.decode()) == "en"


def test_home_links_to_the_journal_and_offers_sign_in(client: Client, settings: SettingsFixture) -> None:
    settings.JOURNAL_URL = "https://journal.example.test"

    body = client.get(reverse("web:home")).content.decode()

    assert 'href="https://journal.example.test"' in body
    # The sign-in form is real: it posts the phone or e-mail to the sign-in step.
    assert 'action="/sign-in/"' in body
    assert re.search(r'<input[^>]+name="contact"', body)


def test_home_is_usable_on_a_phone(client: Client) -> None:
    body = client.get(reverse("web:home")).content.decode()

    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in body
    assert "messenger/app.css" in body
