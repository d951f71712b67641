"""/api/v1/calls/…: calls in chats (V4), joining a lesson from its time (V2, V3), guests by link, the organizer's
controls — screen permission, hands, mutes, removal, ending for everyone (V5, V8, V9) — checked against a real
Janus: what the messenger says is what the media server does."""

# covers: V2, V3, V4, V5, V8, V9

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from parta.messenger.calls.janus import JanusServer, VideoRoom
from parta.messenger.calls.models import Call, Participant, Presence
from parta.messenger.calls.services.joining import janus_token
from parta.messenger.chats import services as chats
from parta.messenger.chats.models import Chat, Message
from parta.messenger.realtime.models import Event
from tests.messenger.calls.conftest import JanusPeer
from tests.messenger.calls.helpers import World, api, browser, ok, refused
from tests.messenger.orgs.builders import World as Orgs
from tests.messenger.orgs.builders import build_world

pytestmark = pytest.mark.django_db
UNAUTHORIZED = 433


@pytest.fixture(autouse=True)
def _messenger_url(settings: Any) -> None:
    settings.MESSENGER_URL = "http://messenger.test"


@pytest.fixture
def orgs(db: None) -> Orgs:
    return build_world()


@pytest.fixture
def chat(orgs: Orgs) -> Chat:
    """A closed group chat: the teacher (admin), Петя, Маша and Петин папа."""
    return chats.create_chat(
        creator=orgs.teacher, title="Стенгазета", member_ids=[orgs.student.pk, orgs.classmate.pk, orgs.parent.pk]
    )


@pytest.fixture
def live(orgs: Orgs, chat: Chat, janus: JanusServer) -> dict[str, Any]:
    """A call the teacher started in the chat (CallOut)."""
    return ok(api(browser(orgs.teacher), "POST", "", {"chat_id": chat.pk}), 201)


def enter(client: Client, call_id: str, peer: JanusPeer | None = None, **body: Any) -> dict[str, Any]:
    """Join as a browser does: a ticket, the Janus join with its token and feed id (when a peer is given), /joined."""
    ticket = ok(api(client, "POST", f"{call_id}/join", body))
    if peer is not None:
        joined = peer.join_publisher(
            room_id=ticket["room_id"], token=ticket["room_token"], feed_id=ticket["feed_id"], display=ticket["display"]
        )
        assert joined["videoroom"] == "joined", joined
    ok(api(client, "POST", f"{call_id}/joined", {"feed_id": ticket["feed_id"]}))
    return ticket


def room_feeds(janus: JanusServer, call_id: str) -> set[int]:
    room_id = Call.objects.get(public_id=call_id).room_id or 0
    with VideoRoom(janus) as room:
        return {p["id"] for p in room.participants(room_id=room_id)}


# --- calls in chats (V4) ----------------------------------------------------------------------------------------------


def test_the_teacher_starts_a_call_in_a_chat_and_the_members_are_told(
    orgs: Orgs, chat: Chat, live: dict[str, Any]
) -> None:
    assert live["kind"] == "chat" and live["status"] == "live" and live["chat_id"] == chat.pk
    assert live["url"] == f"http://messenger.test/calls/{live['id']}/"
    message = Message.objects.filter(chat=chat).order_by("-seq").first()
    assert message is not None and message.sender_id == orgs.teacher.pk
    assert message.text == f"📞 Начался звонок: {live['url']}"
    for member in (orgs.teacher, orgs.student, orgs.classmate, orgs.parent):
        assert Event.objects.filter(profile=member, type="call.started", payload__call_id=live["id"]).exists()

    again = api(browser(orgs.parent), "POST", "", {"chat_id": chat.pk})  # «Позвонить» with a live call: join it
    assert again.status_code == 200 and again.json()["id"] == live["id"]
    assert ok(api(browser(orgs.student), "GET", f"live?chat_id={chat.pk}"))["id"] == live["id"]
    assert Call.objects.count() == 1


def test_people_outside_the_chat_do_not_see_its_call(orgs: Orgs, chat: Chat, live: dict[str, Any]) -> None:
    stranger = browser(orgs.stranger)
    refused(api(stranger, "GET", live["id"]), 404, "call_not_found")
    refused(api(stranger, "POST", f"{live['id']}/join", {}), 404, "call_not_found")
    refused(api(stranger, "GET", f"live?chat_id={chat.pk}"), 404, "call_not_found")
    refused(api(stranger, "POST", "", {"chat_id": chat.pk}), 404, "call_not_found")
    refused(api(stranger, "GET", "not-a-uuid"), 404, "call_not_found")


def test_in_a_closed_chat_only_admins_start_calls(orgs: Orgs, chat: Chat, janus: JanusServer) -> None:
    refused(api(browser(orgs.student), "POST", "", {"chat_id": chat.pk}), 403, "may_not_call")
    direct, _ = chats.open_direct_chat(actor=orgs.teacher, profile_id=orgs.parent.pk)
    assert ok(api(browser(orgs.parent), "POST", "", {"chat_id": direct.pk}), 201)["kind"] == "chat"


def test_no_media_server_answers_503_and_starts_nothing(orgs: Orgs, chat: Chat, settings: Any) -> None:
    settings.CALLS_JANUS_SERVERS = []
    message = refused(api(browser(orgs.teacher), "POST", "", {"chat_id": chat.pk}), 503, "calls_unavailable")
    assert message.startswith("Звонки сейчас недоступны")
    assert not Call.objects.exists()
    assert not Message.objects.filter(chat=chat).exists()


# --- joining ----------------------------------------------------------------------------------------------------------


def test_a_member_joins_the_room_with_the_ticket_and_is_present(
    orgs: Orgs, live: dict[str, Any], janus: JanusServer, janus_peer: Callable[..., JanusPeer]
) -> None:
    student = browser(orgs.student)
    ticket = enter(student, live["id"], _peer_for(janus_peer, student, live))

    assert ticket["janus_url"] == janus.public_url and ticket["ice_servers"] == []
    assert ticket["display"] == f'{{"p":{ticket["participant_id"]},"k":"camera"}}'
    state = ok(api(student, "GET", live["id"]))
    me = state["me"]
    assert me == {
        "participant_id": ticket["participant_id"],
        "is_admin": False,
        "may": {"screen": True, "microphone": True, "camera": True},
        "removed": False,
        "moderation_seq": 0,
        "may_record": False,
    }
    assert [(p["name"], p["present"], p["feed_id"], p["profile_id"]) for p in state["participants"]] == [
        ("Петя Петров", True, ticket["feed_id"], orgs.student.pk)  # the board's chosen drawers are profiles
    ]
    assert room_feeds(janus, live["id"]) == {ticket["feed_id"]}
    assert Presence.objects.filter(participant_id=ticket["participant_id"], left_at=None).count() == 1

    beat = ok(api(student, "POST", f"{live['id']}/heartbeat", {"microphone": True, "camera": True, "screen": False}))
    assert (beat["participants"][0]["microphone"], beat["participants"][0]["camera"]) == (True, True)
    assert ok(api(student, "POST", f"{live['id']}/leave"), 204) == {}
    assert Presence.objects.get(participant_id=ticket["participant_id"]).left_at is not None
    refused(api(student, "POST", f"{live['id']}/heartbeat", {}), 409, "not_joined")


def _peer_for(make: Callable[..., JanusPeer], client: Client, live: dict[str, Any]) -> JanusPeer:
    """A Janus client with the core token the messenger signs for the call (as the page uses it)."""
    assert ok(api(client, "GET", live["id"]))["status"] == "live"
    return make(token=janus_token(Call.objects.get(public_id=live["id"])))


def test_a_lesson_opens_shortly_before_it_starts_except_for_its_teacher(janus: JanusServer, settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Moscow"
    world = World()
    lesson = world.created(starts_in=dt.timedelta(hours=2))
    call_id = lesson["call_id"]
    starts_at = Call.objects.get(public_id=call_id).starts_at
    assert starts_at is not None
    local = starts_at.astimezone(dt.timezone(dt.timedelta(hours=3))).strftime("%H:%M")

    message = refused(api(browser(world.people["st1"]), "POST", f"{call_id}/join", {}), 409, "not_started")
    assert message == f"Урок начнётся в {local}"
    assert ok(api(browser(world.people["t3"]), "POST", f"{call_id}/join", {}))["state"]["me"]["is_admin"] is True

    Call.objects.filter(public_id=call_id).update(starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))
    assert ok(api(browser(world.people["st1"]), "POST", f"{call_id}/join", {}))["participant_id"]
    refused(api(browser(world.people["st3"]), "POST", f"{call_id}/join", {}), 404, "call_not_found")  # 8А
    refused(api(browser(world.people["p1"]), "GET", call_id), 404, "call_not_found")  # a parent
    refused(api(Client(), "GET", call_id), 403, "guests_not_allowed")


# --- guests (V4: any call link) ---------------------------------------------------------------------------------------


def test_guests_join_by_link_only_once_the_organizer_allows_it(
    orgs: Orgs, live: dict[str, Any], janus: JanusServer
) -> None:
    guest = Client()
    refused(api(guest, "GET", live["id"]), 403, "guests_not_allowed")
    refused(api(guest, "POST", f"{live['id']}/join", {"name": "Бабушка"}), 403, "guests_not_allowed")
    refused(
        api(browser(orgs.student), "POST", f"{live['id']}/settings", {"allow_anonymous": True}), 403, "organizer_only"
    )
    teacher = browser(orgs.teacher)
    ok(api(teacher, "POST", f"{live['id']}/settings", {"allow_anonymous": True}))

    refused(api(guest, "POST", f"{live['id']}/join", {"name": "  "}), 400, "name_required")
    ticket = enter(guest, live["id"], name="Бабушка Пети")

    state = ok(api(guest, "GET", live["id"]))
    assert state["me"]["participant_id"] == ticket["participant_id"]
    assert [(p["name"], p["profile_id"]) for p in state["participants"] if p["present"]] == [("Бабушка Пети", None)]
    refused(api(Client(), "POST", f"{live['id']}/joined", {"feed_id": ticket["feed_id"]}), 409, "not_joined")
    ok(api(teacher, "POST", f"{live['id']}/settings", {"allow_anonymous": False}))
    assert ok(api(guest, "GET", live["id"]))["me"]["participant_id"] == ticket["participant_id"]  # stays in
    refused(api(Client(), "GET", live["id"]), 403, "guests_not_allowed")


def test_the_api_checks_csrf_for_sessions(orgs: Orgs, live: dict[str, Any]) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(orgs.student)
    assert api(strict, "POST", f"{live['id']}/join", {}).status_code == 403
    assert api(strict, "GET", live["id"]).status_code == 200


# --- the organizer's controls (V5, V8, V9) ----------------------------------------------------------------------------


def test_screen_sharing_needs_the_organizers_permission(orgs: Orgs, live: dict[str, Any]) -> None:
    teacher, student = browser(orgs.teacher), browser(orgs.student)
    enter(teacher, live["id"])
    me = enter(student, live["id"])["participant_id"]
    assert ok(api(student, "POST", f"{live['id']}/screen"))["display"] == f'{{"p":{me},"k":"screen"}}'

    state = ok(api(teacher, "POST", f"{live['id']}/permissions", {"screen": False}))
    assert state["everyone"] == {"screen": False, "microphone": True, "camera": True}
    message = refused(api(student, "POST", f"{live['id']}/screen"), 403, "screen_not_allowed")
    assert message == "Организатор не разрешил вам показывать экран"
    assert ok(api(teacher, "POST", f"{live['id']}/screen"))["feed_id"]  # the organizer may always

    ok(api(teacher, "POST", f"{live['id']}/permissions", {"participant_id": me, "screen": True}))
    assert ok(api(student, "POST", f"{live['id']}/screen"))["feed_id"]
    assert Participant.objects.get(pk=me).screen_feed_id is not None


def test_turning_on_what_is_not_allowed_is_refused_and_stays_off(orgs: Orgs, live: dict[str, Any]) -> None:
    teacher, student = browser(orgs.teacher), browser(orgs.student)
    enter(teacher, live["id"])
    me = enter(student, live["id"])["participant_id"]
    ok(api(student, "POST", f"{live['id']}/heartbeat", {"microphone": True, "camera": True}))

    state = ok(api(teacher, "POST", f"{live['id']}/permissions", {"participant_id": me, "microphone": False}))
    mine = next(p for p in state["participants"] if p["id"] == me)
    assert (mine["microphone"], mine["camera"], mine["may"]["microphone"]) == (False, True, False)
    assert Event.objects.filter(profile=orgs.student, type="call.updated", payload__call_id=live["id"]).exists()

    message = refused(
        api(student, "POST", f"{live['id']}/heartbeat", {"microphone": True, "camera": True}),
        403,
        "microphone_not_allowed",
    )
    assert message == "Организатор не разрешил вам включать микрофон"
    participant = Participant.objects.get(pk=me)
    assert (participant.microphone_on, participant.camera_on) == (False, True)

    ok(api(teacher, "POST", f"{live['id']}/participants/{me}/mute", {"what": "camera"}))
    assert Participant.objects.get(pk=me).camera_on is False
    refused(api(student, "POST", f"{live['id']}/participants/{me}/mute", {"what": "camera"}), 403, "organizer_only")


def test_a_heartbeat_sent_before_a_mute_was_seen_does_not_undo_it(orgs: Orgs, live: dict[str, Any]) -> None:
    """The organizer mutes while the student's page is sending its routine "microphone on": that stale report (it
    names the mutes the page had seen) leaves the microphone off; once the page has seen the mute, turning it on
    again is the student's own choice (allowed: it was a mute, not a withdrawn permission)."""
    teacher, student = browser(orgs.teacher), browser(orgs.student)
    enter(teacher, live["id"])
    me = enter(student, live["id"])["participant_id"]
    seen = ok(api(student, "POST", f"{live['id']}/heartbeat", {"microphone": True, "camera": True}))["me"]
    assert seen["moderation_seq"] == 0

    ok(api(teacher, "POST", f"{live['id']}/participants/{me}/mute", {"what": "microphone"}))
    stale = {"microphone": True, "camera": True, "moderation_seq": seen["moderation_seq"]}
    state = ok(api(student, "POST", f"{live['id']}/heartbeat", stale))
    assert Participant.objects.get(pk=me).microphone_on is False
    assert state["me"]["moderation_seq"] == 1
    assert next(p for p in state["participants"] if p["id"] == me)["microphone"] is False

    fresh = {"microphone": True, "camera": True, "moderation_seq": state["me"]["moderation_seq"]}
    ok(api(student, "POST", f"{live['id']}/heartbeat", fresh))
    assert Participant.objects.get(pk=me).microphone_on is True


def test_hands_queue_in_order_and_the_organizer_lowers_them(orgs: Orgs, live: dict[str, Any]) -> None:
    teacher, student, classmate = browser(orgs.teacher), browser(orgs.student), browser(orgs.classmate)
    enter(teacher, live["id"])
    petya = enter(student, live["id"])["participant_id"]
    masha = enter(classmate, live["id"])["participant_id"]

    ok(api(classmate, "POST", f"{live['id']}/hand", {"raised": True}))
    ok(api(student, "POST", f"{live['id']}/hand", {"raised": True}))
    state = ok(api(classmate, "POST", f"{live['id']}/hand", {"raised": True}))  # again: keeps its place
    assert state["hands"] == [masha, petya]

    refused(api(student, "POST", f"{live['id']}/participants/{masha}/lower-hand"), 403, "organizer_only")
    assert ok(api(teacher, "POST", f"{live['id']}/participants/{masha}/lower-hand"))["hands"] == [petya]
    assert ok(api(student, "POST", f"{live['id']}/hand", {"raised": False}))["hands"] == []


def test_a_removed_participant_is_kicked_and_can_never_come_back(
    orgs: Orgs, live: dict[str, Any], janus: JanusServer, janus_peer: Callable[..., JanusPeer]
) -> None:
    teacher, student = browser(orgs.teacher), browser(orgs.student)
    organizer = enter(teacher, live["id"])["participant_id"]
    ticket = enter(student, live["id"], _peer_for(janus_peer, student, live))
    refused(api(teacher, "POST", f"{live['id']}/participants/{organizer}/remove"), 409, "organizer_stays")
    spare = ok(api(student, "POST", f"{live['id']}/join", {}))["room_token"]  # a token not used yet
    assert room_feeds(janus, live["id"]) == {ticket["feed_id"]}

    state = ok(api(teacher, "POST", f"{live['id']}/participants/{ticket['participant_id']}/remove"))

    assert ticket["participant_id"] not in [p["id"] for p in state["participants"]]
    assert room_feeds(janus, live["id"]) == set()  # kicked from the media server
    assert Event.objects.filter(profile=orgs.student, type="call.removed", payload__call_id=live["id"]).exists()
    assert ok(api(student, "GET", live["id"]))["me"]["removed"] is True
    refused(api(student, "POST", f"{live['id']}/join", {}), 403, "removed")
    peer = _peer_for(janus_peer, teacher, live)
    room_id = Call.objects.get(public_id=live["id"]).room_id or 0
    for token in (ticket["room_token"], spare):  # the old tokens no longer open the room
        assert peer.join_publisher(room_id=room_id, token=token)["error_code"] == UNAUTHORIZED


def test_the_organizer_ends_the_call_for_everyone(
    orgs: Orgs, chat: Chat, live: dict[str, Any], janus: JanusServer, django_capture_on_commit_callbacks: Any
) -> None:
    teacher, student = browser(orgs.teacher), browser(orgs.student)
    enter(teacher, live["id"])
    enter(student, live["id"])
    refused(api(student, "POST", f"{live['id']}/end"), 403, "organizer_only")

    with django_capture_on_commit_callbacks(execute=True):
        state = ok(api(teacher, "POST", f"{live['id']}/end"))

    assert state["status"] == "ended" and state["ended_at"]
    assert not any(p["present"] for p in state["participants"])
    assert not Presence.objects.filter(participant__call__public_id=live["id"], left_at=None).exists()
    assert Event.objects.filter(profile=orgs.parent, type="call.ended", payload__call_id=live["id"]).exists()
    refused(api(student, "POST", f"{live['id']}/join", {}), 409, "call_ended")
    assert api(student, "GET", f"live?chat_id={chat.pk}").status_code == 204  # a member: no live call now
    with VideoRoom(janus) as room:
        assert not room.exists(room_id=Call.objects.get(public_id=live["id"]).room_id or 0)
    assert ok(api(teacher, "POST", "", {"chat_id": chat.pk}), 201)["id"] != live["id"]  # a new call may start


def test_both_apis_document_the_calls_endpoints(db: None) -> None:
    web = Client().get("/api/v1/openapi.json").json()
    assert {"/api/v1/calls/", "/api/v1/calls/{call_id}/join", "/api/v1/calls/{call_id}/permissions"} <= set(
        web["paths"]
    )
    join_answers = web["paths"]["/api/v1/calls/{call_id}/join"]["post"]["responses"]
    assert {"200", "403", "404", "409", "503"} <= set(join_answers)
    assert "JoinTicket" in web["components"]["schemas"] and "CallState" in web["components"]["schemas"]
    integration = Client().get("/integration/v1/openapi.json").json()
    assert {"/integration/v1/calls", "/integration/v1/calls/{call_id}"} <= set(integration["paths"])
    assert "503" in integration["paths"]["/integration/v1/calls"]["post"]["responses"]
