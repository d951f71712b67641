"""The journal's ids as the messenger sees them (`external_id` in parta.common.integration.schemas).

Every id is the journal's own primary key as a string: primary keys never change, while the `external_id` columns
of the school's tables hold the ids of the school's source system (the CSV import) and may be empty or edited.
People are identified by their journal ACCOUNT, not by a role row: the link request names the account
(`person_id`), and the messenger finds the same id among the roster's teachers, students and parents — so a teacher
who is also a parent is one person with two roles.
"""

from __future__ import annotations


def ref(pk: int) -> str:
    """A class, subject, group or school id."""
    return str(pk)


def person_ref(user_id: int) -> str:
    """A person: their journal account's id."""
    return str(user_id)


def optional_ref(pk: int | None) -> str | None:
    return None if pk is None else str(pk)
