"""The chats and organizations admin pages open, and a system chat's members cannot be edited there (C1)."""

# covers: C1

from __future__ import annotations

import pytest
from django.test import Client

from parta.messenger.accounts.models import ContactKind, Profile
from parta.messenger.chats import services
from parta.messenger.chats.models import ChatKind
from tests.messenger.orgs.builders import World


@pytest.fixture
def staff(db: None) -> Client:
    admin = Profile.objects.create_superuser(
        identifier="+79990000001", contact_kind=ContactKind.PHONE, last_name="Админ", first_name="Сайта"
    )
    client = Client()
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "page",
    [
        "/admin/messenger_chats/chat/",
        "/admin/messenger_chats/message/",
        "/admin/messenger_chats/report/",
        "/admin/messenger_orgs/organization/",
        "/admin/messenger_orgs/role/",
        "/admin/messenger_orgs/family/",
    ],
)
def test_admin_lists_open(world: World, staff: Client, page: str) -> None:
    assert staff.get(page).status_code == 200


def test_system_chat_members_are_read_only_in_the_admin(world: World, staff: Client) -> None:
    manual = services.create_chat(creator=world.teacher, title="Стенгазета", member_ids=[world.student.pk])
    system = services.ensure_system_chat(
        system_key="staff-5",
        kind=ChatKind.STAFF,
        title="Учителя",
        organization=world.school,
        admin_ids=[world.admin.pk],
        member_ids=[world.teacher.pk],
    )
    manual_page = staff.get(f"/admin/messenger_chats/chat/{manual.pk}/change/").content.decode()
    system_page = staff.get(f"/admin/messenger_chats/chat/{system.pk}/change/").content.decode()
    assert 'name="memberships-0-role"' in manual_page
    assert 'name="memberships-0-role"' not in system_page
