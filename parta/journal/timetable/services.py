"""Writes to the timetable: turning the weekly timetable into dated lessons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from parta.journal.school.models import Period
from parta.journal.timetable.models import Lesson, TimetableEntry


def _dates(period: Period, weekday: int, *, since: dt.date | None) -> Iterable[dt.date]:
    start = max(period.starts_on, since) if since else period.starts_on
    first = start + dt.timedelta(days=(weekday - start.isoweekday()) % 7)
    day = first
    while day <= period.ends_on:
        yield day
        day += dt.timedelta(days=7)


@transaction.atomic
def generate_lessons(*, period: Period, since: dt.date | None = None) -> int:
    """Creates the dated lessons of `period` from its weekly timetable; returns how many were created.

    Idempotent: a lesson already made from an entry on a date is kept as it is (with its topic, homework,
    marks and any substitution), so re-running after a timetable change only adds what is missing.
    """
    entries = list(
        TimetableEntry.objects.filter(period=period).select_related(
            "bell", "load__school_class", "load__teacher", "load__subject", "load__group"
        )
    )
    existing = set(Lesson.objects.filter(timetable_entry__period=period).values_list("timetable_entry_id", "date"))
    new: list[Lesson] = []
    for entry in entries:
        load = entry.load
        for day in _dates(period, entry.weekday, since=since):
            if (entry.pk, day) in existing:
                continue
            new.append(
                Lesson(
                    school_id=load.school_class.school_id,
                    school_class_id=load.school_class_id,
                    subject_id=load.subject_id,
                    group_id=load.group_id,
                    teacher_id=load.teacher_id,
                    date=day,
                    number=entry.bell.number,
                    starts_at=entry.bell.starts_at,
                    ends_at=entry.bell.ends_at,
                    room=entry.room,
                    timetable_entry=entry,
                )
            )
    Lesson.objects.bulk_create(new, batch_size=1000)
    return len(new)
