"""Reads of the integration: registered journals (for «Подключить дневник»), a profile's links, subject chats."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from parta.common.integration.schemas import SubjectChatRef
from parta.messenger.integration.models import Journal, MirrorLoad, MirrorSchool, PersonLink, SubjectChat
from parta.messenger.integration.services.subject_chats import chat_url


@dataclass(frozen=True)
class Region:
    name: str
    journals: list[Journal]


def journals_by_region() -> list[Region]:
    """Active journals grouped by region, regions and journals by name (one query)."""
    grouped: dict[str, list[Journal]] = defaultdict(list)
    for journal in Journal.objects.filter(is_active=True).order_by("region", "name"):
        grouped[journal.region].append(journal)
    return [Region(name=name, journals=journals) for name, journals in grouped.items()]


def journals_of_region(region: str) -> list[Journal]:
    return list(Journal.objects.filter(is_active=True, region=region).order_by("name"))


def journal_for_application(application_id: int) -> Journal | None:
    return Journal.objects.filter(application_id=application_id, is_active=True).first()


def links_of(profile_id: int) -> list[PersonLink]:
    """The profile's linked journal accounts, with their journals (the profile page)."""
    return list(PersonLink.objects.filter(profile_id=profile_id).select_related("journal").order_by("created_at"))


def has_links(profile_id: int) -> bool:
    return PersonLink.objects.filter(profile_id=profile_id).exists()


def list_subject_chats(*, journal: Journal, school_id: str, teacher_id: str | None = None) -> list[SubjectChatRef]:
    """A school's subject chats (C3); with `teacher_id`, those of the teacher's load or made for the teacher.
    Three queries whatever the number of chats."""
    school = MirrorSchool.objects.filter(journal=journal, external_id=school_id).first()
    if school is None:
        return []
    rows = list(
        SubjectChat.objects.filter(school=school, chat__isnull=False)
        .select_related("chat", "school_class", "subject", "group", "teacher")
        .order_by("school_class__org_class__name", "subject__name", "pk")
    )
    if teacher_id is not None:
        load = set(
            MirrorLoad.objects.filter(school=school, teacher__external_id=teacher_id).values_list(
                "school_class_id", "subject_id", "group_id"
            )
        )
        rows = [
            row
            for row in rows
            if (row.teacher is not None and row.teacher.external_id == teacher_id)
            or (row.school_class_id, row.subject_id, row.group_id) in load
        ]
    return [
        SubjectChatRef(
            chat_id=row.chat.pk,
            name=row.chat.title,
            url=chat_url(row.chat.pk),
            school_id=school.external_id,
            class_id=row.school_class.external_id,
            subject_id=row.subject.external_id,
            group_id=row.group.external_id if row.group else None,
            teacher_id=row.teacher.external_id if row.teacher else None,
            include_parents=row.include_parents,
        )
        for row in rows
        if row.chat is not None
    ]
