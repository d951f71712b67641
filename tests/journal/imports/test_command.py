# covers: B1
"""`python -m parta.journal import_school PATH`: progress, the error report and the exit code."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parta.journal.school.models import School, Student
from tests.journal.builders import SchoolBuilder

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_school", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_prints_progress_counts_and_row_errors(example_dir: Path) -> None:
    output = run(str(example_dir))

    assert "students.csv: 29 / 80" in output
    assert "students.csv, строка 11, birth_date: «31.02.2014» — не дата." in output
    assert "Импорт завершён." in output
    assert Student.objects.count() == 9


def test_file_level_error_fails_the_command(example_dir: Path) -> None:
    text = (example_dir / "teachers.csv").read_text(encoding="utf-8").replace("last_name,", "surname,")
    (example_dir / "teachers.csv").write_text(text, encoding="utf-8")

    with pytest.raises(CommandError) as failure:
        run(str(example_dir))

    assert failure.value.returncode == 1
    assert not School.objects.exists()


def test_imports_into_the_named_school(example_dir: Path) -> None:
    b = SchoolBuilder.empty("Гимназия № 2")
    b.school.external_id = "gym2-nsk"
    b.school.save()

    run(str(example_dir), "--school-external-id", "gym2-nsk")

    assert Student.objects.filter(school=b.school).count() == 9


def test_unknown_school_fails_the_command(example_dir: Path) -> None:
    with pytest.raises(CommandError, match="Нет школы с внешним идентификатором «nope»"):
        run(str(example_dir), "--school-external-id", "nope")
