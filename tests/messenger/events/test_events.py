"""Every real-time event type is fired by the services that own it, and every event they fire fits its registered
schema exactly: strict types, no key the schema does not name, no field the schema has and the payload lacks.

Each test drives one app's services through what people do and says, per step, which event types that step fires
(`fires`: exactly those, each checked against the registry). `@covers_events` lists a test's types, and
`test_every_registered_event_type_is_fired_here` checks those lists cover the whole registry: a type registered
without a test that fires it fails the suite. (publish itself refuses an event that does not fit, in every test of the
suite, since payload validation is on by default.)
"""

# covers: C6 (events arrive live, as documented), V4, V5, V8, V9 (call events), C1 (roster events)

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from parta.messenger.calls import services as calls
from parta.messenger.calls.janus import JanusServer
from parta.messenger.calls.selectors import CallActor
from parta.messenger.chats import services as chats
from parta.messenger.realtime.events import get_event, registered_events
from parta.messenger.realtime.models import Event
from tests.messenger.calls.helpers import World as School
from tests.messenger.integration.helpers import person, send_roster
from tests.messenger.orgs.builders import World, build_world

pytestmark = pytest.mark.django_db

COVERED: dict[str, frozenset[str]] = {}  # test name → the event types it fires
F = TypeVar("F", bound=Callable[..., Any])


def covers_events(*types: str) -> Callable[[F], F]:
    def mark(test: F) -> F:
        COVERED[test.__name__] = frozenset(types)
        return test

    return mark


def assert_fits(event: Event) -> None:
    """The stored payload (what every recipient is sent) is exactly what its schema describes."""
    model = get_event(event.type).check(event.payload)
    assert model.model_dump(mode="json") == event.payload, f"{event.type}: the schema and the payload differ"


@pytest.fixture
def fired(request: pytest.FixtureRequest) -> Iterator[set[str]]:
    """The event types this test saw fired (through `fires`); at its end, exactly the ones it declares."""
    seen: set[str] = set()
    yield seen
    declared = COVERED.get(request.node.originalname)
    if declared is not None:
        assert seen == declared, f"declared {sorted(declared)}, fired {sorted(seen)}"


@contextlib.contextmanager
def fires(seen: set[str], *types: str) -> Iterator[None]:
    """The block fires exactly these event types (none: no event), each fitting its schema."""
    last = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    yield
    events = list(Event.objects.filter(id__gt=last).order_by("id"))
    assert {event.type for event in events} == set(types), [event.type for event in events]
    for event in events:
        assert_fits(event)
    seen.update(types)


def png(size: tuple[int, int] = (64, 48)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="PNG")
    return SimpleUploadedFile("доска.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@covers_events(
    "membership.added",
    "membership.removed",
    "chat.updated",
    "message.new",
    "message.edited",
    "message.deleted",
    "chat.read",
)
def test_the_chats_services_fire_their_events(world: World, fired: set[str]) -> None:
    teacher, student, classmate = world.teacher, world.student, world.classmate
    with fires(fired, "membership.added"):
        chat = chats.create_chat(creator=teacher, title="Кружок", member_ids=[student.pk, classmate.pk])
    with fires(fired, "message.new"):
        first, _ = chats.send_message(sender=student, chat_id=chat.pk, client_id=uuid.uuid4(), text="Что задали?")
    with fires(fired, "message.new"):  # a reply with a photo and a file: every nested shape of MessageOut
        files = [png(), SimpleUploadedFile("задание.txt", b"1, 2, 3", content_type="text/plain")]
        reply, _ = chats.send_message(
            sender=teacher, chat_id=chat.pk, client_id=uuid.uuid4(), text="§12", reply_to_id=first.pk, files=files
        )
    with fires(fired, "message.edited"):
        chats.edit_message(editor=teacher, chat_id=chat.pk, message_id=reply.pk, text="§12–14, https://example.org")
    with fires(fired, "message.deleted"):
        chats.delete_message(actor=student, chat_id=chat.pk, message_id=first.pk)
    with fires(fired, "chat.read"):
        chats.mark_read(profile=classmate, chat_id=chat.pk, seq=reply.seq)
    with fires(fired, "chat.updated"):
        chats.update_chat_settings(actor=teacher, chat_id=chat.pk, title="Кружок юных химиков", is_closed=False)
    with fires(fired, "membership.added", "chat.updated"):
        chats.add_members(actor=teacher, chat_id=chat.pk, profile_ids=[world.other_class_student.pk])
    with fires(fired, "chat.updated"):
        chats.set_member_role(actor=teacher, chat_id=chat.pk, profile_id=student.pk, role="admin")
    with fires(fired, "membership.removed", "chat.updated"):
        chats.remove_member(actor=teacher, chat_id=chat.pk, profile_id=world.other_class_student.pk)
    with fires(fired, "membership.removed", "chat.updated"):
        chats.leave_chat(profile=classmate, chat_id=chat.pk)
    with fires(fired):  # an invite link is no event; joining by it is
        invite = chats.create_invite(actor=teacher, chat_id=chat.pk)
    with fires(fired, "membership.added", "chat.updated"):
        chats.join_by_invite(profile=classmate, token=invite.token)
    with fires(fired):  # reports are seen on the admins' page, not live
        report = chats.report_message(reporter=classmate, chat_id=chat.pk, message_id=reply.pk, reason="спам")
        chats.resolve_report(admin=world.admin, report_id=report.pk)
    with fires(fired, "membership.added"):  # a direct chat: each side sees the other as its peer and title
        chats.open_direct_chat(actor=teacher, profile_id=world.parent.pk)


def join(call_id: str, actor: CallActor) -> calls.Joined:
    joined = calls.join_ticket(actor=actor, call_id=call_id)
    calls.confirm_joined(actor=actor, call_id=call_id, feed_id=joined.ticket.feed_id)
    return joined


@covers_events("call.started", "call.updated", "call.removed", "call.ended", "message.new")
def test_the_calls_services_fire_their_events(world: World, janus: JanusServer, fired: set[str]) -> None:
    teacher, student = CallActor(profile=world.teacher), CallActor(profile=world.student)
    chat = chats.create_chat(creator=world.teacher, title="Кружок", member_ids=[world.student.pk, world.classmate.pk])
    with fires(fired, "call.started", "message.new"):  # and «📞 Начался звонок» in the chat
        call, _ = calls.start_chat_call(actor=world.teacher, chat_id=chat.pk)
    call_id = str(call.public_id)
    with fires(fired, "call.updated"):
        join(call_id, teacher)
    with fires(fired, "call.updated"):
        pupil = join(call_id, student).participant
    with fires(fired, "call.updated"):
        calls.set_hand(actor=student, call_id=call_id, raised=True)
    with fires(fired, "call.updated"):
        calls.lower_hand(actor=teacher, call_id=call_id, participant_id=pupil.pk)
    with fires(fired, "call.updated"):
        calls.mute(actor=teacher, call_id=call_id, participant_id=pupil.pk, what="microphone")
    with fires(fired, "call.updated"):
        calls.set_permissions(actor=teacher, call_id=call_id, participant_id=None, screen=False)
    with fires(fired, "call.updated"):
        calls.update_settings(actor=teacher, call_id=call_id, allow_anonymous=True)
    with fires(fired, "call.removed", "call.updated"):
        calls.remove_participant(actor=teacher, call_id=call_id, participant_id=pupil.pk)
    with fires(fired, "call.ended", "call.updated"):
        calls.end_call(actor=teacher, call_id=call_id)


@covers_events("membership.added", "membership.removed", "chat.updated", "call.started", "call.updated", "call.ended")
def test_the_journal_s_roster_and_lesson_calls_fire_their_events(janus: JanusServer, fired: set[str]) -> None:
    with fires(fired, "membership.added", "chat.updated"):  # linking puts people in their class chats
        school = School()
    with fires(fired, "membership.added", "membership.removed", "chat.updated"):  # Петя moves to 8А
        moved = person("st1", "Иванов", "Петя", class_id="c8a")
        response = send_roster(school.client, school.server, school.school.change(upserts={"students": [moved]}))
        assert response.status_code == 200, response.content
    with fires(fired, "membership.added", "call.started"):  # the lesson's call chat: the teacher and the class
        lesson = school.created()
    teacher = CallActor(profile=school.people["t3"])
    with fires(fired, "call.updated"):
        join(lesson["call_id"], teacher)
    with fires(fired, "call.ended", "call.updated"):
        calls.end_call(actor=teacher, call_id=lesson["call_id"])


def test_every_registered_event_type_is_fired_here() -> None:
    registered = {schema.type for schema in registered_events()}
    covered = set().union(*COVERED.values())
    assert registered - covered == set(), "registered, but no test here fires them"
    assert covered - registered == set(), "fired here, but not registered"
    assert settings.REALTIME_VALIDATE_EVENTS  # so every publish in the tests checks its payload
