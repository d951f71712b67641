"""The chat UI's pages: signed-in only, the profile's own chats and nobody else's, the first data embedded."""

# covers: C4 (create-chat page, «Закрытый чат» recommended), C5 (no other chat's data), C6 (history in the page),
# A4 (no IDOR: a chat one is not in answers 404), L2 (the «Подключить дневник» banner without a confirmed role)

from __future__ import annotations

import itertools
import json
import re
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from parta.messenger.accounts.models import ContactKind, Profile
from parta.messenger.chats import services
from parta.messenger.chatui.strings import chat_strings
from parta.messenger.orgs.models import Organization, Role, RoleKind

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def make_profile(first_name: str, last_name: str) -> Profile:
    return Profile.objects.create_user(
        identifier=f"+7917{next(_numbers):07d}",
        contact_kind=ContactKind.PHONE,
        first_name=first_name,
        last_name=last_name,
    )


@pytest.fixture
def anna() -> Profile:
    return make_profile("Анна", "Петрова")


@pytest.fixture
def boris() -> Profile:
    return make_profile("Борис", "Иванов")


@pytest.fixture
def colleagues(anna: Profile, boris: Profile) -> None:
    """Both teach at one school: they may reach each other (C7)."""
    school = Organization.objects.create(name="Школа № 5")
    for profile in (anna, boris):
        Role.objects.create(profile=profile, organization=school, kind=RoleKind.TEACHER, confirmed=True)


def signed_in(profile: Profile) -> Client:
    client = Client()
    client.force_login(profile)
    return client


def embedded(body: str, element_id: str) -> Any:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', body, re.S)
    assert match, f"no #{element_id} in the page"
    return json.loads(match.group(1))


@pytest.mark.parametrize(
    "url",
    [
        reverse("chatui:list"),
        reverse("chatui:chat", kwargs={"chat_id": 1}),
        reverse("chatui:new"),
    ],
)
def test_pages_need_sign_in(client: Client, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/?next=")
    assert url in response["Location"]


def test_empty_list_without_confirmed_role(anna: Profile) -> None:
    response = signed_in(anna).get(reverse("chatui:list"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Чатов пока нет" in body
    assert "Подключить дневник" in body
    assert f'href="{reverse("integration:connect")}"' in body  # the banner leads to linking (L2)
    assert 'aria-label="Создать чат"' in body
    boot = embedded(body, "chat-boot")
    assert boot["chats"] == []
    assert boot["open"] is None
    assert boot["has_confirmed_role"] is False
    assert boot["me"]["id"] == anna.pk
    strings = embedded(body, "chat-strings")
    assert strings["message_deleted"] == "Сообщение удалено"
    assert strings["member_count"] == ["%(count)s участник", "%(count)s участника", "%(count)s участников"]
    assert "Сферум" not in body


def test_banner_hidden_with_confirmed_role(anna: Profile) -> None:
    school = Organization.objects.create(name="Школа № 5")
    Role.objects.create(profile=anna, organization=school, kind=RoleKind.TEACHER, confirmed=True)

    body = signed_in(anna).get(reverse("chatui:list")).content.decode()

    assert "Подключить дневник" not in body
    assert embedded(body, "chat-boot")["has_confirmed_role"] is True


@pytest.mark.usefixtures("colleagues")
def test_list_shows_own_chats_with_unread_and_preview(anna: Profile, boris: Profile) -> None:
    chat = services.create_chat(creator=anna, title="Стенгазета", member_ids=[boris.pk])
    for text in ("Привет!", "Когда сдаём?"):
        services.send_message(sender=anna, chat_id=chat.pk, client_id=uuid.uuid4(), text=text)
    other = services.create_chat(creator=anna, title="Тайный чат")

    body = signed_in(boris).get(reverse("chatui:list")).content.decode()

    assert "Стенгазета" in body
    assert "Тайный чат" not in body  # not boris's
    assert "Анна: Когда сдаём?" in body
    assert "2 непрочитанных сообщения" in body
    boot = embedded(body, "chat-boot")
    assert [c["id"] for c in boot["chats"]] == [chat.pk]
    assert boot["chats"][0]["unread"] == 2
    assert other.pk not in [c["id"] for c in boot["chats"]]


@pytest.mark.usefixtures("colleagues")
def test_chat_page_embeds_history_and_event_seq(anna: Profile, boris: Profile) -> None:
    chat = services.create_chat(creator=anna, title="Стенгазета", member_ids=[boris.pk])
    services.send_message(sender=anna, chat_id=chat.pk, client_id=uuid.uuid4(), text="<b>жирный</b> www.example.org")

    response = signed_in(boris).get(reverse("chatui:chat", kwargs={"chat_id": chat.pk}))

    assert response.status_code == 200
    body = response.content.decode()
    assert "<b>жирный</b>" not in body  # typed markup never reaches the page as markup
    boot = embedded(body, "chat-boot")
    assert boot["open"]["id"] == chat.pk
    [message] = boot["open"]["messages"]
    assert message["html"].startswith("&lt;b&gt;жирный&lt;/b&gt; <a href=")
    assert boot["open"]["has_more"] is False
    assert boot["after"] >= 2  # membership.added and message.new were published to boris before the page
    assert 'aria-current="page"' in body


def test_someone_elses_chat_is_404(anna: Profile, boris: Profile) -> None:
    chat = services.create_chat(creator=anna, title="Стенгазета")

    response = signed_in(boris).get(reverse("chatui:chat", kwargs={"chat_id": chat.pk}))
    missing = signed_in(boris).get(reverse("chatui:chat", kwargs={"chat_id": chat.pk + 1000}))

    assert response.status_code == 404
    assert missing.status_code == 404
    assert "Стенгазета" not in response.content.decode()


def test_new_chat_page(anna: Profile) -> None:
    response = signed_in(anna).get(reverse("chatui:new"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1" in body and "Создать чат" in body
    assert re.search(r'<input type="checkbox" id="new-chat-closed" name="is_closed" checked', body)
    assert "Закрытый чат" in body
    assert "рекомендуется" in body
    assert ">Сохранить</button>" in body
    assert "Стенгазета" in body  # the name's example


@pytest.mark.usefixtures("colleagues")
def test_list_page_query_count(anna: Profile, boris: Profile, django_assert_max_num_queries: Any) -> None:
    for n in range(5):
        chat = services.create_chat(creator=anna, title=f"Чат {n}", member_ids=[boris.pk])
        services.send_message(sender=anna, chat_id=chat.pk, client_id=uuid.uuid4(), text="Привет")
    services.open_direct_chat(actor=anna, profile_id=boris.pk)
    client = signed_in(boris)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("chatui:list"))

    assert response.status_code == 200
    assert len(embedded(response.content.decode(), "chat-boot")["chats"]) == 6


def test_every_chat_string_is_translated() -> None:
    """The ES modules' words come from the catalogue: none may fall back to English in the Russian UI."""
    same_in_both = {"author_prefix"}  # "%(name)s: %(text)s"
    with translation.override("en"):
        english = chat_strings()
    with translation.override("ru"):
        russian = chat_strings()

    assert russian.keys() == english.keys()
    untranslated = [key for key in russian if russian[key] == english[key] and key not in same_in_both]
    assert untranslated == []
    assert russian["choose_person"] == "Добавить в чат: %(name)s"  # not Django admin's "Add %(name)s"


def test_sign_out_in_the_top_bar(anna: Profile) -> None:
    body = signed_in(anna).get(reverse("chatui:list")).content.decode()

    header = body.split('<header class="topbar">')[1].split("</header>")[0]
    assert f'action="{reverse("web:accounts:sign_out")}"' in header
    assert ">Выйти</button>" in header
    assert f'href="{reverse("web:accounts:profile")}"' in header
