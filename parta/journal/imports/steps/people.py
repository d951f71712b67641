"""teachers.csv, students.csv and parents.csv: people, their journal accounts and roles in the school."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from parta.journal.accounts.models import User
from parta.journal.imports.logins import login_base, unique_login
from parta.journal.imports.parser import ColumnSpec, Row, RowError
from parta.journal.imports.report import Outcome
from parta.journal.imports.steps.base import Step, apply, outcome
from parta.journal.school.models import Guardianship, Parent, Student, Teacher

PERSON_COLUMNS = ("external_id", "last_name", "first_name")
PERSON_OPTIONAL = ("patronymic", "login", "email")
Role = Teacher | Student | Parent


class PersonStep(Step):
    """Finds the person's role by (school, external_id); a new role gets a new account, or an account of
    this school named by `login` (a teacher who is also a parent has one account)."""

    role_model: type[Role]

    def roles(self) -> dict[str, Any]:
        raise NotImplementedError

    def person(self, row: Row) -> tuple[str, dict[str, str], str]:
        external_id = row.text("external_id", required=True, max_length=64)
        self.claim(external_id, row, "external_id", external_id)
        fields = {
            "last_name": row.text("last_name", required=True, max_length=150),
            "first_name": row.text("first_name", required=True, max_length=150),
            "patronymic": row.text("patronymic", max_length=150),
            "email": row.email(),
        }
        return external_id, fields, row.login()

    def upsert(
        self, external_id: str, fields: dict[str, str], login: str, role_values: dict[str, Any]
    ) -> tuple[Any, Outcome]:
        role = self.roles().get(external_id)
        if role is not None:
            changed = _update_user(role.user, fields, login)
            return role, outcome(created=False, changed=apply(role, role_values) or changed)
        user = User.objects.filter(username=login).first() if login else None
        if user is not None:
            role = self._adopt(user, external_id, login)
            _update_user(user, fields, login="")
        if role is not None:
            apply(role, role_values)
            result = Outcome.UPDATED
        else:
            user = user or _new_user(fields, login)
            role = self.role_model.objects.create(
                user=user, school=self.ctx.school, external_id=external_id, **role_values
            )
            self.ctx.school_user_ids.add(user.pk)
            result = Outcome.CREATED
        self.roles()[external_id] = role
        return role, result

    def _adopt(self, user: User, external_id: str, login: str) -> Role | None:
        """The account named by `login` is reused only when it already belongs to this school."""
        if user.pk not in self.ctx.school_user_ids:
            raise RowError(
                "login",
                _(
                    "The login «%(login)s» belongs to an account outside this school. "
                    "Give another login or leave the cell empty to make one."
                )
                % {"login": login},
            )
        role = self.role_model.objects.filter(school=self.ctx.school, user=user).first()
        if role is not None and role.external_id:
            raise RowError(
                "login",
                _("The account «%(login)s» already has this role in the school, with the id «%(id)s».")
                % {"login": login, "id": role.external_id},
            )
        if role is not None:  # a role made by hand before the school's first import: give it its id
            role.external_id = external_id
            role.save(update_fields=["external_id"])
        return role


def _update_user(user: User, fields: dict[str, str], login: str) -> bool:
    values = dict(fields)
    if login and login != user.username:
        if User.objects.filter(username=login).exclude(pk=user.pk).exists():
            raise RowError("login", _("The login «%(login)s» is taken by another account.") % {"login": login})
        values["username"] = login
    return apply(user, values)


def _new_user(fields: dict[str, str], login: str) -> User:
    """A new account can't sign in until the school sets its password (see docs/csv-import.md)."""
    base = login_base(last_name=fields["last_name"], first_name=fields["first_name"], patronymic=fields["patronymic"])
    user = User(username=login or unique_login(base), **fields)
    user.set_unusable_password()
    user.save()
    return user


class TeachersStep(PersonStep):
    file_name = "teachers.csv"
    columns = ColumnSpec(required=PERSON_COLUMNS, optional=PERSON_OPTIONAL)
    role_model = Teacher

    def roles(self) -> dict[str, Any]:
        return self.ctx.teachers

    def import_row(self, row: Row) -> Outcome:
        external_id, fields, login = self.person(row)
        return self.upsert(external_id, fields, login, {})[1]


class StudentsStep(PersonStep):
    file_name = "students.csv"
    columns = ColumnSpec(required=(*PERSON_COLUMNS, "class"), optional=(*PERSON_OPTIONAL, "birth_date"))
    role_model = Student

    def roles(self) -> dict[str, Any]:
        return self.ctx.students

    def import_row(self, row: Row) -> Outcome:
        external_id, fields, login = self.person(row)
        values = {"school_class_id": self.school_class(row).pk, "birth_date": row.optional_date("birth_date")}
        return self.upsert(external_id, fields, login, values)[1]


class ParentsStep(PersonStep):
    file_name = "parents.csv"
    columns = ColumnSpec(required=(*PERSON_COLUMNS, "children"), optional=PERSON_OPTIONAL)
    role_model = Parent

    def roles(self) -> dict[str, Any]:
        return self.ctx.parents

    def import_row(self, row: Row) -> Outcome:
        external_id, fields, login = self.person(row)
        children = []
        for child_id in row.ids("children", required=True):
            child = self.ctx.students.get(child_id)
            if child is None:
                raise RowError("children", _("No student has the id «%(id)s»; check students.csv.") % {"id": child_id})
            children.append(child)
        parent, result = self.upsert(external_id, fields, login, {})
        linked = self.ctx.guardianships
        missing = [
            Guardianship(parent=parent, student=child) for child in children if (parent.pk, child.pk) not in linked
        ]
        Guardianship.objects.bulk_create(missing)
        linked.update((parent.pk, child.pk) for child in children)
        return Outcome.UPDATED if missing and result is Outcome.UNCHANGED else result
