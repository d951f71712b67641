"""«Подключить дневник» (L2): regions → the region's journals → the journal's site; the journals list in the API;
the OpenAPI document and its docs; the profile page's journal section."""

# covers: L2, L4, B3

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.messenger.integration.helpers import JournalCreds, new_profile, register

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def two_regions(db: None) -> None:
    register("moscow-1", name="Электронный журнал", region="Москва", base_url="http://journal.test")
    register("tatar-1", name="Электронное образование", region="Республика Татарстан", base_url="http://edu.tatar.test")
    register("tatar-2", name="Дневник РТ", region="Республика Татарстан", base_url="http://dnevnik.tatar.test")


def test_connect_lists_regions_then_the_regions_journals_leading_to_their_sites(
    client: Client, two_regions: None
) -> None:
    client.force_login(new_profile("Иванов", "Петя"))

    regions = client.get("/connect/")
    tatarstan = client.get("/connect/", {"region": "Республика Татарстан"})
    unknown = client.get("/connect/", {"region": "Атлантида"})

    assert regions.status_code == 200
    text = _text(regions.content.decode())
    assert "Подключить дневник" in text and "Выберите регион" in text
    assert "Москва" in text and "Республика Татарстан" in text
    assert tatarstan.status_code == 200
    page = tatarstan.content.decode()
    assert 'href="http://edu.tatar.test/messenger/link/?from=messenger"' in page
    assert 'href="http://dnevnik.tatar.test/messenger/link/?from=messenger"' in page
    assert "journal.test" not in page
    assert unknown.status_code == 404


def test_the_journals_endpoint_is_public_and_grouped_by_region(client: Client, two_regions: None) -> None:
    response = client.get("/integration/v1/journals")

    assert response.status_code == 200
    assert [region["region"] for region in response.json()] == ["Москва", "Республика Татарстан"]
    tatar = response.json()[1]["journals"]
    assert [j["name"] for j in tatar] == ["Дневник РТ", "Электронное образование"]
    assert tatar[0]["link_url"] == "http://dnevnik.tatar.test/messenger/link/?from=messenger"


def test_the_openapi_document_and_its_docs_are_served(client: Client) -> None:
    document = client.get("/integration/v1/openapi.json")
    docs = client.get("/integration/v1/docs")

    assert document.status_code == 200
    schema = document.json()
    assert schema["info"]["title"] == "Parta integration API"
    assert {
        "/integration/v1/link",
        "/integration/v1/roster",
        "/integration/v1/subject-chats",
        "/integration/v1/journals",
    } <= set(schema["paths"])
    assert "SequenceConflict" in schema["components"]["schemas"]
    assert docs.status_code == 200


def test_a_profile_without_a_link_is_offered_to_connect_the_journal(client: Client, journal: JournalCreds) -> None:
    client.force_login(new_profile("Иванов", "Петя"))

    page = _text(client.get("/profile/").content.decode())

    assert "Электронный журнал" in page
    assert "Профиль не привязан к электронному журналу школы." in page
    assert "Подключить дневник" in page


def test_the_pages_work_on_a_phone_sized_layout(client: Client, two_regions: None) -> None:
    page = client.get("/connect/").content.decode()

    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
