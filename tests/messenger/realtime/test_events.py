"""The registry of event types and what publish does with it: an unknown type or a payload that does not fit is
refused before anything is stored; what is stored is the caller's payload as given."""

# covers: C6

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

import pytest
from pydantic import BaseModel

from parta.messenger.realtime.events import (
    EventPayload,
    InvalidEventPayload,
    UnknownEventType,
    chat_event_types,
    checking_model,
    get_event,
    register_event,
    registered_events,
    type_name,
    unregister_event,
    validate_event,
)
from parta.messenger.realtime.models import Event, EventCursor
from tests.messenger.realtime.builders import make_profile, publish_now
from tests.messenger.realtime.conftest import CHAT_NOTE, NOTE, NotePayload


class Person(BaseModel):
    id: int
    name: str


class Thing(EventPayload):
    chat_id: int
    who: Person | None
    tags: list[str] = []
    at: dt.datetime | None = None
    ref: uuid.UUID | None = None
    kind: Literal["a", "b"] = "a"


@pytest.mark.django_db
def test_publish_refuses_an_unknown_type_and_stores_nothing() -> None:
    profile = make_profile()
    with pytest.raises(UnknownEventType, match=r"'note\.typo' is not a registered"):
        publish_now([profile.pk], "note.typo", {"n": 1})
    assert not Event.objects.exists() and not EventCursor.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        {"n": "7"},  # a number as text: strict
        {"n": 1, "extra": True},  # a key the schema does not name
        {"n": None},
    ],
)
def test_publish_refuses_a_payload_that_does_not_fit_and_stores_nothing(payload: dict[str, Any]) -> None:
    profile = make_profile()
    with pytest.raises(InvalidEventPayload, match=r"test\.note: the payload does not fit NotePayload"):
        publish_now([profile.pk], NOTE, payload)
    assert not Event.objects.exists() and not EventCursor.objects.exists()


@pytest.mark.django_db
def test_a_message_with_an_unknown_key_deep_inside_is_refused() -> None:
    profile = make_profile()
    message = {"id": 1, "chat_id": 7, "seq": 1, "client_id": str(uuid.uuid4()), "sender": None, "text": "ы"}
    message |= {"html": "ы", "reply_to": None, "attachments": [], "created_at": "2026-12-02T10:00:00Z"}
    message |= {"edited_at": None, "deleted_at": None, "is_deleted": False}
    publish_now([profile.pk], "message.new", {"chat_id": 7, "message": message})  # fits
    with pytest.raises(InvalidEventPayload, match=r"message\.sender_id"):
        publish_now([profile.pk], "message.new", {"chat_id": 7, "message": {**message, "sender_id": 3}})
    assert Event.objects.count() == 1


@pytest.mark.django_db
def test_the_stored_payload_is_the_callers_not_the_schemas() -> None:
    profile = make_profile()
    publish_now([profile.pk], NOTE, {})  # `n` has a default: the schema would add it, the event does not
    assert Event.objects.get().payload == {}


@pytest.mark.django_db
def test_with_validation_off_payloads_are_not_checked_but_types_still_are(settings: Any) -> None:
    settings.REALTIME_VALIDATE_EVENTS = False
    profile = make_profile()
    publish_now([profile.pk], NOTE, {"n": "7", "extra": True})
    assert Event.objects.get().payload == {"n": "7", "extra": True}
    with pytest.raises(UnknownEventType):
        publish_now([profile.pk], "note.typo", {})


def test_the_apps_register_their_events_at_startup() -> None:
    types = {schema.type for schema in registered_events()} - {NOTE, CHAT_NOTE}
    assert types == {
        "message.new",
        "message.edited",
        "message.deleted",
        "chat.updated",
        "chat.read",
        "membership.added",
        "membership.removed",
        "call.started",
        "call.ended",
        "call.updated",
        "call.removed",
    }
    assert chat_event_types() - {CHAT_NOTE} == {
        "message.new",
        "message.edited",
        "message.deleted",
        "call.started",
        "call.ended",
    }


def test_registering_again_is_harmless_but_another_schema_for_a_type_is_refused() -> None:
    schema = get_event(NOTE)
    assert register_event(NOTE, NotePayload, doc=schema.doc, recipients=schema.recipients) == schema
    with pytest.raises(ValueError, match="registered already"):
        register_event(NOTE, Thing, doc="Something else.", recipients="anyone")
    with pytest.raises(ValueError, match=r"noun\.verb"):
        register_event("note", NotePayload, doc="", recipients="")
    with pytest.raises(ValueError, match="chat_id"):
        register_event("test.other", NotePayload, doc="", recipients="", chat_event=True)
    assert get_event(NOTE) == schema


def test_checking_is_strict_json_as_the_browser_gets_it() -> None:
    register_event("test.thing", Thing, doc="A thing.", recipients="anyone")
    try:
        payload = {"chat_id": 1, "who": {"id": 2, "name": "Аня"}, "at": "2026-12-02T10:00:00+03:00"}
        validate_event("test.thing", payload)
        validate_event("test.thing", '{"chat_id": 1, "who": null, "ref": "' + str(uuid.uuid4()) + '"}')  # JSON text
        wrong: list[dict[str, Any]] = [
            {"chat_id": 1},  # `who` is required (it may be null, not absent)
            {"chat_id": 1, "who": {"id": 2, "name": "Аня", "x": 1}},  # unknown keys are refused at every level
            {"chat_id": 1.5, "who": None},
            {"chat_id": 1, "who": None, "kind": "c"},
            {"chat_id": 1, "who": None, "at": "вчера"},
        ]
        for payload in wrong:
            with pytest.raises(InvalidEventPayload):
                validate_event("test.thing", payload)
    finally:
        unregister_event("test.thing")
    with pytest.raises(UnknownEventType):
        validate_event("test.thing", {})


def test_the_checking_model_keeps_fields_and_constraints_and_closes_every_level() -> None:
    checker = checking_model(Thing)
    assert checker is checking_model(Thing)  # built once
    assert set(checker.model_fields) == set(Thing.model_fields)
    assert checker.model_config.get("extra") == "forbid"
    who = checker.model_fields["who"].annotation
    assert "extra" not in Person.model_config and type_name(who) == "Person | None"


def test_field_types_read_as_the_protocol_shows_them() -> None:
    fields = {f.name: (f.type, f.required) for f in get_event("test.chat_note").fields()}
    assert fields == {"chat_id": ("int", True), "text": ("str", False)}
    assert [type_name(Thing.model_fields[n].annotation) for n in ("tags", "at", "ref", "kind")] == [
        "list[str]",
        "datetime | None",
        "UUID | None",
        '"a" | "b"',
    ]
