"""Reading the school's CSV files: finding them in a folder or a ZIP, decoding, splitting and checking cells.

Nothing here touches the database. File-level problems raise `FileLevelError`; a bad cell raises `RowError`,
which the import turns into one line of the error report and skips the row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

MAX_FILE_BYTES = 50 * 1024 * 1024  # a school of 3000 students is well under 5 MB; this stops ZIP bombs


class FileLevelError(Exception):
    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


class RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass(frozen=True)
class ColumnSpec:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


@dataclass
class CsvFile:
    name: str
    columns: list[str]
    rows: list[Row]
    warnings: list[str] = field(default_factory=list)


def read_source(source: Path, known: Iterable[str]) -> tuple[dict[str, bytes], list[str]]:
    """The bytes of each known file in `source` (a folder or a ZIP), by lower-case name, and warnings."""
    known_names = set(known)
    if source.is_dir():
        members = {p.name.lower(): p for p in source.iterdir() if p.is_file()}
        found = {name: _read_limited(members[name]) for name in known_names if name in members}
        unused = sorted(name for name in members if name.endswith(".csv") and name not in known_names)
    elif source.is_file() and zipfile.is_zipfile(source):
        found, unused = _read_zip(source, known_names)
    else:
        raise FileLevelError(source.name, _("Give a folder with the CSV files or a ZIP archive of them."))
    warnings = [_("File %(name)s is not part of the format and was not read.") % {"name": n} for n in unused]
    return found, warnings


def _read_limited(path: Path) -> bytes:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise FileLevelError(path.name, _("The file is larger than 50 MB. Split it or remove unneeded columns."))
    return path.read_bytes()


def _read_zip(source: Path, known: set[str]) -> tuple[dict[str, bytes], list[str]]:
    found: dict[str, bytes] = {}
    unused: list[str] = []
    try:
        with zipfile.ZipFile(source) as archive:
            for info in archive.infolist():
                path = PurePosixPath(info.filename)
                if info.is_dir() or "__MACOSX" in path.parts or path.name.startswith("."):
                    continue  # folders and the resource forks macOS adds to archives
                name = path.name.lower()
                if name not in known:
                    if name.endswith(".csv"):
                        unused.append(name)
                    continue
                if name in found:
                    raise FileLevelError(name, _("The archive holds two files with this name. Leave one."))
                if info.file_size > MAX_FILE_BYTES:
                    raise FileLevelError(name, _("The file is larger than 50 MB. Split it or remove unneeded columns."))
                found[name] = archive.read(info)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileLevelError(source.name, _("The ZIP archive cannot be read. Create it again.")) from exc
    return found, sorted(unused)


def decode(name: str, data: bytes) -> tuple[str, list[str]]:
    """UTF-8 with or without BOM; else Windows-1251, which Russian Excel writes for plain «CSV»."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError as exc:
        raise FileLevelError(name, _("The file is not in UTF-8. Save it in Excel as «CSV UTF-8».")) from exc
    note = _("%(name)s is not in UTF-8; it was read as Windows-1251. Check names in the result.") % {"name": name}
    return text, [note]


def detect_delimiter(header: str) -> str:
    """Russian Excel writes ';', most other tools ','; the header has no commas or semicolons of its own."""
    return ";" if header.count(";") > header.count(",") else ","


def parse_csv(name: str, data: bytes, spec: ColumnSpec) -> CsvFile:
    text, warnings = decode(name, data)
    header_line = text.lstrip("\ufeff").split("\n", 1)[0]
    if not header_line.strip():
        raise FileLevelError(name, _("The first line must hold the column names, but it is empty."))
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=detect_delimiter(header_line))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise FileLevelError(name, _("The file cannot be read as CSV (%(error)s).") % {"error": exc}) from exc
    columns = [cell.strip().lower() for cell in records[0]]
    _check_columns(name, columns, spec)
    unknown = [c for c in columns if c and c not in spec.required + spec.optional]
    if unknown:
        warnings.append(
            _("%(name)s: unknown columns were ignored: %(columns)s.") % {"name": name, "columns": ", ".join(unknown)}
        )
    rows = [
        Row.from_cells(file=name, number=number, columns=columns, cells=cells)
        for number, cells in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in cells)  # Excel leaves lines of empty cells at the end
    ]
    return CsvFile(name=name, columns=columns, rows=rows, warnings=warnings)


def _check_columns(name: str, columns: list[str], spec: ColumnSpec) -> None:
    repeated = sorted({c for c in columns if c and columns.count(c) > 1})
    if repeated:
        raise FileLevelError(
            name,
            _("Columns appear twice: %(columns)s. Leave one of each.") % {"columns": ", ".join(repeated)},
        )
    missing = [c for c in spec.required if c not in columns]
    if missing:
        raise FileLevelError(
            name,
            _("Required columns are missing: %(columns)s. The first line of the file must name the columns.")
            % {"columns": ", ".join(missing)},
        )


_CLASS_RE = re.compile(r"^(\d{1,2})\s*[-\s]?\s*(\S{1,5})$")
_ID_SPLIT_RE = re.compile(r"[\s|,]+")
_LOGIN_RE = re.compile(r"^[\w.@+-]{1,150}$")
_WEEKDAYS = {
    "пн": 1, "понедельник": 1, "вт": 2, "вторник": 2, "ср": 3, "среда": 3, "чт": 4, "четверг": 4,
    "пт": 5, "пятница": 5, "сб": 6, "суббота": 6, "вс": 7, "воскресенье": 7,
    "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7,
}  # fmt: skip


def class_key(grade: int, letter: str) -> str:
    return f"{grade}{letter.upper()}"


def name_key(name: str) -> str:
    """How names are matched between files: case and repeated spaces do not matter."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Row:
    """One data row; its typed getters raise `RowError` naming the column, in words a secretary reads."""

    file: str
    number: int
    values: dict[str, str]
    extra_cells: bool = False

    @classmethod
    def from_cells(cls, *, file: str, number: int, columns: list[str], cells: list[str]) -> Row:
        values = {column: cell.strip() for column, cell in zip(columns, cells, strict=False) if column}
        extra = any(cell.strip() for cell in cells[len(columns) :])
        return cls(file=file, number=number, values=values, extra_cells=extra)

    def text(self, column: str, *, required: bool = False, max_length: int = 255) -> str:
        value = " ".join(self.values.get(column, "").split())
        if required and not value:
            raise RowError(column, _("The value is empty; fill it in."))
        if len(value) > max_length:
            raise RowError(column, _("The value is longer than %(n)s characters.") % {"n": max_length})
        return value

    def integer(self, column: str, *, low: int, high: int) -> int:
        value = self.text(column, required=True)
        if not value.isdigit() or not low <= int(value) <= high:
            raise RowError(
                column,
                _("«%(value)s» is not a whole number from %(low)s to %(high)s.")
                % {"value": value, "low": low, "high": high},
            )
        return int(value)

    def optional_integer(self, column: str, *, low: int, high: int) -> int | None:
        return self.integer(column, low=low, high=high) if self.text(column) else None

    def date(self, column: str) -> dt.date:
        value = self.text(column, required=True)
        for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
            except ValueError:
                continue
        raise RowError(column, _("«%(value)s» is not a date. Write it as 25.05.2014 or 2014-05-25.") % {"value": value})

    def optional_date(self, column: str) -> dt.date | None:
        return self.date(column) if self.text(column) else None

    def time(self, column: str) -> dt.time:
        value = self.text(column, required=True)
        for fmt in ("%H:%M", "%H:%M:%S", "%H.%M"):
            try:
                return dt.datetime.strptime(value, fmt).time()  # noqa: DTZ007 - a time of day on the school's clock
            except ValueError:
                continue
        raise RowError(column, _("«%(value)s» is not a time. Write it as 08:30.") % {"value": value})

    def weekday(self, column: str) -> int:
        value = self.text(column, required=True).lower().rstrip(".")
        day = int(value) if value.isdigit() else _WEEKDAYS.get(value)
        if day is None or not 1 <= day <= 7:
            raise RowError(
                column,
                _("«%(value)s» is not a day of the week. Write 1–7 (1 is Monday) or пн, вт, ср, чт, пт, сб.")
                % {"value": value},
            )
        return day

    def class_name(self, column: str) -> str:
        """A class as people write it («7Б», «7 Б», «7-б») in the form the import looks classes up by."""
        value = self.text(column, required=True)
        match = _CLASS_RE.match(value)
        if not match or not 1 <= int(match[1]) <= 11:
            raise RowError(
                column,
                _("«%(value)s» is not a class. Write the grade and the letter, e.g. 7Б.") % {"value": value},
            )
        return class_key(int(match[1]), match[2])

    def ids(self, column: str, *, required: bool = False) -> list[str]:
        value = self.text(column, required=required, max_length=10_000)
        return list(dict.fromkeys(part for part in _ID_SPLIT_RE.split(value) if part))

    def login(self, column: str = "login") -> str:
        value = self.text(column, max_length=150)
        if value and not _LOGIN_RE.match(value):
            raise RowError(
                column,
                _("The login «%(value)s» may hold only letters, digits and . @ + - _ characters.") % {"value": value},
            )
        return value

    def email(self, column: str = "email") -> str:
        value = self.text(column, max_length=254)
        if value:
            try:
                validate_email(value)
            except ValidationError as exc:
                raise RowError(column, _("«%(value)s» is not an e-mail address.") % {"value": value}) from exc
        return value
