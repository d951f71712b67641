"""Who reaches whom (C7, A4): organizations, classes, families, chats; only confirmed roles; the child rule."""

# covers: C7, A4

from __future__ import annotations

import pytest

from parta.messenger.chats.models import Chat, ChatKind, Membership
from parta.messenger.orgs.models import Organization, Role, RoleKind
from parta.messenger.orgs.selectors import (
    has_confirmed_role,
    is_child,
    may_reach,
    protected_children,
    reachable_profiles,
    roles_of,
    search_people,
)
from tests.messenger.accounts.conftest import PHONE, make_profile
from tests.messenger.orgs.builders import World


def reach(world: World, who: str) -> set[str]:
    """The names (World attributes) of the people `who` reaches."""
    ids = set(reachable_profiles(getattr(world, who)).values_list("id", flat=True))
    return {name for name, value in vars(world).items() if getattr(value, "pk", None) in ids and name != who} - {
        "school",
        "other_school",
        "class_7b",
        "class_8a",
    }


def share_chat(*profiles: object) -> Chat:
    chat = Chat.objects.create(kind=ChatKind.GROUP, title="Кружок")
    Membership.objects.bulk_create([Membership(chat=chat, profile=p) for p in profiles])
    return chat


def test_student_reaches_classmates_teachers_and_own_parent(world: World) -> None:
    assert reach(world, "student") == {"classmate", "teacher", "parent"}


def test_parent_reaches_teachers_own_child_and_parents_of_classmates(world: World) -> None:
    assert reach(world, "parent") == {"teacher", "student", "classmate_parent"}


def test_teacher_and_admin_reach_everyone_confirmed_in_their_school(world: World) -> None:
    school = {
        "admin",
        "student",
        "classmate",
        "other_class_student",
        "parent",
        "classmate_parent",
        "other_class_parent",
    }
    assert reach(world, "teacher") == school
    assert reach(world, "admin") == (school - {"admin"}) | {"teacher"}


def test_unconfirmed_roles_reach_nobody_until_a_shared_chat(world: World) -> None:
    assert reach(world, "unconfirmed_teacher") == set()
    assert reach(world, "stranger") == set()
    assert not may_reach(world.unconfirmed_teacher, world.student)
    share_chat(world.unconfirmed_teacher, world.student)
    assert may_reach(world.unconfirmed_teacher, world.student)
    assert reach(world, "unconfirmed_teacher") == {"student"}


def test_other_schools_people_are_out_of_reach(world: World) -> None:
    assert not may_reach(world.teacher, world.other_student)
    assert not may_reach(world.other_teacher, world.student)
    assert reach(world, "other_teacher") == {"other_student"}


def test_unconfirmed_family_role_does_not_open_the_class(world: World) -> None:
    Role.objects.filter(profile=world.parent).update(confirmed=False)
    assert reach(world, "parent") == set()


def test_children_are_students_or_younger_than_14(world: World) -> None:
    assert is_child(world.student)
    assert is_child(world.other_student)
    assert is_child(world.young_stranger)
    assert not is_child(world.teacher)
    assert not is_child(world.stranger)


def test_an_adult_outside_a_childs_school_is_kept_away_even_in_a_shared_chat(world: World) -> None:
    share_chat(world.stranger, world.student, world.young_stranger)
    assert may_reach(world.stranger, world.student)  # they share a chat…
    kids = {world.student.pk, world.young_stranger.pk, world.other_student.pk}
    assert protected_children(world.stranger, kids) == kids  # …but the child rule outranks it
    assert protected_children(world.other_teacher, {world.student.pk}) == {world.student.pk}
    assert protected_children(world.unconfirmed_teacher, {world.student.pk}) == {world.student.pk}


def test_school_adults_parents_and_children_are_not_limited_by_the_child_rule(world: World) -> None:
    assert protected_children(world.teacher, {world.student.pk, world.classmate.pk}) == set()
    assert protected_children(world.parent, {world.student.pk}) == set()
    assert protected_children(world.student, {world.other_student.pk}) == set()  # child to child: reachability only
    assert protected_children(world.teacher, {world.parent.pk, world.admin.pk}) == set()  # adults are not protected


@pytest.mark.parametrize("query", ["пет", "ПЕТ", "пЕтРоВ"])
def test_people_search_ignores_case_in_cyrillic(world: World, query: str) -> None:
    found = search_people(world.teacher, query)
    assert [p.pk for p in found] == [world.parent.pk, world.student.pk]  # Петров Иван, Петров Петя


def test_people_search_shows_only_reachable_people(world: World) -> None:
    assert search_people(world.other_teacher, "Петров") == []
    assert [p.pk for p in search_people(world.student, "Смирнов")] == [world.classmate.pk]  # not Машина мама
    assert [p.pk for p in search_people(world.teacher, "Петров Иван")] == [world.parent.pk]


def test_people_search_tells_only_roles_in_shared_schools(world: World) -> None:
    share_chat(world.other_teacher, world.teacher)
    (found,) = search_people(world.teacher, "Фёдоров")
    assert found.shared_roles == []  # a co-member from another school: its school is not told
    (pupil,) = search_people(world.teacher, "Петя")
    assert [(r.kind, r.org_class.name) for r in pupil.shared_roles] == [("student", "7Б")]


def test_roles_of_lists_confirmed_and_unconfirmed(world: World) -> None:
    roles = roles_of(world.unconfirmed_teacher.pk)
    assert [(r.kind, r.confirmed, r.organization.name) for r in roles] == [("teacher", False, "Школа № 5")]


@pytest.mark.django_db
def test_has_confirmed_role() -> None:
    profile = make_profile(PHONE)
    school = Organization.objects.create(name="Школа № 5")
    assert has_confirmed_role(profile.pk) is False
    role = Role.objects.create(profile=profile, organization=school, kind=RoleKind.STUDENT)
    assert has_confirmed_role(profile.pk) is False
    role.confirmed = True
    role.save()
    assert has_confirmed_role(profile.pk) is True
    assert has_confirmed_role(make_profile("+79167654321").pk) is False
