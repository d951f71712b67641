"""POST and GET /integration/v1/subject-chats: «7Б — Математика» with the subject's teacher and the class's (or the
group's) students, their parents when asked, pending until they link; idempotent; deep links (C2, C3, L5)."""

# covers: C2, C3, L5

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from parta.messenger.accounts.models import Profile
from parta.messenger.chats.models import Chat, ChatKind, Membership
from parta.messenger.integration.models import SubjectChat
from tests.messenger.integration.helpers import JournalCreds, School, call, send_roster
from tests.messenger.integration.test_roster import link_everyone

pytestmark = pytest.mark.django_db

MATHS_7B = {"school_id": "s1", "class_id": "c7b", "subject_id": "math", "teacher_id": "t3"}


def members(chat_id: int) -> dict[int, str]:
    return dict(Membership.objects.filter(chat_id=chat_id).values_list("profile_id", "role"))


@pytest.fixture
def rostered(client: Client, server: str, school: School) -> School:
    assert send_roster(client, server, school.full()).status_code == 200
    return school


def create(client: Client, server: str, **fields: Any) -> Any:
    return call(client, "POST", "/subject-chats", server, {**MATHS_7B, **fields})


def test_a_subject_chat_is_made_once_with_a_generated_name_and_a_deep_link(
    client: Client, server: str, rostered: School
) -> None:
    first = create(client, server)
    again = create(client, server)

    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    chat = Chat.objects.get(kind=ChatKind.SUBJECT)
    assert first.json() == {
        "chat_id": chat.pk,
        "name": "7Б — Математика",
        "url": f"http://messenger.test/chats/{chat.pk}/",
    }
    assert SubjectChat.objects.count() == 1
    assert members(chat.pk) == {}  # nobody has linked yet


def test_the_teacher_is_admin_and_the_class_joins_on_linking_parents_when_asked(
    client: Client, journal: JournalCreds, server: str, rostered: School
) -> None:
    chat_id = create(client, server).json()["chat_id"]
    people: dict[str, Profile] = link_everyone(client, journal)
    p = {key: profile.pk for key, profile in people.items()}

    assert members(chat_id) == {p["t3"]: "admin", p["st1"]: "member", p["st2"]: "member"}
    create(client, server, include_parents=True)
    assert members(chat_id) == {
        p["t3"]: "admin",
        p["st1"]: "member",
        p["st2"]: "member",
        p["p1"]: "member",
        p["p2"]: "member",
    }


def test_a_group_chat_has_only_the_groups_students(
    client: Client, journal: JournalCreds, server: str, rostered: School
) -> None:
    response = create(client, server, group_id="g1")
    people = link_everyone(client, journal)

    assert response.json()["name"] == "7Б — Математика (Группа 1)"
    assert members(response.json()["chat_id"]) == {people["t3"].pk: "admin", people["st1"].pk: "member"}


def test_a_student_moved_out_of_the_class_leaves_its_subject_chat(
    client: Client, journal: JournalCreds, server: str, rostered: School
) -> None:
    chat_id = create(client, server).json()["chat_id"]
    people = link_everyone(client, journal)
    moved = {"external_id": "st1", "last_name": "Иванов", "first_name": "Петя", "class_id": "c8a"}

    send_roster(client, server, rostered.change(upserts={"students": [moved]}))

    assert people["st1"].pk not in members(chat_id)


def test_a_teachers_subject_chats_are_listed_with_what_they_were_made_for(
    client: Client, server: str, rostered: School
) -> None:
    chat_id = create(client, server).json()["chat_id"]

    mine = call(client, "GET", "/subject-chats?school_id=s1&teacher_id=t3", server)
    others = call(client, "GET", "/subject-chats?school_id=s1&teacher_id=t2", server)
    everything = call(client, "GET", "/subject-chats?school_id=s1", server)

    assert mine.status_code == 200
    assert mine.json() == [
        {
            "chat_id": chat_id,
            "name": "7Б — Математика",
            "url": f"http://messenger.test/chats/{chat_id}/",
            "school_id": "s1",
            "class_id": "c7b",
            "subject_id": "math",
            "group_id": None,
            "teacher_id": "t3",
            "include_parents": False,
        }
    ]
    assert others.json() == []
    assert len(everything.json()) == 1


def test_unknown_ids_are_refused(client: Client, server: str, rostered: School) -> None:
    unknown = create(client, server, subject_id="latin", teacher_id="t9")
    no_school = create(client, server, school_id="s9")

    assert unknown.status_code == 422
    assert unknown.json()["code"] == "unknown_reference"
    assert "latin" in unknown.json()["message"] and "t9" in unknown.json()["message"]
    assert no_school.status_code == 404
    assert no_school.json()["code"] == "unknown_school"
    assert not SubjectChat.objects.exists()
