"""Writes of the journal's side of the integration: outbox rows, subject chats, links, received webhooks."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from parta.common.integration.schemas import LinkResult, SubjectChatRequest, WebhookEvent
from parta.journal.accounts.models import User
from parta.journal.distance import services as distance_services
from parta.journal.messenger_link import roster
from parta.journal.messenger_link.models import (
    MessengerLink,
    OutboxItem,
    OutboxKind,
    SchoolSync,
    SubjectChat,
    SubjectChatStatus,
    WebhookReceipt,
)
from parta.journal.messenger_link.refs import optional_ref, person_ref, ref
from parta.journal.messenger_link.roster import SchoolChanges
from parta.journal.school.models import School, TeachingLoad

logger = logging.getLogger(__name__)


def kick_delivery() -> None:
    """Wakes the outbox worker after the current transaction commits (the periodic run is the fallback)."""
    if not (settings.MESSENGER_CLIENT_ID and settings.MESSENGER_CLIENT_SECRET):
        return  # not configured: the rows wait until it is

    def enqueue() -> None:
        from parta.journal.messenger_link.tasks import deliver_outbox

        try:
            deliver_outbox()
        except Exception:  # the queue's storage being away must not fail the change; the periodic run follows
            logger.exception("Could not wake the outbox worker")

    transaction.on_commit(enqueue)


def _lock_school(school_id: int) -> tuple[School, SchoolSync] | None:
    """The school and its sync row, locked until the transaction ends (outbox rows of a school in commit order)."""
    school = School.objects.filter(pk=school_id).first()
    if school is None:
        return None
    SchoolSync.objects.get_or_create(school=school)
    return school, SchoolSync.objects.select_for_update().get(school=school)


def _new_key() -> str:
    return uuid.uuid4().hex


def _add_roster(sync: SchoolSync, school: School, batch_full: bool, payload: dict[str, object]) -> OutboxItem:
    sync.last_sequence = int(payload["sequence"])  # type: ignore[call-overload]
    sync.save(update_fields=["last_sequence"])
    return OutboxItem.objects.create(
        school=school,
        kind=OutboxKind.ROSTER,
        sequence=sync.last_sequence,
        full=batch_full,
        payload=payload,
        idempotency_key=_new_key(),
    )


def enqueue_full_sync(*, school_id: int, kick: bool = True) -> OutboxItem | None:
    """Queues the school's whole roster as the next batch (`sync_roster`, after the demo load and an import).

    Locks the school's sync row. Returns None when the school does not exist (any more).
    """
    with transaction.atomic():
        locked = _lock_school(school_id)
        if locked is None:
            return None
        school, sync = locked
        batch = roster.full_batch(school, sequence=sync.last_sequence + 1)
        item = _add_roster(sync, school, True, batch.model_dump(mode="json"))
        if kick:
            kick_delivery()
    return item


def enqueue_roster_changes(*, school_id: int, changes: SchoolChanges, kick: bool = True) -> OutboxItem | None:
    """Queues what changed as a small batch — or the whole roster when the school was never sent.

    Locks the school's sync row. None when there is nothing to send or the school is gone.
    """
    with transaction.atomic():
        locked = _lock_school(school_id)
        if locked is None:
            return None
        school, sync = locked
        if sync.last_sequence == 0:
            batch = roster.full_batch(school, sequence=1)
        else:
            found = roster.change_batch(school, changes, sequence=sync.last_sequence + 1)
            if found is None:
                return None
            batch = found
        item = _add_roster(sync, school, batch.full, batch.model_dump(mode="json"))
        if kick:
            kick_delivery()
    return item


def enqueue_full_sync_of_all(*, school_ids: list[int] | None = None) -> list[OutboxItem]:
    """A full batch for each of these schools (all schools by default)."""
    ids = school_ids if school_ids is not None else list(School.objects.order_by("pk").values_list("pk", flat=True))
    return [item for school_id in ids if (item := enqueue_full_sync(school_id=school_id)) is not None]


# --- subject chats (C2) ----------------------------------------------------------------------------------------------


def subject_chat_name(load: TeachingLoad) -> str:
    """«7Б — Математика»; a group's chat names the group: «7Б — Английский язык (Группа 1)», as the messenger does."""
    name = f"{load.school_class.name} — {load.subject.name}"
    return f"{name} ({load.group.name})" if load.group_id and load.group else name


@transaction.atomic
def request_subject_chat(*, load: TeachingLoad, include_parents: bool, requested_by: User) -> SubjectChat:
    """Records the chat and queues its creation in the messenger; asking again for the same class (or group) and
    subject returns the chat already asked for. The caller has checked that the person may (selectors).

    Locks the school's sync row: the request is delivered after the roster batches queued before it.
    """
    locked = _lock_school(load.school_class.school_id)
    if locked is None:
        raise School.DoesNotExist
    school, _sync = locked
    existing = SubjectChat.objects.filter(
        school_class_id=load.school_class_id, subject_id=load.subject_id, group_id=load.group_id
    ).first()
    if existing is not None and existing.status != SubjectChatStatus.FAILED:
        return existing
    if existing is not None:  # refused before (say, the roster was not there yet): ask once more
        existing.delete()
    chat = SubjectChat.objects.create(
        school=school,
        school_class_id=load.school_class_id,
        subject_id=load.subject_id,
        group_id=load.group_id,
        teacher_id=load.teacher_id,
        include_parents=include_parents,
        name=subject_chat_name(load),
        requested_by=requested_by,
    )
    request = SubjectChatRequest(
        school_id=ref(school.pk),
        class_id=ref(load.school_class_id),
        subject_id=ref(load.subject_id),
        group_id=optional_ref(load.group_id),
        teacher_id=person_ref(load.teacher.user_id),
        include_parents=include_parents,
    )
    OutboxItem.objects.create(
        school=school,
        kind=OutboxKind.SUBJECT_CHAT,
        payload=request.model_dump(mode="json"),
        idempotency_key=_new_key(),
        subject_chat=chat,
    )
    kick_delivery()
    return chat


# --- links (L1, L6) --------------------------------------------------------------------------------------------------


@transaction.atomic
def record_link(*, user: User, subject: str, profile_name: str, result: LinkResult) -> MessengerLink:
    """Keeps what the messenger confirmed: this account is linked with that profile (replacing an older link)."""
    link, _created = MessengerLink.objects.update_or_create(
        user=user,
        defaults={
            "profile_id": result.profile_id,
            "subject": subject,
            "profile_name": profile_name[:255],
            "roles": [role.model_dump(mode="json") for role in result.confirmed_roles],
            "chats_url": result.chats_url,
            "linked_at": timezone.now(),
        },
    )
    return link


def forget_link(*, user_id: int) -> bool:
    """The link is gone on the messenger's side (unlinked here or there): the journal forgets it too."""
    deleted, _ = MessengerLink.objects.filter(user_id=user_id).delete()
    return bool(deleted)


def handle_webhook(*, event: WebhookEvent) -> bool:
    """Applies a verified event once; False when this event id was handled before (a redelivery)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookReceipt.objects.create(event_id=event.id, type=event.type)
        except IntegrityError:
            return False
        _apply_event(event)
    return True


def _apply_event(event: WebhookEvent) -> None:
    if event.type == "link.removed":
        # The person unlinked in the messenger (or a messenger admin did): the journal agrees (L6).
        person, profile = str(event.data.get("person_id") or ""), event.data.get("profile_id")
        if person.isdigit():
            MessengerLink.objects.filter(user_id=int(person)).delete()
        elif isinstance(profile, int):
            MessengerLink.objects.filter(profile_id=profile).delete()
    elif event.type == "call.ended":
        distance_services.apply_call_ended(data=event.data)  # the distance lesson has ended (V9, B2)
    # link.created is answered by the journal's own callback.
