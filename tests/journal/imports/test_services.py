# covers: B1
"""Importing a school from CSV files: the documented example, row errors, re-runs, formats and safety."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from parta.journal.accounts.models import User
from parta.journal.imports.report import ImportProgress, ImportReport
from parta.journal.imports.services import import_school
from parta.journal.school.models import (
    ClassGroup,
    Guardianship,
    Parent,
    School,
    Student,
    Teacher,
    TeachingLoad,
)
from parta.journal.timetable.models import Lesson, TimetableEntry
from tests.journal.builders import SchoolBuilder, make_user
from tests.journal.imports.conftest import zip_folder

pytestmark = pytest.mark.django_db

EXPECTED = {  # file: (rows, created, errors) of the example
    "school.csv": (1, 1, 0),
    "periods.csv": (4, 4, 0),
    "bells.csv": (4, 4, 0),
    "subjects.csv": (5, 5, 0),
    "teachers.csv": (4, 4, 0),
    "classes.csv": (2, 2, 0),
    "students.csv": (10, 9, 1),
    "parents.csv": (6, 6, 0),
    "groups.csv": (2, 2, 0),
    "load.csv": (11, 11, 0),
    "timetable.csv": (32, 32, 0),
}


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8-sig")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(folder: Path, name: str, line: str) -> None:
    with (folder / name).open("a", encoding="utf-8") as f:
        f.write(line + "\n")


def counts(report: ImportReport) -> dict[str, tuple[int, int, int]]:
    return {f.file: (f.rows, f.created, f.errors) for f in report.files}


def errors(report: ImportReport) -> list[tuple[str, int, str, str]]:
    return [(e.file, e.row, e.column, e.message) for e in report.errors]


def test_example_school_imports(example_dir: Path) -> None:
    report = import_school(source=example_dir, school=None)

    assert not report.failed
    assert counts(report) == EXPECTED
    school = School.objects.get(external_id="gym2-nsk")
    assert (report.school_id, school.name) == (school.pk, "Гимназия № 2 г. Новосибирска")
    assert Teacher.objects.filter(school=school).count() == 4
    assert Student.objects.filter(school=school).count() == 9
    assert Parent.objects.filter(school=school).count() == 6
    assert Guardianship.objects.filter(parent__school=school).count() == 7
    assert sorted(g.students.count() for g in ClassGroup.objects.filter(school_class__school=school)) == [2, 3]
    assert TeachingLoad.objects.filter(school_class__school=school).count() == 11
    assert TimetableEntry.objects.filter(period__year__school=school).count() == 32 * 4  # empty period = all four
    assert report.lessons_created == Lesson.objects.filter(school=school).count() > 1000
    # 1 September 2026 is a Tuesday: the first Monday's first lesson of 5А is Литература with T2.
    first = Lesson.objects.with_names().get(school_class__letter="А", date=dt.date(2026, 9, 7), number=1)
    assert (first.subject.name, first.teacher.external_id, first.starts_at) == ("Литература", "T2", dt.time(8, 30))


def test_malformed_row_is_reported_and_the_others_land(example_dir: Path) -> None:
    report = import_school(source=example_dir, school=None)

    assert errors(report) == [
        ("students.csv", 11, "birth_date", "«31.02.2014» — не дата. Запишите её как 25.05.2014 или 2014-05-25.")
    ]
    assert not Student.objects.filter(external_id="S605").exists()
    s503 = Student.objects.select_related("school_class", "user").get(external_id="S503")
    assert (s503.birth_date, s503.school_class.name, s503.user.last_name) == (dt.date(2015, 11, 20), "5А", "Васильев")
    assert Student.objects.get(external_id="S505").school_class.name == "5А"  # written «5 А»
    assert Student.objects.get(external_id="S603").school_class.name == "6Б"  # written «6б»


def test_second_run_changes_nothing(example_dir: Path) -> None:
    import_school(source=example_dir, school=None)
    before = (User.objects.count(), Lesson.objects.count(), TimetableEntry.objects.count(), School.objects.count())

    report = import_school(source=example_dir, school=None)

    assert all(f.created == 0 and f.updated == 0 and f.unchanged == f.rows - f.errors for f in report.files)
    assert report.lessons_created == 0
    assert len(report.errors) == 1
    assert (
        User.objects.count(),
        Lesson.objects.count(),
        TimetableEntry.objects.count(),
        School.objects.count(),
    ) == before


def test_changed_rows_are_updated_in_place(example_dir: Path) -> None:
    import_school(source=example_dir, school=None)
    edit(
        example_dir,
        "students.csv",
        "S505;Ильина;Ульяна;Евгеньевна;09.09.2015;5 А",
        "S505;Ильина;Ульяна;Евгеньевна;09.09.2015;6Б",
    )
    edit(example_dir, "bells.csv", "1,08:30,09:15", "1,08:00,08:45")

    report = import_school(source=example_dir, school=None)

    stats = {f.file: (f.created, f.updated) for f in report.files}
    assert stats["students.csv"] == (0, 1)
    assert stats["bells.csv"] == (0, 1)
    assert Student.objects.get(external_id="S505").school_class.name == "6Б"
    assert Student.objects.filter(external_id="S505").count() == 1


def test_zip_of_a_folder_imports(example_dir: Path, tmp_path: Path) -> None:
    report = import_school(source=zip_folder(example_dir, tmp_path / "gym2.zip"), school=None)

    assert counts(report) == EXPECTED


def test_semicolons_and_bom_are_read(example_dir: Path) -> None:
    # students.csv of the example is as Russian Excel saves «CSV UTF-8»: a BOM and ';' between cells.
    assert (example_dir / "students.csv").read_bytes().startswith(b"\xef\xbb\xbfexternal_id;")
    text = (example_dir / "teachers.csv").read_text(encoding="utf-8").replace(",", ";")
    (example_dir / "teachers.csv").write_text(text, encoding="utf-8-sig")

    report = import_school(source=example_dir, school=None)

    assert counts(report)["teachers.csv"] == (4, 4, 0)
    assert counts(report)["students.csv"] == (10, 9, 1)
    assert Teacher.objects.get(external_id="T1").user.email == "sokolova@gym2.example"


def test_windows_1251_is_read_with_a_note(example_dir: Path) -> None:
    text = (example_dir / "teachers.csv").read_text(encoding="utf-8")
    (example_dir / "teachers.csv").write_bytes(text.encode("cp1251"))

    report = import_school(source=example_dir, school=None)

    assert Teacher.objects.get(external_id="T3").user.last_name == "Лебедева"
    assert any("Windows-1251" in w for w in report.warnings)


def test_missing_required_column_is_a_file_level_error(example_dir: Path) -> None:
    edit(example_dir, "students.csv", "birth_date;class;", "birth_date;klass;")

    report = import_school(source=example_dir, school=None)

    assert report.failed
    assert [(i.file, i.message) for i in report.file_errors] == [
        (
            "students.csv",
            "Нет обязательных столбцов: class. В первой строке файла должны быть названия столбцов.",
        )
    ]
    assert not School.objects.exists()  # checked before anything is written


def test_missing_school_file_is_a_file_level_error(example_dir: Path) -> None:
    (example_dir / "school.csv").unlink()

    report = import_school(source=example_dir, school=None)

    assert [(i.file, i.message) for i in report.file_errors] == [
        ("school.csv", "Файла нет, а импорт начинается с него.")
    ]
    assert not Teacher.objects.exists()


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "students.csv",
            "S502;Белова;Алиса;Денисовна;02.07.2015;5А",
            "S502;Белова;Алиса;Денисовна;02.07.2015;7В",
            ("students.csv", 3, "class", "Класс «7В» не найден; добавьте его в classes.csv."),
        ),
        (
            "load.csv",
            "T4,6Б,История",
            "T9,6Б,История",
            ("load.csv", 12, "teacher_id", "Нет учителя с идентификатором «T9»; проверьте teachers.csv."),
        ),
        (
            "teachers.csv",
            "T4,Волков",
            "T1,Волков",
            ("teachers.csv", 5, "external_id", "«T1» уже есть в строке 2 этого файла; повторять его нельзя."),
        ),
        (
            "timetable.csv",
            ",пт,3,6Б,История,,T4,25",
            ",пятн,3,6Б,История,,T4,25",
            (
                "timetable.csv",
                33,
                "weekday",
                "«пятн» — не день недели. Укажите число от 1 до 7 (1 — понедельник) или пн, вт, ср, чт, пт, сб.",
            ),
        ),
        (
            "timetable.csv",
            ",пт,3,6Б,История,,T4,25",
            ",пт,3,6Б,История,,T2,25",
            ("timetable.csv", 33, "subject", "В load.csv нет нагрузки: учитель T2, класс 6Б, История; добавьте её."),
        ),
        (
            "parents.csv",
            "S505 S604",
            "S505 S605",
            ("parents.csv", 6, "children", "Нет ученика с идентификатором «S605»; проверьте students.csv."),
        ),
        (
            "teachers.csv",
            "sokolova@gym2.example",
            "sokolova@",
            ("teachers.csv", 2, "email", "«sokolova@» — не адрес электронной почты."),
        ),
    ],
)
def test_bad_rows_are_skipped_with_a_clear_message(
    example_dir: Path, file: str, old: str, new: str, expected: tuple[str, int, str, str]
) -> None:
    edit(example_dir, file, old, new)

    report = import_school(source=example_dir, school=None)

    assert not report.failed
    assert expected in errors(report)


def test_timetable_clashes_are_refused(example_dir: Path) -> None:
    append(example_dir, "timetable.csv", ",пн,1,6Б,Математика,,T1,21")  # 6Б has English then (row 3)
    append(example_dir, "timetable.csv", ",пн,2,6Б,Математика,,T1,21")  # T1 teaches 5А then (row 4)

    report = import_school(source=example_dir, school=None)

    found = errors(report)
    assert ("timetable.csv", 34, "class", "У класса в это время уже есть урок (строка 3).") in found
    assert ("timetable.csv", 35, "teacher_id", "У учителя в это время уже есть урок (строка 4).") in found


def test_new_accounts_get_logins_and_no_password(example_dir: Path) -> None:
    make_user("Морозов", "Дмитрий", "Алексеевич", username="morozov.da")  # someone elsewhere has the login

    import_school(source=example_dir, school=None)

    given = Teacher.objects.get(external_id="T1").user
    generated = Teacher.objects.get(external_id="T2").user
    assert given.username == "sokolova.iv"
    assert generated.username == "morozov.da2"
    assert Student.objects.get(external_id="S604").user.username == "ilin.me"
    assert not given.has_usable_password() and not generated.has_usable_password()


def test_login_of_another_schools_account_is_refused(example_dir: Path) -> None:
    other = SchoolBuilder.empty("Школа № 5")
    outsider = other.teacher("Волков", "Пётр", username="volkov")

    report = import_school(source=example_dir, school=None)

    assert ("teachers.csv", 5, "login") in [(e.file, e.row, e.column) for e in report.errors]
    outsider.user.refresh_from_db()
    assert outsider.user.first_name == "Пётр"
    assert not Teacher.objects.filter(external_id="T4").exists()


def test_import_into_a_school_made_by_hand_adopts_its_people(example_dir: Path) -> None:
    b = SchoolBuilder.empty("Гимназия № 2")
    made_by_hand = b.teacher("Соколова", "Ирина", "Викторовна", username="sokolova.iv")

    report = import_school(source=example_dir, school=b.school)

    assert not report.failed
    b.school.refresh_from_db()
    assert b.school.external_id == "gym2-nsk"
    assert School.objects.count() == 1
    made_by_hand.refresh_from_db()
    assert made_by_hand.external_id == "T1"
    assert Teacher.objects.filter(school=b.school).count() == 4


def test_files_of_another_school_are_refused(example_dir: Path) -> None:
    School.objects.create(name="Гимназия № 2", external_id="gym2-nsk")
    mine = SchoolBuilder.empty("Школа № 7").school

    report = import_school(source=example_dir, school=mine)

    assert report.failed
    assert report.file_errors[0].file == "school.csv"
    assert "другую школу" in report.file_errors[0].message
    assert not Teacher.objects.exists()


def test_progress_is_reported_per_chunk(example_dir: Path) -> None:
    seen: list[ImportProgress] = []

    import_school(source=example_dir, school=None, progress=seen.append)

    assert seen[0].done == 0
    assert [p.done for p in seen] == sorted(p.done for p in seen)
    assert seen[-1].done == seen[-1].total == sum(rows for rows, _, _ in EXPECTED.values()) - 1
