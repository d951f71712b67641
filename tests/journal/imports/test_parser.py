# covers: B1
"""Reading cells and files the way schools write them, without the database."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest

from parta.journal.imports.logins import login_base
from parta.journal.imports.parser import ColumnSpec, FileLevelError, Row, RowError, parse_csv, read_source


def row(**values: str) -> Row:
    return Row(file="x.csv", number=2, values=values)


@pytest.mark.parametrize(("text", "day"), [("1", 1), ("пн", 1), ("Пт.", 5), ("среда", 3), ("7", 7), ("ВС", 7)])
def test_weekdays(text: str, day: int) -> None:
    assert row(weekday=text).weekday("weekday") == day


@pytest.mark.parametrize("text", ["0", "8", "понед", ""])
def test_bad_weekdays(text: str) -> None:
    with pytest.raises(RowError) as error:
        row(weekday=text).weekday("weekday")
    assert error.value.column == "weekday"


@pytest.mark.parametrize(("text", "name"), [("7Б", "7Б"), ("7 б", "7Б"), ("11-а", "11А"), ("1A", "1A")])
def test_class_names(text: str, name: str) -> None:
    assert row(cls=text).class_name("cls") == name


@pytest.mark.parametrize("text", ["12А", "Б7", "7", "0А"])
def test_bad_class_names(text: str) -> None:
    with pytest.raises(RowError, match="не класс"):
        row(cls=text).class_name("cls")


def test_dates_and_times() -> None:
    r = row(a="25.05.2014", b="2014-05-25", c="8:30", d="31.02.2014")
    assert r.date("a") == r.date("b") == dt.date(2014, 5, 25)
    assert r.time("c") == dt.time(8, 30)
    with pytest.raises(RowError, match=re.escape("«31.02.2014» — не дата")):
        r.date("d")
    assert r.optional_date("missing") is None


def test_id_lists() -> None:
    assert row(ids=" S1  S2|S3 |S1").ids("ids") == ["S1", "S2", "S3"]


def test_generated_login_base() -> None:
    assert login_base(last_name="Щербакова-Ёлкина", first_name="Юлия", patronymic="") == "shcherbakovaelkina.i"
    assert login_base(last_name="Ильин", first_name="Марк", patronymic="Евгеньевич") == "ilin.me"


SPEC = ColumnSpec(required=("number", "name"), optional=("short_name",))


def test_delimiter_bom_quotes_and_empty_lines() -> None:
    data = '\ufeffNumber ; Name;extra\n1;"Гимназия; корпус 2";x\n;;\n2;Лицей;\n'.encode()

    parsed = parse_csv("a.csv", data, SPEC)

    assert [(r.number, r.values["number"], r.values["name"]) for r in parsed.rows] == [
        (2, "1", "Гимназия; корпус 2"),
        (4, "2", "Лицей"),
    ]
    assert parsed.warnings == ["a.csv: неизвестные столбцы пропущены: extra."]


def test_extra_cells_are_flagged() -> None:
    parsed = parse_csv("a.csv", b"number,name\n1,Math,oops\n", SPEC)
    assert parsed.rows[0].extra_cells


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"number;title\n1;x\n", "Нет обязательных столбцов: name."),
        (b"number,name,name\n", "Столбцы повторяются: name."),
        (b"\n1,2\n", "В первой строке должны быть названия столбцов"),
    ],
)
def test_file_level_errors(data: bytes, message: str) -> None:
    with pytest.raises(FileLevelError, match=re.escape(message)):
        parse_csv("a.csv", data, SPEC)


def test_zip_with_a_folder_and_macos_junk(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Школа/School.csv", "x")
        z.writestr("__MACOSX/Школа/._school.csv", "junk")
        z.writestr("Школа/notes.csv", "y")

    found, warnings = read_source(archive, ["school.csv", "students.csv"])

    assert found == {"school.csv": b"x"}
    assert warnings == ["Файл notes.csv не входит в формат и не читался."]


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(FileLevelError, match="Укажите папку с CSV-файлами или ZIP-архив"):
        read_source(path, ["school.csv"])
