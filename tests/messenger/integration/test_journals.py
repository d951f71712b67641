"""Registering journals: the command run.sh uses (idempotent) and the admin for messenger admins."""

# covers: L1, L2

from __future__ import annotations

import io

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.test import Client

from parta.messenger.accounts.models import Profile
from parta.messenger.integration.models import Journal
from tests.messenger.integration.helpers import basic, register

pytestmark = pytest.mark.django_db


def test_registering_again_updates_instead_of_duplicating(client: Client) -> None:
    register("j1", name="Журнал", region="Москва", base_url="http://a.test", secret="one")

    creds = register("j1", name="Электронный журнал", region="Москва", base_url="http://b.test/", secret="two")

    journal = Journal.objects.select_related("application").get()
    assert Journal.objects.count() == 1
    assert (journal.name, journal.base_url) == ("Электронный журнал", "http://b.test")
    assert journal.application.redirect_uris == "http://b.test/messenger/callback/"
    assert journal.webhook_url == "http://b.test/messenger/webhook/"
    assert check_password("two", journal.application.client_secret)  # kept hashed
    old = client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION="Basic ajE6b25l")
    new = client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(creds))
    assert old.status_code == 401 and new.status_code == 200


def test_the_command_says_what_it_did() -> None:
    out = io.StringIO()
    args = {"name": "Журнал", "region": "Москва", "base_url": "http://a.test", "client_id": "j1", "client_secret": "s"}

    call_command("register_journal", **args, stdout=out)
    call_command("register_journal", **args, stdout=out)

    assert out.getvalue().splitlines() == [
        "journal registered: Журнал (Москва), client id j1",
        "journal updated: Журнал (Москва), client id j1",
    ]


def test_a_messenger_admin_adds_a_journal_and_sees_its_secret_once(client: Client) -> None:
    admin = Profile.objects.create_superuser("+79990000001", contact_kind="phone", last_name="А", first_name="Б")
    client.force_login(admin)

    response = client.post(
        "/admin/messenger_integration/journal/add/",
        {
            "name": "Дневник РТ",
            "region": "Республика Татарстан",
            "base_url": "https://dnevnik.tatar.test",
            "webhook_url": "",
            "webhook_secret": "whs",
            "is_active": "on",
            "schools-TOTAL_FORMS": "0",
            "schools-INITIAL_FORMS": "0",
        },
        follow=True,
    )

    assert response.status_code == 200
    journal = Journal.objects.select_related("application").get()
    assert journal.application.redirect_uris == "https://dnevnik.tatar.test/messenger/callback/"
    assert journal.webhook_url == "https://dnevnik.tatar.test/messenger/webhook/"
    shown = [str(m) for m in response.context["messages"]]
    assert any(journal.application.client_id in m and "больше он показан не будет" in m for m in shown)
