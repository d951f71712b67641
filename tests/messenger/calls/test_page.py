"""The call page /calls/<public_id>/: who may open it, the hooks the browser tests rely on, the JS libraries.

# covers: V2 (camera and microphone before «Присоединиться»), V4 (a call link; guests when the call allows them),
# V5 (the controls on the page), A4 (a call one may not see answers like one that does not exist)
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parta.messenger.accounts.models import ContactKind, Profile
from parta.messenger.calls.models import Call, CallKind, CallStatus
from parta.messenger.calls.views import JS_LIBRARIES
from parta.messenger.chats.models import Chat, ChatKind, Membership

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)

ROOM_HOOKS = [
    "call-room",
    "call-stage",
    "call-self",
    "call-toggle-mic",
    "call-toggle-camera",
    "call-toggle-screen",
    "call-toggle-hand",
    "call-open-participants",
    "call-layout",
    "call-settings",
    "call-minimize",
    "call-leave",
    "call-end",
    "call-permissions-open",
    "call-participants",
    "call-hands",
    "call-permissions",
    "call-ended",
    "call-toast",
    # the board (docs/board.md, "The board on the call page")
    "call-board-toggle",
    "call-board-settings",
    "call-board",
    "call-board-host",
    "call-view-videos",
    "call-view-board",
    "call-board-panel",
    "call-board-mode-organizer",
    "call-board-mode-everyone",
    "call-board-mode-chosen",
    "call-board-drawers",
    "call-board-lock",
    "call-board-clear",
    "call-board-file",
    "call-board-upload-status",
    "call-board-earlier",
]


def make_profile(first_name: str) -> Profile:
    return Profile.objects.create_user(
        identifier=f"+7918{next(_numbers):07d}",
        contact_kind=ContactKind.PHONE,
        first_name=first_name,
        last_name="Иванова",
    )


@pytest.fixture
def organizer() -> Profile:
    return make_profile("Анна")


@pytest.fixture
def member() -> Profile:
    return make_profile("Борис")


@pytest.fixture
def stranger() -> Profile:
    return make_profile("Вера")


@pytest.fixture
def call(organizer: Profile, member: Profile) -> Call:
    chat = Chat.objects.create(kind=ChatKind.GROUP, title="7Б родители", created_by=organizer)
    for profile in (organizer, member):
        Membership.objects.create(chat=chat, profile=profile)
    return Call.objects.create(kind=CallKind.CHAT, title="Звонок в «7Б родители»", chat=chat, created_by=organizer)


def page_url(call: Call) -> str:
    return reverse("calls:call", kwargs={"public_id": call.public_id})


def signed_in(profile: Profile) -> Client:
    client = Client()
    client.force_login(profile)
    return client


def embedded(body: str, element_id: str) -> Any:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', body, re.S)
    assert match, f"no #{element_id} in the page"
    return json.loads(match.group(1))


def test_member_gets_the_page_with_its_hooks(call: Call, member: Profile) -> None:
    response = signed_in(member).get(page_url(call))

    assert response.status_code == 200
    body = response.content.decode()
    for element_id in ["call-preview", "call-camera-select", "call-mic-select", "call-join", *ROOM_HOOKS]:
        assert f'id="{element_id}"' in body, element_id
    assert re.search(r'id="call-notice" role="alert"', body)
    assert "Присоединиться" in body and "Завершить для всех" in body and "Доступы участников" in body
    assert "Доска: доступы" in body and "Только организатор" in body and "Загрузить PDF или картинку" in body
    assert 'id="call-guest-name"' not in body  # a member joins under their own name
    assert 'id="call-open-chat"' in body  # the call's chat is theirs
    boot = embedded(body, "call-boot")
    assert boot["call"]["id"] == str(call.public_id)
    assert boot["chat_url"] == f"/chats/{call.chat_id}/"
    assert boot["me"]["id"] == member.pk
    assert boot["guest"] is False
    assert boot["ended"] is False
    assert embedded(body, "call-strings")["removed"] == "Организатор удалил вас из звонка"


def test_page_loads_the_janus_libraries_before_the_module(call: Call, member: Profile) -> None:
    if not all(Path(path).is_file() for path in JS_LIBRARIES.values()):
        pytest.skip("libjs-janus-gateway / libjs-webrtc-adapter are not installed")
    body = signed_in(member).get(page_url(call)).content.decode()

    adapter = body.index("/calls/lib/adapter.js?v=")
    janus = body.index("/calls/lib/janus.js?v=")
    module = body.index('type="module"')
    assert adapter < janus < module  # janus.js needs the global `adapter`; the module needs the global `Janus`
    assert embedded(body, "call-boot")["libraries"] is True


def test_library_is_served_as_javascript(client: Client) -> None:
    if not Path(JS_LIBRARIES["janus.js"]).is_file():
        pytest.skip("libjs-janus-gateway is not installed")
    response = client.get(reverse("calls:library", kwargs={"name": "janus.js"}) + "?v=1")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "immutable" in response["Cache-Control"]
    assert response.content == Path(JS_LIBRARIES["janus.js"]).read_bytes()


def test_other_names_are_not_served(client: Client) -> None:
    assert client.get(reverse("calls:library", kwargs={"name": "passwd"})).status_code == 404


def test_without_the_libraries_the_page_says_calls_are_unavailable(
    call: Call, member: Profile, settings: Any, tmp_path: Path
) -> None:
    settings.CALLS_JS_LIBRARIES = {"janus.js": str(tmp_path / "janus.js"), "adapter.js": str(tmp_path / "adapter.js")}

    body = signed_in(member).get(page_url(call)).content.decode()

    assert "/calls/lib/" not in body
    assert embedded(body, "call-boot")["libraries"] is False
    assert embedded(body, "call-strings")["libraries_missing"].startswith("Звонки сейчас недоступны")


def test_anonymous_is_sent_to_sign_in(call: Call, client: Client) -> None:
    response = client.get(page_url(call))

    assert response.status_code == 302
    assert response["Location"].startswith("/?next=")


def test_anonymous_gets_the_same_answer_for_a_call_that_does_not_exist(client: Client) -> None:
    response = client.get(reverse("calls:call", kwargs={"public_id": uuid.uuid4()}))

    assert response.status_code == 302
    assert response["Location"].startswith("/?next=")


def test_someone_outside_the_chat_gets_404(call: Call, stranger: Profile) -> None:
    assert signed_in(stranger).get(page_url(call)).status_code == 404
    assert signed_in(stranger).get(reverse("calls:call", kwargs={"public_id": uuid.uuid4()})).status_code == 404


def test_a_guest_gets_the_page_with_a_name_field_when_the_call_allows_guests(call: Call, client: Client) -> None:
    call.allow_anonymous = True
    call.save(update_fields=["allow_anonymous"])

    response = client.get(page_url(call))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="call-guest-name"' in body
    assert 'id="call-open-chat"' not in body  # the chat is for its members only
    boot = embedded(body, "call-boot")
    assert boot["guest"] is True and boot["me"] is None and boot["chat_url"] is None


def test_an_ended_call_shows_its_end(call: Call, member: Profile) -> None:
    call.status, call.ended_at = CallStatus.ENDED, timezone.now()
    call.save(update_fields=["status", "ended_at"])

    body = signed_in(member).get(page_url(call)).content.decode()

    assert re.search(r'<section class="call-ended" id="call-ended" role="status">', body)  # not hidden
    assert "Звонок завершён" in body
    assert embedded(body, "call-boot")["ended"] is True
