# covers: V1, V3, J2, J3
"""The «Дистанционный урок» row and the diary's icon cost no query of their own: the pinned counts still hold."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from parta.journal.distance.models import DistanceStatus
from tests.journal.builders import SmallSchool
from tests.journal.distance.conftest import client_for, distance_for, lesson_at
from tests.journal.gradebook.test_queries import CLASS_JOURNAL_QUERIES, DIARY_WEEK_QUERIES, count_queries


def with_distance_lessons(school: SmallSchool, count: int) -> None:
    for n in range(count):
        lesson = lesson_at(school, timezone.now() + dt.timedelta(hours=n - count // 2, minutes=1))
        distance_for(lesson, status=DistanceStatus.ENDED if n % 2 else DistanceStatus.LIVE)


def test_class_journal_queries_stay_pinned(school: SmallSchool) -> None:
    client = client_for(school.teacher.user)
    url = reverse("gradebook:class_journal")
    params = {"school_class": school.cls_7b.pk, "subject": school.math.pk}
    with_distance_lessons(school, 2)
    assert count_queries(lambda: client.get(url, params)) == CLASS_JOURNAL_QUERIES
    with_distance_lessons(school, 6)
    response = client.get(url, params)
    assert count_queries(lambda: client.get(url, params)) == CLASS_JOURNAL_QUERIES
    assert response.content.decode().count('class="distance-slot"') == 8


def test_diary_week_queries_stay_pinned(school: SmallSchool) -> None:
    client = client_for(school.students[0].user)
    url = reverse("diary:week")
    with_distance_lessons(school, 2)
    assert count_queries(lambda: client.get(url)) == DIARY_WEEK_QUERIES
    with_distance_lessons(school, 6)
    response = client.get(url)
    assert count_queries(lambda: client.get(url)) == DIARY_WEEK_QUERIES
    assert response.content.decode().count('aria-label="Дистанционный урок"') == 8
