"""Messages (C6): numbering, idempotent sends, replies, edit, soft delete, read state and unread counts, events."""

# covers: C6

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parta.messenger.chats import selectors, services
from parta.messenger.chats.models import Attachment, Chat, Membership, Message
from tests.messenger.chats.helpers import clear_events, events, new_id, payloads, recipients, refused
from tests.messenger.chats.test_uploads import png_bytes
from tests.messenger.orgs.builders import World


@pytest.fixture
def chat(world: World) -> Chat:
    return services.create_chat(
        creator=world.teacher, title="Стенгазета", member_ids=[world.student.pk, world.classmate.pk]
    )


def send(profile: object, chat: Chat, text: str = "Привет", **kwargs: object) -> Message:
    message, _created = services.send_message(sender=profile, chat_id=chat.pk, client_id=new_id(), text=text, **kwargs)  # type: ignore[arg-type]
    return message


def test_messages_are_numbered_in_order_and_move_the_chat(world: World, chat: Chat) -> None:
    sent = [send(who, chat, f"#{n}") for n, who in enumerate([world.teacher, world.student, world.teacher], 1)]
    assert [m.seq for m in sent] == [1, 2, 3]
    chat.refresh_from_db()
    assert chat.last_seq == 3
    assert chat.last_message_at == sent[-1].created_at
    # sending marks the chat read for the sender
    assert Membership.objects.get(chat=chat, profile=world.teacher).last_read_seq == 3
    assert Membership.objects.get(chat=chat, profile=world.student).last_read_seq == 2


def test_text_is_stored_as_typed_and_rendered_safely(world: World, chat: Chat) -> None:
    message = send(world.teacher, chat, "  <b>Важно</b>\nсм. https://school5.ru  ")
    assert message.text == "  <b>Важно</b>\nсм. https://school5.ru  "
    out = selectors.get_message(chat_id=chat.pk, message_id=message.pk)
    from parta.messenger.chats.schemas import message_out

    html = message_out(out).html
    assert "&lt;b&gt;Важно&lt;/b&gt;<br>" in html
    assert '<a href="https://school5.ru" target="_blank" rel="noopener noreferrer nofollow">' in html


def test_a_retried_send_returns_the_same_message(world: World, chat: Chat) -> None:
    client_id = new_id()
    first, created = services.send_message(sender=world.student, chat_id=chat.pk, client_id=client_id, text="Раз")
    again, created_again = services.send_message(sender=world.student, chat_id=chat.pk, client_id=client_id, text="Раз")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Message.objects.filter(chat=chat).count() == 1
    assert len(events("message.new", profile=world.teacher)) == 1  # no second event either
    other = services.create_chat(creator=world.teacher, title="Другой", member_ids=[world.student.pk])
    with refused("client_id_conflict", 409):
        services.send_message(sender=world.student, chat_id=other.pk, client_id=client_id, text="Раз")


def test_another_sender_may_use_the_same_client_id(world: World, chat: Chat) -> None:
    client_id = new_id()
    a, _ = services.send_message(sender=world.student, chat_id=chat.pk, client_id=client_id, text="Я")
    b, created = services.send_message(sender=world.classmate, chat_id=chat.pk, client_id=client_id, text="И я")
    assert created and a.pk != b.pk


def test_reply_must_be_in_the_same_chat(world: World, chat: Chat) -> None:
    original = send(world.teacher, chat, "Кто пишет статью?")
    reply = send(world.student, chat, "Я!", reply_to_id=original.pk)
    assert reply.reply_to_id == original.pk
    other = services.create_chat(creator=world.teacher, title="Другой", member_ids=[world.student.pk])
    elsewhere = send(world.teacher, other, "Там")
    with refused("reply_not_found"):
        send(world.student, chat, "Сюда", reply_to_id=elsewhere.pk)


def test_empty_messages_and_strangers_refused(world: World, chat: Chat) -> None:
    with refused("empty_message"):
        send(world.student, chat, "   \n ")
    with refused("chat_not_found", 404):
        send(world.other_teacher, chat, "Можно к вам?")
    with refused("text_too_long"):
        send(world.student, chat, "я" * 10_001)


def test_new_message_event_reaches_every_member_with_the_message(world: World, chat: Chat) -> None:
    clear_events()
    message = send(world.student, chat, "Готово!")
    new = payloads("message.new")
    assert set(new) == {world.teacher.pk, world.student.pk, world.classmate.pk}
    payload = new[world.teacher.pk]
    assert payload["chat_id"] == chat.pk
    assert payload["message"]["id"] == message.pk
    assert payload["message"]["seq"] == 1
    assert payload["message"]["client_id"] == str(message.client_id)
    assert payload["message"]["sender"] == {"id": world.student.pk, "name": "Петров Петя", "short_name": "Петя Петров"}
    assert payload["message"]["text"] == "Готово!"
    assert payload["message"]["is_deleted"] is False


def test_edit_own_message_only(world: World, chat: Chat) -> None:
    message = send(world.student, chat, "Опечтка")
    clear_events()
    edited = services.edit_message(editor=world.student, chat_id=chat.pk, message_id=message.pk, text="Опечатка")
    assert edited.text == "Опечатка" and edited.edited_at is not None
    assert recipients("message.edited") == {world.teacher.pk, world.student.pk, world.classmate.pk}
    assert payloads("message.edited")[world.classmate.pk]["message"]["text"] == "Опечатка"
    with refused("not_own_message", 403):
        services.edit_message(editor=world.teacher, chat_id=chat.pk, message_id=message.pk, text="Исправил")
    with refused("message_not_found", 404):
        services.edit_message(editor=world.student, chat_id=chat.pk, message_id=987654, text="?")


def test_delete_is_soft_and_tells_everyone(
    world: World, chat: Chat, _media_in_tmp: Path, django_capture_on_commit_callbacks: Any
) -> None:
    photo = SimpleUploadedFile("газета.png", png_bytes(), content_type="image/png")
    message, _ = services.send_message(
        sender=world.student, chat_id=chat.pk, client_id=new_id(), text="Макет", files=[photo]
    )
    attachment = message.attachments.get()
    stored = [Path(_media_in_tmp) / attachment.file.name, Path(_media_in_tmp) / attachment.thumbnail.name]
    assert all(path.exists() for path in stored)
    clear_events()
    with refused("not_own_message", 403):
        services.delete_message(actor=world.classmate, chat_id=chat.pk, message_id=message.pk)
    with django_capture_on_commit_callbacks(execute=True):  # the files go after commit
        deleted = services.delete_message(actor=world.student, chat_id=chat.pk, message_id=message.pk)
    assert deleted.text == "" and deleted.deleted_at is not None
    assert Message.objects.filter(pk=message.pk).exists()  # keeps its place: «Сообщение удалено»
    assert not Attachment.objects.filter(message=message).exists()
    assert not any(path.exists() for path in stored)
    assert payloads("message.deleted") == {
        pid: {"chat_id": chat.pk, "message_id": message.pk, "seq": message.seq}
        for pid in (world.teacher.pk, world.student.pk, world.classmate.pk)
    }
    clear_events()
    services.delete_message(actor=world.student, chat_id=chat.pk, message_id=message.pk)
    assert events() == []  # deleting twice changes nothing


def test_chat_admins_delete_any_message(world: World, chat: Chat) -> None:
    message = send(world.student, chat, "Спам")
    assert services.delete_message(actor=world.teacher, chat_id=chat.pk, message_id=message.pk).deleted_at


def test_unread_counts_others_messages_after_the_read_mark(world: World, chat: Chat) -> None:
    send(world.teacher, chat, "1")
    send(world.teacher, chat, "2")
    mine = send(world.student, chat, "3")  # marks read up to 3 for the student
    send(world.teacher, chat, "4")
    spam = send(world.classmate, chat, "5")
    services.delete_message(actor=world.classmate, chat_id=chat.pk, message_id=spam.pk)
    unread = {view.chat.pk: view.unread for view in selectors.list_chats(world.student)}
    assert unread[chat.pk] == 1  # only «4»: own messages and deleted ones do not count
    assert mine.seq == 3
    # the teacher's «4» marked 1–4 read for the teacher; the deleted «5» does not count
    assert selectors.get_chat(world.teacher, chat.pk).unread == 0


def test_mark_read_moves_forward_only_and_tells_the_readers_devices(world: World, chat: Chat) -> None:
    for n in range(3):
        send(world.teacher, chat, str(n))
    clear_events()
    assert services.mark_read(profile=world.student, chat_id=chat.pk, seq=2) == 2
    assert payloads("chat.read") == {world.student.pk: {"chat_id": chat.pk, "last_read_seq": 2}}
    assert services.mark_read(profile=world.student, chat_id=chat.pk, seq=1) == 2  # never back
    assert services.mark_read(profile=world.student, chat_id=chat.pk, seq=99) == 3  # never past the last
    assert len(events("chat.read")) == 2
    assert selectors.get_chat(world.student, chat.pk).unread == 0


def test_history_pages_by_seq(world: World, chat: Chat) -> None:
    for n in range(1, 8):
        send(world.teacher, chat, str(n))
    page, more = selectors.list_messages(chat_id=chat.pk, limit=3)
    assert ([m.seq for m in page], more) == ([5, 6, 7], True)
    page, more = selectors.list_messages(chat_id=chat.pk, before=5, limit=3)
    assert ([m.seq for m in page], more) == ([2, 3, 4], True)
    page, more = selectors.list_messages(chat_id=chat.pk, before=2, limit=3)
    assert ([m.seq for m in page], more) == ([1], False)
    page, more = selectors.list_messages(chat_id=chat.pk, after=5, limit=3)
    assert ([m.seq for m in page], more) == ([6, 7], False)
    page, _ = selectors.list_messages(chat_id=chat.pk, limit=1000)
    assert len(page) == 7  # the limit is capped at 100, not refused


def test_chat_list_is_ordered_by_activity_with_previews(world: World, chat: Chat) -> None:
    quiet = services.create_chat(creator=world.teacher, title="Тихий", member_ids=[world.student.pk])
    send(world.teacher, chat, "Свежая новость " + "!" * 300)
    views = selectors.list_chats(world.student)
    assert [v.chat.pk for v in views] == [chat.pk, quiet.pk]
    from parta.messenger.chats.schemas import chat_out

    first = chat_out(views[0])
    assert first.last_message is not None and first.last_message.text.startswith("Свежая новость")
    assert len(first.last_message.text) == 200  # a preview, not the whole text
    assert (first.member_count, first.my_role, first.unread) == (3, "member", 1)
    send(world.student, quiet, "Эй")
    assert [v.chat.pk for v in selectors.list_chats(world.student)] == [quiet.pk, chat.pk]


def test_newcomers_read_the_history_but_owe_no_unread(world: World, chat: Chat) -> None:
    for n in range(3):
        send(world.teacher, chat, str(n))
    services.add_members(actor=world.teacher, chat_id=chat.pk, profile_ids=[world.other_class_student.pk])
    assert selectors.get_chat(world.other_class_student, chat.pk).unread == 0
    page, _ = selectors.list_messages(chat_id=chat.pk)
    assert len(page) == 3  # the history is there to read
    send(world.teacher, chat, "Добро пожаловать")
    assert selectors.get_chat(world.other_class_student, chat.pk).unread == 1
