"""The registry of real-time event types: every type `publish` may store has a payload schema (a pydantic model).

Each app declares its events in its own `events.py` (`chats/events.py`, `calls/events.py`) and registers them when
Django starts (its `AppConfig.ready` imports the module), so every type is known before the first publish. This
module imports no other app: realtime is the lowest layer, the apps import it.

    class ChatReadPayload(EventPayload):
        chat_id: int
        last_read_seq: int

    register_event("chat.read", ChatReadPayload, doc="…", recipients="the reader's other devices")

`publish` refuses a type that is not registered, always, and a payload that does not fit its schema when
`settings.PARTA_VALIDATE_EVENTS` is on (the default; see docs/adr/0017-event-schemas.md for what it costs). The payload
is validated, never rewritten: what is stored and sent is the caller's dict, as before. `docs/realtime-protocol.md`
§1 is generated from this registry (`python -m parta.messenger realtime_docs`).
"""

from __future__ import annotations

import builtins
import functools
import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

__all__ = [
    "EventPayload",
    "EventSchema",
    "EventSchemaError",
    "InvalidEventPayload",
    "PayloadField",
    "UnknownEventType",
    "chat_event_types",
    "get_event",
    "register_event",
    "registered_events",
    "unregister_event",
    "validate_event",
]


class EventPayload(BaseModel):
    """Base of the payload models: a key the schema does not name is an error, so the schema says all that is sent."""

    model_config = ConfigDict(extra="forbid")


class EventSchemaError(ValueError):
    """An event that its schema does not allow: a programming error of the publishing service, never a person's."""


class UnknownEventType(EventSchemaError):
    pass


class InvalidEventPayload(EventSchemaError):
    pass


@dataclass(frozen=True)
class PayloadField:
    name: str
    type: str  # e.g. "int", "MessageOut", "list[int]", "str | None"
    required: bool
    description: str


@dataclass(frozen=True)
class EventSchema:
    """One event type: its payload model, a line for the protocol's reader, who gets it.

    `chat_event`: the recipients are the chat's members and the payload has `chat_id`, so the live push is one
    wake-up to the chat's group (`publish` takes the chat from the payload when not given).
    """

    type: str
    payload: builtins.type[BaseModel]
    doc: str
    recipients: str
    chat_event: bool = False
    checker: builtins.type[BaseModel] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "checker", checking_model(self.payload))

    def check(self, payload: Mapping[str, Any] | str) -> BaseModel:
        """Validates the payload (a dict, or its JSON text) as the JSON it is sent as, strictly: no unknown keys at any
        depth, no "7" for 7 (dates and UUIDs are text in JSON, as the browser gets them)."""
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        try:
            return self.checker.model_validate_json(text, strict=True)
        except ValidationError as error:
            raise InvalidEventPayload(
                f"{self.type}: the payload does not fit {self.payload.__name__}: {error}"
            ) from error

    def fields(self) -> list[PayloadField]:
        return [
            PayloadField(
                name=name,
                type=type_name(info.annotation),
                required=info.is_required(),
                description=info.description or "",
            )
            for name, info in self.payload.model_fields.items()
        ]


_registry: dict[str, EventSchema] = {}


def register_event(
    type: str, payload: type[BaseModel], *, doc: str, recipients: str, chat_event: bool = False
) -> EventSchema:
    """Declares an event type. Registering a type again with the same model and texts changes nothing; with another
    schema it is an error: two apps must not define one type."""
    if not type or type != type.strip() or "." not in type:
        raise ValueError(f"an event type is 'noun.verb', got {type!r}")
    if chat_event and "chat_id" not in payload.model_fields:
        raise ValueError(f"{type}: a chat event's payload names its chat (chat_id)")
    schema = EventSchema(type=type, payload=payload, doc=doc, recipients=recipients, chat_event=chat_event)
    existing = _registry.get(type)
    if existing is not None and existing != schema:
        raise ValueError(f"the event type {type!r} is registered already, with another schema")
    _registry[type] = schema
    return schema


def unregister_event(type: str) -> None:
    """For tests that register a type of their own."""
    _registry.pop(type, None)


def registered_events() -> list[EventSchema]:
    """Every registered type, in the order of their names."""
    return [_registry[name] for name in sorted(_registry)]


def get_event(type: str) -> EventSchema:
    try:
        return _registry[type]
    except KeyError:
        raise UnknownEventType(f"{type!r} is not a registered real-time event type") from None


def chat_event_types() -> frozenset[str]:
    return frozenset(name for name, schema in _registry.items() if schema.chat_event)


def validate_event(type: str, payload: Mapping[str, Any] | str) -> BaseModel:
    """The payload (a dict, or its JSON text) checked against its type's schema; raises UnknownEventType or
    InvalidEventPayload. The model it returns is for reading only: publish stores the caller's dict."""
    return get_event(type).check(payload)


@functools.cache
def checking_model(model: type[BaseModel]) -> type[BaseModel]:
    """The payload model rebuilt as plain pydantic models, for checking: the same fields, types and Field constraints,
    every level closed to unknown keys. django-ninja's `Schema` (MessageOut, ChatOut…) wraps each level's validation in
    Python to read ORM objects, which made checking a message.new ten times dearer (~110 µs against ~10 µs; ADR 0017).
    A model's own validators are not carried over: payload models describe data, they do not compute it."""
    fields: dict[str, Any] = {
        name: (_checking_type(info.annotation), info) for name, info in model.model_fields.items()
    }
    return create_model(model.__name__, __config__=ConfigDict(extra="forbid"), **fields)


def _checking_type(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return checking_model(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return typing.Union[tuple(_checking_type(arg) for arg in args)]  # noqa: UP007 - built from a tuple
    if origin is typing.Annotated:
        return typing.Annotated[(_checking_type(args[0]), *annotation.__metadata__)]
    if origin in (list, set, frozenset, tuple, dict):
        return origin[tuple(_checking_type(arg) for arg in args)]
    return annotation


def type_name(annotation: Any) -> str:
    """A field's type as the protocol's reader wants it: `MessageOut`, `list[int]`, `str | None`."""
    if annotation is None or annotation is type(None):
        return "None"
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return " | ".join(type_name(arg) for arg in typing.get_args(annotation))
    if origin is typing.Literal:
        return " | ".join(repr(arg).replace("'", '"') for arg in typing.get_args(annotation))
    if origin is not None:
        args = ", ".join(type_name(arg) for arg in typing.get_args(annotation))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation)
