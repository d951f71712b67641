"""What an import did, file by file and row by row; stored as JSON on the admin's import job."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


class Outcome(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class FileStats:
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)


@dataclass(frozen=True)
class RowIssue:
    """A row that was skipped: `row` is the number a spreadsheet shows (the header is row 1)."""

    file: str
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class FileIssue:
    """Stops the import before anything is written: a missing file or column, a bad school.csv."""

    file: str
    message: str


@dataclass(frozen=True)
class ImportProgress:
    file: str
    done: int
    total: int


ProgressCallback = Callable[[ImportProgress], None]


@dataclass
class ImportReport:
    school_id: int | None = None
    school_name: str = ""
    files: list[FileStats] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    file_errors: list[FileIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lessons_created: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.file_errors)

    def stats(self, file: str) -> FileStats:
        for stats in self.files:
            if stats.file == file:
                return stats
        stats = FileStats(file=file)
        self.files.append(stats)
        return stats

    def add_error(self, *, file: str, row: int, column: str, message: str) -> None:
        self.errors.append(RowIssue(file=file, row=row, column=column, message=message))
        self.stats(file).errors += 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        return cls(
            school_id=data.get("school_id"),
            school_name=data.get("school_name", ""),
            files=[FileStats(**item) for item in data.get("files", [])],
            errors=[RowIssue(**item) for item in data.get("errors", [])],
            file_errors=[FileIssue(**item) for item in data.get("file_errors", [])],
            warnings=list(data.get("warnings", [])),
            lessons_created=data.get("lessons_created", 0),
        )
