"""People search and one's roles over HTTP (C7, A4, L2)."""

# covers: C7, A4, L2

from __future__ import annotations

from django.test import Client

from parta.messenger.accounts.models import Profile
from tests.messenger.orgs.builders import World


def client_for(profile: Profile) -> Client:
    client = Client()
    client.force_login(profile)
    return client


def test_people_search_shows_only_reachable_people_with_shared_roles(world: World) -> None:
    found = client_for(world.teacher).get("/api/v1/people/", {"q": "петров"}).json()
    assert [(p["name"], [(r["kind"], r["kind_label"], r["class_name"]) for r in p["roles"]]) for p in found] == [
        ("Петров Иван", [("parent", "родитель", None)]),
        ("Петров Петя", [("student", "ученик", "7Б")]),
    ]
    assert all(set(p) == {"id", "name", "short_name", "roles"} for p in found)  # no phones, no e-mails
    assert client_for(world.other_teacher).get("/api/v1/people/", {"q": "петров"}).json() == []


def test_people_search_needs_two_letters(world: World) -> None:
    response = client_for(world.teacher).get("/api/v1/people/", {"q": " п "})
    assert response.status_code == 400
    assert response.json() == {"code": "query_too_short", "message": "Введите хотя бы две буквы имени или фамилии."}


def test_my_roles(world: World) -> None:
    mine = client_for(world.student).get("/api/v1/people/me/roles/").json()
    assert mine == {
        "roles": [
            {
                "organization_id": world.school.pk,
                "organization_name": "Школа № 5",
                "kind": "student",
                "kind_label": "ученик",
                "class_name": "7Б",
                "confirmed": True,
            }
        ],
        "has_confirmed_role": True,
    }
    pending = client_for(world.unconfirmed_teacher).get("/api/v1/people/me/roles/").json()
    assert pending["has_confirmed_role"] is False and pending["roles"][0]["confirmed"] is False
    assert client_for(world.stranger).get("/api/v1/people/me/roles/").json() == {
        "roles": [],
        "has_confirmed_role": False,
    }
    assert Client().get("/api/v1/people/me/roles/").status_code == 401
