"""timetable.csv: the weekly timetable of each period; after the last row, the dated lessons are made."""

from __future__ import annotations

from django.utils.translation import gettext as _

from parta.journal.imports.parser import ColumnSpec, Row, RowError
from parta.journal.imports.report import Outcome
from parta.journal.imports.steps.base import ImportContext, Step, apply
from parta.journal.school.models import Period, SchoolClass, TeachingLoad
from parta.journal.timetable.models import Bell, TimetableEntry
from parta.journal.timetable.services import generate_lessons

Slot = tuple[int, int, int]  # period id, weekday, bell id


class TimetableStep(Step):
    """An empty `period` means every period of the year. Clashes are checked within the file: a teacher in two
    places at once, or a class with two lessons at once unless both are lessons of different groups."""

    file_name = "timetable.csv"
    columns = ColumnSpec(
        required=("weekday", "lesson_number", "class", "subject", "teacher_id"),
        optional=("period", "group", "room"),
    )

    def __init__(self, ctx: ImportContext) -> None:
        super().__init__(ctx)
        self._entries: dict[tuple[int, int, int, int], TimetableEntry] | None = None
        self._teacher_busy: dict[tuple[Slot, int], int] = {}
        self._class_busy: dict[tuple[Slot, int], list[tuple[int | None, int]]] = {}
        self._periods: set[int] = set()

    @property
    def entries(self) -> dict[tuple[int, int, int, int], TimetableEntry]:
        if self._entries is None:
            qs = TimetableEntry.objects.filter(period__year=self.ctx.year)
            self._entries = {(e.period_id, e.load_id, e.weekday, e.bell_id): e for e in qs}
        return self._entries

    def import_row(self, row: Row) -> Outcome:
        periods = self._periods_of(row)
        weekday = row.weekday("weekday")
        bell = self._bell(row)
        school_class = self.school_class(row)
        load = self._load(row, school_class)
        room = row.text("room", max_length=30)
        slots = [(period.pk, weekday, bell.pk) for period in periods]
        for slot in slots:
            self._check_clashes(slot, load)
        for slot in slots:
            self._teacher_busy[(slot, load.teacher_id)] = row.number
            self._class_busy.setdefault((slot, load.school_class_id), []).append((load.group_id, row.number))
        results = [self._upsert(period, load, weekday, bell, room) for period in periods]
        self._periods.update(p.pk for p in periods)
        if Outcome.CREATED in results:
            return Outcome.CREATED
        return Outcome.UPDATED if Outcome.UPDATED in results else Outcome.UNCHANGED

    def finish(self) -> None:
        for period in sorted(self.ctx.periods.values(), key=lambda p: p.number):
            if period.pk in self._periods:
                self.ctx.report.lessons_created += generate_lessons(period=period)

    def _periods_of(self, row: Row) -> list[Period]:
        number = row.optional_integer("period", low=1, high=12)
        if number is None:
            if not self.ctx.periods:
                raise RowError("period", _("The year has no periods; add them to periods.csv."))
            return sorted(self.ctx.periods.values(), key=lambda p: p.number)
        period = self.ctx.periods.get(number)
        if period is None:
            raise RowError("period", _("Period %(n)s is not found; add it to periods.csv.") % {"n": number})
        return [period]

    def _bell(self, row: Row) -> Bell:
        number = row.integer("lesson_number", low=1, high=20)
        bell = self.ctx.bells.get(number)
        if bell is None:
            raise RowError("lesson_number", _("Lesson %(n)s is not in bells.csv; add its times there.") % {"n": number})
        return bell

    def _load(self, row: Row, school_class: SchoolClass) -> TeachingLoad:
        teacher = self.teacher(row, "teacher_id")
        subject = self.subject(row)
        group = self.group(row, school_class)
        load = self.ctx.loads.get((teacher.pk, school_class.pk, subject.pk, group.pk if group else None))
        if load is None:
            raise RowError(
                "subject",
                _("load.csv has no row for teacher %(teacher)s, class %(cls)s, %(subject)s%(group)s; add it.")
                % {
                    "teacher": teacher.external_id,
                    "cls": school_class.name,
                    "subject": subject.name,
                    "group": f", {group.name}" if group else "",
                },
            )
        return load

    def _check_clashes(self, slot: Slot, load: TeachingLoad) -> None:
        teacher_row = self._teacher_busy.get((slot, load.teacher_id))
        if teacher_row is not None:
            raise RowError(
                "teacher_id",
                _("The teacher already has a lesson at this time in row %(row)s.") % {"row": teacher_row},
            )
        for group_id, other_row in self._class_busy.get((slot, load.school_class_id), []):
            if group_id is None or load.group_id is None or group_id == load.group_id:
                raise RowError(
                    "class",
                    _("The class already has a lesson at this time in row %(row)s.") % {"row": other_row},
                )

    def _upsert(self, period: Period, load: TeachingLoad, weekday: int, bell: Bell, room: str) -> Outcome:
        key = (period.pk, load.pk, weekday, bell.pk)
        entry = self.entries.get(key)
        if entry is None:
            self.entries[key] = TimetableEntry.objects.create(
                period=period, load=load, weekday=weekday, bell=bell, room=room
            )
            return Outcome.CREATED
        return Outcome.UPDATED if apply(entry, {"room": room}) else Outcome.UNCHANGED
