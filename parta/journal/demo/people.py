"""The demo school's people: teachers, classes, students and their families, written with bulk inserts.

Every account gets the same password hash, computed once: hashing a password takes a noticeable part of a
second on purpose, and the demo has a few hundred accounts whose password (`demo`) is public anyway.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from parta.journal.accounts.models import User
from parta.journal.demo.curriculum import (
    ADMIN_NAME,
    CLASSES,
    FIXED_FAMILIES,
    PARENT_NAME,
    PASSWORD,
    SPLIT_SUBJECTS,
    STUDENT_NAME,
    STUDENTS_PER_CLASS,
    TEACHERS,
    FixedFamily,
)
from parta.journal.demo.names import (
    FATHER_NAMES,
    SURNAMES,
    PersonName,
    Usernames,
    adult,
    child,
    feminine_surname,
)
from parta.journal.school.models import (
    AcademicYear,
    ClassGroup,
    Guardianship,
    Parent,
    School,
    SchoolClass,
    Student,
    Teacher,
)

SIBLING_FAMILIES = 8  # families with two children in classes of different grades
FIXED_USERNAMES = {"teacher", "student", "parent", "admin"}


@dataclass(frozen=True)
class FamilyPlan:
    surname: str
    children: tuple[tuple[str, PersonName], ...]  # class name, child
    parents: tuple[tuple[PersonName, str], ...]  # name, fixed username ("" for a generated one)
    teacher_parent: str = ""  # the key of a teacher who is this family's parent


@dataclass
class People:
    teachers: dict[str, Teacher]
    classes: dict[str, SchoolClass]
    students: dict[str, list[Student]]  # class name → students
    groups: dict[tuple[str, str], ClassGroup]  # (class name, group name) → group
    admin: User
    parents: list[Parent] = field(default_factory=list)


def _free_surnames(rng: random.Random) -> list[str]:
    """Surnames for generated families: none shared with a teacher or a fixed family, to avoid confusion."""
    used = {plan.name.last for plan in TEACHERS} | {family.surname for family in FIXED_FAMILIES} | {ADMIN_NAME.last}
    pool = [name for name in SURNAMES if name not in used and feminine_surname(name) not in used]
    rng.shuffle(pool)
    return pool


def _family(rng: random.Random, surname: str, class_names: list[str]) -> FamilyPlan:
    father = rng.choice(sorted(FATHER_NAMES))
    children: list[tuple[str, PersonName]] = []
    for class_name in class_names:
        kid = child(rng, surname, father, female=rng.random() < 0.5)
        while any(kid.first == other.first for _, other in children):
            kid = child(rng, surname, father, female=kid.female)
        children.append((class_name, kid))
    parents: list[PersonName] = []
    if rng.random() < 0.9:
        parents.append(adult(rng, surname, female=True))
    if not parents or rng.random() < 0.45:
        parents.append(adult(rng, surname, female=False, first=father))
    return FamilyPlan(surname, tuple(children), tuple((name, "") for name in parents))


def _fixed_family(rng: random.Random, family: FixedFamily) -> FamilyPlan:
    if family.mother_key == "parent":
        father = adult(rng, family.surname, female=False, first=family.father)
        return FamilyPlan(family.surname, family.children, ((PARENT_NAME, "parent"), (father, "")))
    return FamilyPlan(family.surname, family.children, (), teacher_parent=family.mother_key)


def plan_families(rng: random.Random) -> list[FamilyPlan]:
    """Families that fill every class: the fixed ones, some with children in two grades, the rest one child each."""
    pool = _free_surnames(rng)
    families = [_fixed_family(rng, family) for family in FIXED_FAMILIES]
    seats = {school_class.name: STUDENTS_PER_CLASS for school_class in CLASSES}
    pairs = [(a.name, b.name) for a in CLASSES for b in CLASSES if a.grade < b.grade]
    for _ in range(SIBLING_FAMILIES):
        families.append(_family(rng, pool.pop(), list(rng.choice(pairs))))
    for family in families:
        for class_name, _ in family.children:
            seats[class_name] -= 1
    for class_name, free in seats.items():
        families.extend(_family(rng, pool.pop(), [class_name]) for _ in range(free))
    return families


class _Accounts:
    """Collects unsaved accounts so that they are written in one bulk insert."""

    def __init__(self) -> None:
        self.users: list[User] = []
        self._password = make_password(PASSWORD)
        self._usernames = Usernames(FIXED_USERNAMES)

    def add(self, name: PersonName, username: str = "", *, staff: bool = False) -> User:
        user = User(
            username=username or self._usernames.make(name),
            last_name=name.last,
            first_name=name.first,
            patronymic=name.patronymic,
            password=self._password,
            is_staff=staff,
        )
        self.users.append(user)
        return user

    def save(self) -> None:
        User.objects.bulk_create(self.users, batch_size=500)


def _birth_date(rng: random.Random, grade: int, year_start: int) -> dt.date:
    """Children start school in the year they turn seven, so grade N is born in `year_start - 6 - N`."""
    born_in = year_start - 6 - grade
    return dt.date(born_in, 1, 1) + dt.timedelta(days=rng.randrange(365))


def _create_teachers(school: School, users: dict[str, User]) -> dict[str, Teacher]:
    teachers = {key: Teacher(school=school, user=user) for key, user in users.items()}
    Teacher.objects.bulk_create(teachers.values())
    return teachers


def _create_classes(school: School, year: AcademicYear, teachers: dict[str, Teacher]) -> dict[str, SchoolClass]:
    classes = {
        plan.name: SchoolClass(
            school=school, year=year, grade=plan.grade, letter=plan.letter, class_teacher=teachers[plan.class_teacher]
        )
        for plan in CLASSES
    }
    SchoolClass.objects.bulk_create(classes.values())
    return classes


def _create_students(
    rng: random.Random, school: School, classes: dict[str, SchoolClass], children: list[tuple[str, User]]
) -> tuple[dict[str, list[Student]], dict[int, Student]]:
    """Students per class, and the student of each child account (by the account's id)."""
    by_class: dict[str, list[Student]] = {name: [] for name in classes}
    by_user: dict[int, Student] = {}
    for class_name, user in children:
        school_class = classes[class_name]
        student = Student(
            school=school,
            user=user,
            school_class=school_class,
            birth_date=_birth_date(rng, school_class.grade, school_class.year.starts_on.year),
        )
        by_class[class_name].append(student)
        by_user[user.pk] = student
    Student.objects.bulk_create(by_user.values())
    return by_class, by_user


def _create_groups(
    classes: dict[str, SchoolClass], students: dict[str, list[Student]]
) -> dict[tuple[str, str], ClassGroup]:
    """Groups of split classes: the class list in alphabetical order, cut into equal parts («Группа 1» first)."""
    groups: dict[tuple[str, str], ClassGroup] = {}
    members: dict[tuple[str, str], list[Student]] = {}
    for (class_name, _subject), parts in SPLIT_SUBJECTS.items():
        ordered = sorted(students[class_name], key=lambda s: (s.user.last_name, s.user.first_name))
        size = -(-len(ordered) // len(parts))
        for index, (group_name, _teacher) in enumerate(parts):
            if (class_name, group_name) not in groups:
                groups[(class_name, group_name)] = ClassGroup(school_class=classes[class_name], name=group_name)
                members[(class_name, group_name)] = ordered[index * size : (index + 1) * size]
    ClassGroup.objects.bulk_create(groups.values())
    through = ClassGroup.students.through
    through.objects.bulk_create(
        through(classgroup_id=groups[key].pk, student_id=student.pk)
        for key, group_members in members.items()
        for student in group_members
    )
    return groups


def _create_parents(
    school: School,
    families: list[tuple[FamilyPlan, list[User], list[User]]],
    students: dict[int, Student],
    teachers: dict[str, Teacher],
) -> list[Parent]:
    parents: list[Parent] = []
    links: list[tuple[Parent, Student]] = []
    for plan, child_users, parent_users in families:
        family_parents = [Parent(school=school, user=user) for user in parent_users]
        if plan.teacher_parent:
            family_parents.append(Parent(school=school, user=teachers[plan.teacher_parent].user))
        parents += family_parents
        links += [(parent, students[user.pk]) for parent in family_parents for user in child_users]
    Parent.objects.bulk_create(parents)
    Guardianship.objects.bulk_create(Guardianship(parent=parent, student=student) for parent, student in links)
    return parents


def create_people(*, rng: random.Random, school: School, year: AcademicYear) -> People:
    accounts = _Accounts()
    teacher_users = {plan.key: accounts.add(plan.name, plan.username or "") for plan in TEACHERS}
    admin = accounts.add(ADMIN_NAME, "admin", staff=True)
    families: list[tuple[FamilyPlan, list[User], list[User]]] = []
    for plan in plan_families(rng):
        child_users = [accounts.add(kid, "student" if kid == STUDENT_NAME else "") for _, kid in plan.children]
        parent_users = [accounts.add(name, username) for name, username in plan.parents]
        families.append((plan, child_users, parent_users))
    accounts.save()
    teachers = _create_teachers(school, teacher_users)
    classes = _create_classes(school, year, teachers)
    children = [
        (class_name, user)
        for plan, users, _ in families
        for (class_name, _), user in zip(plan.children, users, strict=True)
    ]
    students, by_user = _create_students(rng, school, classes, children)
    groups = _create_groups(classes, students)
    parents = _create_parents(school, families, by_user, teachers)
    return People(teachers=teachers, classes=classes, students=students, groups=groups, admin=admin, parents=parents)
