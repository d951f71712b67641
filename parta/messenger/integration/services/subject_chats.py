"""Subject chats asked for by a journal (C2): «7Б — Математика» with the subject's teacher and the class's (or the
group's) students, and their parents if asked; people who have not linked yet join when they link."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from parta.common.integration.schemas import ChatRef, SubjectChatRequest
from parta.messenger.integration import errors
from parta.messenger.integration.models import (
    Journal,
    MirrorClass,
    MirrorGroup,
    MirrorPerson,
    MirrorSchool,
    MirrorSubject,
    PersonKind,
    SubjectChat,
)
from parta.messenger.integration.services.provisioning import reconcile_school
from parta.messenger.integration.services.schools import lock_school


def chat_url(chat_id: int) -> str:
    """The deep link into a chat (L5)."""
    return f"{settings.MESSENGER_URL}/chats/{chat_id}/"


@dataclass(frozen=True)
class _Resolved:
    school_class: MirrorClass
    subject: MirrorSubject
    group: MirrorGroup | None
    teacher: MirrorPerson


def _resolve(school: MirrorSchool, request: SubjectChatRequest) -> _Resolved:
    problems = []
    school_class = MirrorClass.objects.filter(school=school, external_id=request.class_id).first()
    subject = MirrorSubject.objects.filter(school=school, external_id=request.subject_id).first()
    teacher = MirrorPerson.objects.filter(
        school=school, kind=PersonKind.TEACHER, external_id=request.teacher_id
    ).first()
    group = None
    if request.group_id:
        group = MirrorGroup.objects.filter(school=school, external_id=request.group_id).first()
        if group is None or (school_class is not None and group.school_class_id != school_class.pk):
            problems.append(f"group {request.group_id} of class {request.class_id}")
    if school_class is None:
        problems.append(f"class {request.class_id}")
    if subject is None:
        problems.append(f"subject {request.subject_id}")
    if teacher is None:
        problems.append(f"teacher {request.teacher_id}")
    if problems or school_class is None or subject is None or teacher is None:
        raise errors.unknown_reference(problems)
    return _Resolved(school_class=school_class, subject=subject, group=group, teacher=teacher)


def ensure_subject_chat(*, journal: Journal, request: SubjectChatRequest) -> ChatRef:
    """Creates the subject chat, or returns the existing one (idempotent on school, class, subject and group); a
    repeat with another teacher or `include_parents` updates the chat's members. Locks the school's row."""
    with transaction.atomic():
        school = lock_school(journal=journal, external_id=request.school_id, create=False)
        if school is None:
            raise errors.unknown_school(request.school_id)
        found = _resolve(school, request)
        row = SubjectChat.objects.filter(
            school_class=found.school_class, subject=found.subject, group=found.group
        ).first()
        if row is None:
            row = SubjectChat.objects.create(
                school=school,
                school_class=found.school_class,
                subject=found.subject,
                group=found.group,
                teacher=found.teacher,
                include_parents=request.include_parents,
            )
        elif (row.teacher_id, row.include_parents) != (found.teacher.pk, request.include_parents):
            row.teacher = found.teacher
            row.include_parents = request.include_parents
            row.save(update_fields=["teacher", "include_parents"])
        reconcile_school(school)
        row.refresh_from_db(fields=["chat"])
        chat = row.chat
        if chat is None:  # reconcile_school makes it; this tells the type checker
            raise RuntimeError("subject chat not made")
    return ChatRef(chat_id=chat.pk, name=chat.title, url=chat_url(chat.pk))
