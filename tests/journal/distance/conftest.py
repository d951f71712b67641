"""Distance-lesson tests run at local noon (a time zone chosen for it), so that «a lesson going on now», «one later
today» and «one earlier today» all fit in today whatever the clock says; the messenger is the fake HTTP server of
the messenger_link tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from parta.common.integration.schemas import LinkResult
from parta.journal.accounts.models import User
from parta.journal.distance.models import DistanceLesson
from parta.journal.distance.selectors import lesson_window
from parta.journal.messenger_link.linking.services import record_link
from parta.journal.school.models import Teacher, TeachingLoad
from parta.journal.timetable.models import Lesson
from tests.journal.builders import PASSWORD, SchoolBuilder, SmallSchool
from tests.journal.messenger_link.conftest import fake_messenger, messenger  # noqa: F401 - fixtures used here
from tests.journal.messenger_link.fake_messenger import FakeMessenger

CALL_ID = "c0ffee01"


@pytest.fixture
def noon(settings: Any) -> None:
    """A fixed-offset zone where it is about noon now (Etc/GMT-3 is UTC+3: the sign is inverted)."""
    offset = 12 - dt.datetime.now(dt.UTC).hour
    settings.TIME_ZONE = f"Etc/GMT{-offset:+d}" if offset else "UTC"


@pytest.fixture
def school(noon: None, db: None) -> SmallSchool:
    return SchoolBuilder.small()


def lesson_at(
    school: SmallSchool,
    start: dt.datetime,
    *,
    minutes: int = 45,
    load: TeachingLoad | None = None,
    teacher: Teacher | None = None,
    replaced: Teacher | None = None,
) -> Lesson:
    """A 7Б Математика lesson (or `load`'s) starting at `start` (aware)."""
    load = load or school.math_7b
    local = timezone.localtime(start).replace(second=0, microsecond=0)
    return Lesson.objects.create(
        school=school.builder.school,
        school_class=load.school_class,
        subject=load.subject,
        group=load.group,
        teacher=teacher or load.teacher,
        replaced_teacher=replaced,
        date=local.date(),
        starts_at=local.time(),
        ends_at=(local + dt.timedelta(minutes=minutes)).time(),
    )


@pytest.fixture
def now_lesson(school: SmallSchool) -> Lesson:
    """Started ten minutes ago."""
    return lesson_at(school, timezone.now() - dt.timedelta(minutes=10))


@pytest.fixture
def later_lesson(school: SmallSchool) -> Lesson:
    return lesson_at(school, timezone.now() + dt.timedelta(hours=2))


@pytest.fixture
def past_lesson(school: SmallSchool) -> Lesson:
    return lesson_at(school, timezone.now() - dt.timedelta(hours=2))


def client_for(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def link(user: User, fake: FakeMessenger) -> None:
    result = LinkResult(profile_id=500 + user.pk, confirmed_roles=[], chats_url=f"{fake.url}/chats/")
    record_link(user=user, subject=str(500 + user.pk), profile_name=user.full_name, result=result)


def call_ref(fake: FakeMessenger, lesson: Lesson, *, status: str = "live", **extra: Any) -> dict[str, Any]:
    starts_at, ends_at = lesson_window(lesson)
    return {
        "call_id": CALL_ID,
        "url": f"{fake.url}/calls/{CALL_ID}/",
        "status": status,
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        **extra,
    }


def distance_for(lesson: Lesson, *, status: str = "live", url: str = "http://127.0.0.1:9/calls/x/") -> DistanceLesson:
    return DistanceLesson.objects.create(lesson=lesson, call_id=f"call-{lesson.pk}", url=url, status=status)
