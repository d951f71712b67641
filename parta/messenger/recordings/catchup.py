"""The catch-up pack of a recorded lesson (issue 11 point 5; docs/integration-api.md §3.6 and §5).

1. A lesson call's recording becomes READY: `on_recording_ready` (called by the recordings worker) tells the call's
   journal with the webhook `call.recording_ready` {call_id, school_id, lesson_id, recording_id, catch_up}, written
   through the webhook outbox in the caller's transaction.
2. The journal knows who was absent (the call's attendance against its class or group) and the lesson's topic and
   homework; it answers with `POST /integration/v1/calls/{call_id}/catch-up` (`router`, mounted by the site).
3. `send_catch_up`: each absent student of the call's class (the mirror) with a linked profile gets a direct message
   from the call's organizer — the subject, date, topic and homework, with the recording's video and the board's PDF
   as attachments that share the stored files of the call chat's messages (new Attachment rows, the same
   `file.name`: nothing is copied); each of the student's linked parents gets a short notice. The messages' client
   ids are derived from the recording and the person (uuid5), so a repeated request sends nothing twice (chats' own
   rule: one message per sender and client id). The organizer writes as a teacher of the school: the safety rules
   (orgs.selectors through chats' direct chat service) apply, and whoever they refuse is counted, not written to.

This module sits in the recordings app, the layer above boards: it reads calls' Recording, boards' Board, the
integration's mirror and links, and writes through chats. Its refusals are the integration API's, so its Russian is
in the integration's catalogue (parta/messenger/integration/locale), marked with this file's name.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router

from parta.common.integration.schemas import CatchUpRequest, CatchUpResult, RecordingReady
from parta.messenger.accounts.models import Profile
from parta.messenger.boards.exports import EXPORT_TRIES
from parta.messenger.boards.models import Board
from parta.messenger.calls.models import Call, CallKind, CallStatus, Recording, RecordingStatus
from parta.messenger.calls.selectors import find_call
from parta.messenger.chats.errors import ChatRefusal
from parta.messenger.chats.models import Attachment, Membership, Message
from parta.messenger.chats.selectors import get_message
from parta.messenger.chats.services.chats import open_direct_chat
from parta.messenger.chats.services.common import lock_membership
from parta.messenger.chats.services.events import publish_message
from parta.messenger.chats.services.messages import send_message
from parta.messenger.errors import Refusal
from parta.messenger.integration import errors
from parta.messenger.integration.api import api_errors, server_journal
from parta.messenger.integration.errors import IntegrationError
from parta.messenger.integration.models import (
    Journal,
    LinkedRole,
    MirrorFamily,
    MirrorPerson,
    MirrorSchool,
    PersonKind,
    PersonLink,
)
from parta.messenger.integration.services.webhooks import enqueue_webhook

log = logging.getLogger(__name__)

WEBHOOK_TYPE = "call.recording_ready"
CATCH_UP_NAMESPACE = uuid.UUID("6b3f0d52-8a41-4f7e-b2c9-1d7e5a9c3f08")


# --- 1. the webhook ---------------------------------------------------------------------------------------------------


def on_recording_ready(recording: Recording) -> None:
    """A recording is READY: a lesson call of a journal tells the journal (`call.recording_ready`), with whether the
    teacher left the catch-up pack on. Chat calls and calls without a journal: nothing. In the caller's transaction
    (the webhook outbox row commits with it)."""
    call = Call.objects.select_related("journal").get(pk=recording.call_id)
    if call.kind != CallKind.LESSON or call.journal is None:
        return
    data = RecordingReady(
        call_id=str(call.public_id),
        school_id=call.school_external_id,
        lesson_id=call.lesson_external_id,
        recording_id=str(recording.public_id),
        catch_up=bool(call.catch_up_enabled),
    )
    enqueue_webhook(journal=call.journal, type=WEBHOOK_TYPE, data=data.model_dump(mode="json"))


# --- 2. refusals ------------------------------------------------------------------------------------------------------


def recording_not_found() -> IntegrationError:
    return IntegrationError(
        "recording_not_found", gettext_lazy("This online lesson has no such recording."), status=404
    )


def recording_not_ready() -> IntegrationError:
    return IntegrationError(
        "recording_not_ready",
        gettext_lazy(
            "The lesson's recording (or its whiteboard) is not ready yet, or the lesson is still going on: "
            "try again in a few minutes."
        ),
        status=409,
    )


def recording_gone() -> IntegrationError:
    return IntegrationError(
        "recording_gone",
        gettext_lazy("The lesson's recording failed or has been deleted: there is nothing to send."),
        status=409,
    )


def catch_up_off() -> IntegrationError:
    return IntegrationError(
        "catch_up_off",
        gettext_lazy("The teacher has turned off sending the recording to the absent students for this lesson."),
        status=409,
    )


# --- 3. sending -------------------------------------------------------------------------------------------------------


def client_id_for(recording: Recording, *parts: str) -> uuid.UUID:
    """The client id of one catch-up message: the same recording and person always give the same id."""
    return uuid.uuid5(CATCH_UP_NAMESPACE, ":".join((str(recording.public_id), *parts)))


@dataclass(frozen=True)
class Absentee:
    person_id: str  # the journal account, as the request named it
    mirror: MirrorPerson  # the roster's student
    profile_id: int


@dataclass
class Tally:
    sent: int = 0
    already_sent: int = 0
    skipped_unlinked: int = 0
    skipped_not_in_class: int = 0
    skipped_unreachable: int = 0
    parents_notified: int = 0


def _recording(call: Call, recording_id: str | None) -> Recording:
    recordings = Recording.objects.filter(call=call)
    if recording_id is None:
        found = recordings.filter(status=RecordingStatus.READY).order_by("-started_at", "-pk").first()
        if found is None and recordings.exclude(status__in=[RecordingStatus.FAILED, RecordingStatus.DELETED]).exists():
            raise recording_not_ready()
    else:
        try:
            found = recordings.filter(public_id=uuid.UUID(recording_id)).first()
        except ValueError:
            found = None
    if found is None:
        raise recording_not_found()
    return found


def _ready_materials(call: Call, recording: Recording) -> tuple[list[Attachment], list[Attachment]]:
    """The recording's video (the call chat's message) and the board's PDF, if the board was exported; refuses while
    either is still being made or the call is live."""
    if recording.status in (RecordingStatus.FAILED, RecordingStatus.DELETED):
        raise recording_gone()
    if recording.status != RecordingStatus.READY or call.status != CallStatus.ENDED:
        raise recording_not_ready()
    if recording.message_id is None:
        raise recording_gone()
    video = list(Attachment.objects.filter(message_id=recording.message_id, message__deleted_at=None).order_by("pk"))
    if not video:
        raise recording_gone()
    board = Board.objects.filter(call=call).first()
    if board is None:
        return video, []
    if board.exported_at is None and board.export_failures < EXPORT_TRIES:
        raise recording_not_ready()  # the board's PDF follows the end of the call within seconds
    board_files: list[Attachment] = []
    first_catch_up = (
        not Recording.objects.filter(call=call, catch_up_sent_at__isnull=False).exclude(pk=recording.pk).exists()
    )
    if board.export_message_id is not None and first_catch_up:  # one PDF per lesson, with its first recording
        board_files = list(
            Attachment.objects.filter(message_id=board.export_message_id, message__deleted_at=None).order_by("pk")
        )
    return video, board_files


def _school(journal: Journal, call: Call) -> MirrorSchool | None:
    return MirrorSchool.objects.filter(journal=journal, external_id=call.school_external_id).first()


def _absentees(
    journal: Journal, call: Call, school: MirrorSchool | None, person_ids: Sequence[str], tally: Tally
) -> list[Absentee]:
    """The request's people who are students of the call's class in the mirror and have linked a profile; the rest
    counted in `tally`. A journal account's roster id is its student role's (LinkedRole.roster_id), else itself."""
    wanted = sorted(set(person_ids))
    links = {link.person_id: link for link in PersonLink.objects.filter(journal=journal, person_id__in=wanted)}
    roster_ids = {person_id: person_id for person_id in wanted}
    if school is not None:
        for role in LinkedRole.objects.filter(
            link__in=links.values(), school=school, kind=PersonKind.STUDENT
        ).select_related("link"):
            roster_ids[role.link.person_id] = role.roster_id
    students = (
        {
            person.external_id: person
            for person in MirrorPerson.objects.filter(
                school=school,
                kind=PersonKind.STUDENT,
                external_id__in=set(roster_ids.values()),
                school_class__external_id=call.class_external_id,
            )
        }
        if school is not None
        else {}
    )
    found = []
    for person_id in wanted:
        mirror = students.get(roster_ids[person_id])
        if mirror is None:
            tally.skipped_not_in_class += 1
        elif person_id not in links:
            tally.skipped_unlinked += 1
        else:
            found.append(Absentee(person_id=person_id, mirror=mirror, profile_id=links[person_id].profile_id))
    return found


def _parents(school: MirrorSchool, child: MirrorPerson) -> list[tuple[str, int]]:
    """(roster id, profile id) of the child's linked parents."""
    parent_ids = MirrorFamily.objects.filter(child=child, parent__kind=PersonKind.PARENT).values_list(
        "parent__external_id", flat=True
    )
    return list(
        LinkedRole.objects.filter(school=school, kind=PersonKind.PARENT, roster_id__in=list(parent_ids))
        .order_by("roster_id")
        .values_list("roster_id", "link__profile_id")
    )


def _share(message: Message, sources: Sequence[Attachment]) -> None:
    """New attachment rows of `message` for the same stored files (and posters) as `sources`: no copy."""
    for source in sources:
        values = {}
        for field in Attachment._meta.concrete_fields:
            if field.name in ("id", "message"):
                continue
            value = getattr(source, field.attname)
            values[field.attname] = getattr(value, "name", value)  # a FieldFile is kept by its stored name
        Attachment.objects.create(message=message, **values)


def _post_with_shared_files(
    *, sender: Profile, chat_id: int, client_id: uuid.UUID, text: str, sources: Sequence[Attachment]
) -> bool:
    """Chats' send_message for files already stored: the next message of the locked chat, its attachments sharing
    `sources`' files, "message.new" to the members. False when this sender's client id is already there."""
    if Message.objects.filter(sender=sender, client_id=client_id).exists():
        return False
    with transaction.atomic():
        membership = lock_membership(sender, chat_id)
        chat = membership.chat
        if Message.objects.filter(sender=sender, client_id=client_id).exists():
            return False
        message = Message.objects.create(
            chat=chat, sender=sender, seq=chat.last_seq + 1, client_id=client_id, text=text
        )
        _share(message, sources)
        chat.last_seq, chat.last_message_at = message.seq, message.created_at
        chat.save(update_fields=["last_seq", "last_message_at"])
        Membership.objects.filter(pk=membership.pk, last_read_seq__lt=message.seq).update(last_read_seq=message.seq)
        publish_message("message.new", get_message(chat_id=chat.pk, message_id=message.pk))
    return True


def _day(request: CatchUpRequest) -> str:
    return str(formats.date_format(request.lesson_date, "j E"))  # «3 декабря»


def student_text(request: CatchUpRequest, *, with_board: bool) -> str:
    """«Вы пропустили урок «Алгебра» 3 декабря. Тема: … Домашнее задание: …» in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            _("You missed the lesson «%(subject)s» on %(date)s.") % {"subject": request.subject, "date": _day(request)}
        ]
        if request.topic.strip():
            lines.append(_("Topic: %(topic)s") % {"topic": request.topic.strip()})
        if request.homework.strip():
            lines.append(_("Homework: %(homework)s") % {"homework": request.homework.strip()})
        lines.append(
            _("The lesson's recording and its whiteboard are attached.")
            if with_board
            else _("The lesson's recording is attached.")
        )
    return "\n".join(lines)


def parent_text(request: CatchUpRequest, child: MirrorPerson) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "%(name)s missed the online lesson «%(subject)s» on %(date)s. The recording and the lesson's materials "
            "have been sent to them in Parta."
        ) % {"name": child.first_name, "subject": request.subject, "date": _day(request)}


def _notify_parents(
    *, organizer: Profile, recording: Recording, school: MirrorSchool, student: Absentee, request: CatchUpRequest
) -> int:
    notified = 0
    for roster_id, profile_id in _parents(school, student.mirror):
        if profile_id in (organizer.pk, student.profile_id):
            continue
        try:
            with transaction.atomic():
                chat, _created = open_direct_chat(actor=organizer, profile_id=profile_id)
                _message, created = send_message(
                    sender=organizer,
                    chat_id=chat.pk,
                    client_id=client_id_for(recording, "parent", roster_id, student.person_id),
                    text=parent_text(request, student.mirror),
                )
        except ChatRefusal as refusal:  # the safety rules: a parent the organizer may not write to
            log.info("catch-up of %s: no notice to parent %s: %s", recording.public_id, roster_id, refusal.code)
            continue
        notified += created
    return notified


def send_catch_up(*, journal: Journal, call_id: str, request: CatchUpRequest) -> CatchUpResult:
    """The catch-up pack of one recording of a lesson call (module doc). One transaction per person: what was sent
    stays sent if a later person fails, and a repeat finishes the rest. Refusals: call_not_found (404, another
    journal's call too), recording_not_found (404), recording_not_ready (409: processing, the call live, the board's
    PDF being made — try again), recording_gone (409: failed or deleted), catch_up_off (409: the teacher said no)."""
    try:
        call = find_call(call_id)
    except Refusal:
        raise errors.unknown_call() from None
    if call.journal_id != journal.pk or call.kind != CallKind.LESSON:
        raise errors.unknown_call()
    recording = _recording(call, request.recording_id)
    video, board_files = _ready_materials(call, recording)
    if not call.catch_up_enabled:
        raise catch_up_off()
    organizer = call.created_by
    school = _school(journal, call)
    tally = Tally()
    absentees = _absentees(journal, call, school, request.absent_person_ids, tally)
    text = student_text(request, with_board=bool(board_files))
    for student in absentees:
        if student.profile_id == organizer.pk:
            tally.skipped_not_in_class += 1
            continue
        try:
            with transaction.atomic():
                chat, _created = open_direct_chat(actor=organizer, profile_id=student.profile_id)
                created = _post_with_shared_files(
                    sender=organizer,
                    chat_id=chat.pk,
                    client_id=client_id_for(recording, "student", student.person_id),
                    text=text,
                    sources=[*video, *board_files],
                )
        except ChatRefusal as refusal:
            log.info("catch-up of %s: not sent to %s: %s", recording.public_id, student.person_id, refusal.code)
            tally.skipped_unreachable += 1
            continue
        if created:
            tally.sent += 1
        else:
            tally.already_sent += 1
        if school is not None:
            tally.parents_notified += _notify_parents(
                organizer=organizer, recording=recording, school=school, student=student, request=request
            )
    Recording.objects.filter(pk=recording.pk, catch_up_sent_at=None).update(catch_up_sent_at=timezone.now())
    return CatchUpResult(recording_id=str(recording.public_id), **vars(tally))


# --- the endpoint -----------------------------------------------------------------------------------------------------

router = Router(tags=["calls"])


@router.post(
    "/{call_id}/catch-up",
    response={200: CatchUpResult, **api_errors(401, 403, 404, 409)},
    summary="Send a lesson's recording, topic and homework to the students who missed it (the catch-up pack)",
    operation_id="parta_messenger_integration_api_send_catch_up",
)
def catch_up(request: HttpRequest, call_id: str, payload: CatchUpRequest) -> CatchUpResult:
    """With the server's token, after the webhook `call.recording_ready` with `catch_up: true` and once the call has
    ended. Idempotent per recording and person: a repeat sends nothing twice (`already_sent`). Refusals:
    call_not_found and recording_not_found (404), recording_not_ready (409: try again in a few minutes),
    recording_gone and catch_up_off (409: nothing to send)."""
    journal = server_journal(request)
    return send_catch_up(journal=journal, call_id=call_id, request=payload)
