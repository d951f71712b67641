"""Writes for distance lessons: the call the messenger made, its end (webhook `call.ended`), absences from it.
The catch-up pack of a recorded lesson is catch_up.py's."""

from __future__ import annotations

import datetime as dt
import logging

from asgiref.sync import sync_to_async
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel, ValidationError

from parta.common.integration.schemas import CallAttendance, LessonCallRef, WebhookEvent
from parta.journal.accounts.models import User
from parta.journal.distance.catch_up import kick_waiting
from parta.journal.distance.models import DistanceLesson, DistanceStatus
from parta.journal.distance.selectors import attendance_by_person, call_request
from parta.journal.gradebook.models import Absence
from parta.journal.gradebook.selectors import lesson_students
from parta.journal.messenger_link import client
from parta.journal.messenger_link.client import Config
from parta.journal.messenger_link.refs import person_ref
from parta.journal.timetable.models import Lesson

logger = logging.getLogger(__name__)


class CallEnded(BaseModel):
    """`data` of the webhook `call.ended` (docs/calls.md)."""

    call_id: str
    school_id: str | None = None
    lesson_id: str | None = None
    ended_at: dt.datetime
    end_reason: str = ""
    attendance: list[CallAttendance] = []


def _attendance_json(items: list[CallAttendance]) -> list[dict[str, object]]:
    return [item.model_dump(mode="json") for item in items]


async def acreate_call(*, lesson: Lesson, created_by: User) -> DistanceLesson:
    """POST /integration/v1/calls for the lesson (its names loaded) and keep the answer.

    Raises client.Unavailable or client.Refused (say `teacher_not_linked`).
    """
    call = await client.acreate_lesson_call(Config.from_settings(), request=call_request(lesson))
    distance: DistanceLesson = await sync_to_async(record_call)(lesson=lesson, call=call, created_by=created_by)
    return distance


async def arefresh_call(*, distance: DistanceLesson) -> DistanceLesson:
    """«Обновить»: GET /integration/v1/calls/{id} and apply it. Raises client.Unavailable or client.Refused."""
    call = await client.aget_lesson_call(Config.from_settings(), call_id=distance.call_id)
    refreshed: DistanceLesson = await sync_to_async(refresh_call)(distance=distance, call=call)
    return refreshed


def record_call(*, lesson: Lesson, call: LessonCallRef, created_by: User) -> DistanceLesson:
    """Keeps the call the messenger made (or had made before: its request is idempotent per lesson)."""
    distance, _created = DistanceLesson.objects.update_or_create(
        lesson=lesson,
        defaults={"call_id": call.call_id, "url": call.url},
        create_defaults={"call_id": call.call_id, "url": call.url, "created_by": created_by},
    )
    if call.status == "ended" and call.ended_at is not None:
        ended, _changed = end_call(
            call_id=call.call_id, ended_at=call.ended_at, end_reason="", attendance=call.attendance
        )
        return ended or distance
    return distance


def end_call(
    *, call_id: str, ended_at: dt.datetime, end_reason: str, attendance: list[CallAttendance]
) -> tuple[DistanceLesson, bool] | tuple[None, bool]:
    """The call has ended (V9): status, time, reason and who attended. Applying the same end again changes nothing.

    Returns the distance lesson (None when the journal knows no such call) and whether anything changed. Locks the
    row: the webhook and «Обновить» may arrive together.
    """
    with transaction.atomic():
        distance = DistanceLesson.objects.select_for_update().filter(call_id=call_id).first()
        if distance is None:
            return None, False
        wanted = {
            "status": DistanceStatus.ENDED,
            "ended_at": ended_at,
            "end_reason": end_reason[:50] or distance.end_reason,
            # An end without attendance (a refresh that raced the webhook) does not erase what is known.
            "attendance": _attendance_json(attendance) if attendance else distance.attendance,
        }
        changed = [name for name, value in wanted.items() if getattr(distance, name) != value]
        for name in changed:
            setattr(distance, name, wanted[name])
        if changed:
            distance.save(update_fields=changed)
        if "status" in changed:
            kick_waiting(distance)  # a recording reported before the end waited for the attendance
        return distance, bool(changed)


def apply_call_ended(*, data: dict[str, object]) -> DistanceLesson | None:
    """The webhook `call.ended`'s data (once per event id: messenger_link's webhooks.services.handle_webhook)."""
    try:
        event = CallEnded.model_validate(data)
    except ValidationError:
        logger.warning("A call.ended event with unexpected data: %s", data)
        return None
    distance, _changed = end_call(
        call_id=event.call_id, ended_at=event.ended_at, end_reason=event.end_reason, attendance=event.attendance
    )
    if distance is None:
        logger.info("call.ended for a call the journal does not know: %s", event.call_id)
    return distance


def on_call_ended(event: WebhookEvent) -> None:
    """The handler distance lessons register for `call.ended` (apps.py): the distance lesson has ended (V9, B2)."""
    apply_call_ended(data=event.data)


def refresh_call(*, distance: DistanceLesson, call: LessonCallRef) -> DistanceLesson:
    """«Обновить»: what GET /integration/v1/calls/{id} answered, when the webhook has not come (yet)."""
    if call.status == "ended" and call.ended_at is not None:
        updated, _changed = end_call(
            call_id=distance.call_id, ended_at=call.ended_at, end_reason="", attendance=call.attendance
        )
        return updated or distance
    return distance


@transaction.atomic
def mark_absent_from_call(*, distance: DistanceLesson, author: User) -> int:
    """«Отметить отсутствующих» (B2): «Н» for each of the lesson's students who never joined the call.

    Idempotent: students already marked absent are left as they are, so a second click adds nothing. Locks the
    lesson row, as saving the lesson's marks does, so it does not interleave with a save of «Выставить оценки».
    Returns how many «Н» were added.
    """
    lesson = Lesson.objects.select_for_update().get(pk=distance.lesson_id)
    present = set(attendance_by_person(distance))
    already = set(Absence.objects.filter(lesson=lesson).values_list("student_id", flat=True))
    absent = [
        student.pk
        for student in lesson_students(lesson)
        if person_ref(student.user_id) not in present and student.pk not in already
    ]
    Absence.objects.bulk_create(
        [Absence(lesson=lesson, student_id=student_id, author=author) for student_id in absent], ignore_conflicts=True
    )
    DistanceLesson.objects.filter(pk=distance.pk).update(attendance_applied_at=timezone.now())
    return len(absent)
