"""school.csv (the school and its academic year), periods.csv and bells.csv."""

from __future__ import annotations

from django.utils.translation import gettext as _

from parta.journal.imports.parser import ColumnSpec, CsvFile, FileLevelError, Row, RowError
from parta.journal.imports.report import Outcome
from parta.journal.imports.steps.base import Step, apply, outcome
from parta.journal.school.models import AcademicYear, Period, School
from parta.journal.timetable.models import Bell

SCHOOL_FILE = "school.csv"
SCHOOL_COLUMNS = ColumnSpec(
    required=("external_id", "name", "academic_year", "year_starts_on", "year_ends_on"),
    optional=("short_name", "region"),
)


def import_school_file(csv_file: CsvFile, *, school: School | None) -> tuple[School, AcademicYear, Outcome]:
    """Creates or updates the school and its year. Any problem here stops the import: all hangs on them.

    `school` is the school the import was started for; school.csv must then describe that school.
    """
    if len(csv_file.rows) != 1:
        raise FileLevelError(SCHOOL_FILE, _("The file must hold exactly one school: one line after the header."))
    row = csv_file.rows[0]
    try:
        external_id = row.text("external_id", required=True, max_length=64)
        fields = {
            "name": row.text("name", required=True),
            "short_name": row.text("short_name", max_length=100),
            "region": row.text("region"),
        }
        year_name = row.text("academic_year", required=True, max_length=20)
        starts_on, ends_on = row.date("year_starts_on"), row.date("year_ends_on")
        if ends_on <= starts_on:
            raise RowError("year_ends_on", _("The year must end after it starts."))
    except RowError as exc:
        raise FileLevelError(SCHOOL_FILE, f"{exc.column}: {exc.message}") from exc
    target = _target_school(external_id, school=school)
    created = target is None
    if target is None:
        target = School.objects.create(external_id=external_id, **fields)
        changed = True
    else:
        changed = apply(target, {"external_id": external_id, **fields})
    year, year_created = AcademicYear.objects.get_or_create(
        school=target, name=year_name, defaults={"starts_on": starts_on, "ends_on": ends_on}
    )
    changed = apply(year, {"starts_on": starts_on, "ends_on": ends_on}) or year_created or changed
    return target, year, outcome(created=created, changed=changed)


def _target_school(external_id: str, *, school: School | None) -> School | None:
    owner = School.objects.filter(external_id=external_id).first()
    if school is None or (owner is not None and owner.pk == school.pk):
        return owner
    if owner is not None or school.external_id:
        raise FileLevelError(
            SCHOOL_FILE,
            _(
                "school.csv describes another school (external_id «%(theirs)s»), not «%(ours)s». "
                "Choose the right school or correct external_id."
            )
            % {"theirs": external_id, "ours": school.name},
        )
    return school  # a school made by hand gets its id from the file


class PeriodsStep(Step):
    file_name = "periods.csv"
    columns = ColumnSpec(required=("number", "name", "starts_on", "ends_on"))

    def import_row(self, row: Row) -> Outcome:
        number = row.integer("number", low=1, high=12)
        self.claim(number, row, "number", str(number))
        name = row.text("name", required=True, max_length=50)
        starts_on, ends_on = row.date("starts_on"), row.date("ends_on")
        year = self.ctx.year
        if ends_on < starts_on:
            raise RowError("ends_on", _("The period must not end before it starts."))
        if starts_on < year.starts_on or ends_on > year.ends_on:
            raise RowError(
                "starts_on",
                _("The period must lie within the academic year %(year)s (%(start)s – %(end)s).")
                % {
                    "year": year.name,
                    "start": f"{year.starts_on:%d.%m.%Y}",
                    "end": f"{year.ends_on:%d.%m.%Y}",
                },
            )
        values = {"name": name, "starts_on": starts_on, "ends_on": ends_on}
        period = self.ctx.periods.get(number)
        if period is None:
            self.ctx.periods[number] = Period.objects.create(year=year, number=number, **values)
            return Outcome.CREATED
        return outcome(created=False, changed=apply(period, values))


class BellsStep(Step):
    file_name = "bells.csv"
    columns = ColumnSpec(required=("number", "starts_at", "ends_at"))

    def import_row(self, row: Row) -> Outcome:
        number = row.integer("number", low=1, high=20)
        self.claim(number, row, "number", str(number))
        values = {"starts_at": row.time("starts_at"), "ends_at": row.time("ends_at")}
        if values["ends_at"] <= values["starts_at"]:
            raise RowError("ends_at", _("The lesson must end after it starts."))
        bell = self.ctx.bells.get(number)
        if bell is None:
            self.ctx.bells[number] = Bell.objects.create(school=self.ctx.school, number=number, **values)
            return Outcome.CREATED
        return outcome(created=False, changed=apply(bell, values))
