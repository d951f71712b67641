"""What the API says about people and roles. A person's phone or e-mail is never part of it."""

from __future__ import annotations

from ninja import Schema

from parta.messenger.accounts.models import Profile
from parta.messenger.orgs.models import Role


class PersonOut(Schema):
    id: int
    name: str  # full name: surname, given name, patronymic
    short_name: str  # given name and surname, for message headers


class RoleOut(Schema):
    organization_id: int
    organization_name: str
    kind: str  # teacher | student | parent | admin
    kind_label: str  # translated
    class_name: str | None  # a student's class (7Б)
    confirmed: bool  # confirmed by linking with the journal (L3)


class PersonFoundOut(PersonOut):
    roles: list[RoleOut]  # only roles in organizations the searcher belongs to


class MyRolesOut(Schema):
    roles: list[RoleOut]
    has_confirmed_role: bool  # false → the chat list shows the "Подключить дневник" banner (L2)


def person_out(profile: Profile) -> PersonOut:
    return PersonOut(id=profile.pk, name=profile.full_name or profile.short_name, short_name=profile.short_name)


def role_out(role: Role) -> RoleOut:
    return RoleOut(
        organization_id=role.organization_id,
        organization_name=role.organization.name,
        kind=role.kind,
        kind_label=str(role.get_kind_display()),
        class_name=role.org_class.name if role.org_class_id and role.org_class else None,
        confirmed=role.confirmed,
    )


def person_found_out(profile: Profile) -> PersonFoundOut:
    roles = getattr(profile, "shared_roles", [])
    return PersonFoundOut(**person_out(profile).model_dump(), roles=[role_out(role) for role in roles])
