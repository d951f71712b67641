"""Two small schools as the messenger sees them, for the safety, chats and API tests."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

from django.utils import timezone

from parta.messenger.accounts.models import ContactKind, Profile
from parta.messenger.orgs.models import Family, Organization, OrgClass, Role, RoleKind

_numbers = itertools.count(1)


def make_profile(last_name: str, first_name: str, *, birth_date: datetime.date | None = None) -> Profile:
    return Profile.objects.create_user(
        identifier=f"+7903{next(_numbers):07d}",
        contact_kind=ContactKind.PHONE,
        last_name=last_name,
        first_name=first_name,
        birth_date=birth_date,
    )


def give_role(
    profile: Profile, org: Organization, kind: str, *, org_class: OrgClass | None = None, confirmed: bool = True
) -> Role:
    return Role.objects.create(profile=profile, organization=org, kind=kind, org_class=org_class, confirmed=confirmed)


@dataclass
class World:
    school: Organization  # «Школа № 5»: 7Б (Петя, Маша), 8А (Коля)
    class_7b: OrgClass
    class_8a: OrgClass
    teacher: Profile  # Анна Ивановна, a teacher of school 5
    admin: Profile  # the school's admin
    student: Profile  # Петя, 7Б
    classmate: Profile  # Маша, 7Б
    other_class_student: Profile  # Коля, 8А
    parent: Profile  # Петин папа
    classmate_parent: Profile  # Машина мама
    other_class_parent: Profile  # Колина мама
    unconfirmed_teacher: Profile  # a teacher of school 5 whose role is not confirmed yet
    other_school: Organization  # «Гимназия № 2»
    other_teacher: Profile
    other_student: Profile
    stranger: Profile  # an adult with no roles at all
    young_stranger: Profile  # a 10-year-old with no roles: a child by age


def build_world() -> World:
    school = Organization.objects.create(name="Школа № 5")
    class_7b = OrgClass.objects.create(organization=school, name="7Б")
    class_8a = OrgClass.objects.create(organization=school, name="8А")
    other_school = Organization.objects.create(name="Гимназия № 2")
    other_class = OrgClass.objects.create(organization=other_school, name="5А")

    people = {
        "teacher": make_profile("Иванова", "Анна"),
        "admin": make_profile("Сидоров", "Олег"),
        "student": make_profile("Петров", "Петя"),
        "classmate": make_profile("Смирнова", "Маша"),
        "other_class_student": make_profile("Кузнецов", "Коля"),
        "parent": make_profile("Петров", "Иван"),
        "classmate_parent": make_profile("Смирнова", "Елена"),
        "other_class_parent": make_profile("Кузнецова", "Ольга"),
        "unconfirmed_teacher": make_profile("Новикова", "Вера"),
        "other_teacher": make_profile("Фёдоров", "Фёдор"),
        "other_student": make_profile("Волков", "Дима"),
        "stranger": make_profile("Чужой", "Виктор"),
        "young_stranger": make_profile(
            "Малов", "Саша", birth_date=timezone.localdate() - datetime.timedelta(days=3650)
        ),
    }
    give_role(people["teacher"], school, RoleKind.TEACHER)
    give_role(people["admin"], school, RoleKind.ADMIN)
    give_role(people["student"], school, RoleKind.STUDENT, org_class=class_7b)
    give_role(people["classmate"], school, RoleKind.STUDENT, org_class=class_7b)
    give_role(people["other_class_student"], school, RoleKind.STUDENT, org_class=class_8a)
    for parent, child in (
        ("parent", "student"),
        ("classmate_parent", "classmate"),
        ("other_class_parent", "other_class_student"),
    ):
        give_role(people[parent], school, RoleKind.PARENT)
        Family.objects.create(parent=people[parent], child=people[child])
    give_role(people["unconfirmed_teacher"], school, RoleKind.TEACHER, confirmed=False)
    give_role(people["other_teacher"], other_school, RoleKind.TEACHER)
    give_role(people["other_student"], other_school, RoleKind.STUDENT, org_class=other_class)
    return World(school=school, class_7b=class_7b, class_8a=class_8a, other_school=other_school, **people)
