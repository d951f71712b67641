"""POST and GET /integration/v1/calls: an online lesson for a journal's lesson (V1), one live lesson per teacher even
under concurrent requests (V10), refusals that leave nothing behind, attendance for the journal when it ends (B2)."""

# covers: V1, V9, V10, B2

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from parta.messenger.calls import services
from parta.messenger.calls.janus import JanusServer, VideoRoom
from parta.messenger.calls.models import Call, CallStatus
from parta.messenger.calls.selectors import CallActor
from parta.messenger.chats.models import Chat, ChatKind, Membership
from parta.messenger.integration.models import WebhookDelivery
from parta.messenger.realtime.models import Event
from tests.messenger.calls.helpers import World, api, browser, ok
from tests.messenger.integration.helpers import call, new_profile, person_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _messenger_url(settings: Any) -> None:
    settings.MESSENGER_URL = "http://messenger.test"


@pytest.fixture
def world(db: None) -> World:
    return World()


def members(chat_id: int) -> dict[int, str]:
    return dict(Membership.objects.filter(chat_id=chat_id).values_list("profile_id", "role"))


def test_a_lesson_call_has_a_call_chat_with_the_teacher_and_the_class_and_a_janus_room(
    world: World, janus: JanusServer
) -> None:
    body = world.created(lesson_id="L1")

    call_row = Call.objects.get(public_id=body["call_id"])
    assert body["url"] == f"http://messenger.test/calls/{call_row.public_id}/"
    assert body["status"] == "live" and body["attendance"] == [] and body["ended_at"] is None
    p = {key: profile.pk for key, profile in world.people.items()}
    assert call_row.created_by_id == p["t3"]
    assert call_row.chat.kind == ChatKind.CALL and call_row.chat.title == "7Б — Математика, 2-й урок"
    assert members(call_row.chat_id) == {p["t3"]: "admin", p["st1"]: "member", p["st2"]: "member"}
    with VideoRoom(janus) as room:
        assert call_row.room_id is not None and room.exists(room_id=call_row.room_id)
    started = Event.objects.filter(type="call.started", profile_id=p["st1"]).get()
    assert started.payload["call_id"] == body["call_id"]


def test_asking_again_for_the_same_lesson_answers_the_same_call(world: World, janus: JanusServer) -> None:
    first = world.created(lesson_id="L1")
    again = world.created(lesson_id="L1")

    assert first == again
    assert Call.objects.count() == 1 and Chat.objects.filter(kind=ChatKind.CALL).count() == 1
    assert call(world.client, "GET", f"/calls/{first['call_id']}", world.server).json() == first


def test_the_teacher_cannot_start_another_lesson_until_the_live_one_has_ended(world: World, janus: JanusServer) -> None:
    first = world.created(lesson_id="L1", title="7Б — Математика, 1-й урок")

    response = world.create(lesson_id="L2", title="7Б — Математика, 2-й урок")

    assert response.status_code == 409
    assert response.json()["code"] == "call_in_progress"
    assert response.json()["message"] == "Пока не завершено занятие «7Б — Математика, 1-й урок», новое начать нельзя."
    assert Call.objects.count() == 1 and Chat.objects.filter(kind=ChatKind.CALL).count() == 1
    teacher = browser(world.people["t3"])
    ok(api(teacher, "POST", f"{first['call_id']}/end"))
    assert world.create(lesson_id="L2").status_code == 200


def test_the_teacher_must_have_linked_a_profile(world: World, janus: JanusServer) -> None:
    response = call(
        world.client, "POST", "/calls", world.server, world.lesson(teacher_id="t-never-linked", class_id="c7b")
    )

    assert response.status_code == 409
    assert response.json()["code"] == "teacher_not_linked"
    assert "Привяжите" in response.json()["message"] or "привяж" in response.json()["message"].lower()
    assert not Call.objects.exists()


def test_unknown_school_and_class_and_an_over_lesson_are_refused(world: World, janus: JanusServer) -> None:
    assert world.create(school_id="nope").json()["code"] == "unknown_school"
    unknown_class = world.create(class_id="c9z")
    assert (unknown_class.status_code, unknown_class.json()["code"]) == (404, "unknown_reference")
    over = world.create(starts_in=-dt.timedelta(hours=3))
    assert (over.status_code, over.json()["code"]) == (409, "lesson_over")
    assert not Call.objects.exists() and not Chat.objects.filter(kind=ChatKind.CALL).exists()


def test_no_reachable_janus_is_503_and_leaves_nothing_behind(world: World, settings: Any) -> None:
    settings.CALLS_JANUS_SERVERS = [
        {"name": "gone", "url": "http://127.0.0.1:9/janus", "admin_key": "k", "token_secret": "s"}
    ]
    response = world.create()

    assert response.status_code == 503
    assert response.json()["code"] == "calls_unavailable"
    assert response.json()["message"] == "Звонки сейчас недоступны. Попробуйте ещё раз через несколько минут."
    assert not Call.objects.exists() and not Chat.objects.filter(kind=ChatKind.CALL).exists()
    assert (
        not Event.objects.filter(type__in=["call.started", "membership.added"])
        .filter(payload__chat__kind="call")
        .exists()
    )

    settings.CALLS_JANUS_SERVERS = []
    assert world.create().json()["code"] == "calls_unavailable"


def test_a_persons_token_cannot_create_lessons(world: World, janus: JanusServer) -> None:
    token = person_token(new_profile("Гость", "Гость"), world.journal)
    response = call(world.client, "POST", "/calls", token, world.lesson())
    assert (response.status_code, response.json()["code"]) == (403, "server_token_required")


def test_another_journals_call_is_not_found(world: World, janus: JanusServer) -> None:
    body = world.created()
    response = call(world.client, "GET", "/calls/00000000-0000-0000-0000-000000000000", world.server)
    assert response.status_code == 404
    assert call(world.client, "GET", "/calls/not-a-uuid", world.server).status_code == 404
    assert call(world.client, "GET", f"/calls/{body['call_id']}", world.server).status_code == 200


def test_the_end_sends_the_journal_attendance_of_those_who_joined(
    world: World, janus: JanusServer, django_capture_on_commit_callbacks: Any
) -> None:
    body = world.created(starts_in=dt.timedelta(minutes=-1))
    call_id = body["call_id"]
    for key in ("t3", "st1"):
        person = browser(world.people[key])
        ticket = ok(api(person, "POST", f"{call_id}/join", {}))
        ok(api(person, "POST", f"{call_id}/joined", {"feed_id": ticket["feed_id"]}))
    ok(api(browser(world.people["st1"]), "POST", f"{call_id}/leave"), 204)

    with django_capture_on_commit_callbacks(execute=True):
        state = ok(api(browser(world.people["t3"]), "POST", f"{call_id}/end"))

    assert state["status"] == "ended"
    delivery = WebhookDelivery.objects.get(type="call.ended")
    event = json.loads(delivery.body)
    data = event["data"]
    lesson_id = Call.objects.get(public_id=call_id).lesson_external_id
    assert (data["call_id"], data["school_id"], data["lesson_id"], data["end_reason"]) == (
        call_id,
        "s1",
        lesson_id,
        "admin",
    )
    by_person = {row["person_id"]: row for row in data["attendance"]}
    assert set(by_person) == {"t3", "st1"}  # Маша (st2) never joined: not in the list
    assert by_person["st1"]["last_left_at"] is not None and by_person["st1"]["seconds"] >= 0
    ref = call(world.client, "GET", f"/calls/{call_id}", world.server).json()
    assert ref["status"] == "ended" and {row["person_id"] for row in ref["attendance"]} == {"t3", "st1"}
    with VideoRoom(janus) as room:
        assert not room.exists(room_id=Call.objects.get(public_id=call_id).room_id or 0)


def test_housekeeping_ends_a_lesson_past_its_time(world: World, janus: JanusServer, settings: Any) -> None:
    body = world.created()
    Call.objects.filter(public_id=body["call_id"]).update(
        ends_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=settings.CALLS_GRACE_SECONDS + 5)
    )

    result = services.housekeeping()

    assert result.ended == [body["call_id"]]
    ended = Call.objects.get(public_id=body["call_id"])
    assert (ended.status, ended.end_reason) == (CallStatus.ENDED, "time")
    assert WebhookDelivery.objects.filter(type="call.ended").count() == 1
    assert services.housekeeping().ended == []


def test_a_class_student_who_links_later_may_join_and_enters_the_call_chat(world: World, janus: JanusServer) -> None:
    body = world.created(starts_in=dt.timedelta(minutes=-1))
    call_row = Call.objects.get(public_id=body["call_id"])
    st1 = world.people["st1"]
    Membership.objects.filter(chat=call_row.chat, profile=st1).delete()  # as if Петя linked after the call was made

    ticket = services.join_ticket(actor=CallActor(profile=st1), call_id=body["call_id"]).ticket

    assert ticket.participant_id and Membership.objects.filter(chat=call_row.chat, profile=st1).exists()
