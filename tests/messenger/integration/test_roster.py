"""POST /integration/v1/roster: the mirror and the automatic chats (C1), full sync then changes, per-school order,
idempotency keys, refusals that leave nothing behind."""

# covers: C1, L3, C7

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from parta.messenger.accounts.models import Profile
from parta.messenger.chats.models import Chat, ChatKind, Membership
from parta.messenger.integration.models import MirrorPerson, MirrorSchool
from parta.messenger.orgs.models import Organization, OrgClass, Role
from parta.messenger.realtime.models import Event
from tests.messenger.integration.helpers import (
    JournalCreds,
    School,
    call,
    link_request,
    new_profile,
    parent_role,
    person,
    person_token,
    send_roster,
    student_role,
    teacher_role,
)

pytestmark = pytest.mark.django_db

PEOPLE = {
    "t1": (("Петрова", "Анна"), [teacher_role(), parent_role(["st3"])]),
    "t2": (("Сидоров", "Олег"), [teacher_role()]),
    "t3": (("Кузнецова", "Ирина"), [teacher_role()]),
    "st1": (("Иванов", "Петя"), [student_role("c7b")]),
    "st2": (("Смирнова", "Маша"), [student_role("c7b")]),
    "st3": (("Смирнов", "Коля"), [student_role("c8a")]),
    "p1": (("Иванов", "Сергей"), [parent_role(["st1"])]),
    "p2": (("Смирнова", "Ольга"), [parent_role(["st2", "st3"])]),
}


def link_everyone(client: Client, journal: JournalCreds) -> dict[str, Profile]:
    profiles = {}
    for person_id, (names, roles) in PEOPLE.items():
        profile = new_profile(*names)
        response = call(client, "POST", "/link", person_token(profile, journal), link_request(person_id, roles))
        assert response.status_code == 200, response.content
        profiles[person_id] = profile
    return profiles


def members(title: str) -> dict[int, str]:
    return dict(Membership.objects.filter(chat__title=title).values_list("profile_id", "role"))


def chat_titles() -> set[str]:
    return set(Chat.objects.filter(kind__in=ChatKind.system_kinds()).values_list("title", flat=True))


@pytest.fixture
def everyone(client: Client, journal: JournalCreds, server: str, school: School) -> dict[str, Profile]:
    assert send_roster(client, server, school.full()).status_code == 200
    return link_everyone(client, journal)


def test_a_full_roster_makes_the_school_its_classes_and_their_chats(
    client: Client, server: str, school: School
) -> None:
    response = send_roster(client, server, school.full())

    assert response.status_code == 200
    assert response.json() == {"school_id": "s1", "applied_sequence": 1, "duplicate": False}
    organization = Organization.objects.get()
    assert (organization.name, organization.region, organization.external_id) == ("Школа № 1", "Москва", "s1")
    assert set(OrgClass.objects.values_list("name", "external_id")) == {("7Б", "c7b"), ("8А", "c8a")}
    assert chat_titles() == {"7Б — ученики", "7Б — родители", "8А — ученики", "8А — родители", "Учителя"}
    assert not Membership.objects.exists()  # nobody has linked yet: everyone is pending
    assert MirrorPerson.objects.count() == 9  # 3 teachers, 3 students, 3 parents (t1 also as a parent)


def test_linked_people_are_exactly_in_their_automatic_chats(everyone: dict[str, Profile]) -> None:
    p = {key: profile.pk for key, profile in everyone.items()}

    assert members("7Б — ученики") == {p["t1"]: "admin", p["st1"]: "member", p["st2"]: "member"}
    assert members("7Б — родители") == {p["t1"]: "admin", p["p1"]: "member", p["p2"]: "member"}
    assert members("8А — ученики") == {p["t2"]: "admin", p["st3"]: "member"}
    assert members("8А — родители") == {p["t2"]: "admin", p["p2"]: "member", p["t1"]: "member"}
    assert members("Учителя") == {p["t1"]: "member", p["t2"]: "member", p["t3"]: "member"}


def test_a_student_moved_to_another_class_leaves_the_old_chats_and_joins_the_new(
    client: Client, server: str, school: School, everyone: dict[str, Profile]
) -> None:
    petya, papa = everyone["st1"], everyone["p1"]
    moved = person("st1", "Иванов", "Петя", class_id="c8a")

    response = send_roster(client, server, school.change(upserts={"students": [moved]}))

    assert response.status_code == 200
    assert petya.pk not in members("7Б — ученики") and members("8А — ученики")[petya.pk] == "member"
    assert papa.pk not in members("7Б — родители") and members("8А — родители")[papa.pk] == "member"
    assert Role.objects.get(profile=petya, kind="student").org_class.name == "8А"
    removed = Event.objects.filter(profile=petya, type="membership.removed").latest("seq")
    added = Event.objects.filter(profile=petya, type="membership.added").latest("seq")
    assert removed.payload["chat_id"] == Chat.objects.get(title="7Б — ученики").pk
    assert added.payload["chat"]["title"] == "8А — ученики"


def test_a_teacher_who_stops_being_class_teacher_leaves_and_the_new_one_joins_as_admin(
    client: Client, server: str, school: School, everyone: dict[str, Profile]
) -> None:
    anna, oleg = everyone["t1"], everyone["t2"]
    classes = [{"external_id": "c7b", "name": "7Б", "class_teacher_id": "t2"}]

    send_roster(client, server, school.change(upserts={"classes": classes}))

    assert anna.pk not in members("7Б — ученики")
    assert anna.pk not in members("7Б — родители")
    assert members("7Б — ученики")[oleg.pk] == "admin"
    assert members("7Б — родители")[oleg.pk] == "admin"
    assert members("Учителя")[anna.pk] == "member"  # still a teacher of the school


def test_deleting_a_student_takes_them_and_their_parents_out(
    client: Client, server: str, school: School, everyone: dict[str, Profile]
) -> None:
    masha, mama = everyone["st2"], everyone["p2"]

    send_roster(client, server, school.change(deletes={"students": ["st2"]}))

    assert masha.pk not in members("7Б — ученики")
    assert mama.pk not in members("7Б — родители")
    assert mama.pk in members("8А — родители")  # her other child, Коля, is still in 8А
    assert Role.objects.get(profile=masha).confirmed is False  # the roster no longer has her


def test_a_full_batch_removes_what_it_lacks(
    client: Client, server: str, school: School, everyone: dict[str, Profile]
) -> None:
    batch = school.full()
    upserts = batch["upserts"]
    upserts["classes"] = [c for c in upserts["classes"] if c["external_id"] != "c8a"]
    upserts["students"] = [s for s in upserts["students"] if s["external_id"] != "st3"]
    for parent in upserts["parents"]:
        parent["children"] = [c for c in parent["children"] if c != "st3"]

    assert send_roster(client, server, batch).status_code == 200

    assert set(OrgClass.objects.values_list("name", flat=True)) == {"7Б"}
    assert not MirrorPerson.objects.filter(external_id="st3").exists()
    assert members("8А — ученики") == {} and members("8А — родители") == {}  # emptied, history kept
    assert Role.objects.get(profile=everyone["st3"]).confirmed is False


def test_batches_apply_in_order_and_a_gap_is_refused_with_the_expected_sequence(
    client: Client, server: str, school: School
) -> None:
    send_roster(client, server, school.full())
    skipped = school.change(upserts={"subjects": [{"external_id": "rus", "name": "Русский язык"}]})
    later = school.change(upserts={"subjects": [{"external_id": "phys", "name": "Физика"}]})

    gap = send_roster(client, server, later)

    assert gap.status_code == 409
    assert gap.json()["code"] == "sequence_gap"
    assert gap.json()["expected_sequence"] == 2
    assert MirrorSchool.objects.get().sequence == 1
    assert send_roster(client, server, skipped).status_code == 200
    assert send_roster(client, server, later).json()["applied_sequence"] == 3


def test_a_repeated_idempotency_key_is_answered_and_changes_nothing(
    client: Client, server: str, school: School, everyone: dict[str, Profile]
) -> None:
    batch = school.change(upserts={"students": [person("st1", "Иванов", "Петя", class_id="c8a")]})
    key = str(uuid.uuid4())
    first = send_roster(client, server, batch, key=key)
    events = Event.objects.count()

    repeat = send_roster(client, server, batch, key=key)
    reused = send_roster(client, server, {**batch, "sequence": batch["sequence"] + 1}, key=key)

    assert first.json()["duplicate"] is False
    assert repeat.status_code == 200
    assert repeat.json() == {**first.json(), "duplicate": True}
    assert Event.objects.count() == events
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"


def test_a_batch_already_applied_under_another_key_is_a_duplicate(client: Client, server: str, school: School) -> None:
    batch = school.full()
    send_roster(client, server, batch)

    again = send_roster(client, server, batch)

    assert again.status_code == 200
    assert again.json() == {"school_id": "s1", "applied_sequence": 1, "duplicate": True}


def test_the_idempotency_key_is_required(client: Client, server: str, school: School) -> None:
    response = call(client, "POST", "/roster", server, school.full())

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"


def test_a_full_batch_may_skip_ahead(client: Client, server: str, school: School) -> None:
    send_roster(client, server, school.full())
    school.sequence = 7

    response = send_roster(client, server, school.full())

    assert response.json()["applied_sequence"] == 8


def test_unknown_references_refuse_the_whole_batch(client: Client, server: str, school: School) -> None:
    send_roster(client, server, school.full())
    batch = school.change(
        upserts={
            "students": [person("st9", "Новый", "Ученик", class_id="c9z")],
            "parents": [person("p9", "Новый", "Родитель", children=["nobody"])],
        }
    )

    response = send_roster(client, server, batch)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "unknown_reference"
    assert "c9z" in body["message"] and "nobody" in body["message"]
    assert not MirrorPerson.objects.filter(external_id__in=["st9", "p9"]).exists()
    assert MirrorSchool.objects.get().sequence == 1  # the same sequence may be sent again, fixed


def test_two_classes_may_swap_names_in_one_batch(
    client: Client, server: str, school: School, everyone: dict[str, Profile]
) -> None:
    classes = [
        {"external_id": "c7b", "name": "8А", "class_teacher_id": "t1"},
        {"external_id": "c8a", "name": "7Б", "class_teacher_id": "t2"},
    ]

    assert send_roster(client, server, school.change(upserts={"classes": classes})).status_code == 200

    assert set(OrgClass.objects.values_list("external_id", "name")) == {("c7b", "8А"), ("c8a", "7Б")}
    assert members("8А — ученики")[everyone["t1"].pk] == "admin"  # the same chat, renamed
    assert Role.objects.get(profile=everyone["st1"]).org_class.name == "8А"


def _queries_for_a_small_change(client: Client, server: str, school: School) -> int:
    batch = school.change(upserts={"subjects": [{"external_id": "math", "name": "Алгебра"}]})
    with CaptureQueriesContext(connection) as queries:
        assert send_roster(client, server, batch).status_code == 200
    return len(queries)


def test_a_change_costs_the_same_number_of_queries_whatever_the_schools_size(
    client: Client, journal: JournalCreds, server: str
) -> None:
    small, large = School("small"), School("large")
    send_roster(client, server, small.full())
    batch: dict[str, Any] = large.full()
    batch["upserts"]["students"] += [
        person(f"x{i}", "Ученик", str(i), class_id="c7b" if i % 2 else "c8a") for i in range(120)
    ]
    batch["upserts"]["parents"] += [person(f"y{i}", "Родитель", str(i), children=[f"x{i}"]) for i in range(120)]
    send_roster(client, server, batch)

    assert _queries_for_a_small_change(client, server, large) == _queries_for_a_small_change(client, server, small)
