"""Reads for distance lessons: who may do what, the lesson's time window, attendance rows, the messenger request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parta.common.integration.schemas import CallAttendance, CatchUpRequest, LessonCallRequest
from parta.journal.distance.models import CatchUp, DistanceLesson
from parta.journal.gradebook.selectors import lesson_students, may_edit_lesson
from parta.journal.messenger_link.refs import person_ref, ref
from parta.journal.school.models import Student
from parta.journal.school.selectors import Roles
from parta.journal.timetable.models import Lesson


class Shown(StrEnum):
    """What the class journal's «Дистанционный урок» row and the diary show for a lesson."""

    NONE = "none"
    LIVE = "live"
    ENDED = "ended"


class Entry(StrEnum):
    """Where the diary's distance-lesson link leads a student now."""

    EARLY = "early"  # «Урок начнётся в 10:00»
    JOIN = "join"  # to the messenger's call page
    ENDED = "ended"  # «Урок завершён»


def lesson_window(lesson: Lesson) -> tuple[dt.datetime, dt.datetime]:
    """The lesson's start and end as aware datetimes in the school's time zone."""
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(lesson.date, lesson.starts_at, tzinfo=zone),
        dt.datetime.combine(lesson.date, lesson.ends_at, tzinfo=zone),
    )


def _grace() -> dt.timedelta:
    return dt.timedelta(seconds=settings.DISTANCE_GRACE_SECONDS)


def _early() -> dt.timedelta:
    return dt.timedelta(seconds=settings.DISTANCE_EARLY_JOIN_SECONDS)


def is_lesson_over(lesson: Lesson, now: dt.datetime) -> bool:
    """«Создать» is offered until the lesson's end (the messenger would still accept a little later)."""
    return now >= lesson_window(lesson)[1]


def is_not_today(lesson: Lesson, now: dt.datetime) -> bool:
    """A call is made on the lesson's day: a live call would hold back the teacher's other lesson calls (V10) until its
    lesson is over, so «Создать» for next week's lesson would block this week's."""
    return lesson.date != timezone.localdate(now)


def shown_state(lesson: Lesson, distance: DistanceLesson | None, now: dt.datetime) -> Shown:
    """Ended once the messenger said so, or once the lesson and its grace are over even if the webhook is late (V9)."""
    if distance is None:
        return Shown.NONE
    if distance.is_ended or now >= lesson_window(lesson)[1] + _grace():
        return Shown.ENDED
    return Shown.LIVE


def diary_entry(lesson: Lesson, distance: DistanceLesson, now: dt.datetime) -> Entry:
    starts_at, _ends_at = lesson_window(lesson)
    if shown_state(lesson, distance, now) == Shown.ENDED:
        return Entry.ENDED
    if now < starts_at - _early():
        return Entry.EARLY
    return Entry.JOIN


def is_lesson_teacher(*, roles: Roles, lesson: Lesson) -> bool:
    """Only the teacher who gives the lesson (`teacher`: a substitute when there is one) holds its call."""
    return lesson.teacher_id in roles.teacher_ids


def may_view_attendance(*, roles: Roles, lesson: Lesson) -> bool:
    """The lesson's teacher and the school's admin (the same people who edit the lesson's marks)."""
    return may_edit_lesson(roles=roles, lesson=lesson)


def get_distance(*, lesson_id: int) -> DistanceLesson | None:
    return DistanceLesson.objects.filter(lesson_id=lesson_id).first()


def get_lesson_for_student(*, roles: Roles, lesson_id: int) -> Lesson | None:
    """The lesson with its distance lesson when the person is one of its students; None otherwise (a 404)."""
    if not roles.student_ids:
        return None
    lesson = Lesson.objects.with_names().select_related("distance").filter(pk=lesson_id).first()
    if lesson is None:
        return None
    students = Student.objects.filter(pk__in=roles.student_ids, school_class_id=lesson.school_class_id)
    if lesson.group_id:
        students = students.filter(groups__id=lesson.group_id)
    return lesson if students.exists() else None


@dataclass(frozen=True)
class AttendanceRow:
    student: Student
    seconds: int
    first_joined_at: dt.datetime | None
    last_left_at: dt.datetime | None
    present: bool
    absent_marked: bool

    @property
    def minutes(self) -> int:
        """Whole minutes, rounded up: a student who was there for 20 seconds was there."""
        return (self.seconds + 59) // 60


def attendance_by_person(distance: DistanceLesson) -> dict[str, CallAttendance]:
    return {item.person_id: item for item in (CallAttendance.model_validate(raw) for raw in distance.attendance)}


def attendance_rows(*, distance: DistanceLesson, absent_ids: set[int]) -> list[AttendanceRow]:
    """The lesson's students alphabetically, with the time each spent in the call (0 for those who did not join)."""
    found = attendance_by_person(distance)
    rows = []
    for student in lesson_students(distance.lesson):
        item = found.get(person_ref(student.user_id))
        rows.append(
            AttendanceRow(
                student=student,
                seconds=item.seconds if item else 0,
                first_joined_at=item.first_joined_at if item else None,
                last_left_at=item.last_left_at if item else None,
                present=item is not None,
                absent_marked=student.pk in absent_ids,
            )
        )
    return rows


def lesson_title(lesson: Lesson) -> str:
    """«7Б — Математика, 30.11, 2-й урок» (the call's title in the messenger)."""
    name = f"{lesson.school_class.name} — {lesson.subject.name}"
    if lesson.group_id and lesson.group:
        name = f"{name} ({lesson.group.name})"
    with translation.override(settings.LANGUAGE_CODE):  # the messenger shows it to everyone alike
        when = _("lesson %(number)s") % {"number": lesson.number} if lesson.number else f"{lesson.starts_at:%H:%M}"
    return f"{name}, {lesson.date:%d.%m}, {when}"[:200]


def call_request(lesson: Lesson) -> LessonCallRequest:
    """What POST /integration/v1/calls gets for this lesson (`lesson` with its names loaded)."""
    starts_at, ends_at = lesson_window(lesson)
    return LessonCallRequest(
        school_id=ref(lesson.school_id),
        lesson_id=ref(lesson.pk),
        class_id=ref(lesson.school_class_id),
        subject_name=lesson.subject.name[:100],
        teacher_id=person_ref(lesson.teacher.user_id),
        title=lesson_title(lesson),
        starts_at=starts_at,
        ends_at=ends_at,
    )


def absent_students(distance: DistanceLesson) -> list[Student]:
    """The lesson's students (its group's, or the class's) who were not in its call: no time present at all."""
    present = {person_id for person_id, item in attendance_by_person(distance).items() if item.seconds > 0}
    return [student for student in lesson_students(distance.lesson) if person_ref(student.user_id) not in present]


def catch_up_request(catch_up: CatchUp) -> CatchUpRequest:
    """What POST /integration/v1/calls/{id}/catch-up gets: the absent students, the lesson's topic and homework
    (`catch_up` with its distance lesson's lesson and subject loaded)."""
    lesson = catch_up.distance.lesson
    return CatchUpRequest(
        recording_id=catch_up.recording_id,
        absent_person_ids=[person_ref(student.user_id) for student in absent_students(catch_up.distance)],
        topic=lesson.topic[:500],
        homework=lesson.homework[:5000],
        lesson_date=lesson.date,
        subject=lesson.subject.name[:100],
    )
