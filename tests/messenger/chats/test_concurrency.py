"""Concurrent sends on PostgreSQL (C6): real threads, real transactions, the row lock and the unique constraints."""

# covers: C6

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from parta.messenger.chats import services
from parta.messenger.chats.errors import ChatRefusal
from parta.messenger.chats.models import Chat, Message
from parta.messenger.realtime.models import Event
from tests.messenger.concurrency import at_once
from tests.messenger.orgs.builders import World

pytestmark = [
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks and concurrent writers: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_two_concurrent_sends_with_one_client_id_store_one_message(world: World) -> None:
    chat = services.create_chat(creator=world.teacher, title="Стенгазета", member_ids=[world.student.pk])
    client_id = uuid.uuid4()

    def send() -> tuple[int, bool]:
        message, created = services.send_message(sender=world.student, chat_id=chat.pk, client_id=client_id, text="Раз")
        return message.pk, created

    for _ in range(5):  # a few rounds: the race must be won the same way every time
        results = at_once([send, send])
        assert all(isinstance(r, tuple) for r in results), results
        assert results[0][0] == results[1][0]
        assert sorted(created for _pk, created in results) == [False, True]
        client_id = uuid.uuid4()
    assert Message.objects.filter(chat=chat).count() == 5
    assert Event.objects.filter(type="message.new", profile=world.teacher).count() == 5


def test_the_same_client_id_in_two_chats_at_once_is_one_message_and_one_conflict(world: World) -> None:
    first = services.create_chat(creator=world.teacher, title="Раз", member_ids=[world.student.pk])
    second = services.create_chat(creator=world.teacher, title="Два", member_ids=[world.student.pk])
    client_id = uuid.uuid4()

    def send_to(chat: Chat) -> Callable[[], int]:
        return lambda: services.send_message(sender=world.student, chat_id=chat.pk, client_id=client_id, text="?")[0].pk

    results = at_once([send_to(first), send_to(second)])
    conflicts = [r for r in results if isinstance(r, ChatRefusal)]
    assert len(conflicts) == 1 and conflicts[0].code == "client_id_conflict", results
    assert Message.objects.filter(sender=world.student, client_id=client_id).count() == 1


def test_concurrent_senders_get_consecutive_seqs(world: World) -> None:
    chat = services.create_chat(
        creator=world.teacher, title="Стенгазета", member_ids=[world.student.pk, world.classmate.pk]
    )
    senders = [world.teacher, world.student, world.classmate] * 4

    def sender(profile: Any) -> Callable[[], int]:
        return lambda: services.send_message(sender=profile, chat_id=chat.pk, client_id=uuid.uuid4(), text="!")[0].seq

    results = at_once([sender(p) for p in senders])
    assert sorted(results) == list(range(1, len(senders) + 1)), results
    chat.refresh_from_db()
    assert chat.last_seq == len(senders)
    assert connection.vendor == "postgresql"
