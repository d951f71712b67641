"""Logins for imported people who have none: the surname in Latin letters and initials, e.g. «ivanova.mp»."""

from __future__ import annotations

import re

from parta.journal.accounts.models import User

# The transliteration of Russian passports (ICAO Doc 9303), so a login reads like the name on a passport.
_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y",
    "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip


def transliterate(text: str) -> str:
    latin = "".join(_LATIN.get(char, char) for char in text.lower())
    return re.sub(r"[^a-z0-9]", "", latin)


def login_base(*, last_name: str, first_name: str, patronymic: str) -> str:
    initials = "".join(transliterate(part)[:1] for part in (first_name, patronymic) if part)
    surname = transliterate(last_name)[:40] or "user"
    return f"{surname}.{initials}" if initials else surname


def unique_login(base: str) -> str:
    """`base`, or `base2`, `base3`… — the first that no account has (one query)."""
    taken = set(User.objects.filter(username__istartswith=base).values_list("username", flat=True))
    taken = {name.lower() for name in taken}
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"
