"""A weekly timetable for the demo school, found without touching the database.

Each class's week is filled lesson by lesson from its curriculum; a lesson goes into a slot only if all its
teachers are free then, and a subject repeats on a day only when nothing else fits. When the greedy fill
gets stuck it starts over with another shuffle — the seeded generator makes the outcome repeatable.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from parta.journal.demo.curriculum import CLASSES, CURRICULUM, SPLIT_SUBJECTS, TEACHERS, day_lengths

# (class name, subject) → (group name or "", teacher key) for each teacher giving that lesson.
Assignment = dict[tuple[str, str], tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class WeeklyLesson:
    """One lesson of a class's week; a class split into groups has one teacher per group at the same time."""

    class_name: str
    subject: str
    parts: tuple[tuple[str, str], ...]  # (group name or "", teacher key)

    @property
    def teachers(self) -> tuple[str, ...]:
        return tuple(teacher for _, teacher in self.parts)


# class name → days (Monday first) → lessons in bell order
Week = dict[str, list[list[WeeklyLesson]]]


def assignment() -> Assignment:
    """Who teaches each subject of each class; refuses a plan with a subject left without a teacher."""
    result: Assignment = dict(SPLIT_SUBJECTS)
    for plan in TEACHERS:
        for subject, class_names in plan.teaches.items():
            for class_name in class_names:
                if (class_name, subject) in result:
                    raise ValueError(f"{class_name} {subject}: two teachers")
                result[(class_name, subject)] = (("", plan.key),)
    for school_class in CLASSES:
        for subject in CURRICULUM[school_class.grade]:
            if (school_class.name, subject) not in result:
                raise ValueError(f"{school_class.name} {subject}: no teacher")
    return result


def _lessons_of_class(class_name: str, grade: int, plan: Assignment) -> list[WeeklyLesson]:
    return [
        WeeklyLesson(class_name, subject, plan[(class_name, subject)])
        for subject, hours in CURRICULUM[grade].items()
        for _ in range(hours)
    ]


def _pick(
    remaining: list[WeeklyLesson], today: list[WeeklyLesson], busy: set[tuple[int, int, str]], day: int, bell: int
) -> WeeklyLesson | None:
    free = [lesson for lesson in remaining if all((day, bell, t) not in busy for t in lesson.teachers)]
    taken = Counter(lesson.subject for lesson in today)
    for allowed_before in (0, 1):
        for lesson in free:
            if taken[lesson.subject] <= allowed_before:
                return lesson
    return None


def _try_week(rng: random.Random, plan: Assignment) -> Week | None:
    busy: set[tuple[int, int, str]] = set()
    week: Week = {}
    for school_class in CLASSES:
        remaining = _lessons_of_class(school_class.name, school_class.grade, plan)
        lengths = day_lengths(len(remaining), six_day_week=school_class.six_day_week)
        rng.shuffle(remaining)
        days: list[list[WeeklyLesson]] = []
        for day, length in enumerate(lengths):
            today: list[WeeklyLesson] = []
            for bell in range(length):
                lesson = _pick(remaining, today, busy, day, bell)
                if lesson is None:
                    return None
                remaining.remove(lesson)
                today.append(lesson)
                busy.update((day, bell, teacher) for teacher in lesson.teachers)
            days.append(today)
        week[school_class.name] = days
    return week


def _repeats(week: Week) -> int:
    """How many times a subject comes twice in one day: fewer is a kinder timetable."""
    return sum(len(day) - len({lesson.subject for lesson in day}) for days in week.values() for day in days)


def build_week(rng: random.Random, *, attempts: int = 1000, candidates: int = 20) -> Week:
    """The kindest of the first `candidates` timetables found in which no teacher is booked twice."""
    plan = assignment()
    found: list[Week] = []
    for _ in range(attempts):
        week = _try_week(rng, plan)
        if week is not None:
            found.append(week)
            if len(found) == candidates:
                break
    if not found:
        raise RuntimeError("No timetable without a teacher's double booking was found; change the demo's load.")
    return min(found, key=_repeats)
