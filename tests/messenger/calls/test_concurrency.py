"""Lesson calls created at the same moment on PostgreSQL (V10): real threads, real transactions, the partial unique
constraints deciding — one live lesson per teacher, one call per lesson — with nothing left behind by the loser."""

# covers: V1, V10

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from parta.messenger.calls.janus import JanusServer
from parta.messenger.calls.models import Call
from parta.messenger.chats.models import Chat, ChatKind
from tests.messenger.calls.helpers import World, lesson_request
from tests.messenger.concurrency import at_once
from tests.messenger.integration.helpers import call

pytestmark = [
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent writers: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def world(settings: Any) -> World:
    settings.MESSENGER_URL = "http://messenger.test"
    return World()


def creator(world: World, body: dict[str, Any]) -> Callable[[], tuple[int, dict[str, Any]]]:
    def create() -> tuple[int, dict[str, Any]]:
        response = call(Client(), "POST", "/calls", world.server, body)
        return response.status_code, response.json()

    return create


def test_two_lessons_of_one_teacher_at_once_make_one_call_and_one_refusal(world: World, janus: JanusServer) -> None:
    for round_ in range(3):
        first = lesson_request(lesson_id=f"A{round_}", title=f"Урок A{round_}")
        second = lesson_request(lesson_id=f"B{round_}", title=f"Урок B{round_}")

        results = at_once([creator(world, first), creator(world, second)])

        assert all(isinstance(result, tuple) for result in results), results
        assert sorted(status for status, _ in results) == [200, 409], results
        refusal = next(body for status, body in results if status == 409)
        made = next(body for status, body in results if status == 200)
        winner = Call.objects.get(public_id=made["call_id"])
        assert refusal["code"] == "call_in_progress"
        assert refusal["message"] == f"Пока не завершено занятие «{winner.title}», новое начать нельзя."
        assert Call.objects.filter(status="live").count() == 1
        assert Chat.objects.filter(kind=ChatKind.CALL).count() == round_ + 1  # the loser's chat rolled back
        Call.objects.filter(pk=winner.pk).update(status="ended")
    assert connection.vendor == "postgresql"


def test_the_same_lesson_asked_twice_at_once_is_one_call(world: World, janus: JanusServer) -> None:
    body = lesson_request(lesson_id="L1")

    results = at_once([creator(world, body), creator(world, body)])

    assert [status for status, _ in results] == [200, 200], results
    assert results[0][1]["call_id"] == results[1][1]["call_id"]
    assert Call.objects.count() == 1 and Chat.objects.filter(kind=ChatKind.CALL).count() == 1
