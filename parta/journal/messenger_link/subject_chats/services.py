"""Subject chats (C2, C3): asking the messenger for one through the outbox, and reading the ones it has."""

from __future__ import annotations

from django.db import transaction

from parta.common.integration.schemas import SubjectChatRef, SubjectChatRequest
from parta.journal.accounts.models import User
from parta.journal.messenger_link import client
from parta.journal.messenger_link.client import Config
from parta.journal.messenger_link.models import OutboxItem, OutboxKind, SubjectChat, SubjectChatStatus
from parta.journal.messenger_link.refs import optional_ref, person_ref, ref
from parta.journal.messenger_link.roster import outbox
from parta.journal.messenger_link.subject_chats.selectors import RemoteKey
from parta.journal.school.models import School, TeachingLoad


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
    locked = outbox.lock_school(load.school_class.school_id)
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
    _queue(chat, load)
    outbox.kick_delivery()
    return chat


def _queue(chat: SubjectChat, load: TeachingLoad) -> OutboxItem:
    request = SubjectChatRequest(
        school_id=ref(chat.school_id),
        class_id=ref(load.school_class_id),
        subject_id=ref(load.subject_id),
        group_id=optional_ref(load.group_id),
        teacher_id=person_ref(load.teacher.user_id),
        include_parents=chat.include_parents,
    )
    return OutboxItem.objects.create(
        school_id=chat.school_id,
        kind=OutboxKind.SUBJECT_CHAT,
        payload=request.model_dump(mode="json"),
        idempotency_key=outbox.new_key(),
        subject_chat=chat,
    )


async def aremote_subject_chats(*, school_ids: list[int]) -> dict[RemoteKey, SubjectChatRef] | None:
    """The messenger's subject chats of these schools, by class, subject and group; None when it is not set up.

    Raises Unavailable or Refused (client.py) when it could not be asked.
    """
    config = Config.from_settings()
    if not config.configured:
        return None
    found: dict[RemoteKey, SubjectChatRef] = {}
    for school_id in school_ids:
        for chat in await client.alist_subject_chats(config, school_id=ref(school_id)):
            found[(chat.class_id, chat.subject_id, chat.group_id)] = chat
    return found
