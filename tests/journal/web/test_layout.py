# covers: J4
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.journal.builders import PASSWORD, SmallSchool


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_login_page_is_russian_with_labelled_fields() -> None:
    body = Client().get(reverse("accounts:login")).content.decode()
    assert '<html lang="ru">' in body
    for text in ('<label for="id_username">Логин</label>', '<label for="id_password">Пароль</label>', "Войти"):
        assert text in body


@pytest.mark.django_db
def test_wrong_password_is_explained_and_login_kept(school: SmallSchool) -> None:
    response = Client().post(reverse("accounts:login"), {"username": "teacher", "password": "wrong"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Неверный логин или пароль" in body
    assert 'value="teacher"' in body


@pytest.mark.django_db
def test_english_is_available(school: SmallSchool) -> None:
    client = client_for("teacher")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("gradebook:index")).content.decode()
    assert '<html lang="en">' in body
    assert "Class journal" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "landing", "nav", "absent"),
    [
        ("teacher", "gradebook:index", "Журнал", "Дневник"),
        ("student", "diary:week", "Дневник", "Журнал</a>"),
        ("parent", "diary:week", "Дневник", "Журнал</a>"),
    ],
)
def test_each_role_lands_on_its_page_with_its_navigation(
    school: SmallSchool, username: str, landing: str, nav: str, absent: str
) -> None:
    client = client_for(username)
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(landing)
    body = client.get(response["Location"]).content.decode()
    assert nav in body
    assert absent not in body
    assert 'aria-label="Мессенджер «Парта»"' in body


@pytest.mark.django_db
def test_not_found_page_is_friendly(school: SmallSchool) -> None:
    response = client_for("student").get("/no-such-page/")
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


@pytest.mark.django_db
def test_browser_language_does_not_switch_the_ui_only_the_choice_does(school: SmallSchool) -> None:
    client = client_for("teacher")
    body = client.get(reverse("gradebook:index"), headers={"accept-language": "en-US,en"}).content.decode()
    assert '<html lang="ru">' in body
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("gradebook:index")})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get(reverse("gradebook:index")).content.decode()


def test_favicon_redirects_to_the_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("journal/icon.svg")
