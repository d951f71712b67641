"""What the demo school teaches, to whom and by whom: plain data the generator turns into rows.

Hours per week follow the usual Russian curriculum for grades 4, 5 and 7 (with Математика kept as one
subject in grade 7, as many schools' journals do). Each teacher's load is written out so that the people a
guided tour meets (`teacher`, `student`, `parent`) are always in the same places.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from parta.journal.demo.names import PersonName

SCHOOL_NAME = "МБОУ «Школа № 17»"
SCHOOL_SHORT_NAME = "Школа № 17"
REGION = "Демонстрационный регион"
ADMIN_GROUP = "Администраторы школы"
PASSWORD = "demo"  # noqa: S105 - the documented password of the demo accounts

BELLS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(8, 30), dt.time(9, 15)),
    (dt.time(9, 25), dt.time(10, 10)),
    (dt.time(10, 25), dt.time(11, 10)),
    (dt.time(11, 30), dt.time(12, 15)),
    (dt.time(12, 25), dt.time(13, 10)),
    (dt.time(13, 20), dt.time(14, 5)),
    (dt.time(14, 15), dt.time(15, 0)),
)

SUBJECTS: dict[str, str] = {
    "Математика": "Матем.",
    "Русский язык": "Рус. яз.",
    "Литература": "Лит-ра",
    "Литературное чтение": "Лит. чт.",
    "Английский язык": "Англ. яз.",
    "История": "История",
    "Обществознание": "Общ.",
    "География": "Геогр.",
    "Биология": "Биол.",
    "Физика": "Физика",
    "Информатика": "Информ.",
    "Окружающий мир": "Окр. мир",
    "Музыка": "Музыка",
    "Изобразительное искусство": "ИЗО",
    "Труд (технология)": "Труд",
    "Физическая культура": "Физ-ра",
    "ОДНКНР": "ОДНКНР",
    "ОРКСЭ": "ОРКСЭ",
}

CURRICULUM: dict[int, dict[str, int]] = {
    4: {
        "Русский язык": 5,
        "Литературное чтение": 4,
        "Математика": 4,
        "Окружающий мир": 2,
        "Английский язык": 2,
        "ОРКСЭ": 1,
        "Музыка": 1,
        "Изобразительное искусство": 1,
        "Труд (технология)": 1,
        "Физическая культура": 2,
    },
    5: {
        "Русский язык": 5,
        "Литература": 3,
        "Математика": 5,
        "Английский язык": 3,
        "История": 2,
        "География": 1,
        "Биология": 1,
        "Информатика": 1,
        "Музыка": 1,
        "Изобразительное искусство": 1,
        "Труд (технология)": 2,
        "Физическая культура": 2,
        "ОДНКНР": 1,
    },
    7: {
        "Русский язык": 4,
        "Литература": 2,
        "Математика": 5,
        "Английский язык": 3,
        "История": 2,
        "Обществознание": 1,
        "География": 2,
        "Биология": 1,
        "Физика": 2,
        "Информатика": 1,
        "Музыка": 1,
        "Изобразительное искусство": 1,
        "Труд (технология)": 2,
        "Физическая культура": 3,
    },
}


@dataclass(frozen=True)
class ClassPlan:
    grade: int
    letter: str
    class_teacher: str
    six_day_week: bool = True  # primary classes study Monday to Friday

    @property
    def name(self) -> str:
        return f"{self.grade}{self.letter}"


CLASSES = (
    ClassPlan(4, "А", "primary", six_day_week=False),
    ClassPlan(5, "А", "rus1"),
    ClassPlan(5, "Б", "bio"),
    ClassPlan(7, "А", "math2"),
    ClassPlan(7, "Б", "teacher"),
)
STUDENTS_PER_CLASS = 25


@dataclass(frozen=True)
class TeacherPlan:
    key: str
    name: PersonName
    room: str
    teaches: dict[str, tuple[str, ...]]  # subject → class names
    username: str | None = None


def _woman(last: str, first: str, patronymic: str) -> PersonName:
    return PersonName(last, first, patronymic, True)


def _man(last: str, first: str, patronymic: str) -> PersonName:
    return PersonName(last, first, patronymic, False)


_FIVES = ("5А", "5Б")
_SEVENS = ("7А", "7Б")
_ALL = ("4А", *_FIVES, *_SEVENS)

TEACHERS = (
    TeacherPlan("teacher", _woman("Кузнецова", "Ирина", "Викторовна"), "21", {"Математика": ("7Б", "5А")}, "teacher"),
    TeacherPlan("math2", _man("Белов", "Сергей", "Николаевич"), "22", {"Математика": ("5Б", "7А")}),
    TeacherPlan("rus1", _woman("Лебедева", "Ольга", "Петровна"), "14", {"Русский язык": _FIVES, "Литература": _FIVES}),
    TeacherPlan(
        "rus2", _woman("Орлова", "Наталья", "Александровна"), "15", {"Русский язык": _SEVENS, "Литература": _SEVENS}
    ),
    TeacherPlan("eng1", _woman("Морозова", "Анна", "Игоревна"), "31", {"Английский язык": (*_FIVES, "7А")}),
    TeacherPlan("eng2", _woman("Гусева", "Екатерина", "Дмитриевна"), "32", {"Английский язык": ("4А",)}),
    TeacherPlan(
        "hist",
        _man("Фролов", "Андрей", "Владимирович"),
        "25",
        {"История": (*_FIVES, *_SEVENS), "Обществознание": _SEVENS, "ОДНКНР": _FIVES},
    ),
    TeacherPlan("geo", _woman("Захарова", "Галина", "Михайловна"), "26", {"География": (*_FIVES, *_SEVENS)}),
    TeacherPlan("bio", _woman("Соловьёва", "Марина", "Юрьевна"), "27", {"Биология": (*_FIVES, *_SEVENS)}),
    TeacherPlan("phys", _man("Тихонов", "Павел", "Сергеевич"), "28", {"Физика": _SEVENS}),
    TeacherPlan("inf", _man("Никитин", "Денис", "Олегович"), "33", {"Информатика": (*_FIVES, *_SEVENS)}),
    TeacherPlan("pe", _man("Романов", "Игорь", "Викторович"), "Спортзал", {"Физическая культура": _ALL}),
    TeacherPlan("music", _woman("Васильева", "Людмила", "Ивановна"), "35", {"Музыка": _ALL}),
    TeacherPlan(
        "art",
        _woman("Крылова", "Светлана", "Петровна"),
        "36",
        {"Изобразительное искусство": _ALL, "Труд (технология)": _ALL},
    ),
    TeacherPlan(
        "primary",
        _woman("Полякова", "Елена", "Васильевна"),
        "4",
        {
            "Русский язык": ("4А",),
            "Литературное чтение": ("4А",),
            "Математика": ("4А",),
            "Окружающий мир": ("4А",),
            "ОРКСЭ": ("4А",),
        },
    ),
)

# English in 7Б is taught in two halves at the same time, each by its own teacher.
SPLIT_SUBJECTS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("7Б", "Английский язык"): (("Группа 1", "eng1"), ("Группа 2", "eng2")),
}


# The people a guided tour signs in as (password `demo`), and the family that ties them together.
@dataclass(frozen=True)
class FixedFamily:
    surname: str
    father: str
    children: tuple[tuple[str, PersonName], ...]  # class name, child
    mother_key: str  # "parent" (an account of its own) or a teacher's key


FIXED_FAMILIES = (
    FixedFamily(
        "Соколов",
        "Дмитрий",
        (
            ("7Б", PersonName("Соколов", "Максим", "Дмитриевич", False)),
            ("5А", PersonName("Соколова", "Дарья", "Дмитриевна", True)),
        ),
        mother_key="parent",
    ),
    FixedFamily(
        "Кузнецов", "Андрей", (("5Б", PersonName("Кузнецов", "Артём", "Андреевич", False)),), mother_key="teacher"
    ),
)
PARENT_NAME = PersonName("Соколова", "Елена", "Сергеевна", True)
STUDENT_NAME = FIXED_FAMILIES[0].children[0][1]
ADMIN_NAME = PersonName("Григорьева", "Татьяна", "Николаевна", True)


def day_lengths(total: int, *, six_day_week: bool) -> tuple[int, ...]:
    """Lessons per weekday, Monday first: Saturday is short (3–4 lessons), the rest spread evenly."""
    saturday = (3 if total <= 28 else 4) if six_day_week else 0
    weekdays = total - saturday
    base, extra = divmod(weekdays, 5)
    days = tuple(base + 1 if n < extra else base for n in range(5))
    return (*days, saturday) if six_day_week else days
