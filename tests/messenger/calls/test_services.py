"""Calls housekeeping and events: people whose page stopped reporting have left, empty chat calls end, room tokens
never confirmed leave the room's list (Janus refuses them after), and a Janus that does not answer stops nothing."""

# covers: V4, V9, B2

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from parta.messenger.calls import services
from parta.messenger.calls.janus import JanusServer, VideoRoom, forget_reachability
from parta.messenger.calls.models import Call, CallStatus, Participant, Presence
from parta.messenger.calls.selectors import CallActor
from parta.messenger.chats import services as chats
from parta.messenger.chats.models import Chat
from parta.messenger.realtime.models import Event
from tests.messenger.calls.conftest import JanusPeer
from tests.messenger.orgs.builders import World as Orgs
from tests.messenger.orgs.builders import build_world

pytestmark = pytest.mark.django_db
UNAUTHORIZED = 433


@pytest.fixture
def orgs(db: None) -> Orgs:
    return build_world()


@pytest.fixture
def chat(orgs: Orgs) -> Chat:
    return chats.create_chat(creator=orgs.teacher, title="Кружок", member_ids=[orgs.student.pk, orgs.classmate.pk])


@pytest.fixture
def live(orgs: Orgs, chat: Chat, janus: JanusServer) -> Call:
    call, created = services.start_chat_call(actor=orgs.teacher, chat_id=chat.pk)
    assert created
    return call


def join(call: Call, actor: CallActor) -> services.Joined:
    joined = services.join_ticket(actor=actor, call_id=str(call.public_id))
    services.confirm_joined(actor=actor, call_id=str(call.public_id), feed_id=joined.ticket.feed_id)
    return joined


def ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


def test_joining_tells_the_present_participants_to_refetch(orgs: Orgs, live: Call) -> None:
    join(live, CallActor(profile=orgs.teacher))
    join(live, CallActor(profile=orgs.student))

    event = Event.objects.filter(profile=orgs.teacher, type="call.updated").latest("seq")
    assert event.payload == {"call_id": str(live.public_id), "chat_id": live.chat_id}
    assert not Event.objects.filter(profile=orgs.classmate, type="call.updated").exists()  # not in the call


def test_people_whose_page_stopped_reporting_have_left_at_their_last_beat(
    orgs: Orgs, live: Call, settings: Any
) -> None:
    teacher = join(live, CallActor(profile=orgs.teacher)).participant
    student = join(live, CallActor(profile=orgs.student)).participant
    last_beat = ago(4 * settings.CALLS_HEARTBEAT_SECONDS + 1)
    Participant.objects.filter(pk=student.pk).update(last_seen_at=last_beat)

    result = services.housekeeping()

    assert result.left == 1
    assert Participant.objects.get(pk=student.pk).is_present is False
    assert Participant.objects.get(pk=teacher.pk).is_present is True
    assert Presence.objects.get(participant=student).left_at == last_beat
    assert Call.objects.get(pk=live.pk).status == CallStatus.LIVE


def test_a_chat_call_nobody_is_in_ends_after_a_while(orgs: Orgs, live: Call, settings: Any) -> None:
    actor = CallActor(profile=orgs.teacher)
    join(live, actor)
    services.leave(actor=actor, call_id=str(live.public_id))
    assert services.housekeeping().ended == []  # just left: not yet

    quiet = ago(settings.CALLS_EMPTY_END_SECONDS + 1)
    Presence.objects.filter(participant__call=live).update(left_at=quiet)
    Call.objects.filter(pk=live.pk).update(created_at=quiet)
    result = services.housekeeping()

    assert result.ended == [str(live.public_id)]
    ended = Call.objects.get(pk=live.pk)
    assert (ended.status, ended.end_reason) == (CallStatus.ENDED, "empty")
    assert Event.objects.filter(profile=orgs.classmate, type="call.ended").exists()


def test_a_call_with_someone_in_it_does_not_end_as_empty(orgs: Orgs, live: Call, settings: Any) -> None:
    join(live, CallActor(profile=orgs.teacher))
    Call.objects.filter(pk=live.pk).update(created_at=ago(settings.CALLS_EMPTY_END_SECONDS + 60))
    assert services.housekeeping().ended == []


def test_room_tokens_never_confirmed_leave_the_rooms_list(
    orgs: Orgs, live: Call, janus: JanusServer, janus_peer: Callable[..., JanusPeer]
) -> None:
    actor = CallActor(profile=orgs.student)
    used = join(live, actor).ticket.room_token  # confirmed: stays for the page's subscriber join
    fresh = services.join_ticket(actor=actor, call_id=str(live.public_id)).ticket.room_token
    participant = Participant.objects.get(call=live, profile=orgs.student)
    participant.pending_tokens = [
        {**entry, "issued_at": ago(120).isoformat()} if entry["token"] == fresh else entry
        for entry in participant.pending_tokens
    ]
    participant.save(update_fields=["pending_tokens"])

    result = services.housekeeping()

    assert result.tokens_removed == 1
    left = {entry["token"] for entry in Participant.objects.get(pk=participant.pk).pending_tokens}
    assert left == {used}
    peer = janus_peer()
    assert peer.join_publisher(room_id=live.room_id or 0, token=fresh)["error_code"] == UNAUTHORIZED
    assert peer.join_publisher(room_id=live.room_id or 0, token=used)["videoroom"] == "joined"


def test_housekeeping_goes_on_when_janus_does_not_answer(
    orgs: Orgs, live: Call, settings: Any, janus: JanusServer
) -> None:
    actor = CallActor(profile=orgs.student)
    join(live, actor)
    services.leave(actor=actor, call_id=str(live.public_id))
    Participant.objects.filter(call=live).update(
        pending_tokens=[{"token": "t", "issued_at": ago(120).isoformat(), "confirmed": False}]
    )
    Call.objects.filter(pk=live.pk).update(server_name="gone")
    settings.CALLS_JANUS_SERVERS = [
        *settings.CALLS_JANUS_SERVERS,
        {"name": "gone", "url": "http://127.0.0.1:9/janus", "admin_key": "k", "token_secret": "s"},
    ]
    forget_reachability()

    out = io.StringIO()
    call_command("calls_housekeeping", stdout=out)

    assert "1 Janus failures" in out.getvalue()
    assert Participant.objects.get(call=live, profile=orgs.student).pending_tokens  # kept for the next round


def test_a_room_gone_from_janus_is_made_again_on_the_next_ticket(orgs: Orgs, live: Call, janus: JanusServer) -> None:
    """Janus keeps rooms in memory: after its restart the call's room is missing until the next join makes it again."""
    assert live.room_id is not None
    with VideoRoom(janus) as room:
        room.destroy_room(room_id=live.room_id, secret=live.room_secret)
        assert not room.exists(room_id=live.room_id)

    joined = join(live, CallActor(profile=orgs.student))

    with VideoRoom(janus) as room:
        assert room.exists(room_id=live.room_id)
    assert joined.ticket.room_id == live.room_id


def test_a_new_call_goes_to_the_janus_server_with_fewer_people_in_calls(
    orgs: Orgs, chat: Chat, janus: JanusServer, janus_second: JanusServer
) -> None:
    """Two servers: the first call (tie) lands on the first; with two people in it, the next call lands on the other,
    and its room is really there."""
    first, _ = services.start_chat_call(actor=orgs.teacher, chat_id=chat.pk)
    assert first.server_name == janus.name
    join(first, CallActor(profile=orgs.teacher))
    join(first, CallActor(profile=orgs.student))

    other_chat = chats.create_chat(creator=orgs.teacher, title="Олимпиада", member_ids=[orgs.classmate.pk])
    second, _ = services.start_chat_call(actor=orgs.teacher, chat_id=other_chat.pk)

    assert second.server_name == janus_second.name
    assert second.room_id is not None
    with VideoRoom(janus_second) as room:
        assert room.exists(room_id=second.room_id)
    with VideoRoom(janus) as room:
        assert not room.exists(room_id=second.room_id)
