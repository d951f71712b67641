"""Sessions per device (A6): each sign-in is a device the profile can see and end; the profile page."""

# covers: A6 (devices, "Выйти на других устройствах"), A2 (names editable), A4 (role state of the profile)

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from parta.messenger.accounts.models import DeviceSession
from parta.messenger.accounts.selectors import describe_user_agent
from parta.messenger.orgs.models import Organization, Role, RoleKind
from parta.messenger.realtime.services import session_group
from tests.messenger.accounts.conftest import PHONE, make_profile

pytestmark = pytest.mark.django_db

ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
)
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"

SignedIn = Callable[..., Client]


def test_the_profile_page_lists_devices_and_marks_this_one(signed_in_client: SignedIn) -> None:
    profile = make_profile(PHONE)
    phone = signed_in_client(profile, user_agent=ANDROID)
    signed_in_client(profile, user_agent=WINDOWS)

    body = phone.get("/profile/").content.decode()

    assert "Chrome, Android" in body and "Firefox, Windows" in body
    assert body.count("Это устройство") == 1
    assert body.index("Chrome, Android") < body.index("Это устройство") < body.index("Firefox, Windows")
    assert body.count(">Завершить</button>") == 1  # only the other device has it
    assert "Выйти на других устройствах" in body
    assert "Никому не передавайте свои регистрационные данные" in body
    assert DeviceSession.objects.filter(profile=profile).count() == 2


def test_sign_out_on_other_devices_really_ends_them(signed_in_client: SignedIn) -> None:
    profile = make_profile(PHONE)
    here = signed_in_client(profile, user_agent=ANDROID)
    other = signed_in_client(profile, user_agent=WINDOWS)
    third = signed_in_client(profile, user_agent=WINDOWS)
    stranger = signed_in_client(make_profile("+79167654321"), user_agent=WINDOWS)
    assert other.get("/profile/").status_code == 200

    response = here.post("/profile/devices/end-others/", follow=True)

    assert "Вы вышли на всех других устройствах." in response.content.decode()
    for ended in (other, third):
        response = ended.get("/profile/")
        assert response.status_code == 302
        assert response["Location"] == "/?next=/profile/"  # back to sign-in
        assert "Телефон или почта" in ended.get(response["Location"]).content.decode()
    assert here.get("/profile/").status_code == 200
    assert stranger.get("/profile/").status_code == 200  # another profile's devices are untouched
    assert list(DeviceSession.objects.filter(profile=profile).values_list("session_key", flat=True)) == [
        here.session.session_key
    ]
    assert Session.objects.filter(session_key=other.session.session_key).count() == 0


def test_end_one_device(signed_in_client: SignedIn) -> None:
    profile = make_profile(PHONE)
    here = signed_in_client(profile, user_agent=ANDROID)
    other = signed_in_client(profile, user_agent=WINDOWS)
    device = DeviceSession.objects.get(session_key=other.session.session_key)

    response = here.post(f"/profile/devices/{device.pk}/end/", follow=True)

    assert "Сеанс на том устройстве завершён." in response.content.decode()
    assert other.get("/profile/")["Location"] == "/?next=/profile/"
    assert here.get("/profile/").status_code == 200


def test_a_device_of_another_profile_cannot_be_ended(signed_in_client: SignedIn) -> None:
    attacker = signed_in_client(make_profile(PHONE))
    victim = signed_in_client(make_profile("+79167654321"))
    device = DeviceSession.objects.get(session_key=victim.session.session_key)

    response = attacker.post(f"/profile/devices/{device.pk}/end/", follow=True)

    assert "На этом устройстве уже выполнен выход." in response.content.decode()
    assert victim.get("/profile/").status_code == 200


def test_the_current_device_is_ended_by_signing_out(signed_in_client: SignedIn) -> None:
    here = signed_in_client(make_profile(PHONE))
    device = DeviceSession.objects.get(session_key=here.session.session_key)
    response = here.post(f"/profile/devices/{device.pk}/end/", follow=True)
    assert "Чтобы завершить сеанс на нём, нажмите «Выйти»." in response.content.decode()
    assert here.get("/profile/").status_code == 200


def test_last_seen_is_written_at_most_once_a_minute(signed_in_client: SignedIn) -> None:
    client = signed_in_client(make_profile(PHONE))
    long_ago = timezone.now() - dt.timedelta(hours=1)
    device = DeviceSession.objects.get(session_key=client.session.session_key)

    client.get("/profile/")  # the first request after sign-in writes
    DeviceSession.objects.filter(pk=device.pk).update(last_seen_at=long_ago)
    client.get("/profile/")  # within the minute: nothing written
    device.refresh_from_db()
    assert device.last_seen_at == long_ago

    session = client.session
    session["accounts.device_seen"] -= 61  # a minute later, as far as the session knows
    session.save()
    client.get("/profile/")
    device.refresh_from_db()
    assert device.last_seen_at > long_ago


def test_a_session_without_a_row_gets_one(client: Client) -> None:
    profile = make_profile(PHONE)
    client.force_login(profile)
    DeviceSession.objects.all().delete()  # e.g. a session written straight into the store by a tool

    assert client.get("/profile/").status_code == 200
    assert DeviceSession.objects.get().session_key == client.session.session_key


def test_names_are_editable_and_the_contact_is_not(signed_in_client: SignedIn) -> None:
    profile = make_profile(PHONE)
    client = signed_in_client(profile)
    page = client.get("/profile/").content.decode()
    assert 'value="+7 916 123-45-67" readonly' in page

    response = client.post(
        "/profile/", {"last_name": "Петрова", "first_name": "Мария", "patronymic": "Ивановна", "identifier": "+7000"}
    )
    assert response["Location"] == "/profile/"
    profile.refresh_from_db()
    assert (profile.full_name, profile.identifier) == ("Петрова Мария Ивановна", PHONE)

    response = client.post("/profile/", {"last_name": "", "first_name": "Мария", "patronymic": ""})
    assert response.status_code == 400
    assert "Укажите фамилию." in response.content.decode()


def test_the_profile_page_shows_role_state(signed_in_client: SignedIn, django_assert_num_queries: Any) -> None:
    profile = make_profile(PHONE)
    client = signed_in_client(profile)
    assert "Ролей пока нет" in client.get("/profile/").content.decode()

    school = Organization.objects.create(name="Школа № 5")
    Role.objects.create(profile=profile, organization=school, kind=RoleKind.PARENT)
    Role.objects.create(profile=profile, organization=Organization.objects.create(name="Лицей"), kind=RoleKind.TEACHER)
    with django_assert_num_queries(5):  # session, profile, roles with their schools, devices, journal links
        body = client.get("/profile/").content.decode()
    assert "Школа № 5" in body and "не подтверждена" in body


@pytest.mark.parametrize(
    ("user_agent", "label"),
    [
        (ANDROID, "Chrome, Android"),
        (WINDOWS, "Firefox, Windows"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari, iOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0",
            "Edge, Windows",
        ),
        ("python-httpx/0.28.1", "python-httpx"),
        ("", "Неизвестное устройство"),
    ],
)
def test_devices_get_readable_names(user_agent: str, label: str) -> None:
    assert describe_user_agent(user_agent) == label


def test_ending_devices_closes_their_open_websockets(
    signed_in_client: SignedIn, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    # The in-process layer: this test plays the consumer's side from the test's own thread (the Redis pub/sub layer
    # only accepts group_add for channels its own event loop created; the two-process test covers Redis).
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "parta.messenger.realtime.layers.FanoutInMemoryChannelLayer"}}
    profile = make_profile(PHONE)
    here, other = signed_in_client(profile), signed_in_client(profile)
    layer: Any = get_channel_layer()
    socket = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(session_group(other.session.session_key), socket)

    with django_capture_on_commit_callbacks(execute=True):
        here.post("/profile/devices/end-others/")

    async def receive() -> Any:
        return await asyncio.wait_for(layer.receive(socket), timeout=2)

    assert async_to_sync(receive)() == {"type": "session.ended"}
