"""Reads for «Управление чатами» (C2, C3): the load whose subject chats a person may manage, with its chats."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from parta.common.integration.schemas import SubjectChatRef
from parta.journal.messenger_link.models import SubjectChat, SubjectChatStatus
from parta.journal.messenger_link.refs import optional_ref, ref
from parta.journal.school.models import TeachingLoad
from parta.journal.school.selectors import Roles

RemoteKey = tuple[str, str, str | None]  # class, subject, group refs


def manageable_load(*, roles: Roles) -> QuerySet[TeachingLoad]:
    """The load whose subject chats the person may add: their own, or any of the schools they administer."""
    qs = TeachingLoad.objects.select_related("school_class", "subject", "group", "teacher__user")
    if not roles.is_superuser:
        qs = qs.filter(Q(teacher_id__in=roles.teacher_ids) | Q(school_class__school_id__in=roles.admin_school_ids))
    return qs.order_by("school_class__grade", "school_class__letter", "subject__name", "group__name", "pk")


@dataclass
class ChatRow:
    """One line of «Управление чатами»: a load row and its subject chat, if there is one."""

    load: TeachingLoad
    chat: SubjectChat | None
    remote: SubjectChatRef | None

    @property
    def key(self) -> RemoteKey:
        return (ref(self.load.school_class_id), ref(self.load.subject_id), optional_ref(self.load.group_id))

    @property
    def url(self) -> str:
        if self.remote is not None:
            return self.remote.url
        return self.chat.url if self.chat is not None else ""

    @property
    def name(self) -> str:
        if self.remote is not None:
            return self.remote.name
        return self.chat.name if self.chat is not None else ""

    @property
    def status(self) -> str:
        """ "ready", "creating", "failed" or "" (no chat)."""
        if self.remote is not None:
            return SubjectChatStatus.READY
        return self.chat.status if self.chat is not None else ""


def list_chat_rows(*, roles: Roles, remote: dict[RemoteKey, SubjectChatRef] | None = None) -> list[ChatRow]:
    """The person's load (one row per class × subject, or per group) with the subject chats the journal asked for,
    completed by what the messenger lists (`remote`; None when it could not be asked)."""
    loads = list(manageable_load(roles=roles))
    chats = SubjectChat.objects.filter(school_class_id__in={load.school_class_id for load in loads})
    by_key = {(c.school_class_id, c.subject_id, c.group_id): c for c in chats}
    rows = []
    for load in loads:
        chat = by_key.get((load.school_class_id, load.subject_id, load.group_id))
        row = ChatRow(load=load, chat=chat, remote=None)
        row.remote = (remote or {}).get(row.key)
        rows.append(row)
    return rows


def school_ids_of(rows: list[ChatRow]) -> list[int]:
    return sorted({row.load.school_class.school_id for row in rows})
