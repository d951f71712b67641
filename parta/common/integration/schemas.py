"""The integration API's payloads (version 1), shared by the messenger (server) and any journal (client).

A neutral module: both sites may import it; it imports neither. The messenger serves these shapes at
/integration/v1/… (OpenAPI there, prose in docs/integration-api.md); Parta's own journal is one client of it,
and another region's journal sends the same JSON without this code.

Ids are the journal's own (`external_id`, strings). Names are as the journal holds them.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

API_VERSION = "v1"
IDEMPOTENCY_HEADER = "Idempotency-Key"
SIGNATURE_HEADER = "X-Parta-Signature"  # webhooks: "sha256=<hex HMAC of the raw body with the webhook secret>"

RoleKind = Literal["teacher", "student", "parent", "admin"]


class PersonName(BaseModel):
    last_name: str = Field(max_length=150)
    first_name: str = Field(max_length=150)
    patronymic: str = Field(default="", max_length=150)


# --- Roster: the journal's school as the messenger mirrors it ------------------------------------------------


class SchoolIn(BaseModel):
    external_id: str = Field(max_length=64)
    name: str = Field(max_length=255)
    region: str = Field(default="", max_length=255)


class ClassIn(BaseModel):
    external_id: str = Field(max_length=64)
    name: str = Field(max_length=20, description="e.g. 7Б")
    class_teacher_id: str | None = Field(default=None, description="external id of the class teacher")


class SubjectIn(BaseModel):
    external_id: str = Field(max_length=64)
    name: str = Field(max_length=100)


class TeacherIn(PersonName):
    external_id: str = Field(max_length=64)


class StudentIn(PersonName):
    external_id: str = Field(max_length=64)
    class_id: str = Field(description="external id of the student's class")
    birth_date: dt.date | None = None


class ParentIn(PersonName):
    external_id: str = Field(max_length=64)
    children: list[str] = Field(default_factory=list, description="external ids of the parent's children")


class GroupIn(BaseModel):
    external_id: str = Field(max_length=64)
    class_id: str
    name: str = Field(max_length=100)
    student_ids: list[str] = Field(default_factory=list)


class LoadIn(BaseModel):
    """Teacher × class × subject (optionally one group of the class)."""

    teacher_id: str
    class_id: str
    subject_id: str
    group_id: str | None = None


class RosterItems(BaseModel):
    classes: list[ClassIn] = Field(default_factory=list)
    subjects: list[SubjectIn] = Field(default_factory=list)
    teachers: list[TeacherIn] = Field(default_factory=list)
    students: list[StudentIn] = Field(default_factory=list)
    parents: list[ParentIn] = Field(default_factory=list)
    groups: list[GroupIn] = Field(default_factory=list)
    load: list[LoadIn] = Field(default_factory=list)


class RosterDeletes(BaseModel):
    """External ids that no longer exist in the journal (load rows are matched by their four ids)."""

    classes: list[str] = Field(default_factory=list)
    subjects: list[str] = Field(default_factory=list)
    teachers: list[str] = Field(default_factory=list)
    students: list[str] = Field(default_factory=list)
    parents: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    load: list[LoadIn] = Field(default_factory=list)


class RosterBatch(BaseModel):
    """POST /integration/v1/roster — one school's full roster (`full`) or a change to it.

    `sequence` grows by one per school; the messenger applies batches of a school in that order and answers 409
    with the sequence it expects when one is missing. Sent with an Idempotency-Key header: a repeat is a no-op.
    In a full batch, whatever the mirror has for the school and the batch lacks is removed.
    """

    school: SchoolIn
    sequence: int = Field(ge=1)
    full: bool = False
    upserts: RosterItems = Field(default_factory=RosterItems)
    deletes: RosterDeletes = Field(default_factory=RosterDeletes)


class RosterResult(BaseModel):
    school_id: str
    applied_sequence: int
    duplicate: bool = False


# --- Linking a person (with the person's OAuth access token) -------------------------------------------------


class LinkRole(BaseModel):
    kind: RoleKind
    school_id: str = Field(description="external id of the school")
    class_id: str | None = Field(default=None, description="a student's class")
    children: list[str] = Field(default_factory=list, description="a parent's children (student external ids)")
    roster_person_id: str | None = Field(
        default=None,
        max_length=64,
        description="this role's person in the roster (TeacherIn/StudentIn/ParentIn.external_id) when the roster's "
        "ids differ from the account's person_id; omitted: the roster uses person_id",
    )


class LinkRequest(BaseModel):
    """POST /integration/v1/link — what the journal passes for the signed-in person (the consent screen lists it)."""

    person_id: str = Field(max_length=64, description="the journal account's external id")
    name: PersonName
    roles: list[LinkRole] = Field(min_length=1)
    replace_existing: bool = Field(
        default=False,
        description="L6: the account is linked to another profile and the person chose to move the link to this one",
    )


class LinkResult(BaseModel):
    profile_id: int
    confirmed_roles: list[LinkRole]
    chats_url: str = Field(description="where «Перейти в чат» leads")


class ApiError(BaseModel):
    code: str = Field(description="stable, machine-readable, e.g. child_on_adult_profile")
    message: str = Field(description="Russian, for the person")
    help_url: str | None = None


class SequenceConflict(ApiError):
    """409 from POST /roster (code "sequence_gap"): a batch of this school is missing; resend from this one."""

    expected_sequence: int


# --- Subject chats ---------------------------------------------------------------------------------------------


class SubjectChatRequest(BaseModel):
    """POST /integration/v1/subject-chats — idempotent on (school, class, subject, group)."""

    school_id: str
    class_id: str
    subject_id: str
    group_id: str | None = None
    teacher_id: str
    include_parents: bool = False


class ChatRef(BaseModel):
    chat_id: int
    name: str
    url: str = Field(description="deep link into the chat in the messenger (L5)")


class SubjectChatRef(ChatRef):
    """GET /integration/v1/subject-chats (C3): a subject chat with what it was made for."""

    school_id: str
    class_id: str
    subject_id: str
    group_id: str | None = None
    teacher_id: str | None = None
    include_parents: bool = False


# --- Lesson calls (V1, V3, V9, V10, B2) -----------------------------------------------------------------------------


class LessonCallRequest(BaseModel):
    """POST /integration/v1/calls — an online lesson for a journal lesson; idempotent on (journal, lesson_id).

    The teacher becomes the call's organizer; the class's students (linked ones) may join it. Refusals:
    call_in_progress (409, the teacher's other lesson call is live, V10), teacher_not_linked (409),
    unknown_school / unknown_reference (404), lesson_over (409), calls_unavailable (503: no media server)."""

    school_id: str
    lesson_id: str
    class_id: str
    subject_name: str = Field(max_length=100)
    teacher_id: str = Field(description="the teacher's journal account (person_id)")
    title: str = Field(max_length=200, description="e.g. «7Б — Математика, 30.11, 2-й урок»")
    starts_at: dt.datetime
    ends_at: dt.datetime


class CallAttendance(BaseModel):
    person_id: str = Field(description="the journal account of a linked participant")
    seconds: int = Field(description="time present in the call, all stretches together")
    first_joined_at: dt.datetime
    last_left_at: dt.datetime | None = None


class LessonCallRef(BaseModel):
    call_id: str
    url: str = Field(description="the call page in the messenger (pre-join screen)")
    status: Literal["live", "ended"]
    starts_at: dt.datetime
    ends_at: dt.datetime
    ended_at: dt.datetime | None = None
    attendance: list[CallAttendance] = Field(default_factory=list, description="filled once the call has ended")


# --- The catch-up pack of a recorded lesson (issue 11 point 5) -------------------------------------------------------


class CatchUpRequest(BaseModel):
    """POST /integration/v1/calls/{call_id}/catch-up — the recorded lesson for the students who missed it.

    Each of `absent_person_ids` (journal accounts, as in CallAttendance) who is a student of the call's class and has
    linked a profile gets a direct message from the call's organizer: the recording, the board's PDF when there was
    one, the topic and the homework; each of their linked parents a short notice. Idempotent per recording and
    person: asking again sends nothing twice."""

    recording_id: str | None = Field(
        default=None, description="the recording (the webhook's recording_id); omitted: the call's latest ready one"
    )
    absent_person_ids: list[str] = Field(max_length=1000, description="journal accounts of the absent students")
    topic: str = Field(default="", max_length=500)
    homework: str = Field(default="", max_length=5000)
    lesson_date: dt.date
    subject: str = Field(max_length=100, description="the subject's name, e.g. «Алгебра»")


class CatchUpResult(BaseModel):
    recording_id: str
    sent: int = Field(description="students who got the recording now")
    already_sent: int = Field(default=0, description="students who had got it before (a repeated request)")
    skipped_unlinked: int = Field(default=0, description="students of the class without a linked profile")
    skipped_not_in_class: int = Field(default=0, description="ids that are not students of the call's class")
    skipped_unreachable: int = Field(default=0, description="students the organizer may not write to (safety rules)")
    parents_notified: int = Field(default=0, description="parents' notices sent now")


class RecordingReady(BaseModel):
    """`data` of the webhook `call.recording_ready`: a lesson call's recording is processed and in the call's chat.

    `catch_up` is whether the teacher left the catch-up pack on for this lesson; when true the journal answers with
    POST /calls/{call_id}/catch-up once the call has ended (the absent students come from its attendance)."""

    call_id: str
    school_id: str
    lesson_id: str
    recording_id: str
    catch_up: bool


# --- Webhooks (messenger → journal), signed with the journal's webhook secret --------------------------------


class WebhookEvent(BaseModel):
    id: str = Field(description="unique per event: the journal ignores a repeat")
    type: Literal["link.removed", "link.created", "call.ended", "call.attendance", "call.recording_ready"]
    created_at: dt.datetime
    data: dict[str, object]
