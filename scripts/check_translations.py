#!/usr/bin/env python3
"""Checks the Russian catalogues: every message translated, nothing fuzzy, each committed .mo up to date.

For every parta/**/locale/ru/LC_MESSAGES/django.po:
- no entry with an empty msgstr (the UI would show English to a Russian reader);
- no entry flagged fuzzy (msgfmt leaves those out, so they would show English too);
- msgfmt accepts it (format strings and header checked);
- django.mo sits beside it and holds the same messages msgfmt makes from the .po now. The catalogues are
  compared after parsing with Python's gettext, not byte for byte, because msgfmt versions lay files out
  differently.

Prints what is wrong and exits 1; exits 0 with a count when all is well.
"""

from __future__ import annotations

import ast
import gettext
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Entry:
    """One message of a .po file, as far as this check needs it."""

    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False

    def label(self) -> str:
        context = f" [context {self.msgctxt!r}]" if self.msgctxt is not None else ""
        return f"line {self.line}: {self.msgid!r}{context}"


def _unquote(text: str) -> str:
    # PO strings use C escapes; a Python string literal reads them the same way for everything msgfmt allows.
    return str(ast.literal_eval(text.strip()))


def parse_po(path: Path) -> list[Entry]:
    """The file's live entries, header included; obsolete (`#~`) entries are left out like msgfmt does."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] = ("msgid", 0)  # which string a continuation line extends
    fuzzy_next = False  # a `#, fuzzy` comment belongs to the entry that follows it

    def new_entry(line_no: int) -> Entry:
        nonlocal fuzzy_next
        entry = Entry(line=line_no, fuzzy=fuzzy_next)
        fuzzy_next = False
        entries.append(entry)
        return entry

    for line_no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        keyword, _, value = line.partition(" ")
        if line.startswith("#,"):
            fuzzy_next = fuzzy_next or "fuzzy" in [flag.strip() for flag in line[2:].split(",")]
        elif not line or line.startswith("#"):
            continue
        elif keyword == "msgctxt":
            current = new_entry(line_no)
            current.msgctxt = _unquote(value)
            target = ("msgctxt", 0)
        elif keyword == "msgid":
            if current is None or target[0] != "msgctxt":
                current = new_entry(line_no)
            current.msgid = _unquote(value)
            target = ("msgid", 0)
        elif current is None:
            raise ValueError(f"{path}:{line_no}: {keyword} before any msgid")
        elif keyword == "msgid_plural":
            current.msgid_plural = _unquote(value)
            target = ("msgid_plural", 0)
        elif keyword.startswith("msgstr"):
            index = int(keyword[len("msgstr[") : -1]) if keyword.startswith("msgstr[") else 0
            current.msgstr[index] = _unquote(value)
            target = ("msgstr", index)
        elif line.startswith('"'):
            _extend(current, target, _unquote(line))
        else:
            raise ValueError(f"{path}:{line_no}: cannot read {line[:40]!r}")
    return entries


def _extend(entry: Entry, target: tuple[str, int], text: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] += text
    elif name == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + text
    elif name == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    else:
        entry.msgid += text


def entry_problems(entries: list[Entry]) -> list[str]:
    problems = []
    for entry in entries:
        if entry.msgid == "" and entry.msgctxt is None:
            continue  # the header
        if entry.fuzzy:
            problems.append(f"fuzzy (check the translation, then remove the fuzzy flag): {entry.label()}")
        if not entry.msgstr or any(not text for text in entry.msgstr.values()):
            problems.append(f"untranslated: {entry.label()}")
    return problems


def load_catalogue(mo: Path) -> dict[object, str]:
    with mo.open("rb") as fp:
        translations = gettext.GNUTranslations(fp)
    # _catalog is the parsed message table; gettext has no public accessor for the whole of it.
    catalogue: dict[object, str] = dict(translations._catalog)  # type: ignore[attr-defined]
    catalogue.pop("", None)  # the header: its creation date and generator may differ harmlessly
    return catalogue


def compiled_problems(po: Path) -> list[str]:
    mo = po.with_suffix(".mo")
    if not mo.exists():
        return [f"{mo.name} is missing: run `msgfmt -o django.mo django.po` in {po.parent}"]
    with tempfile.TemporaryDirectory(prefix="parta-msgfmt-") as tmp:
        fresh = Path(tmp) / "django.mo"
        result = subprocess.run(
            ["msgfmt", "--check-format", "--check-header", "-o", str(fresh), str(po)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            return [f"msgfmt refuses the file:\n{result.stderr.strip()}"]
        try:
            committed = load_catalogue(mo)
        except (OSError, UnicodeDecodeError) as error:
            return [f"{mo.name} cannot be read ({error}): rebuild it with msgfmt"]
        expected = load_catalogue(fresh)
    if committed == expected:
        return []
    stale = sorted(str(key) for key in expected.keys() - committed.keys())
    both = expected.keys() & committed.keys()
    changed = sorted(str(key) for key in both if expected[key] != committed[key])
    extra = sorted(str(key) for key in committed.keys() - expected.keys())
    detail = "; ".join(
        f"{what}: {', '.join(repr(k) for k in keys[:5])}{' …' if len(keys) > 5 else ''}"
        for what, keys in (("missing from .mo", stale), ("different in .mo", changed), ("only in .mo", extra))
        if keys
    )
    return [f"{mo.name} is out of date ({detail}): run `msgfmt -o django.mo django.po` in {po.parent}"]


def main() -> int:
    catalogues = sorted(
        po for po in (ROOT / "parta").glob("**/locale/ru/LC_MESSAGES/django.po") if ".venv" not in po.parts
    )
    failed = 0
    messages = 0
    for po in catalogues:
        problems = compiled_problems(po)
        try:
            entries = parse_po(po)
        except (ValueError, SyntaxError) as error:
            problems.append(f"cannot read the file: {error}")
        else:
            messages += sum(1 for e in entries if e.msgid or e.msgctxt is not None)
            problems = entry_problems(entries) + problems
        if problems:
            failed += 1
            print(f"{po.relative_to(ROOT)}:")
            for problem in problems:
                print(f"  - {problem}")
    if failed:
        print(f"translations: {failed} of {len(catalogues)} catalogues need work (see above)")
        return 1
    print(f"translations: {len(catalogues)} Russian catalogues, {messages} messages, translated and compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
