"""Making chats and managing members (C1, C4, C5, C7): closed and open chats, system chats, direct chats."""

# covers: C1, C4, C5, C7

from __future__ import annotations

from parta.messenger.chats import services
from parta.messenger.chats.models import Chat, ChatKind, InviteLink, MemberRole, Membership
from tests.messenger.chats.helpers import clear_events, events, payloads, recipients, refused
from tests.messenger.orgs.builders import World


def roles(chat: Chat) -> dict[int, str]:
    return dict(Membership.objects.filter(chat=chat).values_list("profile_id", "role"))


def test_create_chat_makes_the_creator_admin_and_tells_every_member(world: World) -> None:
    chat = services.create_chat(
        creator=world.teacher, title="  Стенгазета ", member_ids=[world.student.pk, world.classmate.pk]
    )
    assert (chat.kind, chat.title, chat.is_closed) == (ChatKind.GROUP, "Стенгазета", True)
    assert chat.organization_id == world.school.pk  # the creator's only school: its admins get the reports
    assert roles(chat) == {world.teacher.pk: "admin", world.student.pk: "member", world.classmate.pk: "member"}
    added = payloads("membership.added")
    assert set(added) == {world.teacher.pk, world.student.pk, world.classmate.pk}
    assert added[world.teacher.pk]["chat"]["my_role"] == "admin"
    assert added[world.student.pk]["chat"]["my_role"] == "member"
    assert added[world.student.pk]["chat"]["permissions"]["invite"] is False  # closed: members do not invite
    assert added[world.student.pk]["chat"]["member_count"] == 3
    assert "unread" not in added[world.student.pk]["chat"]


def test_create_chat_with_nobody_and_an_empty_name_refused(world: World) -> None:
    chat = services.create_chat(creator=world.stranger, title="Только я")
    assert roles(chat) == {world.stranger.pk: "admin"}
    assert chat.organization_id is None
    with refused("title_required"):
        services.create_chat(creator=world.teacher, title="   ")


def test_an_adult_outside_the_school_cannot_add_a_child(world: World) -> None:
    with refused("child_protected", 403) as caught:
        services.create_chat(creator=world.other_teacher, title="Кружок", member_ids=[world.student.pk])
    assert "защитить детей" in caught.value.message
    chat = services.create_chat(creator=world.stranger, title="Кружок")
    with refused("child_protected", 403):
        services.add_members(actor=world.stranger, chat_id=chat.pk, profile_ids=[world.young_stranger.pk])
    assert not Chat.objects.filter(title="Кружок", memberships__profile=world.student).exists()


def test_people_out_of_reach_cannot_be_added(world: World) -> None:
    with refused("not_reachable", 403):
        services.create_chat(creator=world.student, title="7Б и 8А", member_ids=[world.other_class_student.pk])
    with refused("not_reachable", 403):
        services.create_chat(creator=world.teacher, title="Коллеги", member_ids=[world.other_teacher.pk])
    with refused("not_reachable", 403):
        services.create_chat(creator=world.teacher, title="Нет такого", member_ids=[987654])


def test_closed_chat_only_admins_invite_change_settings_and_manage(world: World) -> None:
    chat = services.create_chat(creator=world.teacher, title="Стенгазета", member_ids=[world.student.pk])
    for call in (
        lambda: services.add_members(actor=world.student, chat_id=chat.pk, profile_ids=[world.classmate.pk]),
        lambda: services.create_invite(actor=world.student, chat_id=chat.pk),
    ):
        with refused("admins_only", 403) as caught:
            call()
        assert "закрыт" in caught.value.message
    with refused("admins_only", 403):
        services.update_chat_settings(actor=world.student, chat_id=chat.pk, title="Моя газета")
    with refused("admins_only", 403):
        services.remove_member(actor=world.student, chat_id=chat.pk, profile_id=world.teacher.pk)
    with refused("admins_only", 403):
        services.set_member_role(actor=world.student, chat_id=chat.pk, profile_id=world.student.pk, role="admin")
    assert services.add_members(actor=world.teacher, chat_id=chat.pk, profile_ids=[world.classmate.pk]) == [
        world.classmate.pk
    ]
    services.set_member_role(actor=world.teacher, chat_id=chat.pk, profile_id=world.student.pk, role="admin")
    assert services.create_invite(actor=world.student, chat_id=chat.pk).pk  # an admin now


def test_open_chat_any_member_invites_and_adds_but_only_admins_manage(world: World) -> None:
    chat = services.create_chat(creator=world.teacher, title="Клуб", member_ids=[world.student.pk], is_closed=False)
    assert services.add_members(actor=world.student, chat_id=chat.pk, profile_ids=[world.classmate.pk]) == [
        world.classmate.pk
    ]
    assert InviteLink.objects.filter(chat=chat).count() == 0
    services.create_invite(actor=world.student, chat_id=chat.pk)
    with refused("admins_only", 403):
        services.remove_member(actor=world.student, chat_id=chat.pk, profile_id=world.classmate.pk)
    with refused("admins_only", 403):
        services.update_chat_settings(actor=world.student, chat_id=chat.pk, is_closed=True)
    # adding still follows the safety rules: a student reaches only classmates and teachers
    with refused("not_reachable", 403):
        services.add_members(actor=world.student, chat_id=chat.pk, profile_ids=[world.other_class_student.pk])


def test_settings_change_publishes_chat_updated_to_every_member(world: World) -> None:
    chat = services.create_chat(creator=world.teacher, title="Стенгазета", member_ids=[world.student.pk])
    clear_events()
    services.update_chat_settings(actor=world.teacher, chat_id=chat.pk, title="Газета 7Б", is_closed=False)
    chat.refresh_from_db()
    assert (chat.title, chat.is_closed) == ("Газета 7Б", False)
    updated = payloads("chat.updated")
    assert set(updated) == {world.teacher.pk, world.student.pk}
    assert updated[world.student.pk]["chat"]["title"] == "Газета 7Б"
    assert updated[world.student.pk]["chat"]["permissions"]["invite"] is True  # open now
    clear_events()
    services.update_chat_settings(actor=world.teacher, chat_id=chat.pk, title="Газета 7Б")
    assert events() == []  # nothing changed, nothing published


def test_remove_member_and_events(world: World) -> None:
    chat = services.create_chat(
        creator=world.teacher, title="Стенгазета", member_ids=[world.student.pk, world.classmate.pk]
    )
    clear_events()
    services.remove_member(actor=world.teacher, chat_id=chat.pk, profile_id=world.student.pk)
    assert world.student.pk not in roles(chat)
    assert payloads("membership.removed") == {world.student.pk: {"chat_id": chat.pk}}
    assert recipients("chat.updated") == {world.teacher.pk, world.classmate.pk}
    assert payloads("chat.updated")[world.classmate.pk]["chat"]["member_count"] == 2
    with refused("member_not_found", 404):
        services.remove_member(actor=world.teacher, chat_id=chat.pk, profile_id=world.student.pk)


def test_the_last_admin_cannot_step_down_and_leaving_passes_the_role_on(world: World) -> None:
    chat = services.create_chat(
        creator=world.teacher, title="Стенгазета", member_ids=[world.student.pk, world.classmate.pk]
    )
    with refused("last_admin", 409):
        services.set_member_role(actor=world.teacher, chat_id=chat.pk, profile_id=world.teacher.pk, role="member")
    clear_events()
    services.leave_chat(profile=world.teacher, chat_id=chat.pk)
    # the longest-standing member (the first added) becomes admin: a closed chat always has someone to manage it
    assert list(Membership.objects.filter(chat=chat, role=MemberRole.ADMIN).values_list("profile_id", flat=True)) == [
        min(world.student.pk, world.classmate.pk)
    ]
    assert recipients("membership.removed") == {world.teacher.pk}
    assert recipients("chat.updated") == {world.student.pk, world.classmate.pk}
    with refused("chat_not_found", 404):
        services.leave_chat(profile=world.teacher, chat_id=chat.pk)


def test_system_chat_is_idempotent_and_follows_the_roster(world: World) -> None:
    def ensure(admins: list[int], members: list[int], title: str = "7Б — ученики") -> Chat:
        return services.ensure_system_chat(
            system_key=f"org:{world.school.pk}:class:7Б:students",
            kind=ChatKind.CLASS_STUDENTS,
            title=title,
            organization=world.school,
            admin_ids=admins,
            member_ids=members,
        )

    chat = ensure([world.teacher.pk], [world.student.pk, world.classmate.pk])
    assert roles(chat) == {world.teacher.pk: "admin", world.student.pk: "member", world.classmate.pk: "member"}
    assert recipients("membership.added") == {world.teacher.pk, world.student.pk, world.classmate.pk}
    clear_events()
    assert ensure([world.teacher.pk], [world.classmate.pk, world.student.pk]).pk == chat.pk
    assert events() == []  # the same roster again: nothing changes, nothing is published
    ensure([world.teacher.pk], [world.classmate.pk, world.other_class_student.pk], title="7Б класс")
    assert roles(chat) == {
        world.teacher.pk: "admin",
        world.classmate.pk: "member",
        world.other_class_student.pk: "member",
    }
    assert recipients("membership.removed") == {world.student.pk}
    assert recipients("membership.added") == {world.other_class_student.pk}
    assert recipients("chat.updated") == {world.teacher.pk, world.classmate.pk}
    assert payloads("chat.updated")[world.classmate.pk]["chat"]["title"] == "7Б класс"
    assert Chat.objects.filter(system_key__startswith=f"org:{world.school.pk}:").count() == 1


def test_system_chats_settings_and_members_cannot_be_changed_by_hand(world: World) -> None:
    chat = services.ensure_system_chat(
        system_key="staff-5",
        kind=ChatKind.STAFF,
        title="Учителя",
        organization=world.school,
        admin_ids=[world.admin.pk],
        member_ids=[world.teacher.pk],
    )
    attempts = [
        lambda: services.update_chat_settings(actor=world.admin, chat_id=chat.pk, title="Болталка"),
        lambda: services.add_members(actor=world.admin, chat_id=chat.pk, profile_ids=[world.parent.pk]),
        lambda: services.remove_member(actor=world.admin, chat_id=chat.pk, profile_id=world.teacher.pk),
        lambda: services.set_member_role(actor=world.admin, chat_id=chat.pk, profile_id=world.teacher.pk, role="admin"),
        lambda: services.create_invite(actor=world.admin, chat_id=chat.pk),
        lambda: services.leave_chat(profile=world.teacher, chat_id=chat.pk),
    ]
    for attempt in attempts:
        with refused("system_chat", 403) as caught:
            attempt()
        assert "школ" in caught.value.message
    assert roles(chat) == {world.admin.pk: "admin", world.teacher.pk: "member"}


def test_ensure_system_chat_refuses_a_manual_kind_and_unknown_people(world: World) -> None:
    import pytest

    with pytest.raises(ValueError, match="not a system chat kind"):
        services.ensure_system_chat(
            system_key="x", kind=ChatKind.GROUP, title="x", organization=None, admin_ids=[], member_ids=[]
        )
    with pytest.raises(ValueError, match="no profiles"):
        services.ensure_system_chat(
            system_key="x", kind=ChatKind.STAFF, title="x", organization=None, admin_ids=[], member_ids=[424242]
        )


def test_direct_chat_is_one_per_pair(world: World) -> None:
    chat, created = services.open_direct_chat(actor=world.teacher, profile_id=world.student.pk)
    assert created and chat.kind == ChatKind.DIRECT
    again, created_again = services.open_direct_chat(actor=world.student, profile_id=world.teacher.pk)
    assert (again.pk, created_again) == (chat.pk, False)
    assert set(roles(chat)) == {world.teacher.pk, world.student.pk}
    added = payloads("membership.added")
    assert added[world.student.pk]["chat"]["title"] == "Иванова Анна"  # a direct chat is titled by the other person
    assert added[world.teacher.pk]["chat"]["peer"]["id"] == world.student.pk
    with refused("direct_chat", 403):
        services.add_members(actor=world.teacher, chat_id=chat.pk, profile_ids=[world.classmate.pk])
    with refused("direct_chat", 403):
        services.leave_chat(profile=world.teacher, chat_id=chat.pk)
    with refused("direct_self"):
        services.open_direct_chat(actor=world.teacher, profile_id=world.teacher.pk)


def test_an_outside_adult_cannot_start_a_direct_chat_with_a_child(world: World) -> None:
    for adult in (world.stranger, world.other_teacher, world.unconfirmed_teacher):
        with refused("child_protected", 403) as caught:
            services.open_direct_chat(actor=adult, profile_id=world.student.pk)
        assert "Чтобы защитить детей" in caught.value.message
    # sharing a chat does not lift the rule
    chat = services.create_chat(creator=world.stranger, title="Кружок")
    Membership.objects.create(chat=chat, profile=world.young_stranger)
    with refused("child_protected", 403):
        services.open_direct_chat(actor=world.stranger, profile_id=world.young_stranger.pk)
    assert not Chat.objects.filter(kind=ChatKind.DIRECT).exists()


def test_direct_chat_with_someone_out_of_reach_refused(world: World) -> None:
    with refused("not_reachable", 403):
        services.open_direct_chat(actor=world.teacher, profile_id=world.other_teacher.pk)
    with refused("not_reachable", 403):
        services.open_direct_chat(actor=world.student, profile_id=world.classmate_parent.pk)
