"""Invite links (C4, C5): who makes them, expiry, use limit, revoking, joining, and the child rule (C7)."""

# covers: C4, C5, C7

from __future__ import annotations

import datetime

from django.utils import timezone

from parta.messenger.chats import services
from parta.messenger.chats.models import Chat, InviteLink, Membership
from tests.messenger.chats.helpers import clear_events, payloads, recipients, refused
from tests.messenger.orgs.builders import World


def newspaper(world: World, **kwargs: object) -> Chat:
    return services.create_chat(creator=world.teacher, title="Стенгазета", member_ids=[world.student.pk], **kwargs)  # type: ignore[arg-type]


def test_joining_by_a_link_adds_the_person_and_tells_the_chat(world: World) -> None:
    chat = newspaper(world)
    invite = services.create_invite(actor=world.teacher, chat_id=chat.pk)
    assert len(invite.token) >= 32
    clear_events()
    joined_chat, joined = services.join_by_invite(profile=world.classmate, token=invite.token)
    assert (joined_chat.pk, joined) == (chat.pk, True)
    assert Membership.objects.get(chat=chat, profile=world.classmate).role == "member"
    assert payloads("membership.added")[world.classmate.pk]["chat"]["id"] == chat.pk
    assert recipients("chat.updated") == {world.teacher.pk, world.student.pk}
    invite.refresh_from_db()
    assert invite.uses == 1
    again, joined_again = services.join_by_invite(profile=world.classmate, token=invite.token)
    assert (again.pk, joined_again) == (chat.pk, False)
    invite.refresh_from_db()
    assert invite.uses == 1  # a member's visit does not use the link up


def test_a_link_joins_people_from_anywhere_but_children_only_from_their_school(world: World) -> None:
    chat = newspaper(world)
    invite = services.create_invite(actor=world.teacher, chat_id=chat.pk)
    services.join_by_invite(profile=world.stranger, token=invite.token)  # an adult from outside: may join
    services.join_by_invite(profile=world.classmate, token=invite.token)  # a child of the teacher's school: may join
    with refused("child_protected", 403):
        services.join_by_invite(profile=world.other_student, token=invite.token)  # a child of another school: no
    outsider_chat = services.create_chat(creator=world.stranger, title="Клуб", is_closed=False)
    outsider_link = services.create_invite(actor=world.stranger, chat_id=outsider_chat.pk)
    with refused("child_protected", 403) as caught:
        services.join_by_invite(profile=world.student, token=outsider_link.token)
    assert "защитить детей" in caught.value.message
    services.join_by_invite(profile=world.teacher, token=outsider_link.token)


def test_expired_links_refused(world: World) -> None:
    chat = newspaper(world)
    with refused("invite_expiry_invalid"):
        services.create_invite(actor=world.teacher, chat_id=chat.pk, expires_at=timezone.now() - datetime.timedelta(1))
    invite = services.create_invite(
        actor=world.teacher, chat_id=chat.pk, expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    InviteLink.objects.filter(pk=invite.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with refused("invite_expired", 410) as caught:
        services.join_by_invite(profile=world.classmate, token=invite.token)
    assert "истёк" in caught.value.message


def test_use_limit(world: World) -> None:
    chat = newspaper(world)
    invite = services.create_invite(actor=world.teacher, chat_id=chat.pk, max_uses=1)
    services.join_by_invite(profile=world.classmate, token=invite.token)
    with refused("invite_used_up", 410):
        services.join_by_invite(profile=world.parent, token=invite.token)
    assert not Membership.objects.filter(chat=chat, profile=world.parent).exists()


def test_revoking(world: World) -> None:
    chat = services.create_chat(
        creator=world.teacher, title="Клуб", member_ids=[world.student.pk, world.classmate.pk], is_closed=False
    )
    teachers = services.create_invite(actor=world.teacher, chat_id=chat.pk)
    students = services.create_invite(actor=world.student, chat_id=chat.pk)
    with refused("admins_only", 403):
        services.revoke_invite(actor=world.classmate, chat_id=chat.pk, invite_id=students.pk)
    with refused("admins_only", 403):
        services.revoke_invite(actor=world.student, chat_id=chat.pk, invite_id=teachers.pk)
    assert services.revoke_invite(actor=world.student, chat_id=chat.pk, invite_id=students.pk).revoked_at
    assert services.revoke_invite(actor=world.teacher, chat_id=chat.pk, invite_id=teachers.pk).revoked_at
    with refused("invite_revoked", 410):
        services.join_by_invite(profile=world.parent, token=teachers.token)
    with refused("chat_not_found", 404):  # not in the chat: the chat does not exist for them
        services.revoke_invite(actor=world.other_teacher, chat_id=chat.pk, invite_id=teachers.pk)
    other = services.create_chat(creator=world.teacher, title="Другой")
    with refused("invite_not_found", 404):  # an invite of another chat
        services.revoke_invite(actor=world.teacher, chat_id=other.pk, invite_id=teachers.pk)


def test_a_link_dies_when_its_maker_may_no_longer_invite(world: World) -> None:
    chat = services.create_chat(creator=world.teacher, title="Клуб", member_ids=[world.student.pk], is_closed=False)
    invite = services.create_invite(actor=world.student, chat_id=chat.pk)
    services.update_chat_settings(actor=world.teacher, chat_id=chat.pk, is_closed=True)
    with refused("invite_revoked", 410):
        services.join_by_invite(profile=world.classmate, token=invite.token)


def test_unknown_token(world: World) -> None:
    with refused("invite_not_found", 404):
        services.join_by_invite(profile=world.student, token="nope")
    with refused("invite_not_found", 404):
        services.join_by_invite(profile=world.student, token="x" * 500)
