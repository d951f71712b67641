"""Case-insensitive matching of Russian text on every database the messenger runs on.

PostgreSQL's `UPPER`/`ILIKE` fold Cyrillic; SQLite's `LIKE` and `lower()` fold ASCII only, so "ив" would not find
«Иванов» there. On SQLite a `parta_casefold` SQL function (Python's `str.casefold`) is registered on every new
connection, and matching compares folded text with a folded needle.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, F, Func, Q, QuerySet

SQLITE_CASEFOLD = "parta_casefold"


def _casefold(value: str | None) -> str | None:
    return None if value is None else value.casefold()


def register_sqlite_functions(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """`connection_created` receiver: adds `parta_casefold` to SQLite connections (deterministic, so indexable)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_CASEFOLD, 1, _casefold, deterministic=True)


class CaseFold(Func):
    function = SQLITE_CASEFOLD
    output_field = CharField()


def filter_contains_folded(queryset: QuerySet[Any], fields: list[str], needle: str, *, prefix: str = "fold") -> Any:
    """Rows where any of `fields` contains `needle`, ignoring case (Cyrillic included). Returns a filtered queryset."""
    if connection.vendor != "sqlite":
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": needle})
        return queryset.filter(condition)
    folded = needle.casefold()
    aliases = {f"{prefix}_{name.replace('__', '_')}": CaseFold(F(name)) for name in fields}
    condition = Q()
    for alias in aliases:
        condition |= Q(**{f"{alias}__contains": folded})
    return queryset.alias(**aliases).filter(condition)
