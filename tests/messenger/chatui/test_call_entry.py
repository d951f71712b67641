"""The chat page's way into calls: «Позвонить» and «Идёт звонок · Войти» (words from the catalogue), and the chat page
shown inside the call page's chat panel (a same-origin frame, without the site's header).

# covers: V4 («Войти» on a call started in a chat), V5 (the call's chat next to the call)
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from parta.messenger.accounts.models import Profile
from parta.messenger.chats import services
from tests.messenger.chatui.test_views import embedded, make_profile, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna() -> Profile:
    return make_profile("Анна", "Петрова")


def test_chat_page_carries_the_call_words(anna: Profile) -> None:
    strings = embedded(signed_in(anna).get(reverse("chatui:list")).content.decode(), "chat-strings")

    assert strings["start_call"] == "Позвонить"
    assert strings["call_live"] == "Идёт звонок"
    assert strings["call_join"] == "Войти"


def test_chat_page_may_be_framed_by_the_call_page_only(anna: Profile) -> None:
    chat = services.create_chat(creator=anna, title="Стенгазета")
    url = reverse("chatui:chat", kwargs={"chat_id": chat.pk})

    plain = signed_in(anna).get(url)
    embedded_page = signed_in(anna).get(url + "?embed=1")

    assert plain["X-Frame-Options"] == "SAMEORIGIN"  # the call page's panel, never another site
    assert signed_in(anna).get(reverse("chatui:list"))["X-Frame-Options"] == "DENY"
    assert "data-embedded" not in plain.content.decode()
    assert 'data-embedded="true"' in embedded_page.content.decode()  # the chat alone, without the site's header
