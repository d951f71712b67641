"""Small helpers for the chats tests: reading published events, expecting refusals."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from parta.messenger.accounts.models import Profile
from parta.messenger.chats.errors import ChatRefusal
from parta.messenger.realtime.models import Event


def events(event_type: str | None = None, *, profile: Profile | None = None) -> list[Event]:
    found = Event.objects.order_by("id")
    if event_type:
        found = found.filter(type=event_type)
    if profile is not None:
        found = found.filter(profile=profile)
    return list(found)


def recipients(event_type: str) -> set[int]:
    return {event.profile_id for event in events(event_type)}


def payloads(event_type: str) -> dict[int, dict[str, Any]]:
    """{profile id: payload} of the events of this type (the last one per profile)."""
    return {event.profile_id: event.payload for event in events(event_type)}


def clear_events() -> None:
    Event.objects.all().delete()


@contextlib.contextmanager
def refused(code: str, status: int | None = None) -> Iterator[pytest.ExceptionInfo[ChatRefusal]]:
    with pytest.raises(ChatRefusal) as caught:
        yield caught
    assert caught.value.code == code, caught.value
    if status is not None:
        assert caught.value.status == status
    assert caught.value.message  # a message for the person, always


def new_id() -> uuid.UUID:
    return uuid.uuid4()
