"""The chats API over HTTP (B3, C4–C7): shapes, status codes, error format, no IDOR, query counts."""

# covers: B3, C4, C5, C6, C7

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from parta.messenger.accounts.models import Profile
from parta.messenger.chats import selectors, services
from parta.messenger.chats.models import Chat, InviteLink, Membership, Message, Report
from tests.messenger.chats.helpers import new_id
from tests.messenger.chats.test_uploads import WINDOWS_PROGRAM, png_bytes
from tests.messenger.orgs.builders import World

API = "/api/v1/chats"


def client_for(profile: Profile) -> Client:
    client = Client()
    client.force_login(profile)
    return client


def body(response: Any) -> Any:
    return response.json()


def assert_error(response: Any, status: int, code: str) -> dict[str, str]:
    assert response.status_code == status, response.content
    error = response.json()
    assert set(error) == {"code", "message"} and error["code"] == code
    assert any("а" <= ch <= "я" for ch in error["message"].lower()), error  # a Russian message
    return error


@pytest.fixture
def newspaper(world: World) -> Chat:
    return services.create_chat(creator=world.teacher, title="Стенгазета", member_ids=[world.student.pk])


def test_signed_out_requests_are_refused(db: None) -> None:
    assert Client().get(f"{API}/").status_code == 401


def test_create_chat_then_list_and_get_it(world: World) -> None:
    teacher = client_for(world.teacher)
    response = teacher.post(
        f"{API}/",
        {"title": "Стенгазета", "member_ids": [world.student.pk, world.classmate.pk]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    chat = body(response)
    assert (chat["title"], chat["kind"], chat["is_closed"], chat["my_role"]) == ("Стенгазета", "group", True, "admin")
    assert chat["permissions"] == {
        "invite": True,
        "add_members": True,
        "manage_members": True,
        "edit_settings": True,
        "leave": True,
        "delete_any_message": True,
    }
    assert (chat["members"][0]["id"], chat["members"][0]["role"]) == (world.teacher.pk, "admin")  # admins first
    assert {m["name"] for m in chat["members"]} == {"Иванова Анна", "Петров Петя", "Смирнова Маша"}
    assert "identifier" not in str(chat)  # nobody's phone or e-mail
    listed = body(client_for(world.student).get(f"{API}/"))
    assert [(c["id"], c["my_role"], c["unread"], c["member_count"]) for c in listed] == [(chat["id"], "member", 0, 3)]
    assert listed[0]["permissions"]["invite"] is False  # a plain member of a closed chat has no invite controls
    detail = body(client_for(world.student).get(f"{API}/{chat['id']}/"))
    assert len(detail["members"]) == 3


def test_refusals_answer_a_code_and_a_russian_message(world: World, newspaper: Chat) -> None:
    stranger = client_for(world.stranger)
    error = assert_error(
        stranger.post(f"{API}/direct/", {"profile_id": world.student.pk}, content_type="application/json"),
        403,
        "child_protected",
    )
    assert "Чтобы защитить детей" in error["message"]
    assert_error(
        client_for(world.other_teacher).post(
            f"{API}/", {"title": "Кружок", "member_ids": [world.student.pk]}, content_type="application/json"
        ),
        403,
        "child_protected",
    )
    assert_error(
        client_for(world.student).post(f"{API}/{newspaper.pk}/invites/", {}, content_type="application/json"),
        403,
        "admins_only",
    )


def test_a_chat_one_is_not_in_does_not_exist(world: World, newspaper: Chat) -> None:
    message, _ = services.send_message(sender=world.teacher, chat_id=newspaper.pk, client_id=new_id(), text="Тайна")
    invite = services.create_invite(actor=world.teacher, chat_id=newspaper.pk)
    outsider = client_for(world.classmate)  # reachable for the teacher, but not in this chat
    json = {"content_type": "application/json"}
    attempts = [
        outsider.get(f"{API}/{newspaper.pk}/"),
        outsider.patch(f"{API}/{newspaper.pk}/", {"title": "Моя"}, **json),
        outsider.get(f"{API}/{newspaper.pk}/messages/"),
        outsider.get(f"{API}/{newspaper.pk}/messages/{message.pk}/"),
        outsider.post(f"{API}/{newspaper.pk}/messages/", {"client_id": str(uuid.uuid4()), "text": "Я тут"}, **json),
        outsider.patch(f"{API}/{newspaper.pk}/messages/{message.pk}/", {"text": "Взлом"}, **json),
        outsider.delete(f"{API}/{newspaper.pk}/messages/{message.pk}/"),
        outsider.post(f"{API}/{newspaper.pk}/messages/{message.pk}/report/", {}, **json),
        outsider.post(f"{API}/{newspaper.pk}/read/", {"seq": 1}, **json),
        outsider.post(f"{API}/{newspaper.pk}/members/", {"profile_ids": [world.classmate.pk]}, **json),
        outsider.delete(f"{API}/{newspaper.pk}/members/{world.student.pk}/"),
        outsider.post(f"{API}/{newspaper.pk}/leave/"),
        outsider.get(f"{API}/{newspaper.pk}/invites/"),
        outsider.delete(f"{API}/{newspaper.pk}/invites/{invite.pk}/"),
        outsider.get(f"{API}/{newspaper.pk}/invites/{invite.pk}/qr.svg"),
        outsider.get(f"{API}/987654/"),
    ]
    for response in attempts:
        assert_error(response, 404, "chat_not_found")
    assert outsider.get(f"{API}/search/?q=Тайна").json() == []
    assert Message.objects.get(pk=message.pk).text == "Тайна"
    assert not Membership.objects.filter(chat=newspaper, profile=world.classmate).exists()


def test_messages_send_retry_page_edit_delete_read(world: World, newspaper: Chat) -> None:
    student = client_for(world.student)
    client_id = str(uuid.uuid4())
    payload = {"client_id": client_id, "text": "Привет <b>всем</b> https://school5.ru"}
    first = student.post(f"{API}/{newspaper.pk}/messages/", payload, content_type="application/json")
    assert first.status_code == 201, first.content
    retry = student.post(f"{API}/{newspaper.pk}/messages/", payload, content_type="application/json")
    assert retry.status_code == 200 and body(retry)["id"] == body(first)["id"]
    message = body(first)
    assert message["seq"] == 1 and message["client_id"] == client_id
    assert message["html"].startswith('Привет &lt;b&gt;всем&lt;/b&gt; <a href="https://school5.ru"')
    teacher = client_for(world.teacher)
    assert body(teacher.get(f"{API}/"))[0]["unread"] == 1
    reply = teacher.post(
        f"{API}/{newspaper.pk}/messages/",
        {"client_id": str(uuid.uuid4()), "text": "Привет!", "reply_to_id": message["id"]},
        content_type="application/json",
    )
    assert body(reply)["reply_to"]["id"] == message["id"]
    page = body(teacher.get(f"{API}/{newspaper.pk}/messages/?limit=1"))
    assert [m["seq"] for m in page["messages"]] == [2] and page["has_more"] is True
    page = body(teacher.get(f"{API}/{newspaper.pk}/messages/?before=2"))
    assert [m["seq"] for m in page["messages"]] == [1] and page["has_more"] is False
    edited = student.patch(
        f"{API}/{newspaper.pk}/messages/{message['id']}/", {"text": "Привет всем"}, content_type="application/json"
    )
    assert body(edited)["edited_at"] is not None and body(edited)["text"] == "Привет всем"
    assert_error(
        teacher.patch(
            f"{API}/{newspaper.pk}/messages/{message['id']}/", {"text": "x"}, content_type="application/json"
        ),
        403,
        "not_own_message",
    )
    deleted = body(teacher.delete(f"{API}/{newspaper.pk}/messages/{message['id']}/"))  # an admin deletes any
    assert (deleted["is_deleted"], deleted["text"], deleted["html"]) == (True, "", "")
    read = student.post(f"{API}/{newspaper.pk}/read/", {"seq": 2}, content_type="application/json")
    assert body(read) == {"chat_id": newspaper.pk, "last_read_seq": 2}
    assert body(student.get(f"{API}/"))[0]["unread"] == 0


def test_send_with_files_multipart(world: World, newspaper: Chat) -> None:
    student = client_for(world.student)
    response = student.post(
        f"{API}/{newspaper.pk}/messages/upload/",
        {
            "client_id": str(uuid.uuid4()),
            "text": "Макет",
            "files": [
                _file("макет.png", png_bytes(), "image/png"),
                _file("статья.pdf", b"%PDF-1.7\n" + b"0" * 50, "application/pdf"),
            ],
        },
    )
    assert response.status_code == 201, response.content
    photo, document = body(response)["attachments"]
    assert (photo["kind"], photo["width"], photo["height"]) == ("image", 800, 400)
    assert photo["thumbnail_url"] and photo["url"].startswith("/attachments/")
    assert (document["kind"], document["name"], document["thumbnail_url"]) == ("file", "статья.pdf", None)
    refused = student.post(
        f"{API}/{newspaper.pk}/messages/upload/",
        {"client_id": str(uuid.uuid4()), "files": [_file("котик.jpg", WINDOWS_PROGRAM, "image/jpeg")]},
    )
    error = assert_error(refused, 415, "file_type_refused")
    assert "котик.jpg" in error["message"]


def _file(name: str, data: bytes, content_type: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def test_members_settings_roles_and_leaving(world: World, newspaper: Chat) -> None:
    teacher = client_for(world.teacher)
    added = teacher.post(
        f"{API}/{newspaper.pk}/members/", {"profile_ids": [world.classmate.pk]}, content_type="application/json"
    )
    assert {m["id"] for m in body(added)["members"]} == {world.teacher.pk, world.student.pk, world.classmate.pk}
    settings = teacher.patch(
        f"{API}/{newspaper.pk}/", {"title": "Газета 7Б", "is_closed": False}, content_type="application/json"
    )
    assert (body(settings)["title"], body(settings)["is_closed"]) == ("Газета 7Б", False)
    role = teacher.put(
        f"{API}/{newspaper.pk}/members/{world.student.pk}/role/", {"role": "admin"}, content_type="application/json"
    )
    assert {m["id"]: m["role"] for m in body(role)["members"]}[world.student.pk] == "admin"
    assert teacher.delete(f"{API}/{newspaper.pk}/members/{world.classmate.pk}/").status_code == 204
    assert client_for(world.student).post(f"{API}/{newspaper.pk}/leave/").status_code == 204
    assert list(Membership.objects.filter(chat=newspaper).values_list("profile_id", flat=True)) == [world.teacher.pk]


def test_invites_qr_preview_and_join(world: World, newspaper: Chat) -> None:
    teacher = client_for(world.teacher)
    created = teacher.post(f"{API}/{newspaper.pk}/invites/", {"max_uses": 5}, content_type="application/json")
    assert created.status_code == 201, created.content
    invite = body(created)
    assert invite["path"] == f"/join/{invite['token']}/" and invite["url"].endswith(invite["path"])
    assert (invite["status"], invite["uses"], invite["max_uses"]) == ("active", 0, 5)
    qr = teacher.get(invite["qr_url"])
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert qr.content.decode().lstrip().startswith("<svg") and "<path" in qr.content.decode()
    assert 'xmlns="http://www.w3.org/2000/svg"' in qr.content.decode()  # an <img> draws only a namespaced SVG
    assert [i["id"] for i in body(teacher.get(f"{API}/{newspaper.pk}/invites/"))] == [invite["id"]]
    classmate = client_for(world.classmate)
    preview = body(classmate.get(f"{API}/invites/{invite['token']}/"))
    assert preview == {"title": "Стенгазета", "member_count": 2, "status": "active", "is_member": False}
    joined = classmate.post(f"{API}/invites/{invite['token']}/join/")
    assert joined.status_code == 201 and body(joined)["id"] == newspaper.pk
    assert classmate.post(f"{API}/invites/{invite['token']}/join/").status_code == 200
    revoked = teacher.delete(f"{API}/{newspaper.pk}/invites/{invite['id']}/")
    assert body(revoked)["status"] == "revoked"
    assert_error(client_for(world.parent).post(f"{API}/invites/{invite['token']}/join/"), 410, "invite_revoked")
    assert_error(client_for(world.parent).get(f"{API}/invites/nope/"), 404, "invite_not_found")


def test_direct_chat_open_twice(world: World) -> None:
    teacher = client_for(world.teacher)
    first = teacher.post(f"{API}/direct/", {"profile_id": world.parent.pk}, content_type="application/json")
    second = teacher.post(f"{API}/direct/", {"profile_id": world.parent.pk}, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert body(first)["id"] == body(second)["id"]
    assert body(first)["title"] == "Петров Иван" and body(first)["peer"]["id"] == world.parent.pk
    assert body(first)["permissions"]["invite"] is False


def test_search_api(world: World, newspaper: Chat) -> None:
    services.send_message(sender=world.teacher, chat_id=newspaper.pk, client_id=new_id(), text="Стенгазета готова")
    hits = body(client_for(world.student).get(f"{API}/search/", {"q": "стенгазет"}))
    assert [(h["chat_title"], h["message"]["text"]) for h in hits] == [("Стенгазета", "Стенгазета готова")]
    assert_error(client_for(world.student).get(f"{API}/search/", {"q": "с"}), 400, "query_too_short")


def test_report_goes_to_the_schools_admins(world: World, newspaper: Chat) -> None:
    message, _ = services.send_message(sender=world.teacher, chat_id=newspaper.pk, client_id=new_id(), text="Грубость")
    student = client_for(world.student)
    response = student.post(
        f"{API}/{newspaper.pk}/messages/{message.pk}/report/", {"reason": "Обидно"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    report = Report.objects.get()
    assert (report.organization_id, report.text_snapshot, report.reason) == (world.school.pk, "Грубость", "Обидно")
    services.delete_message(actor=world.teacher, chat_id=newspaper.pk, message_id=message.pk)
    listed = body(client_for(world.admin).get(f"{API}/reports/"))
    assert [(r["text"], r["reason"], r["reporter"]["id"], r["sender"]["id"]) for r in listed] == [
        ("Грубость", "Обидно", world.student.pk, world.teacher.pk)
    ]
    assert_error(client_for(world.teacher).get(f"{API}/reports/"), 403, "not_org_admin")
    assert_error(client_for(world.other_teacher).post(f"{API}/reports/{report.pk}/resolve/"), 404, "report_not_found")
    resolved = body(client_for(world.admin).post(f"{API}/reports/{report.pk}/resolve/"))
    assert resolved["resolved_at"] is not None
    assert body(client_for(world.admin).get(f"{API}/reports/")) == []
    assert_error(
        client_for(world.teacher).post(
            f"{API}/{newspaper.pk}/messages/{message.pk}/report/", {}, content_type="application/json"
        ),
        409,
        "message_deleted",
    )


def test_openapi_documents_the_shapes(db: None) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/chats/{chat_id}/messages/upload/" in paths
    send = paths["/api/v1/chats/{chat_id}/messages/"]["post"]["responses"]
    assert send["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/MessageOut")
    assert send["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    assert (
        "image/svg+xml"
        in paths["/api/v1/chats/{chat_id}/invites/{invite_id}/qr.svg"]["get"]["responses"]["200"]["content"]
    )
    assert {"ChatOut", "ChatDetailOut", "MessageOut", "InviteOut", "ReportOut"} <= set(schema["components"]["schemas"])


def _chats_for(world: World, count: int) -> None:
    for n in range(count):
        chat = services.create_chat(creator=world.teacher, title=f"Чат {n}", member_ids=[world.student.pk])
        services.send_message(sender=world.teacher, chat_id=chat.pk, client_id=new_id(), text=f"Новость {n}")
        photo = _file("фото.png", png_bytes((40, 40)), "image/png")
        services.send_message(sender=world.teacher, chat_id=chat.pk, client_id=new_id(), files=[photo])
    services.open_direct_chat(actor=world.student, profile_id=world.teacher.pk if count < 3 else world.classmate.pk)


def test_chat_list_query_count_is_pinned(world: World, django_assert_num_queries: Any) -> None:
    _chats_for(world, 4)
    with django_assert_num_queries(3):  # memberships with counts; last messages; direct chats' other people
        views = selectors.list_chats(world.student)
    assert len(views) == 5 and all(v.last_message is not None or v.chat.kind == "direct" for v in views)


def test_chat_list_queries_do_not_grow_with_chats(world: World) -> None:
    student = client_for(world.student)
    _chats_for(world, 2)
    student.get(f"{API}/")  # the first request of a session also records the device
    with CaptureQueriesContext(connection) as few:
        assert len(body(student.get(f"{API}/"))) == 3
    _chats_for(world, 6)
    with CaptureQueriesContext(connection) as many:
        assert len(body(student.get(f"{API}/"))) == 10
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_a_plain_member_sees_no_invites_of_others(world: World) -> None:
    chat = services.create_chat(
        creator=world.teacher, title="Клуб", member_ids=[world.student.pk, world.classmate.pk], is_closed=False
    )
    services.create_invite(actor=world.teacher, chat_id=chat.pk)
    own = services.create_invite(actor=world.student, chat_id=chat.pk)
    assert [i["id"] for i in body(client_for(world.student).get(f"{API}/{chat.pk}/invites/"))] == [own.pk]
    others = InviteLink.objects.exclude(pk=own.pk).get()
    assert_error(
        client_for(world.classmate).get(f"{API}/{chat.pk}/invites/{others.pk}/qr.svg"), 404, "invite_not_found"
    )


def test_multipart_without_files_sends_text(world: World, newspaper: Chat) -> None:
    response = client_for(world.student).post(
        f"{API}/{newspaper.pk}/messages/upload/", {"client_id": str(uuid.uuid4()), "text": "Только текст"}
    )
    assert response.status_code == 201, response.content
    assert (body(response)["text"], body(response)["attachments"]) == ("Только текст", [])
    empty = client_for(world.student).post(f"{API}/{newspaper.pk}/messages/upload/", {"client_id": str(uuid.uuid4())})
    assert_error(empty, 400, "empty_message")
