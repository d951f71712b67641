# covers: issue 9 item 2 (the journal calls the messenger through a typed client), L1, L6, C3, V1, B2
"""messenger_link.client: one typed function per API use; a failure is only ever Unavailable or Refused."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from parta.common.integration.schemas import LessonCallRequest, LinkRequest, LinkRole, PersonName, SubjectChatRequest
from parta.journal.messenger_link import client
from parta.journal.messenger_link.client import Config, Refused, Unavailable
from tests.journal.messenger_link.fake_messenger import PERSON_TOKEN, FakeMessenger

API = "/integration/v1"
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def chat(**extra: Any) -> dict[str, Any]:
    return {"chat_id": 5, "name": "5А — Математика", "url": "http://m/chats/5/", "school_id": "1", "class_id": "2",
            "subject_id": "3", **extra}  # fmt: skip


def call_request() -> LessonCallRequest:
    return LessonCallRequest(
        school_id="1", lesson_id="9", class_id="2", subject_name="Математика", teacher_id="7",
        title="7Б — Математика", starts_at=NOW, ends_at=NOW + dt.timedelta(minutes=45),
    )  # fmt: skip


def test_roster_and_subject_chats_of_the_outbox_come_back_typed(messenger: FakeMessenger) -> None:
    config = Config.from_settings()
    messenger.script("POST", f"{API}/subject-chats", (200, chat()))
    messenger.script("POST", f"{API}/roster", (200, {"school_id": "1", "applied_sequence": 1}))
    request = SubjectChatRequest(school_id="1", class_id="2", subject_id="3", teacher_id="7")

    made = client.create_subject_chat(config, request=request, idempotency_key="k1")
    applied = client.send_roster(config, batch={"sequence": 1}, idempotency_key="k2")

    assert (made.chat_id, made.url) == (5, "http://m/chats/5/")
    assert messenger.calls("POST", f"{API}/subject-chats")[0].headers["idempotency-key"] == "k1"
    assert applied.school_id == "1" and applied.applied_sequence == 1


@pytest.mark.parametrize("answer", [(200, {"chat": 5}), (200, b"<html>not json</html>"), (200, None)])
def test_an_answer_that_is_not_what_the_api_promises_is_unavailable(
    messenger: FakeMessenger, answer: tuple[int, Any]
) -> None:
    messenger.script("POST", f"{API}/subject-chats", answer)
    request = SubjectChatRequest(school_id="1", class_id="2", subject_id="3", teacher_id="7")

    with pytest.raises(Unavailable):
        client.create_subject_chat(Config.from_settings(), request=request, idempotency_key="k")


def test_the_list_of_subject_chats_is_read_as_a_list_or_a_page(messenger: FakeMessenger) -> None:
    config = Config.from_settings()
    messenger.script("GET", f"{API}/subject-chats", (200, [chat()]), (200, {"items": [chat(chat_id=6)]}))
    messenger.script("GET", f"{API}/subject-chats", (200, [{"chat_id": "not a number"}]))

    first = asyncio.run(client.alist_subject_chats(config, school_id="1"))
    second = asyncio.run(client.alist_subject_chats(config, school_id="1"))

    assert [c.chat_id for c in first] == [5] and [c.chat_id for c in second] == [6]
    assert messenger.calls("GET", f"{API}/subject-chats")[0].query == {"school_id": ["1"]}
    with pytest.raises(Unavailable):
        asyncio.run(client.alist_subject_chats(config, school_id="1"))


def test_a_refusal_carries_the_messengers_error(messenger: FakeMessenger) -> None:
    refusal = {"code": "teacher_not_linked", "message": "Учитель не привязан.", "help_url": None}
    messenger.script("POST", f"{API}/calls", (409, refusal), (503, None))
    config = Config.from_settings()

    with pytest.raises(Refused) as refused:
        asyncio.run(client.acreate_lesson_call(config, request=call_request()))
    with pytest.raises(Unavailable):
        asyncio.run(client.acreate_lesson_call(config, request=call_request()))

    assert (refused.value.status, refused.value.error.code) == (409, "teacher_not_linked")
    assert refused.value.error.message == "Учитель не привязан."


def test_a_call_is_read_by_its_id_quoted(messenger: FakeMessenger) -> None:
    answer = {"call_id": "a/b", "url": "http://m/calls/x/", "status": "ended", "starts_at": NOW.isoformat(),
              "ends_at": NOW.isoformat(), "ended_at": NOW.isoformat()}  # fmt: skip
    messenger.script("GET", f"{API}/calls/a%2Fb", (200, answer))

    call = asyncio.run(client.aget_lesson_call(Config.from_settings(), call_id="a/b"))

    assert (call.call_id, call.status, call.ended_at) == ("a/b", "ended", NOW)


def test_linking_and_unlinking(messenger: FakeMessenger) -> None:
    config = Config.from_settings()
    role = LinkRole(kind="student", school_id="1", class_id="2")
    request = LinkRequest(person_id="7", name=PersonName(last_name="Иванов", first_name="Пётр"), roles=[role])
    messenger.script("POST", f"{API}/link", (200, b"{broken"))

    with pytest.raises(Unavailable):
        asyncio.run(client.alink(config, access_token=PERSON_TOKEN, request=request))
    result = asyncio.run(client.alink(config, access_token=PERSON_TOKEN, request=request))
    asyncio.run(client.aunlink(config, person_id="7"))

    assert result.chats_url == f"{messenger.url}/chats/"
    assert messenger.calls("POST", f"{API}/link")[-1].headers["authorization"] == f"Bearer {PERSON_TOKEN}"
    assert messenger.calls("DELETE", f"{API}/link")[0].query == {"person_id": ["7"]}


def test_nothing_listening_is_unavailable(messenger: FakeMessenger) -> None:
    messenger.stop()
    with pytest.raises(Unavailable):
        asyncio.run(client.aunlink(Config.from_settings(), person_id="7"))
