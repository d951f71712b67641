# covers: C2, C3, L5 («Управление чатами»: the teacher's load with its subject chats, «Добавить», «Перейти в чат»)
"""Journal → «Управление чатами»: who sees what, adding a subject chat, the messenger's list."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from parta.journal.messenger_link.models import OutboxItem, OutboxKind, SubjectChat, SubjectChatStatus
from parta.journal.messenger_link.roster.delivery import deliver_due
from parta.journal.school.models import ClassGroup, TeachingLoad
from tests.journal.builders import PASSWORD, SmallSchool
from tests.journal.messenger_link.fake_messenger import FakeMessenger

CHATS = "/journal/chats/"
ADD = "/journal/chats/add/"


def sign_in(client: Client, username: str) -> None:
    assert client.login(username=username, password=PASSWORD)


def text(response: Any) -> str:
    return " ".join(response.content.decode().split())


def rows(response: Any) -> list[str]:
    import re

    body = response.content.decode()
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr data-status.*?</tr>", body, re.S)
    ]


def test_the_journal_start_page_links_to_chat_management(client: Client, school: SmallSchool) -> None:
    sign_in(client, "teacher")
    page = client.get("/journal/").content.decode()
    assert f'href="{CHATS}"' in page and "Управление чатами" in page


def test_a_teacher_sees_their_load_and_can_add(client: Client, school: SmallSchool, messenger: FakeMessenger) -> None:
    sign_in(client, "teacher")
    response = client.get(CHATS)
    assert response.status_code == 200
    found = rows(response)
    assert len(found) == 2  # 7Б and 5А Математика; Русский язык in 7Б is another teacher's
    assert all("Математика" in row and "чата пока нет" in row and "Добавить" in row for row in found)


def test_adding_a_chat_queues_it_and_the_row_says_it_is_being_created(
    client: Client, school: SmallSchool, messenger: FakeMessenger
) -> None:
    sign_in(client, "teacher")
    form = client.get(f"{ADD}?load={school.math_7b.pk}")
    assert "Добавить родителей" in text(form) and "Название чата" in text(form)
    assert "7Б — Математика" in form.content.decode()  # the generated name, shown before adding

    response = client.post(
        ADD,
        {"school_class": school.cls_7b.pk, "subject": school.math.pk, "group": "", "include_parents": "on"},
        follow=True,
    )

    chat = SubjectChat.objects.get()
    assert (chat.name, chat.include_parents, chat.teacher_id) == ("7Б — Математика", True, school.teacher.pk)
    (item,) = OutboxItem.objects.filter(kind=OutboxKind.SUBJECT_CHAT)
    assert item.payload["include_parents"] is True and item.subject_chat_id == chat.pk
    assert "Чат «7Б — Математика» создаётся в мессенджере." in text(response)
    row = next(r for r in rows(response) if r.startswith("7Б"))
    assert "создаётся…" in row and "Перейти в чат" not in row

    deliver_due()
    ready = next(r for r in rows(client.get(CHATS)) if r.startswith("7Б"))
    assert "7Б — Математика" in ready and "Перейти в чат" in ready
    assert f'href="{messenger.url}/chats/77/"' in client.get(CHATS).content.decode()


def test_the_messengers_list_fills_in_chats_the_journal_has_no_record_of(
    client: Client, school: SmallSchool, messenger: FakeMessenger
) -> None:
    remote = {
        "chat_id": 5,
        "name": "5А — Математика",
        "url": f"{messenger.url}/chats/5/",
        "school_id": str(school.builder.school.pk),
        "class_id": str(school.cls_5a.pk),
        "subject_id": str(school.math.pk),
        "group_id": None,
        "teacher_id": str(school.teacher.user_id),
        "include_parents": False,
    }
    messenger.script("GET", "/integration/v1/subject-chats", (200, [remote]))
    sign_in(client, "teacher")
    response = client.get(CHATS)
    row = next(r for r in rows(response) if r.startswith("5А"))
    assert "5А — Математика" in row and "Перейти в чат" in row
    assert f'href="{messenger.url}/chats/5/"' in response.content.decode()
    (call,) = messenger.calls("GET", "/integration/v1/subject-chats")
    assert call.query == {"school_id": [str(school.builder.school.pk)]}


def test_the_list_works_while_the_messenger_is_down(
    client: Client, school: SmallSchool, messenger: FakeMessenger
) -> None:
    messenger.stop()
    sign_in(client, "teacher")
    response = client.get(CHATS)
    assert response.status_code == 200
    assert "Мессенджер сейчас не отвечает" in text(response)
    assert len(rows(response)) == 2


def test_a_teacher_cannot_add_a_chat_for_another_teachers_load(
    client: Client, school: SmallSchool, messenger: FakeMessenger
) -> None:
    sign_in(client, "teacher")
    response = client.post(ADD, {"school_class": school.cls_7b.pk, "subject": school.russian.pk, "group": ""})
    assert response.status_code == 400
    assert not SubjectChat.objects.exists() and not OutboxItem.objects.filter(kind=OutboxKind.SUBJECT_CHAT).exists()


def test_the_school_admin_may_add_for_any_load_of_the_school(
    client: Client, school: SmallSchool, messenger: FakeMessenger
) -> None:
    school.builder.admin()
    sign_in(client, "admin")
    assert len(rows(client.get(CHATS))) == 3
    client.post(ADD, {"school_class": school.cls_7b.pk, "subject": school.russian.pk, "group": ""})
    chat = SubjectChat.objects.get()
    assert chat.name == "7Б — Русский язык" and chat.teacher_id == school.other_teacher.pk  # the load's teacher


def test_a_group_load_makes_a_group_chat(client: Client, school: SmallSchool, messenger: FakeMessenger) -> None:
    group = ClassGroup.objects.create(school_class=school.cls_7b, name="Группа 1")
    english = school.builder.subject("Английский язык")
    TeachingLoad.objects.create(teacher=school.teacher, school_class=school.cls_7b, subject=english, group=group)
    sign_in(client, "teacher")
    client.post(ADD, {"school_class": school.cls_7b.pk, "subject": english.pk, "group": ""})
    chat = SubjectChat.objects.get()
    assert (chat.name, chat.group_id) == ("7Б — Английский язык (Группа 1)", group.pk)
    assert OutboxItem.objects.get(kind=OutboxKind.SUBJECT_CHAT).payload["group_id"] == str(group.pk)


@pytest.mark.parametrize("username", ["student", "parent"])
def test_families_have_no_chat_management(client: Client, school: SmallSchool, username: str) -> None:
    sign_in(client, username)
    assert client.get(CHATS).status_code == 403
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {"school_class": school.cls_7b.pk, "subject": school.math.pk}).status_code == 403
    assert not SubjectChat.objects.exists()


def test_a_refused_chat_shows_why_and_can_be_added_again(
    client: Client, school: SmallSchool, messenger: FakeMessenger
) -> None:
    sign_in(client, "teacher")
    client.post(ADD, {"school_class": school.cls_7b.pk, "subject": school.math.pk, "group": ""})
    messenger.script(
        "POST",
        "/integration/v1/subject-chats",
        (422, {"code": "unknown_reference", "message": "Класса нет.", "help_url": None}),
    )
    deliver_due()
    row = next(r for r in rows(client.get(CHATS)) if r.startswith("7Б"))
    assert "не создан: Класса нет." in row and "Добавить" in row
    assert SubjectChat.objects.get().status == SubjectChatStatus.FAILED
