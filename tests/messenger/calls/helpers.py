"""A school with linked people (through the integration API, as a journal does it), lesson requests, and the web
API of calls as a browser calls it (a signed-in profile, or a guest's own session)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.test import Client
from django.utils import timezone

from parta.messenger.accounts.models import Profile
from tests.messenger.integration.helpers import JournalCreds, School, call, register, send_roster, server_token
from tests.messenger.integration.test_roster import link_everyone

_lessons = itertools.count(1)


class World:
    """«Школа № 1» of the integration tests, everyone linked: t3 teaches maths in 7Б (st1 Петя, st2 Маша); st3 Коля
    is in 8А; p1, p2 are parents; t1, t2 are other teachers."""

    def __init__(self) -> None:
        self.client = Client()
        self.journal: JournalCreds = register()
        self.server = server_token(self.client, self.journal)
        self.school = School()
        assert send_roster(self.client, self.server, self.school.full()).status_code == 200
        self.people: dict[str, Profile] = link_everyone(self.client, self.journal)

    def lesson(self, **fields: Any) -> dict[str, Any]:
        return lesson_request(**fields)

    def create(self, **fields: Any) -> Any:
        """POST /integration/v1/calls with the journal server's token."""
        return call(self.client, "POST", "/calls", self.server, lesson_request(**fields))

    def created(self, **fields: Any) -> dict[str, Any]:
        response = self.create(**fields)
        assert response.status_code == 200, response.content
        return dict(response.json())


def lesson_request(
    *,
    lesson_id: str | None = None,
    teacher_id: str = "t3",
    class_id: str = "c7b",
    school_id: str = "s1",
    starts_in: dt.timedelta = dt.timedelta(minutes=5),
    duration: dt.timedelta = dt.timedelta(minutes=45),
    title: str = "7Б — Математика, 2-й урок",
) -> dict[str, Any]:
    starts_at = timezone.now() + starts_in
    return {
        "school_id": school_id,
        "lesson_id": lesson_id or f"lesson-{next(_lessons)}",
        "class_id": class_id,
        "subject_name": "Математика",
        "teacher_id": teacher_id,
        "title": title,
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + duration).isoformat(),
    }


def browser(profile: Profile | None = None) -> Client:
    """A browser of the web UI: signed in as `profile`, or a guest's (its own cookies, so its own session)."""
    client = Client()
    if profile is not None:
        client.force_login(profile)
    return client


def api(client: Client, method: str, path: str, body: Any = None) -> Any:
    """One call of /api/v1/calls/… with a JSON body."""
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(client, method.lower())(f"/api/v1/calls/{path}", **kwargs)


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content
    return dict(response.json()) if response.content else {}


def refused(response: Any, status: int, code: str) -> str:
    """Asserts the refusal's status and code; returns its (Russian) message."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert body["message"]
    return str(body["message"])
