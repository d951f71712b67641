"""Making calls: an online lesson for a journal's lesson (V1, V10) and a call started in a chat (V4).

Each call gets its own Janus VideoRoom on the least loaded reachable server, made last in the transaction so that a
refusal before it leaves nothing behind and a Janus failure rolls the call back (503 `calls_unavailable`).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext

from parta.common.integration.schemas import LessonCallRef, LessonCallRequest
from parta.messenger.accounts.models import Profile
from parta.messenger.calls import errors
from parta.messenger.calls.janus import JanusError, JanusUnavailable, VideoRoom, choose_server, new_room_id
from parta.messenger.calls.models import Call, CallKind, CallStatus, Participant
from parta.messenger.calls.selectors import call_url
from parta.messenger.calls.services.common import now, publish_to_chat, room_rec_dir
from parta.messenger.calls.services.ending import attendance
from parta.messenger.chats.models import ChatKind, MemberRole, Membership
from parta.messenger.chats.services import ensure_system_chat, send_message
from parta.messenger.integration import errors as integration_errors
from parta.messenger.integration.models import (
    Journal,
    LinkedRole,
    MirrorClass,
    MirrorPerson,
    MirrorSchool,
    PersonKind,
    PersonLink,
)

log = logging.getLogger(__name__)


def call_chat_key(public_id: uuid.UUID) -> str:
    return f"call:{public_id}"


def _open_room(call: Call) -> None:
    """Creates the call's VideoRoom on the reachable server with the fewest participants present in live calls and
    saves where it is. 503 `calls_unavailable` when no server is reachable or the room cannot be made."""
    load = dict(
        Participant.objects.filter(call__status=CallStatus.LIVE, is_present=True)
        .values_list("call__server_name")
        .annotate(n=Count("pk"))
        .values_list("call__server_name", "n")
    )
    server = choose_server(load)
    if server is None:
        raise errors.calls_unavailable()
    call.server_name, call.room_id, call.room_secret = server.name, new_room_id(), secrets.token_urlsafe(24)
    try:
        with VideoRoom(server) as room:
            room.create_room(
                room_id=call.room_id,
                secret=call.room_secret,
                description=call.title,
                allowed=[],
                publishers=settings.CALLS_MAX_PUBLISHERS,
                rec_dir=room_rec_dir(call.room_id),
            )
    except (JanusUnavailable, JanusError) as error:
        log.warning("call %s: no room on %s: %r", call.pk, server.name, error)
        raise errors.calls_unavailable() from error
    call.save(update_fields=["server_name", "room_id", "room_secret"])


# --- lesson calls (the integration API) -------------------------------------------------------------------------------


def _class_students(school: MirrorSchool, school_class: MirrorClass) -> list[int]:
    """Profiles of the class's students who have linked (the roster's students of the class → their links)."""
    roster_ids = MirrorPerson.objects.filter(
        school=school, kind=PersonKind.STUDENT, school_class=school_class
    ).values_list("external_id", flat=True)
    return sorted(
        set(
            LinkedRole.objects.filter(school=school, kind=PersonKind.STUDENT, roster_id__in=list(roster_ids))
            .values_list("link__profile_id", flat=True)
            .distinct()
        )
    )


def lesson_call_ref(call: Call) -> LessonCallRef:
    """The journal's view of a lesson call; attendance once it has ended (B2)."""
    if call.starts_at is None or call.ends_at is None:
        raise ValueError("not a lesson call")
    return LessonCallRef(
        call_id=str(call.public_id),
        url=call_url(call),
        status=call.status,  # type: ignore[arg-type]
        starts_at=call.starts_at,
        ends_at=call.ends_at,
        ended_at=call.ended_at,
        attendance=attendance(call) if not call.is_live else [],
    )


def _resolve(journal: Journal, request: LessonCallRequest) -> tuple[MirrorSchool, MirrorClass, Profile]:
    school = (
        MirrorSchool.objects.select_related("organization")
        .filter(journal=journal, external_id=request.school_id)
        .first()
    )
    if school is None:
        raise integration_errors.unknown_school(request.school_id)
    school_class = MirrorClass.objects.filter(school=school, external_id=request.class_id).first()
    if school_class is None:
        raise integration_errors.unknown_lesson_reference([f"class {request.class_id}"])
    link = PersonLink.objects.select_related("profile").filter(journal=journal, person_id=request.teacher_id).first()
    if link is None:
        raise errors.teacher_not_linked()
    return school, school_class, link.profile


def create_lesson_call(*, journal: Journal, request: LessonCallRequest) -> LessonCallRef:
    """An online lesson for the journal's lesson (V1): a chat of kind "call" with the teacher (admin, the organizer)
    and the class's linked students, and a Janus room. Idempotent per (journal, lesson_id): a repeat answers the
    existing call. Refusals: unknown_school, unknown_reference, teacher_not_linked, lesson_over, call_in_progress
    (V10: the teacher's other lesson call is live — the database's partial unique constraint decides, also under
    concurrent requests), calls_unavailable."""
    existing = Call.objects.filter(journal=journal, kind=CallKind.LESSON, lesson_external_id=request.lesson_id).first()
    if existing is not None:
        return lesson_call_ref(existing)
    school, school_class, teacher = _resolve(journal, request)
    if request.ends_at + dt.timedelta(seconds=settings.CALLS_GRACE_SECONDS) < now():
        raise errors.lesson_over()
    public_id = uuid.uuid4()
    with transaction.atomic():
        try:
            with transaction.atomic():
                chat = ensure_system_chat(
                    system_key=call_chat_key(public_id),
                    kind=ChatKind.CALL,
                    title=request.title,
                    organization=school.organization,
                    admin_ids=[teacher.pk],
                    member_ids=_class_students(school, school_class),
                )
                call = Call.objects.create(
                    public_id=public_id,
                    kind=CallKind.LESSON,
                    title=request.title,
                    chat=chat,
                    created_by=teacher,
                    starts_at=request.starts_at,
                    ends_at=request.ends_at,
                    journal=journal,
                    school_external_id=request.school_id,
                    lesson_external_id=request.lesson_id,
                    class_external_id=request.class_id,
                    teacher_external_id=request.teacher_id,
                )
        except IntegrityError:
            return _after_conflict(journal=journal, request=request, teacher=teacher)
        _open_room(call)
        publish_to_chat(call, "call.started", _started_payload(call))
    return lesson_call_ref(call)


def _after_conflict(*, journal: Journal, request: LessonCallRequest, teacher: Profile) -> LessonCallRef:
    """A concurrent request made this lesson's call (answer it), or the teacher has another live lesson (V10)."""
    same = Call.objects.filter(journal=journal, kind=CallKind.LESSON, lesson_external_id=request.lesson_id).first()
    if same is not None:
        return lesson_call_ref(same)
    live = Call.objects.filter(created_by=teacher, kind=CallKind.LESSON, status=CallStatus.LIVE).first()
    if live is not None:
        raise errors.call_in_progress(live.title)
    raise RuntimeError("a lesson call conflicted with nothing")


# --- chat calls (V4) --------------------------------------------------------------------------------------------------


def _may_start(membership: Membership) -> bool:
    """Direct chats and open group chats: any member; closed group chats and the school's chats: their admins."""
    chat = membership.chat
    if chat.kind == ChatKind.DIRECT:
        return True
    if chat.kind == ChatKind.GROUP and not chat.is_closed:
        return True
    return bool(membership.role == MemberRole.ADMIN and chat.kind != ChatKind.CALL)


def _started_payload(call: Call) -> dict[str, object]:
    return {"call_id": str(call.public_id), "chat_id": call.chat_id, "url": call_url(call), "title": call.title}


def start_chat_call(*, actor: Profile, chat_id: int) -> tuple[Call, bool]:
    """A call in a chat («Позвонить»): the chat's live call if there is one (join it), else a new one with the actor as
    its organizer; a message «📞 Начался звонок» in the chat and "call.started" to its members. Returns (call,
    created). 404 for a chat one is not in; 403 `may_not_call` where only admins may start calls."""
    membership = Membership.objects.select_related("chat").filter(chat_id=chat_id, profile_id=actor.pk).first()
    if membership is None:
        raise errors.call_not_found()
    live = Call.objects.filter(chat_id=chat_id, status=CallStatus.LIVE).order_by("-created_at").first()
    if live is not None:
        return live, False
    if not _may_start(membership):
        raise errors.may_not_call()
    chat = membership.chat
    with transaction.atomic():
        try:
            with transaction.atomic():
                call = Call.objects.create(
                    kind=CallKind.CHAT, title=chat.title or actor.short_name, chat=chat, created_by=actor
                )
        except IntegrityError:  # started by another member at the same moment: join theirs
            return Call.objects.get(chat_id=chat_id, kind=CallKind.CHAT, status=CallStatus.LIVE), False
        with translation.override(settings.LANGUAGE_CODE):  # the message is the chat's data: in the school's language
            text = gettext("📞 A call has started: %(url)s") % {"url": call_url(call)}
        send_message(sender=actor, chat_id=chat_id, client_id=uuid.uuid4(), text=text)
        _open_room(call)
        publish_to_chat(call, "call.started", _started_payload(call))
    return call, True
