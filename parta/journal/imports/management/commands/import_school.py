"""`python -m parta.journal import_school PATH`: imports a school's CSV files from a folder or a ZIP (B1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from parta.journal.imports.report import ImportProgress, ImportReport
from parta.journal.imports.services import import_school
from parta.journal.school.models import School


class Command(BaseCommand):
    help = "Imports a school's roster and timetable from CSV files (see docs/csv-import.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="A folder with the CSV files or a ZIP archive of them.")
        parser.add_argument(
            "--school-external-id",
            help="Import into the existing school with this external id; school.csv must describe it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        school = None
        if options["school_external_id"]:
            school = School.objects.filter(external_id=options["school_external_id"]).first()
            if school is None:
                raise CommandError(_("No school has the external id «%(id)s».") % {"id": options["school_external_id"]})
        self._file = ""
        report = import_school(source=options["path"], school=school, progress=self._progress)
        self._print(report)
        if report.failed:
            raise CommandError(_("Nothing was imported: correct the files named above and run the import again."))

    def _progress(self, step: ImportProgress) -> None:
        if step.file != self._file:
            self._file = step.file
            self.stdout.write("")
        self.stdout.write(f"\r{step.file}: {step.done} / {step.total}", ending="")
        self.stdout.flush()

    def _print(self, report: ImportReport) -> None:
        self.stdout.write("")
        for issue in report.file_errors:
            self.stderr.write(f"{issue.file}: {issue.message}")
        if report.school_name:
            self.stdout.write(_("School: %(name)s") % {"name": report.school_name})
        if report.files:
            heads = [_("File"), _("Rows"), _("Created"), _("Updated"), _("Unchanged"), _("With errors")]
            self.stdout.write("  ".join(f"{h:>14}" for h in heads))
            for f in report.files:
                cells = [f.file, f.rows, f.created, f.updated, f.unchanged, f.errors]
                self.stdout.write("  ".join(f"{c:>14}" for c in cells))
            self.stdout.write(_("Lessons added to the calendar: %(n)s") % {"n": report.lessons_created})
        for note in report.warnings:
            self.stdout.write(self.style.WARNING(note))
        if report.errors:
            self.stdout.write(self.style.WARNING(_("Skipped rows (%(n)s):") % {"n": len(report.errors)}))
        for e in report.errors:
            where = _("%(file)s, row %(row)s") % {"file": e.file, "row": e.row}
            self.stdout.write(f"  {where}{', ' + e.column if e.column else ''}: {e.message}")
        if not report.failed:
            self.stdout.write(self.style.SUCCESS(_("The import has finished.")))
