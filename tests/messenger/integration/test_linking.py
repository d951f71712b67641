"""POST and DELETE /integration/v1/link, and «Отвязать дневник» in the messenger: roles confirmed (L3), chats joined
at once (C1), two roles, pending members, the child-on-a-parent's-phone refusal (A5), unlinking from both sides and
linking again (L6)."""

# covers: L3, L6, A5, C1, C8

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest
from django.test import Client
from django.utils import timezone

from parta.messenger.accounts.models import Profile
from parta.messenger.chats.models import Membership
from parta.messenger.integration.models import LinkedRole, PersonLink, WebhookDelivery
from parta.messenger.integration.services import webhooks
from parta.messenger.orgs.models import Family, Role
from parta.messenger.realtime.models import Event
from tests.messenger.integration.helpers import (
    JournalCreds,
    School,
    call,
    link_request,
    new_profile,
    parent_role,
    person_token,
    send_roster,
    student_role,
    teacher_role,
)

pytestmark = pytest.mark.django_db


def chats_of(profile: Profile) -> dict[str, str]:
    """{chat title: the profile's role in it}."""
    return dict(Membership.objects.filter(profile=profile).values_list("chat__title", "role"))


def roles_of(profile: Profile) -> set[tuple[str, bool]]:
    return set(Role.objects.filter(profile=profile).values_list("kind", "confirmed"))


@pytest.fixture
def rostered(client: Client, server: str, school: School) -> School:
    assert send_roster(client, server, school.full()).status_code == 200
    return school


def link(
    client: Client, journal: JournalCreds, profile: Profile, person_id: str, roles: list[dict[str, Any]], **extra: Any
) -> Any:
    return call(client, "POST", "/link", person_token(profile, journal), link_request(person_id, roles, **extra))


def test_a_class_teacher_is_confirmed_and_at_once_in_the_three_chats(
    client: Client, journal: JournalCreds, rostered: School
) -> None:
    teacher = new_profile("Сидоров", "Олег")

    response = link(client, journal, teacher, "t2", [teacher_role()])

    assert response.status_code == 200
    body = response.json()
    assert body["profile_id"] == teacher.pk
    assert body["confirmed_roles"] == [teacher_role() | {"class_id": None, "children": [], "roster_person_id": None}]
    assert body["chats_url"] == "http://messenger.test/chats/"
    assert roles_of(teacher) == {("teacher", True)}
    assert chats_of(teacher) == {"8А — ученики": "admin", "8А — родители": "admin", "Учителя": "member"}
    added = Event.objects.filter(profile=teacher, type="membership.added")
    assert {e.payload["chat"]["title"] for e in added} == set(chats_of(teacher))  # the chat list updates live


def test_a_teacher_who_is_also_a_parent_gets_both_roles(
    client: Client, journal: JournalCreds, rostered: School
) -> None:
    anna = new_profile("Петрова", "Анна")

    response = link(client, journal, anna, "t1", [teacher_role(), parent_role(["st3"])])

    assert response.status_code == 200
    assert len(response.json()["confirmed_roles"]) == 2
    assert roles_of(anna) == {("teacher", True), ("parent", True)}
    assert chats_of(anna) == {
        "7Б — ученики": "admin",
        "7Б — родители": "admin",
        "8А — родители": "member",  # her child Коля is in 8А
        "Учителя": "member",
    }


def test_pending_members_join_when_they_link_and_families_fill_in(
    client: Client, journal: JournalCreds, rostered: School
) -> None:
    anna, petya, papa = new_profile("Петрова", "Анна"), new_profile("Иванов", "Петя"), new_profile("Иванов", "Сергей")
    link(client, journal, papa, "p1", [parent_role(["st1"])])  # the parent first: his child has not linked yet
    assert chats_of(papa) == {"7Б — родители": "member"}
    assert not Family.objects.filter(parent=papa).exists()

    link(client, journal, anna, "t1", [teacher_role()])
    linked = link(client, journal, petya, "st1", [student_role("c7b")])

    students = Membership.objects.filter(chat__title="7Б — ученики")
    assert dict(students.values_list("profile_id", "role")) == {anna.pk: "admin", petya.pk: "member"}
    assert Family.objects.filter(parent=papa, child=petya).exists()  # filled in when the child linked
    assert roles_of(petya) == {("student", True)}
    assert Role.objects.get(profile=petya).org_class.name == "7Б"
    class_chat = Membership.objects.get(profile=petya, chat__title="7Б — ученики").chat_id
    assert linked.json()["chats_url"] == f"http://messenger.test/chats/{class_chat}/"  # a student lands in it (L5)


def test_linking_again_changes_nothing(client: Client, journal: JournalCreds, rostered: School) -> None:
    teacher = new_profile("Сидоров", "Олег")
    token = person_token(teacher, journal)
    call(client, "POST", "/link", token, link_request("t2", [teacher_role()]))
    events = Event.objects.count()

    again = call(client, "POST", "/link", token, link_request("t2", [teacher_role()]))

    assert again.status_code == 200
    assert Event.objects.count() == events
    assert PersonLink.objects.count() == 1
    assert chats_of(teacher) == {"8А — ученики": "admin", "8А — родители": "admin", "Учителя": "member"}


def test_a_link_before_the_roster_is_confirmed_and_joins_when_the_roster_comes(
    client: Client, journal: JournalCreds, server: str, school: School
) -> None:
    teacher = new_profile("Сидоров", "Олег")

    link(client, journal, teacher, "t2", [teacher_role()])
    assert roles_of(teacher) == {("teacher", True)}
    assert send_roster(client, server, school.full()).status_code == 200

    assert chats_of(teacher) == {"8А — ученики": "admin", "8А — родители": "admin", "Учителя": "member"}


# --- A5: a child on a parent's phone ---------------------------------------------------------------------------------


def _assert_child_on_adult_refusal(response: Any) -> None:
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "child_on_adult_profile"
    assert "Не регистрируйте учебный профиль ребёнка на телефон родителя" in body["message"]
    assert "с адресом электронной почты" in body["message"]  # what to do instead: own phone, or e-mail under 14
    assert body["help_url"] == "http://messenger.test/help/#child-on-parent-phone"


def test_a_childs_account_on_a_parents_profile_is_refused_with_the_explanation(
    client: Client, journal: JournalCreds, rostered: School
) -> None:
    mama = new_profile("Смирнова", "Ольга")
    link(client, journal, mama, "p2", [parent_role(["st2", "st3"])])
    token = person_token(mama, journal)  # the child, on the parent's phone, links the child's journal account

    response = call(client, "POST", "/link", token, link_request("st2", [student_role("c7b")]))

    _assert_child_on_adult_refusal(response)
    assert roles_of(mama) == {("parent", True)}
    assert not LinkedRole.objects.filter(kind="student").exists()
    assert "7Б — ученики" not in chats_of(mama)


def test_an_unconfirmed_adult_role_still_marks_the_phone_as_a_parents(
    client: Client, journal: JournalCreds, rostered: School
) -> None:
    mama = new_profile("Смирнова", "Ольга")
    link(client, journal, mama, "p2", [parent_role(["st2"])])
    call(client, "DELETE", "/link", person_token(mama, journal))  # unlinked: the parent role is unconfirmed now
    assert roles_of(mama) == {("parent", False)}

    response = link(client, journal, mama, "st2", [student_role("c7b")])

    _assert_child_on_adult_refusal(response)


def test_the_help_page_explains_the_child_on_a_parents_phone_case(client: Client) -> None:
    page = client.get("/help/").content.decode()

    assert '<h1 id="help-title">Помощник</h1>' in page
    assert 'id="child-on-parent-phone"' in page
    assert "Не регистрируйте профиль ребёнка на телефон родителя" in page


def test_an_adults_account_on_a_childs_profile_is_refused(
    client: Client, journal: JournalCreds, rostered: School
) -> None:
    petya = new_profile("Иванов", "Петя")
    link(client, journal, petya, "st1", [student_role("c7b")])
    ten_years_old = new_profile("Иванова", "Даша", birth_date=timezone.localdate() - dt.timedelta(days=3650))

    on_student = link(client, journal, petya, "p1", [parent_role(["st1"])])
    on_young = link(client, journal, ten_years_old, "t3", [teacher_role()])

    for response in (on_student, on_young):
        assert response.status_code == 403
        assert response.json()["code"] == "adult_on_child_profile"
    assert roles_of(petya) == {("student", True)}


def test_one_account_cannot_be_a_student_and_an_adult(client: Client, journal: JournalCreds, rostered: School) -> None:
    response = link(client, journal, new_profile("Иванов", "Петя"), "st1", [student_role("c7b"), teacher_role()])

    assert response.status_code == 422
    assert response.json()["code"] == "student_and_adult_roles"


# --- L6: another profile, unlinking, linking again --------------------------------------------------------------


def test_moving_a_link_to_another_profile_must_be_explicit(
    client: Client, journal: JournalCreds, rostered: School
) -> None:
    old, new = new_profile("Иванов", "Петя"), new_profile("Иванов", "Пётр")
    link(client, journal, old, "st1", [student_role("c7b")])

    refused = link(client, journal, new, "st1", [student_role("c7b")])
    moved = link(client, journal, new, "st1", [student_role("c7b")], replace_existing=True)

    assert refused.status_code == 409
    assert refused.json()["code"] == "linked_to_another_profile"
    assert moved.status_code == 200
    assert roles_of(old) == {("student", False)}
    assert chats_of(old) == {}
    assert roles_of(new) == {("student", True)}
    assert chats_of(new) == {"7Б — ученики": "member"}


def test_unlinking_from_the_journal_with_the_persons_token(
    client: Client, journal: JournalCreds, rostered: School
) -> None:
    teacher = new_profile("Сидоров", "Олег")
    token = person_token(teacher, journal)
    call(client, "POST", "/link", token, link_request("t2", [teacher_role()]))

    response = call(client, "DELETE", "/link", token)

    assert response.status_code == 204
    assert roles_of(teacher) == {("teacher", False)}
    assert chats_of(teacher) == {}
    assert Event.objects.filter(profile=teacher, type="membership.removed").count() == 3
    assert call(client, "POST", "/link", token, link_request("t2", [teacher_role()])).status_code == 401  # revoked
    assert not WebhookDelivery.objects.exists()  # the journal asked: nothing to tell it


def test_unlinking_from_the_journals_server_by_person_id(
    client: Client, journal: JournalCreds, server: str, rostered: School
) -> None:
    teacher = new_profile("Сидоров", "Олег")
    link(client, journal, teacher, "t2", [teacher_role()])

    missing = call(client, "DELETE", "/link", server)
    done = call(client, "DELETE", "/link?person_id=t2", server)
    again = call(client, "DELETE", "/link?person_id=t2", server)

    assert missing.status_code == 400
    assert missing.json()["code"] == "person_id_required"
    assert done.status_code == 204
    assert again.status_code == 404
    assert again.json()["code"] == "not_linked"
    assert chats_of(teacher) == {}


def test_linking_again_after_unlinking_works(client: Client, journal: JournalCreds, rostered: School) -> None:
    teacher = new_profile("Сидоров", "Олег")
    link(client, journal, teacher, "t2", [teacher_role()])
    call(client, "DELETE", "/link", person_token(teacher, journal))

    response = link(client, journal, teacher, "t2", [teacher_role()])

    assert response.status_code == 200
    assert roles_of(teacher) == {("teacher", True)}
    assert chats_of(teacher) == {"8А — ученики": "admin", "8А — родители": "admin", "Учителя": "member"}


def test_unlinking_in_the_messenger_tells_the_journal_by_a_signed_webhook(
    client: Client,
    journal: JournalCreds,
    rostered: School,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    received: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: received.append(request) or httpx.Response(200))
    monkeypatch.setattr(webhooks, "http_client", lambda: httpx.Client(transport=transport))
    teacher = new_profile("Сидоров", "Олег")
    link(client, journal, teacher, "t2", [teacher_role()])
    browser = Client()
    browser.force_login(teacher)

    profile_page = browser.get("/profile/").content.decode()
    link_id = PersonLink.objects.get().pk
    confirm = browser.get(f"/connect/unlink/{link_id}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = browser.post(f"/connect/unlink/{link_id}/")

    assert "Электронный журнал" in profile_page and "Отвязать дневник" in profile_page
    assert "Отвязать дневник?" in confirm
    assert done.status_code == 302 and done["Location"] == "/profile/"
    assert chats_of(teacher) == {}
    assert roles_of(teacher) == {("teacher", False)}
    assert len(received) == 1
    request = received[0]
    assert str(request.url) == "http://journal.test/messenger/webhook/"
    expected = "sha256=" + hmac.new(b"webhook-secret", request.content, hashlib.sha256).hexdigest()
    assert request.headers["X-Parta-Signature"] == expected
    event = json.loads(request.content)
    assert event["type"] == "link.removed"
    assert event["data"] == {"person_id": "t2", "profile_id": teacher.pk}
    assert WebhookDelivery.objects.get().delivered_at is not None


def test_a_profile_cannot_unlink_someone_elses_link(client: Client, journal: JournalCreds, rostered: School) -> None:
    teacher = new_profile("Сидоров", "Олег")
    link(client, journal, teacher, "t2", [teacher_role()])
    other = Client()
    other.force_login(new_profile("Чужой", "Человек"))
    link_id = PersonLink.objects.get().pk

    assert other.get(f"/connect/unlink/{link_id}/").status_code == 404
    assert other.post(f"/connect/unlink/{link_id}/").status_code == 404
    assert PersonLink.objects.filter(pk=link_id).exists()


def names_of(profile: Profile) -> tuple[str, str, str]:
    profile.refresh_from_db()
    return profile.last_name, profile.first_name, profile.patronymic


def test_the_profile_takes_the_name_the_journal_passed_at_link(
    client: Client, journal: JournalCreds, rostered: School
) -> None:
    # covers: L3 (the consent screen lists the name as passed data)
    teacher = new_profile("Сидоров", "Олег")
    name = {"last_name": "Сидоренко", "first_name": "Олег", "patronymic": "Петрович"}

    assert link(client, journal, teacher, "t2", [teacher_role()], name=name).status_code == 200

    assert names_of(teacher) == ("Сидоренко", "Олег", "Петрович")
    assert teacher.name_chosen_by_person is False


def test_a_name_the_person_corrected_on_the_profile_page_survives_a_relink(
    client: Client, journal: JournalCreds, rostered: School
) -> None:
    # covers: L3, A2 (names editable)
    teacher = new_profile("Сидоров", "Олег")
    assert link(client, journal, teacher, "t2", [teacher_role()]).status_code == 200
    assert names_of(teacher) == ("Фамилия", "Имя", "")
    browser = Client()
    browser.force_login(teacher)

    saved = browser.post("/profile/", {"last_name": "Сидоров", "first_name": "Олег", "patronymic": "Иванович"})
    assert saved.status_code == 302
    again = link(client, journal, teacher, "t2", [teacher_role()], name={"last_name": "Иной", "first_name": "Некто"})

    assert again.status_code == 200
    assert names_of(teacher) == ("Сидоров", "Олег", "Иванович")
    assert teacher.name_chosen_by_person is True
